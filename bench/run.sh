#!/usr/bin/env bash
# run.sh: the comparison benchmarks (issue 6; budgets of issue 11). Builds
# the benchmark binary once, starts one redis-server on a free loopback
# port, runs every configuration in its own process, interleaved
# round-robin, COUNT times, and prints a benchstat table against upstream,
# the ratios with the extra CPU per command, the budget verdicts and the
# wall-time sanity line (a loud warning when upstream's Get/16B takes more
# than 30 µs: the machine is loaded and round-trip overheads are hidden).
#
# Environment:
#   COUNT      samples per configuration (default 10; QUICK: 2)
#   BENCHTIME  -test.benchtime of each benchmark (default 0.5s; QUICK: 100x)
#   BENCH      -test.bench regexp (default .)
#   CONFIGS    configurations, baseline first (default: all nine)
#   QUICK=1    smoke test: few samples, short runs; the numbers mean nothing
#   STRICT=1   exit with status 1 when a budget is missed
#   OUT        directory of the results (default bench/out)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

GO=${GO:-go}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
if [[ ${QUICK:-0} == 1 ]]; then
	COUNT=${COUNT:-2}
	BENCHTIME=${BENCHTIME:-100x}
else
	COUNT=${COUNT:-10}
	BENCHTIME=${BENCHTIME:-0.5s}
fi
BENCH=${BENCH:-.}
OUT=${OUT:-$here/out}
read -r -a configs <<<"${CONFIGS:-upstream upstream-ctx bare bare-ctx metrics views traced goredis goredis-otel}"
if [[ ${configs[0]} != upstream ]]; then
	echo "run.sh: CONFIGS must start with upstream, the baseline" >&2
	exit 2
fi

benchstat=$(command -v benchstat || true)
if [[ -z $benchstat ]]; then
	benchstat="$($GO env GOPATH)/bin/benchstat"
	if [[ ! -x $benchstat ]]; then
		echo "installing benchstat" >&2
		$GO install golang.org/x/perf/cmd/benchstat@latest
	fi
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.txt
$GO test -c -o "$OUT/bench.test" .
$GO build -o "$OUT/ratios" ./cmd/ratios

# start_redis starts redis-server on a free loopback port: port and
# redis_pid are set on success.
redis_pid=
start_redis() {
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 40000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue # taken
		fi
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
			--dir "$OUT" --logfile "$OUT/redis.log" &
		redis_pid=$!
		for _ in $(seq 100); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				return 0
			fi
			kill -0 "$redis_pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
		redis_pid=
	done
	echo "run.sh: could not start $REDIS_SERVER (see $OUT/redis.log)" >&2
	return 1
}
stop_redis() {
	if [[ -n $redis_pid ]]; then
		kill "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
}
trap stop_redis EXIT
start_redis
echo "redis-server $("$REDIS_SERVER" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port" >&2

# Round-robin, each round starting one configuration later, so that no
# configuration always runs right after the same one.
n=${#configs[@]}
for ((round = 0; round < COUNT; round++)); do
	for ((i = 0; i < n; i++)); do
		cfg=${configs[(round + i) % n]}
		echo "sample $((round + 1))/$COUNT: $cfg" >&2
		if ! BENCH_CONFIG=$cfg REDIS_ADDR=127.0.0.1:$port "$OUT/bench.test" \
			-test.run='^$' -test.bench="$BENCH" -test.benchtime="$BENCHTIME" \
			-test.benchmem >"$OUT/last.log" 2>&1; then
			echo "run.sh: configuration $cfg failed:" >&2
			tail -n 30 "$OUT/last.log" >&2
			exit 1
		fi
		cat "$OUT/last.log" >>"$OUT/$cfg.txt"
	done
	if ((round == 0)); then
		# Early word on the machine's load: a loaded machine hides the
		# round-trip overheads, better known before the whole run.
		"$OUT/ratios" -sanity "upstream=$OUT/upstream.txt" >&2 || true
	fi
done
rm -f "$OUT/last.log"

inputs=()
for cfg in "${configs[@]}"; do
	inputs+=("$cfg=$OUT/$cfg.txt")
done
"$benchstat" "${inputs[@]}" | tee "$OUT/benchstat.txt"
echo
strict=()
if [[ ${STRICT:-0} == 1 ]]; then
	strict=(-strict)
fi
"$OUT/ratios" "${strict[@]}" "${inputs[@]}" | tee "$OUT/ratios.txt"
exit "${PIPESTATUS[0]}"
