//go:build e2e && linux

package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ocredigo/redigo/internal/redistest"
)

// dataLimit bounds the waits for the demo, Prometheus and Jaeger to have
// data; it is a bound, not an expectation: data comes within seconds.
const dataLimit = 90 * time.Second

// demoMetricsAddr is where the demo serves /metrics: the target of
// testdata/prometheus.yml, which the test runs as shipped.
const demoMetricsAddr = "127.0.0.1:9464"

// The commands of a round, and the steps that send them (Zipkin, hence
// Jaeger, has the span names in lower case).
var (
	commands = []string{"ZADD", "ZSCAN", "ZCARD", "DEL"}
	stepOf   = map[string][]string{
		"addtoleaderboard": {"zadd"},
		"scan":             {"zscan"},
		"cleanup":          {"zcard", "del"}, // pipelined: both sent, then both received
	}
)

func TestDemoEndToEnd(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	prometheus, promtool := tool(t, "prometheus"), tool(t, "promtool")

	// The monitoring files are valid before anything runs.
	run(t, root, promtool, "check", "rules", "testdata/alerts.yml")
	run(t, root, promtool, "check", "config", "testdata/prometheus.yml")
	run(t, root, promtool, "test", "rules", "e2e/alerts_test.yml")

	srv := redistest.Start(t, redistest.Options{})
	jaeger := startJaeger(t, root)

	if l, err := net.Listen("tcp", demoMetricsAddr); err != nil {
		t.Fatalf("the demo serves its metrics at %s, the target of testdata/prometheus.yml, but: %v (is make demo running?)", demoMetricsAddr, err)
	} else {
		l.Close()
	}
	bin := filepath.Join(t.TempDir(), "leaderboard")
	run(t, filepath.Join(root, "examples"), "go", "build", "-race", "-o", bin, "./leaderboard")
	demo := start(t, root, bin,
		"-addr", srv.Addr(),
		"-metrics-addr", demoMetricsAddr,
		"-zipkin", jaeger.zipkinURL,
		"-interval", "100ms",
		"-duration", "4m") // a bound should the test die without stopping it
	metricsURL := demo.waitFor(t, regexp.MustCompile(`metrics at (http://\S+/metrics)`))

	prom := startPrometheus(t, prometheus, root)

	t.Run("call rate and p99 latency per command", func(t *testing.T) {
		rates := prom.waitForCommands(t, `sum by (cmd) (rate(ocredigo_redis_client_writes{job="ocredigo-demo"}[30s]))`)
		p99 := prom.waitForCommands(t, `histogram_quantile(0.99, sum by (le, cmd) (rate(ocredigo_redis_client_roundtrip_latency_bucket{job="ocredigo-demo"}[30s])))`)
		for _, cmd := range commands {
			assert.Greater(t, rates[cmd], 0.0, "%s calls/s", cmd)
			assert.Greater(t, p99[cmd], 0.0, "%s p99 latency (ms)", cmd)
			assert.Less(t, p99[cmd], 60000.0, "%s p99 latency within the buckets", cmd)
		}
	})

	t.Run("README PromQL returns data", func(t *testing.T) {
		queries := readmeQueries(t, filepath.Join(root, "README.md"))
		require.GreaterOrEqual(t, len(queries), 10, "the README's promql blocks")
		prom.waitForData(t, queries)
	})

	t.Run("dashboard queries return data", func(t *testing.T) {
		queries := dashboardQueries(t, filepath.Join(root, "testdata/grafana-dashboard.json"))
		require.NotEmpty(t, queries)
		// Closed connections show up after the pool's MaxConnLifetime.
		prom.waitForData(t, queries)
	})

	t.Run("metric names of the dashboard and the alerts exist", func(t *testing.T) {
		exposed := scrapeNames(t, metricsURL)
		for _, file := range []string{"testdata/grafana-dashboard.json", "testdata/alerts.yml", "README.md"} {
			used := metricNames(t, filepath.Join(root, file))
			require.NotEmpty(t, used, file)
			for _, name := range used {
				assert.True(t, exposed[name], "%s uses %s, which the demo does not expose", file, name)
			}
		}
	})

	t.Run("alert rules load and evaluate", func(t *testing.T) {
		waitUntil(t, "every alert rule evaluated", func() (bool, string) {
			health := prom.ruleHealth(t)
			require.Len(t, health, 6)
			for rule, h := range health {
				require.NotEqual(t, "err", h, "rule %s", rule)
				if h != "ok" {
					return false, fmt.Sprintf("rule %s: %s", rule, h)
				}
			}
			return true, ""
		})
	})

	// The demo flushes its spans to Jaeger's Zipkin receiver when it stops.
	require.NoError(t, demo.stop(), "the demo exits cleanly on SIGTERM:\n%s", demo.out)

	t.Run("span tree read back from Jaeger", func(t *testing.T) {
		traces := jaeger.waitForTraces(t, "leaderboard")
		checkTraces(t, traces, srv.Port())
	})
}

