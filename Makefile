# ocredigo — see README.md.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: test deps vet lint unit fuzz bench soak demo e2e

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

vet:
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 -timeout 15m ./...

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
	$(GO) run ./examples/leaderboard $(DEMOFLAGS)

# e2e: the demo against redis-server, scraped by a real Prometheus, spans checked as
# Zipkin JSON. Installs Debian's prometheus package (and redis-server) when missing.
e2e:
	bash e2e/run.sh
