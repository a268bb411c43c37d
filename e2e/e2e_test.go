//go:build e2e && linux

package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openzipkin/zipkin-go/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ocredigo/redigo/internal/redistest"
)

// dataLimit bounds the waits for the demo and Prometheus to have data; it
// is a bound, not an expectation: data comes within seconds.
const dataLimit = 90 * time.Second

// The commands of a round, and the steps that send them.
var (
	commands = []string{"ZADD", "ZSCAN", "DEL"}
	stepOf   = map[string]string{"addtoleaderboard": "zadd", "scan": "zscan", "cleanup": "del"}
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
	zipkin := newCollector(t)

	bin := filepath.Join(t.TempDir(), "leaderboard")
	run(t, root, "go", "build", "-race", "-o", bin, "./examples/leaderboard")
	demo := start(t, root, bin,
		"-addr", srv.Addr(),
		"-metrics-addr", "127.0.0.1:0",
		"-zipkin", zipkin.url+"/api/v2/spans",
		"-interval", "50ms",
		"-duration", "3m") // a bound should the test die without stopping it
	metricsURL := demo.waitFor(t, regexp.MustCompile(`metrics at (http://\S+/metrics)`))
	metricsTarget := strings.TrimSuffix(strings.TrimPrefix(metricsURL, "http://"), "/metrics")

	prom := startPrometheus(t, prometheus, root, metricsTarget)

	t.Run("call rate and p99 latency per command", func(t *testing.T) {
		rates := prom.waitForCommands(t, `sum by (cmd) (rate(ocredigo_redis_client_writes{job="leaderboard"}[30s]))`)
		p99 := prom.waitForCommands(t, `histogram_quantile(0.99, sum by (le, cmd) (rate(ocredigo_redis_client_roundtrip_latency_bucket{job="leaderboard"}[30s])))`)
		for _, cmd := range commands {
			assert.Greater(t, rates[cmd], 0.0, "%s calls/s", cmd)
			assert.Greater(t, p99[cmd], 0.0, "%s p99 latency (ms)", cmd)
			assert.Less(t, p99[cmd], 60000.0, "%s p99 latency within the buckets", cmd)
		}
	})

	t.Run("dashboard queries return data", func(t *testing.T) {
		queries := dashboardQueries(t, filepath.Join(root, "testdata/grafana-dashboard.json"))
		require.NotEmpty(t, queries)
		// Closed connections show up after the pool's MaxConnLifetime.
		waitUntil(t, "every dashboard query returns data", func() (bool, string) {
			var empty []string
			for _, q := range queries {
				res, err := prom.query(q)
				require.NoError(t, err, "dashboard query %s", q)
				if len(res) == 0 {
					empty = append(empty, q)
				}
			}
			return len(empty) == 0, "no data for:\n" + strings.Join(empty, "\n")
		})
	})

	t.Run("metric names of the dashboard and the alerts exist", func(t *testing.T) {
		exposed := scrapeNames(t, metricsURL)
		for _, file := range []string{"testdata/grafana-dashboard.json", "testdata/alerts.yml"} {
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

	// The demo flushes its spans to Zipkin when it stops.
	require.NoError(t, demo.stop(), "the demo exits cleanly on SIGTERM:\n%s", demo.out)

	t.Run("zipkin span tree and attributes", func(t *testing.T) {
		spans, bad := zipkin.take()
		require.Empty(t, bad, "requests to the collector that are not Zipkin v2 JSON")
		checkTraces(t, spans, srv.Port())
	})
}

// checkTraces asserts the tree of every complete round and the
// attributes of its command spans.
func checkTraces(t *testing.T, spans []model.SpanModel, redisPort int) {
	traces := map[model.TraceID][]model.SpanModel{}
	for _, s := range spans {
		traces[s.TraceID] = append(traces[s.TraceID], s)
		require.NotNil(t, s.LocalEndpoint)
		assert.Equal(t, "leaderboard", s.LocalEndpoint.ServiceName)
	}

	complete, wrongType, dials := 0, 0, 0
	for _, trace := range traces {
		byParent := map[model.ID][]model.SpanModel{}
		ids := map[model.ID]bool{}
		var roots []model.SpanModel
		for _, s := range trace {
			ids[s.ID] = true
			if s.ParentID == nil {
				roots = append(roots, s)
			} else {
				byParent[*s.ParentID] = append(byParent[*s.ParentID], s)
			}
		}
		for _, s := range trace {
			if s.ParentID != nil {
				require.True(t, ids[*s.ParentID], "the parent of span %s is in its trace", s.Name)
			}
			if s.Name == "redis.dial" {
				dials++
				assert.Equal(t, "127.0.0.1", s.Tags["server.address"])
			}
		}
		require.Len(t, roots, 1, "one root span per trace")
		root := roots[0]
		require.Equal(t, "leaderboardmodification", root.Name, "Zipkin lower-cases span names")
		if _, failed := root.Tags["error"]; failed {
			continue // a round cut by the demo's stop
		}
		complete++

		steps := names(children(byParent, root.ID))
		require.Equal(t, []string{"addtoleaderboard", "scan", "cleanup"}, steps, "steps of a round")
		for _, step := range children(byParent, root.ID) {
			cmds := children(byParent, step.ID)
			require.NotEmpty(t, cmds, "commands of %s", step.Name)
			for _, c := range cmds {
				require.Equal(t, stepOf[step.Name], c.Name, "command of %s", step.Name)
				assert.Equal(t, model.Client, c.Kind)
				assert.Equal(t, "redis", c.Tags["db.system"])
				assert.Equal(t, strings.ToUpper(c.Name), c.Tags["db.operation.name"])
				assert.Equal(t, "0", c.Tags["db.namespace"])
				assert.Equal(t, "127.0.0.1", c.Tags["server.address"])
				assert.Equal(t, strconv.Itoa(redisPort), c.Tags["server.port"])
				assert.Equal(t, "127.0.0.1", c.Tags["network.peer.address"])
				assert.NotEmpty(t, c.Tags["redis.bytes_written"])
				assert.NotEmpty(t, c.Tags["redis.bytes_read"])
				if c.Tags["db.response.status_code"] == "WRONGTYPE" {
					wrongType++
					assert.Equal(t, "server", c.Tags["error.type"])
					assert.NotEmpty(t, c.Tags["error"], "a failed span")
					assert.Contains(t, c.Tags["opencensus.status_description"], "WRONGTYPE Operation against a key")
				}
			}
		}
	}
	t.Logf("%d spans, %d traces, %d complete rounds, %d WRONGTYPE spans, %d dials", len(spans), len(traces), complete, wrongType, dials)
	assert.GreaterOrEqual(t, complete, 10, "complete rounds among %d traces", len(traces))
	assert.Positive(t, wrongType, "every tenth round scans a string: a WRONGTYPE span")
	assert.Positive(t, dials, "redis.dial spans below the rounds")
}

// children returns the spans below parent, but the pool's own
// (redis.pool.get, redis.dial), in the order they started.
func children(byParent map[model.ID][]model.SpanModel, parent model.ID) []model.SpanModel {
	var kids []model.SpanModel
	for _, s := range byParent[parent] {
		if !strings.HasPrefix(s.Name, "redis.") {
			kids = append(kids, s)
		}
	}
	sort.Slice(kids, func(i, j int) bool { return kids[i].Timestamp.Before(kids[j].Timestamp) })
	return kids
}

func names(spans []model.SpanModel) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

// dashboardQueries returns the PromQL of every panel of the Grafana
// dashboard, its variables replaced by what "All" selects.
func dashboardQueries(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(data, &dash), "%s is JSON", path)
	vars := strings.NewReplacer(`$__rate_interval`, "30s", `"$job"`, `".*"`, `"$name"`, `".*"`, `"$cmd"`, `".*"`)
	var queries []string
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			require.NotEmpty(t, target.Expr, "panel %q", p.Title)
			q := vars.Replace(target.Expr)
			require.NotContains(t, q, "$", "panel %q uses an unknown variable", p.Title)
			queries = append(queries, q)
		}
	}
	return queries
}