// jaegerTrace is a trace as Jaeger's query API returns it
// (GET /api/traces).
type jaegerTrace struct {
	TraceID string       `json:"traceID"`
	Spans   []jaegerSpan `json:"spans"`
	// Processes holds the service of each span's processID.
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64 `json:"startTime"` // µs since the epoch
	Duration  int64 `json:"duration"`  // µs
	Tags      []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
	ProcessID string `json:"processID"`
}

// parent is the span's CHILD_OF reference, "" for a root.
func (s jaegerSpan) parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

// tag returns the value of the span's tag key, as a string, and whether
// it has one; Jaeger may list a key twice (the Zipkin "error" tag as a
// string and a bool): the first wins.
func (s jaegerSpan) tag(key string) (string, bool) {
	for _, kv := range s.Tags {
		if kv.Key == key {
			return fmt.Sprint(kv.Value), true
		}
	}
	return "", false
}

func (s jaegerSpan) tagValue(key string) string {
	v, _ := s.tag(key)
	return v
}

// checkTraces asserts the tree of every complete round and the
// attributes of its command spans.
func checkTraces(t *testing.T, traces []jaegerTrace, redisPort int) {
	complete, wrongType, dials, pipelined, spans := 0, 0, 0, 0, 0
	for _, trace := range traces {
		byParent := map[string][]jaegerSpan{}
		ids := map[string]bool{}
		var roots []jaegerSpan
		for _, s := range trace.Spans {
			spans++
			ids[s.SpanID] = true
			require.Equal(t, "leaderboard", trace.Processes[s.ProcessID].ServiceName)
			if p := s.parent(); p == "" {
				roots = append(roots, s)
			} else {
				byParent[p] = append(byParent[p], s)
			}
		}
		for _, s := range trace.Spans {
			if p := s.parent(); p != "" {
				require.True(t, ids[p], "the parent of span %s is in its trace", s.OperationName)
			}
			if s.OperationName == "redis.dial" {
				dials++
				assert.Equal(t, "127.0.0.1", s.tagValue("server.address"))
			}
		}
		require.Len(t, roots, 1, "one root span per trace %s", trace.TraceID)
		root := roots[0]
		require.Equal(t, "leaderboardmodification", root.OperationName, "Zipkin lower-cases span names")
		if _, failed := root.tag("error"); failed {
			continue // a round cut by the demo's stop
		}
		complete++

		steps := names(children(byParent, root.SpanID))
		require.Equal(t, []string{"addtoleaderboard", "scan", "cleanup"}, steps, "steps of a round")
		for _, step := range children(byParent, root.SpanID) {
			cmds := children(byParent, step.SpanID)
			require.NotEmpty(t, cmds, "commands of %s", step.OperationName)
			if step.OperationName == "cleanup" {
				require.Equal(t, stepOf["cleanup"], names(cmds), "the pipelined commands of cleanup")
				zcard, del := cmds[0], cmds[1]
				// Both were sent before either reply was read.
				assert.Less(t, del.StartTime, zcard.StartTime+zcard.Duration, "DEL sent before ZCARD's reply")
				pipelined++
			}
			for _, c := range cmds {
				require.Contains(t, stepOf[step.OperationName], c.OperationName, "command of %s", step.OperationName)
				assert.Equal(t, "client", c.tagValue("span.kind"))
				assert.Equal(t, "redis", c.tagValue("db.system"))
				assert.Equal(t, strings.ToUpper(c.OperationName), c.tagValue("db.operation.name"))
				assert.Equal(t, "0", c.tagValue("db.namespace"))
				assert.Equal(t, "127.0.0.1", c.tagValue("server.address"))
				assert.Equal(t, strconv.Itoa(redisPort), c.tagValue("server.port"))
				assert.Equal(t, "127.0.0.1", c.tagValue("network.peer.address"))
				assert.Regexp(t, `^[1-9][0-9]*$`, c.tagValue("redis.bytes_written"))
				assert.Regexp(t, `^[1-9][0-9]*$`, c.tagValue("redis.bytes_read"))
				_, query := c.tag("db.query.text")
				assert.False(t, query, "db.query.text is off by default")
				if c.tagValue("db.response.status_code") == "WRONGTYPE" {
					wrongType++
					assert.Equal(t, "zscan", c.OperationName)
					assert.Equal(t, "server", c.tagValue("error.type"))
					_, failed := c.tag("error")
					assert.True(t, failed, "a failed span")
					assert.Contains(t, c.tagValue("opencensus.status_description"), "WRONGTYPE Operation against a key")
				} else {
					_, failed := c.tag("error")
					assert.False(t, failed, "span %s of %s failed", c.OperationName, step.OperationName)
				}
			}
		}
	}
	t.Logf("%d spans, %d traces, %d complete rounds, %d pipelined cleanups, %d WRONGTYPE spans, %d dials",
		spans, len(traces), complete, pipelined, wrongType, dials)
	assert.GreaterOrEqual(t, complete, 10, "complete rounds among %d traces", len(traces))
	assert.Equal(t, complete, pipelined, "every complete round pipelines ZCARD and DEL")
	assert.Positive(t, wrongType, "every tenth round scans a string: a WRONGTYPE span")
	assert.Positive(t, dials, "redis.dial spans below the rounds")
}

