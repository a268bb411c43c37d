// Package e2e holds the end-to-end test of the demo (e2e_test.go, behind
// the build tag e2e): examples/leaderboard runs against a real
// redis-server, a real Prometheus scrapes it with the rules of
// testdata/alerts.yml, and the test checks the call rate and latency
// quantiles per command in Prometheus, that the Grafana dashboard's queries
// return data, that every metric the dashboard and the alerts use exists,
// and the span tree the demo sends to a Zipkin v2 endpoint. Run it with
//
//	make e2e          # or: bash e2e/run.sh
//
// which installs Debian's prometheus package (it ships promtool) when
// missing, then runs go test -tags e2e -race ./e2e/.
package e2e
