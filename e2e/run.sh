#!/usr/bin/env bash
# make e2e: the end-to-end test of the demo (e2e/e2e_test.go). Installs
# redis-server and Prometheus (Debian's prometheus package, which ships
# promtool) when missing, without starting their services, and builds
# Jaeger once (tools/jaeger/build.sh caches the binary).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
if ((${#missing[@]})); then
  echo "e2e: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  # A policy-rc.d answering 101 keeps the packages from starting services.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for service in "${missing[@]}"; do
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
  command -v prometheus >/dev/null && command -v promtool >/dev/null || {
    echo "e2e: prometheus and promtool are still missing after apt-get install prometheus" >&2
    exit 1
  }
fi
prometheus --version 2>&1 | head -1

# Jaeger, built once and cached outside the repository (tools/jaeger).
JAEGER_BIN=$(bash tools/jaeger/build.sh)
export JAEGER_BIN

cd e2e
exec go test -tags e2e -race -count=1 -timeout 10m -v .