// children returns the spans below parent, but the pool's own
// (redis.pool.get, redis.dial), in the order they started.
func children(byParent map[string][]jaegerSpan, parent string) []jaegerSpan {
	var kids []jaegerSpan
	for _, s := range byParent[parent] {
		if !strings.HasPrefix(s.OperationName, "redis.") {
			kids = append(kids, s)
		}
	}
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].StartTime < kids[j].StartTime })
	return kids
}

func names(spans []jaegerSpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.OperationName
	}
	return out
}

// jaeger is a running Jaeger (all-in-one, memory storage).
type jaeger struct {
	zipkinURL string // the Zipkin v2 receiver
	queryBase string // the query API
	proc      *process
}

// startJaeger starts Jaeger with e2e/jaeger.yaml, every listener on a free
// loopback port. The binary is $JAEGER_BIN, or the one tools/jaeger/build.sh
// builds (once: it is cached outside the repository).
func startJaeger(t *testing.T, root string) *jaeger {
	bin := os.Getenv("JAEGER_BIN")
	if bin == "" {
		cmd := exec.Command("bash", filepath.Join(root, "tools/jaeger/build.sh"))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		require.NoError(t, err, "building Jaeger (tools/jaeger/build.sh)")
		bin = strings.TrimSpace(string(out))
	}
	zipkin, queryHTTP, queryGRPC := freeAddr(t), freeAddr(t), freeAddr(t)
	j := &jaeger{zipkinURL: "http://" + zipkin + "/api/v2/spans", queryBase: "http://" + queryHTTP}
	env := []string{"JAEGER_ZIPKIN=" + zipkin, "JAEGER_QUERY_HTTP=" + queryHTTP, "JAEGER_QUERY_GRPC=" + queryGRPC}
	j.proc = startEnv(t, root, env, bin, "--config", filepath.Join(root, "e2e/jaeger.yaml"))
	waitUntil(t, "Jaeger is ready", func() (bool, string) {
		if j.proc.exited() {
			t.Fatalf("jaeger exited:\n%s", j.proc.out)
		}
		resp, err := http.Get(j.queryBase + "/api/services")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, resp.Status
		}
		// The receiver is up too.
		c, err := net.Dial("tcp", zipkin)
		if err != nil {
			return false, err.Error()
		}
		c.Close()
		return true, ""
	})
	return j
}

