package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openzipkin/zipkin-go/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
	"go.uber.org/goleak"

	"github.com/ocredigo/redigo/examples/internal/demo"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
)

func TestMain(m *testing.M) {
	// OpenCensus starts its stats worker when the package is imported.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

func recordSpans(t *testing.T) *tracetest.Recorder { return tracetest.Record(t, false) }

// tree is a trace as names: "LeaderBoardModification/Scan/ZSCAN" for each
// span, and the spans by that path.
func tree(t *testing.T, spans []*trace.SpanData) map[string][]*trace.SpanData {
	t.Helper()
	byID := map[trace.SpanID]*trace.SpanData{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	paths := map[string][]*trace.SpanData{}
	for _, s := range spans {
		path := s.Name
		for p := s; p.ParentSpanID != (trace.SpanID{}); {
			parent, ok := byID[p.ParentSpanID]
			require.True(t, ok, "span %s has a parent that was not exported", s.Name)
			require.Equal(t, s.TraceID, parent.TraceID)
			path = parent.Name + "/" + path
			p = parent
		}
		paths[path] = append(paths[path], s)
	}
	return paths
}

func newTestLeaderboard(t *testing.T) (*leaderboard, *redistest.Server) {
	srv := redistest.Start(t, redistest.Options{})
	pool, probe := newPool(srv.Addr(), 2), newProbePool(srv.Addr())
	t.Cleanup(func() {
		pool.Close()
		probe.Close()
	})
	return &leaderboard{pool: pool, probe: probe}, srv
}

var testEntries = []entry{{"alice", 120}, {"bob", 340}, {"carol", 340}, {"dave", 7}}

func TestRoundSpanTree(t *testing.T) {
	lb, srv := newTestLeaderboard(t)
	spans := recordSpans(t)
	require.NoError(t, lb.setup(context.Background()))

	leader, err := lb.round(context.Background(), "leaderboard:test", testEntries, false)
	require.NoError(t, err)
	assert.Equal(t, entry{"bob", 340}, leader, "the highest score, ties to the first name")

	paths := tree(t, spans.Take())
	for _, path := range []string{
		"LeaderBoardModification",
		"LeaderBoardModification/AddToLeaderBoard",
		"LeaderBoardModification/AddToLeaderBoard/ZADD",
		"LeaderBoardModification/Scan",
		"LeaderBoardModification/Scan/ZSCAN",
		"LeaderBoardModification/Cleanup",
		"LeaderBoardModification/Cleanup/ZCARD",
		"LeaderBoardModification/Cleanup/DEL",
	} {
		assert.Len(t, paths[path], 1, path)
	}
	assert.NotContains(t, paths, "SET", "setup runs outside a trace: no span")

	zadd := paths["LeaderBoardModification/AddToLeaderBoard/ZADD"][0]
	assert.Equal(t, "redis", zadd.Attributes["db.system"])
	assert.Equal(t, "ZADD", zadd.Attributes["db.operation.name"])
	assert.Equal(t, srv.Host(), zadd.Attributes["server.address"])
	assert.EqualValues(t, srv.Port(), zadd.Attributes["server.port"])
	assert.EqualValues(t, trace.StatusCodeOK, zadd.Code)
	assert.Equal(t, "leaderboard", paths["LeaderBoardModification"][0].Attributes["leaderboard.key"].(string)[:11])
	assert.Equal(t, "bob", paths["LeaderBoardModification/Scan"][0].Attributes["leaderboard.leader"])

	c, err := redis.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	exists, err := redis.Bool(c.Do("EXISTS", "leaderboard:test"))
	require.NoError(t, err)
	assert.False(t, exists, "Cleanup deletes the leaderboard")
}

func TestRoundWithErrorRecordsWrongType(t *testing.T) {
	require.NoError(t, view.Register(redis.ObservabilityMetricViews...))
	lb, _ := newTestLeaderboard(t)
	require.NoError(t, lb.setup(context.Background()))
	spans := recordSpans(t)
	before := wrongTypeErrors(t)
	exhaustedBefore := exhaustedErrors(t)

	leader, err := lb.round(context.Background(), "leaderboard:failing", testEntries, true)
	require.NoError(t, err, "the intended WRONGTYPE does not fail the round")
	assert.Equal(t, "bob", leader.player)

	scans := tree(t, spans.Take())["LeaderBoardModification/Scan/ZSCAN"]
	require.Len(t, scans, 2)
	failed := scans[0]
	if failed.StartTime.After(scans[1].StartTime) {
		failed = scans[1]
	}
	assert.NotEqualValues(t, trace.StatusCodeOK, failed.Code)
	assert.Equal(t, "server", failed.Attributes["error.type"])
	assert.Equal(t, "WRONGTYPE", failed.Attributes["db.response.status_code"])
	assert.Equal(t, before+1, wrongTypeErrors(t))
	// The pool records its errors in batches (at most 100 ms late).
	assert.Eventually(t, func() bool { return exhaustedErrors(t) == exhaustedBefore+1 }, 5*time.Second, 20*time.Millisecond,
		"the probe pool's exhaustion is counted")
}

func TestCleanupPipelinesZCARDAndDEL(t *testing.T) {
	lb, _ := newTestLeaderboard(t)
	spans := recordSpans(t)
	_, err := lb.round(context.Background(), "leaderboard:pipelined", testEntries, false)
	require.NoError(t, err)
	paths := tree(t, spans.Take())
	zcard := paths["LeaderBoardModification/Cleanup/ZCARD"]
	del := paths["LeaderBoardModification/Cleanup/DEL"]
	require.Len(t, zcard, 1)
	require.Len(t, del, 1)
	assert.True(t, zcard[0].StartTime.Before(del[0].StartTime), "ZCARD is sent first")
	assert.False(t, zcard[0].EndTime.After(del[0].EndTime), "its reply comes first")
	assert.Equal(t, "ZCARD", zcard[0].Attributes["db.operation.name"])
}

// exhaustedErrors is the count of the probe pool's exhaustion errors in the
// errors view.
func exhaustedErrors(t *testing.T) int64 {
	return errorCount(t, map[string]string{"name": probeName, "kind": "pool", "detail": "exhausted"})
}

// errorCount is the count of the errors view's row with the tags want.
func errorCount(t *testing.T, want map[string]string) int64 {
	rows, err := view.RetrieveData("redis/client/errors")
	require.NoError(t, err)
	for _, row := range rows {
		tags := map[string]string{}
		for _, tag := range row.Tags {
			tags[tag.Key.Name()] = tag.Value
		}
		if reflect.DeepEqual(tags, want) {
			return row.Data.(*view.CountData).Value
		}
	}
	return 0
}

// wrongTypeErrors is the count of ZSCAN WRONGTYPE errors of the demo's
// client in the errors view.
func wrongTypeErrors(t *testing.T) int64 {
	return errorCount(t, map[string]string{"name": clientName, "cmd": "ZSCAN", "kind": "server", "detail": "WRONGTYPE"})
}

func TestEmbeddedRedisServesMetricsAndPrintsTraces(t *testing.T) {
	cfg := config{metricsAddr: "127.0.0.1:0", workers: 2, players: 5, rounds: 2}
	var out, errOut bytes.Buffer
	d, err := demo.Start(clientName, cfg.addr, cfg.metricsAddr, cfg.zipkinURL, &out, &errOut)
	require.NoError(t, err)
	defer func() { assert.NoError(t, d.Close()) }()
	require.NotNil(t, d.Embedded, "no -addr starts the embedded Redis")

	pool := newPool(d.Addr, cfg.workers)
	defer pool.Close()
	require.NoError(t, (&leaderboard{pool: pool}).work(context.Background(), cfg, &errOut))
	assert.Empty(t, errOut.String())

	resp, err := http.Get(d.MetricsURL())
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	metrics := string(body)
	for _, cmd := range []string{"ZADD", "ZSCAN", "ZCARD", "DEL"} {
		assertLine(t, metrics, `ocredigo_redis_client_roundtrip_latency_bucket{cmd="`+cmd+`",name="leaderboard",le="+Inf"} `)
		assertLine(t, metrics, `ocredigo_redis_client_writes{cmd="`+cmd+`",name="leaderboard"} `)
	}
	assertLine(t, metrics, `ocredigo_redis_client_pool_connections{name="leaderboard",state="idle"} `)

	printed := out.String()
	assert.Equal(t, 4, strings.Count(printed, "\nLeaderBoardModification "), printed)
	assert.Contains(t, printed, "│   └── ZADD ")
	assert.Contains(t, printed, "    └── DEL ")
}

// assertLine asserts that metrics has a line starting with prefix.
func assertLine(t *testing.T, metrics, prefix string) {
	t.Helper()
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, prefix) {
			return
		}
	}
	t.Errorf("/metrics has no line starting with %s", prefix)
}

