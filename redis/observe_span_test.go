package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/trace"
)

func TestCommandSpans(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	c := dial(t, redis.DialTraceOptions(redis.TraceOptions{
		DefaultAttributes: []trace.Attribute{trace.StringAttribute("team", "cache")},
	})).(redis.ConnWithContext)

	_, err := c.DoContext(ctx, "SET", "sp:k", "v")
	require.NoError(t, err)
	require.NoError(t, c.SendContext(ctx, "GET", "sp:k"))
	require.NoError(t, c.SendContext(ctx, "ECHO", "hi"))
	require.NoError(t, c.FlushContext(ctx))
	_, err = c.ReceiveContext(ctx)
	require.NoError(t, err)
	_, err = c.ReceiveContext(ctx)
	require.NoError(t, err)
	_, err = c.DoContext(ctx, "INCR", "sp:k")
	require.Error(t, err)
	root.End()

	spans := rec.InTrace(root)
	require.Equal(t, []string{"SET", "GET", "ECHO", "INCR"}, tracetest.Names(spans), "one span per command, pipelined ones too")
	for _, s := range spans {
		assert.Equal(t, root.SpanContext().SpanID, s.ParentSpanID, s.Name)
		assert.Equal(t, trace.SpanKindClient, s.SpanKind, s.Name)
		assert.Equal(t, "redis", s.Attributes["db.system"], s.Name)
		assert.Equal(t, s.Name, s.Attributes["db.operation.name"])
		assert.Equal(t, "0", s.Attributes["db.namespace"])
		assert.Equal(t, plainServer.Host(), s.Attributes["server.address"])
		assert.EqualValues(t, plainServer.Port(), s.Attributes["server.port"])
		assert.Equal(t, "127.0.0.1", s.Attributes["network.peer.address"])
		assert.Equal(t, "cache", s.Attributes["team"], "default attributes on every span")
		assert.NotContains(t, s.Attributes, "db.query.text", "off by default")
		assert.False(t, s.StartTime.After(s.EndTime))
	}
	set := spans[0]
	// *3\r\n $3\r\nSET\r\n $4\r\nsp:k\r\n $1\r\nv\r\n = 4+9+10+7; +OK\r\n = 5.
	assert.EqualValues(t, 30, set.Attributes["redis.bytes_written"])
	assert.EqualValues(t, 5, set.Attributes["redis.bytes_read"])
	assert.Equal(t, int32(trace.StatusCodeOK), set.Status.Code)
	// $1\r\nv\r\n = 7 bytes read by the pipelined GET.
	assert.EqualValues(t, 7, spans[1].Attributes["redis.bytes_read"])

	incr := spans[3]
	assert.Equal(t, "server", incr.Attributes["error.type"])
	assert.Equal(t, "ERR", incr.Attributes["db.response.status_code"])
	assert.Equal(t, int32(trace.StatusCodeUnknown), incr.Status.Code)
	assert.Equal(t, "ERR value is not an integer or out of range", incr.Status.Message)
}

func TestNoSpanWithoutParent(t *testing.T) {
	rec := recordSpans(t)
	c := dial(t).(redis.ConnWithContext)
	_, err := c.Do("PING")
	require.NoError(t, err)
	_, err = c.DoContext(context.Background(), "PING")
	require.NoError(t, err)
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1})
	pc := p.Get()
	_, err = pc.Do("MULTI")
	require.NoError(t, err)
	pc.Close() // DISCARD
	assert.Empty(t, rec.Spans(), "no root spans unless asked for")
}

func TestRootSpansOption(t *testing.T) {
	rec := recordSpans(t)
	c := dial(t, redis.DialTraceOptions(redis.TraceOptions{RootSpans: true}))
	_, err := c.Do("PING")
	require.NoError(t, err)
	spans := rec.Spans()
	require.Equal(t, []string{"redis.dial", "PING"}, tracetest.Names(spans))
	for _, s := range spans {
		assert.Equal(t, trace.SpanID{}, s.ParentSpanID, "%s is a root span", s.Name)
	}
}