// waitForTraces returns the traces of service, once two reads a second
// apart return the same number of spans (the receiver batches them).
func (j *jaeger) waitForTraces(t *testing.T, service string) []jaegerTrace {
	var (
		traces []jaegerTrace
		last   = -1
	)
	waitUntil(t, "the traces of "+service+" in Jaeger", func() (bool, string) {
		var res struct {
			Data   []jaegerTrace `json:"data"`
			Errors []any         `json:"errors"`
		}
		q := url.Values{"service": {service}, "limit": {"100000"}, "lookback": {"1h"}}
		require.NoError(t, getJSON(j.queryBase+"/api/traces?"+q.Encode(), &res))
		require.Empty(t, res.Errors, "errors of Jaeger's query API")
		n := 0
		for _, tr := range res.Data {
			n += len(tr.Spans)
		}
		stable := n > 0 && n == last
		last, traces = n, res.Data
		if !stable {
			time.Sleep(500 * time.Millisecond)
		}
		return stable, fmt.Sprintf("%d spans", n)
	})
	return traces
}

// scrapeNames returns the metric names of a /metrics page.
func scrapeNames(t *testing.T, url string) map[string]bool {
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	names := map[string]bool{}
	s := bufio.NewScanner(resp.Body)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names[line[:strings.IndexAny(line, "{ ")]] = true
	}
	require.NoError(t, s.Err())
	return names
}

// prometheus is a running Prometheus server.
type prometheus struct {
	base string
	proc *process
}