// metricNames returns the ocredigo metric names a file mentions outside
// its YAML comments.
func metricNames(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			names = append(names, regexp.MustCompile(`\bocredigo_[a-z0-9_]+`).FindAllString(line, -1)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
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

// collector is a Zipkin v2 collector: it decodes the JSON spans posted to
// it.
type collector struct {
	url   string
	mu    sync.Mutex
	spans []model.SpanModel
	bad   []string
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var batch []model.SpanModel
		err := json.NewDecoder(r.Body).Decode(&batch)
		c.mu.Lock()
		defer c.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/spans" || err != nil {
			c.bad = append(c.bad, fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		c.spans = append(c.spans, batch...)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// take returns the spans received and the requests that were not.
func (c *collector) take() (spans []model.SpanModel, bad []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spans, c.bad
}

// prometheus is a running Prometheus server.
type prometheus struct {
	base string
	proc *process
}

// startPrometheus starts Prometheus scraping target every second, with the
// rules of testdata/alerts.yml, storing in a temporary directory.
func startPrometheus(t *testing.T, bin, root, target string) *prometheus {
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: leaderboard
    static_configs:
      - targets: [%q]
`, filepath.Join(root, "testdata/alerts.yml"), target)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644))

	listen := freeAddr(t)
	p := &prometheus{base: "http://" + listen}
	p.proc = start(t, dir, bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
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
	resp, err := http.Get(p.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %s: %w", path, resp.Status, err)
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
	p := &process{cmd: exec.Command(bin, args...), out: &buffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
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