func TestRunStopsAfterRounds(t *testing.T) {
	var out, errOut bytes.Buffer
	cfg := config{metricsAddr: "127.0.0.1:0", workers: 1, players: 3, rounds: 1}
	require.NoError(t, run(context.Background(), cfg, &out, &errOut))
	assert.Contains(t, errOut.String(), "(embedded), metrics at http://127.0.0.1:")
	assert.Contains(t, out.String(), "LeaderBoardModification")
}

func TestSpansGoToZipkin(t *testing.T) {
	var (
		mu    sync.Mutex
		spans []model.SpanModel
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var batch []model.SpanModel
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		spans = append(spans, batch...)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer collector.Close()

	srv := redistest.Start(t, redistest.Options{})
	var out, errOut bytes.Buffer
	cfg := config{addr: srv.Addr(), metricsAddr: "127.0.0.1:0", zipkinURL: collector.URL + "/api/v2/spans", workers: 1, players: 3, rounds: 1}
	require.NoError(t, run(context.Background(), cfg, &out, &errOut), errOut.String())
	assert.Empty(t, out.String(), "spans are sent, not printed")

	// run returns after closing the reporter, which sends what it holds.
	mu.Lock()
	defer mu.Unlock()
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name]++
		assert.Equal(t, clientName, s.LocalEndpoint.ServiceName)
	}
	assert.Equal(t, 1, names["leaderboardmodification"], "zipkin lower-cases names: %v", names)
	assert.Equal(t, 1, names["zadd"], names)
	assert.Equal(t, 1, names["zcard"], names)
	assert.Equal(t, 1, names["del"], names)
}

func TestBadConfig(t *testing.T) {
	good := config{metricsAddr: "127.0.0.1:0", workers: 1, players: 1}
	require.NoError(t, good.check(nil))
	assert.ErrorContains(t, good.check([]string{"extra"}), "unexpected arguments")
	bad := good
	bad.workers = 0
	assert.ErrorContains(t, bad.check(nil), "-workers")
	bad = good
	bad.interval = -1
	assert.ErrorContains(t, bad.check(nil), "negative")

	bad = good
	bad.zipkinURL = "localhost:9411"
	_, err := demo.Start(clientName, bad.addr, bad.metricsAddr, bad.zipkinURL, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "want an http(s) URL")
	bad = good
	bad.metricsAddr = "not an address"
	_, err = demo.Start(clientName, bad.addr, bad.metricsAddr, bad.zipkinURL, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "-metrics-addr")
}
