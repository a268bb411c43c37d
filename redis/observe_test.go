package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
)

// The scripted workload of the observability issue: every row of every
// command view, with bytes computed by hand from the RESP on the wire.
func TestMetricsOfScriptedWorkload(t *testing.T) { bothPaths(t, testMetricsOfScriptedWorkload) }

func testMetricsOfScriptedWorkload(t *testing.T) {
	name := uniqueName("workload")
	opts := []redis.DialOption{redis.DialDatabase(11), redis.DialTraceOptions(redis.TraceOptions{Name: name})}
	c := dial(t, opts...)
	_, err := c.Do("FLUSHDB")
	require.NoError(t, err)

	// SET obs:k hello: *3\r\n $3\r\nSET\r\n $5\r\nobs:k\r\n $5\r\nhello\r\n = 4+9+11+11
	// bytes; the reply +OK\r\n is 5.
	_, err = c.Do("SET", "obs:k", "hello")
	require.NoError(t, err)
	// GET obs:k: 4+9+11 = 24 bytes; reply $5\r\nhello\r\n = 11, payload 5.
	_, err = c.Do("GET", "obs:k")
	require.NoError(t, err)
	// GET obs:miss: 4+9+14 = 27 bytes; reply $-1\r\n = 5, payload 0.
	_, err = c.Do("GET", "obs:miss")
	require.NoError(t, err)

	gets := dist(t, "redis/client/roundtrip_latency", name, "GET")
	assert.EqualValues(t, 2, gets.Count)
	assert.EqualValues(t, 24+27, dist(t, "redis/client/bytes_written", name, "GET").Sum())
	assert.EqualValues(t, 11+5, dist(t, "redis/client/bytes_read", name, "GET").Sum())
	assert.EqualValues(t, 5+8, dist(t, "redis/client/key_length", name, "GET").Sum())
	values := dist(t, "redis/client/value_length", name, "GET")
	assert.EqualValues(t, 2, values.Count)
	assert.EqualValues(t, 5, values.Sum())
	assert.EqualValues(t, 35, dist(t, "redis/client/bytes_written", name, "SET").Sum())
	assert.EqualValues(t, 5, dist(t, "redis/client/bytes_read", name, "SET").Sum())
	assert.NotContains(t, rows(t, "redis/client/value_length", name), "cmd=SET", "a status reply has no value")
	assert.EqualValues(t, 2, sum(t, "redis/client/writes", name, "cmd=GET"))
	assert.EqualValues(t, 2, sum(t, "redis/client/reads", name, "cmd=GET"))

	// A 100-command pipeline: every command has its own latency and bytes.
	for i := 0; i < 100; i++ {
		require.NoError(t, c.Send("GET", "obs:k"))
	}
	require.NoError(t, c.Flush())
	for i := 0; i < 100; i++ {
		_, err := c.Receive()
		require.NoError(t, err)
	}
	gets = dist(t, "redis/client/roundtrip_latency", name, "GET")
	assert.EqualValues(t, 102, gets.Count)
	written := dist(t, "redis/client/bytes_written", name, "GET")
	assert.EqualValues(t, 102, written.Count)
	assert.InDelta(t, 51+100*24, written.Sum(), 1e-6)
	assert.InDelta(t, 16+100*11, dist(t, "redis/client/bytes_read", name, "GET").Sum(), 1e-6)
	assert.EqualValues(t, 102, sum(t, "redis/client/writes", name, "cmd=GET"))
	assert.EqualValues(t, 102, sum(t, "redis/client/reads", name, "cmd=GET"))
	// OpenCensus drops the bound 0: the buckets are [0,16), [16,64), ...
	// 24 and 27 bytes are in the second.
	assert.Equal(t, []int64{0, 102}, written.CountPerBucket[:2])
	assert.Zero(t, written.CountPerBucket[2])

	// MULTI/EXEC: MULTI is *1\r\n $5\r\nMULTI\r\n = 15 bytes, reply 5;
	// SET obs:t 1 is 4+9+11+7 = 31, reply +QUEUED\r\n = 9; EXEC is
	// *1\r\n $4\r\nEXEC\r\n = 14, reply *1\r\n+OK\r\n = 9.
	require.NoError(t, c.Send("MULTI"))
	require.NoError(t, c.Send("SET", "obs:t", 1))
	_, err = c.Do("EXEC")
	require.NoError(t, err)
	assert.EqualValues(t, 15, dist(t, "redis/client/bytes_written", name, "MULTI").Sum())
	assert.EqualValues(t, 35+31, dist(t, "redis/client/bytes_written", name, "SET").Sum())
	assert.EqualValues(t, 5+9, dist(t, "redis/client/bytes_read", name, "SET").Sum())
	assert.EqualValues(t, 14, dist(t, "redis/client/bytes_written", name, "EXEC").Sum())
	assert.EqualValues(t, 9, dist(t, "redis/client/bytes_read", name, "EXEC").Sum())

	// A Lua script: EVALSHA fails with NOSCRIPT, EVAL follows.
	_, err = c.Do("SCRIPT", "FLUSH")
	require.NoError(t, err)
	script := redis.NewScript(1, "return redis.call('GET', KEYS[1]) -- "+t.Name())
	v, err := redis.String(script.Do(c, "obs:k"))
	require.NoError(t, err)
	assert.Equal(t, "hello", v)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "cmd=EVALSHA detail=NOSCRIPT kind=server"))
	assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "EVALSHA").Count)
	assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "EVAL").Count)

	// A server error.
	_, err = c.Do("INCR", "obs:k")
	require.Error(t, err)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "cmd=INCR detail=ERR kind=server"))
	assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "INCR").Count,
		"an error reply completes the round trip")

	// A pub/sub message: a reply with no command pending is a PUSH.
	sub := dial(t, opts...)
	psc := redis.PubSubConn{Conn: sub}
	require.NoError(t, psc.Subscribe("obs:ch"))
	require.IsType(t, redis.Subscription{}, psc.Receive())
	_, err = c.Do("PUBLISH", "obs:ch", "m")
	require.NoError(t, err)
	require.IsType(t, redis.Message{}, psc.Receive())
	// *3\r\n $7\r\nmessage\r\n $6\r\nobs:ch\r\n $1\r\nm\r\n = 4+13+12+7 bytes.
	push := dist(t, "redis/client/bytes_read", name, "PUSH")
	assert.EqualValues(t, 1, push.Count)
	assert.EqualValues(t, 36, push.Sum())
	assert.EqualValues(t, 14, dist(t, "redis/client/value_length", name, "PUSH").Sum())
	assert.EqualValues(t, 1, sum(t, "redis/client/reads", name, "cmd=PUSH"))
	assert.EqualValues(t, 0, sum(t, "redis/client/writes", name, "cmd=PUSH"))
	assert.NotContains(t, rows(t, "redis/client/roundtrip_latency", name), "cmd=PUSH")
	// *3\r\n $9\r\nsubscribe\r\n $6\r\nobs:ch\r\n :1\r\n = 4+15+12+4 bytes.
	assert.EqualValues(t, 35, dist(t, "redis/client/bytes_read", name, "SUBSCRIBE").Sum())

	// A timeout: the command was written, its reply never read.
	slow := dial(t, append(opts, redis.DialReadTimeout(30*time.Millisecond))...)
	_, err = slow.Do("BLPOP", "obs:empty", 0)
	require.Error(t, err)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "cmd=BLPOP detail=timeout kind=timeout"))
	assert.EqualValues(t, 1, sum(t, "redis/client/writes", name, "cmd=BLPOP"))
	assert.EqualValues(t, 0, sum(t, "redis/client/reads", name, "cmd=BLPOP"))
	assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "BLPOP").Count,
		"a command that timed out keeps its latency")

	// A cancel.
	canceled := dial(t, opts...).(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err = canceled.DoContext(ctx, "BLPOP", "obs:empty", 0)
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "cmd=BLPOP detail=other kind=canceled"))
	assert.EqualValues(t, 2, dist(t, "redis/client/roundtrip_latency", name, "BLPOP").Count,
		"a canceled command keeps its latency")

	// A connection reset by the server.
	victim := dial(t, opts...)
	id, err := redis.Int64(victim.Do("CLIENT", "ID"))
	require.NoError(t, err)
	_, err = c.Do("CLIENT", "KILL", "ID", id)
	require.NoError(t, err)
	_, err = victim.Do("PING")
	require.Error(t, err)
	errs := rows(t, "redis/client/errors", name)
	eof, _ := errs["cmd=PING detail=eof kind=read"].(*view.CountData)
	reset, _ := errs["cmd=PING detail=reset kind=read"].(*view.CountData)
	resetWrite, _ := errs["cmd=PING detail=reset kind=write"].(*view.CountData)
	var failures int64
	for _, d := range []*view.CountData{eof, reset, resetWrite} {
		if d != nil {
			failures += d.Value
		}
	}
	assert.EqualValues(t, 1, failures, "one failed PING, as eof or reset: %v", errs)

	// Pool exhaustion.
	pool := newTestPool(t, &redis.Pool{
		Dial:         func() (redis.Conn, error) { return redis.Dial("tcp", plainServer.Addr(), opts...) },
		MaxActive:    1,
		MaxIdle:      1,
		TraceOptions: redis.TraceOptions{Name: name},
	})
	held := pool.Get()
	require.NoError(t, held.Err())
	require.ErrorIs(t, pool.Get().Err(), redis.ErrPoolExhausted)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "detail=exhausted kind=pool"))
	held.Close()
	reused := pool.Get()
	require.NoError(t, reused.Err())
	reused.Close()

	// Connections: 7 dialed (c, sub, slow, canceled, victim and the pool's
	// one), 3 broken (timeout, cancel, reset), one reused from the pool.
	assert.EqualValues(t, 6, count(t, "redis/client/connections_open", name, "state=new"))
	assert.EqualValues(t, 1, count(t, "redis/client/connections_open", name, "state=reused"))
	assert.EqualValues(t, 3, count(t, "redis/client/connections_closed", name, "state=broken"))
	dials, ok := rows(t, "redis/client/dial_latency", name)[""].(*view.DistributionData)
	require.True(t, ok)
	assert.EqualValues(t, 6, dials.Count)
	assert.EqualValues(t, 6, dist(t, "redis/client/roundtrip_latency", name, "SELECT").Count,
		"each dial's SELECT is a command of its own")
}

