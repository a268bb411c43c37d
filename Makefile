# ocredigo — see README.md.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: test deps vet lint unit fuzz bench soak demo e2e jaeger

# The library's module is the root; the examples (with their exporters and
# miniredis), the OpenTelemetry example, the upstream-path compatibility
# module (compat/, with its redsync test) and the end-to-end test are nested
# modules of their own, so that none of their dependencies reach a user's
# build. bench/ and tools/jaeger/ are modules too, used by make bench and
# make e2e only.
# (In e2e/, go test without the e2e tag runs only the check that the
# documented queries name the demo's metrics; make e2e runs the rest.)
MODULES = . examples examples/otel compat compat/internal/redsynctest e2e

# test: everything CI runs. Installs redis-server (Debian) when missing.
test: deps vet lint unit

deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; \
	  $$SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true; \
	}
	@redis-server --version
	@# The old OpenCensus fork, for tools/cleanroom's side-by-side check (not a
	@# dependency: the module cache only; the check skips it when missing).
	@$(GO) mod download github.com/opencensus-integrations/redigo@v2.0.1+incompatible 2>/dev/null || echo "fork not downloadable: cleanroom compares with upstream only"

vet:
	@for m in $(MODULES); do echo "go vet ($$m)"; (cd $$m && $(GO) vet -tags e2e ./...) || exit 1; done

lint:
	@for m in $(MODULES); do echo "staticcheck ($$m)"; (cd $$m && $(GO) run $(STATICCHECK) -tags e2e ./...) || exit 1; done

# unit: every test of every module but the end-to-end test, which is behind
# the build tag e2e (make e2e).
unit:
	@for m in $(MODULES); do echo "go test ($$m)"; (cd $$m && $(GO) test -race -count=1 -timeout 15m ./...) || exit 1; done

# fuzz: each decoder fuzz target for FUZZTIME (default 60s); the inputs the
# fuzzer found interesting are kept in the corpus under testdata/ (commit them).
FUZZTIME ?= 60s
FUZZCACHE = $(shell $(GO) env GOCACHE)/fuzz/github.com/ocredigo/redigo/internal/resp
fuzz:
	@for target in FuzzReadReply FuzzRoundTrip; do \
	  $(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=3s ./internal/resp/ || exit 1; \
	  mkdir -p internal/resp/testdata/fuzz/$$target; \
	  cp -n $(FUZZCACHE)/$$target/* internal/resp/testdata/fuzz/$$target/ 2>/dev/null || true; \
	done

# bench: comparison benchmarks against upstream redigo and go-redis, each
# configuration in its own process (bench/README.md); QUICK=1 for a smoke run.
bench: deps
	bench/run.sh

# soak: the fault soak test for SOAKTIME (default 10m).
SOAKTIME ?= 10m
soak: deps
	SOAK_DURATION=$(SOAKTIME) $(GO) test -race -count=1 -run '^TestSoakUnderFaults$$' -timeout 2h ./redis/

# demo: the leaderboard on an embedded Redis; metrics at http://localhost:9464/metrics,
# spans printed. DEMOFLAGS="-addr localhost:6379 -zipkin http://localhost:9411/api/v2/spans"
DEMOFLAGS ?=
demo:
	cd examples && $(GO) run ./leaderboard $(DEMOFLAGS)

# e2e: the demo against redis-server, scraped by a real Prometheus with
# testdata/prometheus.yml, its spans sent to a real Jaeger and read back.
# Installs Debian's prometheus package (and redis-server) when missing, and
# builds Jaeger once (make jaeger).
e2e:
	bash e2e/run.sh

# jaeger: builds the Jaeger all-in-one binary of tools/jaeger into a cache
# outside the repository (when missing) and prints its path.
jaeger:
	@bash tools/jaeger/build.sh
