#!/usr/bin/env bash
# Builds Jaeger (all-in-one: collector with a Zipkin receiver, memory
# storage, query API), the tool of this module, once: the binary is cached
# outside the repository, under ${OCREDIGO_CACHE:-$XDG_CACHE_HOME/ocredigo},
# named by its version. Prints the binary's path on standard output.
#
# The first build downloads and compiles about 320 modules: ~30 s of download
# and ~3 minutes of compilation on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
version=$(go list -m -f '{{.Version}}' github.com/jaegertracing/jaeger)
cache=${OCREDIGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocredigo}
bin=$cache/jaeger-$version
if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  echo "jaeger: building $version into $bin (once; a few minutes)" >&2
  start=$(date +%s)
  go build -o "$bin.tmp.$$" github.com/jaegertracing/jaeger/cmd/jaeger
  mv "$bin.tmp.$$" "$bin"
  echo "jaeger: built in $(( $(date +%s) - start )) s" >&2
fi
echo "$bin"