// On the view path a connection batches its measurements: they reach
// OpenCensus within the flush interval, at once when a batch is full, and
// when the connection closes.
func TestMetricsBatching(t *testing.T) {
	usePath(t, viewPath)
	latencyRows := func(name string) int64 {
		data, err := view.RetrieveData("redis/client/roundtrip_latency")
		require.NoError(t, err)
		var n int64
		for _, row := range data {
			for _, tg := range row.Tags {
				if tg.Key.Name() == "name" && tg.Value == name {
					n += row.Data.(*view.DistributionData).Count
				}
			}
		}
		return n
	}

	name := uniqueName("batching")
	c := dial(t, redis.DialTraceOptions(redis.TraceOptions{Name: name}))
	for i := 0; i < 3; i++ {
		_, err := c.Do("PING")
		require.NoError(t, err)
	}
	assert.Eventually(t, func() bool { return latencyRows(name) == 3 }, 10*time.Second, 5*time.Millisecond,
		"recorded when the interval ends")

	name = uniqueName("batching-close")
	c, err := redis.Dial("tcp", plainServer.Addr(), redis.DialTraceOptions(redis.TraceOptions{Name: name}))
	require.NoError(t, err)
	_, err = c.Do("PING")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.EqualValues(t, 1, latencyRows(name), "recorded on Close")

	// A full batch is recorded at once; the measurements of 200 GETs
	// (latency, bytes and counts, key and value lengths) fill at least one.
	name = uniqueName("batching-full")
	c = dial(t, redis.DialTraceOptions(redis.TraceOptions{Name: name}))
	for i := 0; i < 200; i++ {
		require.NoError(t, c.Send("GET", "k"))
	}
	_, err = c.Do("")
	require.NoError(t, err)
	assert.Greater(t, latencyRows(name), int64(0), "a full batch is recorded at once")
}