// startPrometheus starts Prometheus with testdata/prometheus.yml as shipped
// (it scrapes the demo at localhost:9464 every 5 s, with the rules of
// testdata/alerts.yml), storing in a temporary directory.
func startPrometheus(t *testing.T, bin, root string) *prometheus {
	dir := t.TempDir()
	listen := freeAddr(t)
	p := &prometheus{base: "http://" + listen}
	p.proc = start(t, dir, bin,
		"--config.file="+filepath.Join(root, "testdata/prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen,
		"--log.level=warn")
	waitUntil(t, "Prometheus is ready", func() (bool, string) {
		if p.proc.exited() {
			t.Fatalf("prometheus exited:\n%s", p.proc.out)
		}
		resp, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return p
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query evaluates an instant PromQL query.
func (p *prometheus) query(q string) ([]sample, error) {
	var res struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := p.get("/api/v1/query?query="+url.QueryEscape(q), &res); err != nil {
		return nil, err
	}
	if res.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, res.Error)
	}
	return res.Data.Result, nil
}

// waitForCommands waits until q returns a number for each of the round's
// commands, and returns the values by command.
func (p *prometheus) waitForCommands(t *testing.T, q string) map[string]float64 {
	values := map[string]float64{}
	waitUntil(t, "results for "+strings.Join(commands, ", ")+" of "+q, func() (bool, string) {
		res, err := p.query(q)
		require.NoError(t, err)
		clear(values)
		for _, s := range res {
			v, err := strconv.ParseFloat(s.Value[1].(string), 64)
			require.NoError(t, err)
			if v == v { // not NaN: a rate over fewer than two samples
				values[s.Metric["cmd"]] = v
			}
		}
		for _, cmd := range commands {
			if _, ok := values[cmd]; !ok {
				return false, fmt.Sprintf("got %v", values)
			}
		}
		return true, ""
	})
	return values
}

// waitForData waits until every query returns at least one sample that is
// a number (not NaN), and fails naming those that do not.
func (p *prometheus) waitForData(t *testing.T, queries []string) {
	waitUntil(t, "every query returns data", func() (bool, string) {
		var empty []string
		for _, q := range queries {
			res, err := p.query(q)
			require.NoError(t, err, "query %s", q)
			if !hasNumber(res) {
				empty = append(empty, q)
			}
		}
		return len(empty) == 0, "no data for:\n" + strings.Join(empty, "\n")
	})
}

func hasNumber(res []sample) bool {
	for _, s := range res {
		if str, ok := s.Value[1].(string); ok {
			if v, err := strconv.ParseFloat(str, 64); err == nil && !math.IsNaN(v) {
				return true
			}
		}
	}
	return false
}

// ruleHealth returns the health of every rule Prometheus loaded.
func (p *prometheus) ruleHealth(t *testing.T) map[string]string {
	var res struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	require.NoError(t, p.get("/api/v1/rules", &res))
	health := map[string]string{}
	for _, g := range res.Data.Groups {
		for _, r := range g.Rules {
			health[r.Name] = strings.TrimSpace(r.Health + " " + r.LastError)
		}
	}
	return health
}

func (p *prometheus) get(path string, v any) error {
	return getJSON(p.base+path, v)
}

// getJSON decodes the JSON body of a GET.
func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %s: %w", url, resp.Status, err)
	}
	return nil
}

// process is a child process whose output is kept.
type process struct {
	cmd  *exec.Cmd
	out  *buffer
	done chan struct{}
	err  error
}

// start starts bin in dir; the process is stopped when the test ends and
// killed should the test binary die.
func start(t *testing.T, dir, bin string, args ...string) *process {
	return startEnv(t, dir, nil, bin, args...)
}

// startEnv is start with env added to the test's environment.
func startEnv(t *testing.T, dir string, env []string, bin string, args ...string) *process {
	p := &process{cmd: exec.Command(bin, args...), out: &buffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, p.cmd.Start(), "starting %s", bin)
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Logf("%s: %v\n%s", filepath.Base(bin), err, p.out)
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, and SIGKILL if the process is still there 10 seconds
// later; it returns the process's exit error.
func (p *process) stop() error {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.err
}

// waitFor waits until the process prints a line matching re and returns
// the first submatch.
func (p *process) waitFor(t *testing.T, re *regexp.Regexp) string {
	var found string
	waitUntil(t, "output matching "+re.String(), func() (bool, string) {
		if m := re.FindStringSubmatch(p.out.String()); m != nil {
			found = m[1]
			return true, ""
		}
		if p.exited() {
			t.Fatalf("%s exited: %v\n%s", p.cmd.Path, p.err, p.out)
		}
		return false, p.out.String()
	})
	return found
}

// buffer is a bytes buffer safe for concurrent use.
type buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitUntil polls cond until it holds, failing the test with cond's last
// word after dataLimit.
func waitUntil(t *testing.T, what string, cond func() (ok bool, detail string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), dataLimit)
	defer cancel()
	for {
		ok, detail := cond()
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waited %s for %s: %s", dataLimit, what, detail)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// run runs a command in dir and fails the test with its output if it fails.
func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
}

// tool returns the path of a program the test needs.
func tool(t *testing.T, name string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run make e2e (e2e/run.sh installs Debian's prometheus package, which has promtool), or apt-get install prometheus", name)
	}
	return path
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}
