package main

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/trace"
	"go.uber.org/goleak"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
)

func TestMain(m *testing.M) {
	// OpenCensus starts its stats worker when the package is imported.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

func recordSpans(t *testing.T) *tracetest.Recorder { return tracetest.Record(t, false) }

// searchSpan returns the one Search span of spans and the names of its
// children in the order they started.
func searchSpan(t *testing.T, spans []*trace.SpanData) (*trace.SpanData, []string) {
	t.Helper()
	var root *trace.SpanData
	for _, s := range spans {
		if s.Name == "Search" {
			require.Nil(t, root, "one Search span per query")
			root = s
		}
	}
	require.NotNil(t, root, "no Search span")
	var children []*trace.SpanData
	for _, s := range spans {
		require.Equal(t, root.TraceID, s.TraceID, "span %s is outside the Search trace", s.Name)
		// The pool's redis.pool.get and redis.dial spans may be there too.
		if s != root && !strings.HasPrefix(s.Name, "redis.") {
			require.Equal(t, root.SpanID, s.ParentSpanID, "span %s is not a child of Search", s.Name)
			children = append(children, s)
		}
	}
	sort.Slice(children, func(i, j int) bool { return children[i].StartTime.Before(children[j].StartTime) })
	names := make([]string, len(children))
	for i, c := range children {
		names[i] = c.Name
		assert.Equal(t, "redis", c.Attributes["db.system"])
	}
	return root, names
}

func annotations(s *trace.SpanData) []string {
	var msgs []string
	for _, a := range s.Annotations {
		msgs = append(msgs, a.Message)
	}
	return msgs
}

func newTestCache(t *testing.T) (*searchCache, redis.Conn) {
	srv := redistest.Start(t, redistest.Options{})
	pool := newPool(srv.Addr())
	t.Cleanup(func() { pool.Close() })
	c, err := redis.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &searchCache{pool: pool}, c
}

func TestSearchMissThenHit(t *testing.T) {
	sc, c := newTestCache(t)
	spans := recordSpans(t)
	ctx := context.Background()

	answer, hit, err := sc.search(ctx, "ocredigo metrics")
	require.NoError(t, err)
	assert.Equal(t, "OCREDIGO METRICS", answer)
	assert.False(t, hit)
	stored, err := redis.String(c.Do("GET", "searchcache:ocredigo metrics"))
	require.NoError(t, err, "a miss stores the answer")
	assert.Equal(t, "OCREDIGO METRICS", stored)

	miss := spans.Take()
	root, children := searchSpan(t, miss)
	assert.Equal(t, []string{"cache miss"}, annotations(root))
	assert.Equal(t, []string{"GET", "SET"}, children)
	assert.Equal(t, "ocredigo metrics", root.Attributes["search.query"])
	for _, s := range miss {
		if s.Name == "SET" {
			assert.Equal(t, "SET searchcache:ocredigo metrics ?", s.Attributes["db.query.text"], "sanitized: no value")
		}
	}

	answer, hit, err = sc.search(ctx, "ocredigo metrics")
	require.NoError(t, err)
	assert.Equal(t, "OCREDIGO METRICS", answer)
	assert.True(t, hit)
	exists, err := redis.Bool(c.Do("EXISTS", "searchcache:ocredigo metrics"))
	require.NoError(t, err)
	assert.False(t, exists, "a hit deletes the entry")

	root, children = searchSpan(t, spans.Take())
	assert.Equal(t, []string{"cache hit"}, annotations(root))
	assert.Equal(t, []string{"GET", "DEL"}, children)

	_, hit, err = sc.search(ctx, "ocredigo metrics")
	require.NoError(t, err)
	assert.False(t, hit, "after a hit the query is a miss again")
}

func TestServeAnswersEachLine(t *testing.T) {
	sc, _ := newTestCache(t)
	var out, errOut bytes.Buffer
	in := strings.NewReader("redis\n\n  redis  \ngo")
	require.NoError(t, serve(context.Background(), sc, in, &out, &errOut))
	assert.Equal(t, "REDIS (cache miss)\nREDIS (cache hit)\nGO (cache miss)\n", out.String())
	assert.Empty(t, errOut.String())
}

func TestServeReportsFailedSearches(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	pool := newPool(srv.Addr())
	defer pool.Close()
	srv.Stop()

	var out, errOut bytes.Buffer
	err := serve(context.Background(), &searchCache{pool: pool}, strings.NewReader("a\nb\n"), &out, &errOut)
	assert.EqualError(t, err, "2 searches failed")
	assert.Empty(t, out.String())
	assert.Contains(t, errOut.String(), `searchcache: "a": `)
	assert.Contains(t, errOut.String(), `searchcache: "b": `)
}

func TestServeStopsWhenCanceled(t *testing.T) {
	sc, _ := newTestCache(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	require.NoError(t, serve(ctx, sc, strings.NewReader("a\n"), &out, &out))
	// The reader may have queued the line, but no search runs.
	assert.Empty(t, out.String())
}

func TestRunWithEmbeddedRedis(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), "", "127.0.0.1:0", "", strings.NewReader("hello\nhello\n"), &out, &errOut)
	require.NoError(t, err, errOut.String())
	assert.Equal(t, "HELLO (cache miss)\nHELLO (cache hit)\n", out.String())

	printed := errOut.String()
	assert.Contains(t, printed, "(embedded), metrics at http://127.0.0.1:")
	assert.Contains(t, printed, `search.query=hello "cache miss"`)
	assert.Contains(t, printed, `search.query=hello "cache hit"`)
	assert.Contains(t, printed, "└── SET ")
	assert.Contains(t, printed, "└── DEL ")
}

func TestRunRejectsBadZipkinURL(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), "", "127.0.0.1:0", "ftp://x", strings.NewReader(""), &out, &errOut)
	assert.ErrorContains(t, err, "want an http(s) URL")
}