func TestQueryText(t *testing.T) {
	tests := []struct {
		mode redis.QueryText
		args []interface{}
		want string
	}{
		{redis.QueryTextSanitized, []interface{}{"SET", "user:1", "secret-value"}, "SET user:1 ?"},
		{redis.QueryTextSanitized, []interface{}{"hset", "h", "f", 1}, "hset h ? ?"},
		{redis.QueryTextSanitized, []interface{}{"ECHO", "x"}, "ECHO ?"},
		{redis.QueryTextFull, []interface{}{"SET", "user:1", "v", "EX", 10}, "SET user:1 v EX 10"},
		{redis.QueryTextFull, []interface{}{"ACL", "SETUSER", "bob", "on", ">hunter2"}, "ACL SETUSER bob [redacted] [redacted]"},
		// Last: the server wants a password from now on.
		{redis.QueryTextFull, []interface{}{"CONFIG", "SET", "requirepass", "hunter2"}, "CONFIG SET requirepass [redacted]"},
	}
	// CONFIG SET and ACL SETUSER change the server: use one of our own.
	server := redistest.Start(t, redistest.Options{})
	for _, tt := range tests {
		rec := recordSpans(t)
		ctx, root := rootSpan(t)
		c, err := redis.Dial("tcp", server.Addr(), redis.DialTraceOptions(redis.TraceOptions{QueryText: tt.mode}))
		require.NoError(t, err)
		_, err = c.(redis.ConnWithContext).DoContext(ctx, tt.args[0].(string), tt.args[1:]...)
		require.NoError(t, err)
		c.Close()
		root.End()
		spans := rec.InTrace(root)
		require.Len(t, spans, 1)
		assert.Equal(t, tt.want, spans[0].Attributes["db.query.text"])
	}
}

func TestDialSpans(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	c, err := redis.DialContext(ctx, "tcp", aclServer.Addr(),
		redis.DialUsername(aclUser), redis.DialPassword(aclUserPassword),
		redis.DialClientName("spans"), redis.DialDatabase(1),
		redis.DialTraceOptions(redis.TraceOptions{QueryText: redis.QueryTextFull}))
	require.NoError(t, err)
	c.Close()
	root.End()

	spans := rec.InTrace(root)
	require.Equal(t, []string{"AUTH", "CLIENT", "SELECT", "redis.dial"}, tracetest.Names(spans))
	dialSpan := spans[3]
	assert.Equal(t, root.SpanContext().SpanID, dialSpan.ParentSpanID)
	for _, s := range spans[:3] {
		assert.Equal(t, dialSpan.SpanID, s.ParentSpanID, "%s is a child of redis.dial", s.Name)
	}
	assert.Equal(t, "AUTH [redacted] [redacted]", spans[0].Attributes["db.query.text"])
	assert.Equal(t, "CLIENT SETNAME spans", spans[1].Attributes["db.query.text"])
	assert.EqualValues(t, aclServer.Port(), dialSpan.Attributes["server.port"])
	assert.Equal(t, "1", dialSpan.Attributes["db.namespace"])
}

func TestPoolSpans(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	p := newTestPool(t, &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", plainServer.Addr())
		},
		MaxIdle: 1,
	})
	c := p.GetWithContext(ctx)
	_, err := c.Do("MULTI")
	require.NoError(t, err)
	require.NoError(t, c.Close()) // sends DISCARD: the pool's housekeeping, no span
	c = p.GetWithContext(ctx)     // from the idle list: no pool span
	_, err = c.Do("PING")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	root.End()

	spans := rec.InTrace(root)
	require.Equal(t, []string{"redis.dial", "redis.pool.get", "MULTI", "PING"}, tracetest.Names(spans))
	assert.Equal(t, spans[1].SpanID, spans[0].ParentSpanID, "the dial is part of the pool get")
	for _, s := range spans[1:] {
		assert.Equal(t, root.SpanContext().SpanID, s.ParentSpanID, s.Name)
	}
}

func TestTimeoutSpan(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	c := dial(t).(redis.ConnWithContext)
	tctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	_, err := c.DoContext(tctx, "BLPOP", "sp:empty", 0)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	root.End()
	spans := rec.InTrace(root)
	require.Equal(t, []string{"BLPOP"}, tracetest.Names(spans))
	assert.Equal(t, "timeout", spans[0].Attributes["error.type"])
	assert.NotContains(t, spans[0].Attributes, "db.response.status_code")
	assert.Equal(t, int32(trace.StatusCodeDeadlineExceeded), spans[0].Status.Code)
}

func TestNoSpanUnderUnsampledParent(t *testing.T) {
	rec := recordSpans(t)
	ctx, parent := trace.StartSpan(context.Background(), "unsampled", trace.WithSampler(trace.NeverSample()))
	c := dial(t, redis.DialTraceOptions(redis.TraceOptions{RootSpans: true})).(redis.ConnWithContext)
	_, err := c.DoContext(ctx, "PING")
	require.NoError(t, err)
	parent.End()
	for _, s := range rec.Spans() {
		assert.NotEqual(t, "PING", s.Name, "a child of an unsampled span is never sampled, not even with RootSpans")
	}
}
