// Package e2e holds the end-to-end test of the demo (e2e_test.go, behind
// the build tag e2e), a module of its own: examples/leaderboard runs
// against a real redis-server; a real Prometheus, started with
// testdata/prometheus.yml as shipped, scrapes it with the rules of
// testdata/alerts.yml; the test checks the call rate and latency quantiles
// per command, that every PromQL expression of the README and every query
// of the Grafana dashboard returns data, that every metric they and the
// alerts name exists; then it reads the demo's spans back from a real
// Jaeger (its Zipkin receiver, memory storage and query API, configured by
// jaeger.yaml on loopback ports) and checks the span tree of every round.
// Run it with
//
//	make e2e          # or: bash e2e/run.sh
//
// which installs Debian's prometheus package (it ships promtool) when
// missing, builds Jaeger once (tools/jaeger/build.sh), then runs
// go test -tags e2e -race in this directory.
package e2e
