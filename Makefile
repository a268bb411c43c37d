# ocredigo — see README.md.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: test deps vet lint unit fuzz bench soak

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

# fuzz: each decoder fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzReadReply$$' -fuzztime=$(FUZZTIME) ./internal/resp/
	$(GO) test -run='^$$' -fuzz='^FuzzRoundTrip$$' -fuzztime=$(FUZZTIME) ./internal/resp/

# bench: comparison benchmarks against upstream redigo and go-redis, each
# configuration in its own process (bench/README.md); QUICK=1 for a smoke run.
bench: deps
	bench/run.sh

# soak: the fault soak test for SOAKTIME (default 10m).
SOAKTIME ?= 10m
soak: deps
	SOAK_DURATION=$(SOAKTIME) $(GO) test -race -count=1 -run '^TestSoakUnderFaults$$' -timeout 2h ./redis/
