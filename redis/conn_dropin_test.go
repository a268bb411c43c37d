package redis_test

import (
	"log"
	"strings"
	"testing"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/trace"
)

// After a SELECT, a plain connection's spans name the database selected.
func TestSelectUpdatesDBNamespace(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	c := dial(t).(redis.ConnWithContext)
	_, err := c.DoContext(ctx, "SELECT", 5)
	require.NoError(t, err)
	_, err = c.DoContext(ctx, "PING")
	require.NoError(t, err)
	_, err = c.DoContext(ctx, "SELECT", "not a number")
	require.Error(t, err)
	_, err = c.DoContext(ctx, "PING")
	require.NoError(t, err)
	root.End()
	var dbs []interface{}
	for _, s := range rec.InTrace(root) {
		if s.Name == "PING" {
			dbs = append(dbs, s.Attributes["db.namespace"])
		}
	}
	assert.Equal(t, []interface{}{"5", "5"}, dbs, "a refused SELECT changes nothing")
}

// A server error quoting a secret argument does not carry it into the
// span's status.
func TestSecretQuotedByServerErrorStaysOutOfSpans(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	const secret = "<no-such-password-hunter2"
	c := dial(t, redis.DialTraceOptions(redis.TraceOptions{QueryText: redis.QueryTextFull})).(redis.ConnWithContext)
	_, err := c.DoContext(ctx, "ACL", "SETUSER", key(t, "user"), secret)
	require.Error(t, err)
	require.Contains(t, err.Error(), "hunter2", "the server quotes the rule (the test relies on it)")
	root.End()
	spans := rec.InTrace(root)
	require.Len(t, spans, 1)
	assert.NotEqual(t, trace.StatusCodeOK, spans[0].Status.Code)
	assert.NotContains(t, spans[0].Status.Message, "hunter2")
	for _, v := range spans[0].Attributes {
		if s, ok := v.(string); ok {
			assert.False(t, strings.Contains(s, "hunter2"), "attribute %q", s)
		}
	}
}

// NewLoggingConn keeps a secret quoted by the server's error out of the log.
func TestLoggingConnRedactsSecretQuotedByServer(t *testing.T) {
	var logged strings.Builder
	c := redis.NewLoggingConn(dial(t), log.New(&logged, "", 0), "")
	_, err := c.Do("ACL", "SETUSER", key(t, "user"), "<no-such-password-hunter2")
	require.Error(t, err)
	require.Contains(t, err.Error(), "hunter2", "the server quotes the rule (the test relies on it)")
	assert.NotContains(t, logged.String(), "hunter2")
	assert.Contains(t, logged.String(), "[redacted]")
}
