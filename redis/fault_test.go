package redis_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/faultproxy"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/tag"
)

// Fault tests run each fault through a real TCP proxy between the client
// and a real server, and check what the caller sees (the error and its
// metric), that no call returns another command's reply, that broken
// connections never go back to the pool, and that the pool recovers by
// dialing anew.

// useMetricViews makes sure a metric path publishes: the views, unless
// the test chose the producer.
func useMetricViews(t testing.TB) {
	t.Helper()
	if currentPath == viewPath {
		registerViews(t)
	}
}

// metricRows returns the rows of a count view whose name tag is name,
// keyed by their other tag values in the order cmd, kind, detail, state
// (those the view has), "-" for a tag the row lacks: "ECHO timeout
// timeout" for cmd, kind, detail of the errors view, "- dial reset" for a
// failed dial.
func metricRows(t testing.TB, viewName, name string) map[string]int64 {
	t.Helper()
	var v *view.View
	for _, cv := range redis.ObservabilityMetricViews {
		if cv.Name == viewName {
			v = cv
		}
	}
	require.NotNil(t, v, "view %s is in the catalogue", viewName)
	out := map[string]int64{}
	for rowKey, data := range rows(t, viewName, name) {
		c, ok := data.(*view.CountData)
		if !ok {
			continue
		}
		tags := map[string]string{}
		for _, kv := range strings.Fields(rowKey) {
			k, value, _ := strings.Cut(kv, "=")
			tags[k] = value
		}
		var key []string
		for _, k := range []string{"cmd", "kind", "detail", "state"} {
			if !slices.ContainsFunc(v.TagKeys, func(tk tag.Key) bool { return tk.Name() == k }) {
				continue
			}
			if value := tags[k]; value != "" {
				key = append(key, value)
			} else {
				key = append(key, "-")
			}
		}
		out[strings.Join(key, " ")] = c.Value
	}
	return out
}

// metricsSince returns a function that returns what the rows of viewName
// and name have counted since now (rows that did not change are left
// out); views stay registered across tests and -count runs.
func metricsSince(t testing.TB, viewName, name string) func() map[string]int64 {
	t.Helper()
	before := metricRows(t, viewName, name)
	return func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for k, n := range metricRows(t, viewName, name) {
			if n != before[k] {
				out[k] = n - before[k]
			}
		}
		return out
	}
}

// errorsSince is metricsSince of the errors view, keyed "cmd kind detail".
func errorsSince(t testing.TB, name string) func() map[string]int64 {
	return metricsSince(t, "redis/client/errors", name)
}

func startFaultProxy(t testing.TB, target string) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.Start(target)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// proxiedPool returns a pool whose connections go through proxy and
// record their metrics under name.
func proxiedPool(t *testing.T, proxy *faultproxy.Proxy, name string, p *redis.Pool, options ...redis.DialOption) (*redis.Pool, *countingDialer) {
	t.Helper()
	d := &countingDialer{}
	options = append(options, redis.DialTraceOptions(redis.TraceOptions{Name: name}))
	p.DialContext = func(ctx context.Context) (redis.Conn, error) {
		d.dials.Add(1)
		return redis.DialContext(ctx, "tcp", proxy.Addr(), options...)
	}
	p.TraceOptions = redis.TraceOptions{Name: name}
	return newTestPool(t, p), d
}

// echo sends ECHO with a token of its own and fails the test when the
// reply, if any, is not that token.
func echo(t *testing.T, c redis.Conn, token string) error {
	t.Helper()
	reply, err := c.Do("ECHO", token)
	if err == nil {
		require.Equal(t, []byte(token), reply, "ECHO answered with another command's reply")
	}
	return err
}

// requireRecovered checks that the pool hands out a working connection that
// is not the broken one: a new dial, and the replies of its own commands.
func requireRecovered(t *testing.T, p *redis.Pool, d *countingDialer, brokenID int64) {
	t.Helper()
	dials := d.dials.Load()
	c := p.Get()
	defer c.Close()
	require.NoError(t, echo(t, c, t.Name()+":recovered"))
	assert.Equal(t, dials+1, d.dials.Load(), "the pool dials anew")
	if brokenID != 0 {
		assert.NotEqual(t, brokenID, clientID(t, c), "the broken connection is not reused")
	}
}

// requireDiscarded checks that the pool closed the connection just
// returned instead of keeping it.
func requireDiscarded(t *testing.T, p *redis.Pool) {
	t.Helper()
	st := p.Stats()
	assert.Equal(t, 0, st.ActiveCount, "the broken connection is closed")
	assert.Equal(t, 0, st.IdleCount, "the broken connection is not idle")
}

func TestFaultResetMidReply(t *testing.T) {
	useMetricViews(t)
	const name = "fault-reset-mid-reply"
	proxy := startFaultProxy(t, plainServer.Addr())
	p, d := proxiedPool(t, proxy, name, &redis.Pool{MaxIdle: 2})
	errs := errorsSince(t, name)
	closed := metricsSince(t, "redis/client/connections_closed", name)

	k := key(t, "big")
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	c := p.Get()
	_, err := c.Do("SET", k, big, "EX", 60)
	require.NoError(t, err)
	id := clientID(t, c)

	// The reply of GET is cut after 64 KiB by a reset.
	proxy.ResetAfter(faultproxy.Downstream, 64<<10)
	_, err = c.Do("GET", k)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	assert.Error(t, c.Err(), "the connection is broken")
	assert.ErrorIs(t, echo(t, c, "after reset"), net.ErrClosed, "later calls fail as on a closed connection, as upstream")
	require.NoError(t, c.Close())
	requireDiscarded(t, p)
	assert.Equal(t, map[string]int64{"GET read reset": 1}, errs())
	assert.Equal(t, int64(1), closed()["broken"])

	proxy.ResetAfter(faultproxy.Downstream, 0)
	requireRecovered(t, p, d, id)
	c = p.Get()
	defer c.Close()
	got, err := redis.Bytes(c.Do("GET", k))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(big, got), "the whole value, read on a new connection")
}

func TestFaultServerKilledAndRestarted(t *testing.T) {
	useMetricViews(t)
	const name = "fault-server-killed"
	server := redistest.Start(t, redistest.Options{})
	proxy := startFaultProxy(t, server.Addr())
	p, d := proxiedPool(t, proxy, name, &redis.Pool{MaxIdle: 2})
	errs := errorsSince(t, name)

	k := key(t, "k")
	c1, c2, blocked := p.Get(), p.Get(), p.Get()
	_, err := c1.Do("SET", k, "before the crash")
	require.NoError(t, err)
	require.NoError(t, echo(t, c2, "c2"))
	c1.Close()
	c2.Close()
	require.Equal(t, 2, p.IdleCount())

	// A third connection is blocked in a command when the server dies.
	blockedErr := make(chan error, 1)
	go func() {
		_, err := blocked.Do("BLPOP", key(t, "list"), 0)
		blockedErr <- err
	}()
	admin, err := redis.Dial("tcp", server.Addr())
	require.NoError(t, err)
	waitFor(t, func() bool {
		list, err := redis.String(admin.Do("CLIENT", "LIST"))
		return err == nil && strings.Contains(list, "cmd=blpop")
	}, "BLPOP to reach the server")
	admin.Close()

	server.Kill()
	assert.ErrorIs(t, <-blockedErr, io.EOF, "the blocked command fails")
	blocked.Close()
	// The proxy closes the client ends once it sees the server's.
	waitFor(t, func() bool { return proxy.Conns() == 0 }, "the proxy to close its connections")

	// Both idle connections are dead: each fails once and is dropped.
	for i := 0; i < 2; i++ {
		c := p.Get()
		err := echo(t, c, "to a dead server")
		require.Error(t, err)
		assert.ErrorIs(t, err, io.EOF)
		assert.Error(t, c.Err())
		c.Close()
	}
	requireDiscarded(t, p)
	// The write goes out on a connection the peer has closed; the read
	// finds its FIN.
	assert.Equal(t, map[string]int64{"BLPOP read eof": 1, "ECHO read eof": 2}, errs())

	// While the server is down, new connections fail too and nothing is
	// kept.
	c := p.Get()
	if c.Err() == nil {
		err = echo(t, c, "still down")
		assert.True(t, isBrokenConnection(err), "a broken connection error: %v", err)
	}
	c.Close()
	requireDiscarded(t, p)

	server.Restart(t)
	requireRecovered(t, p, d, 0)
	c = p.Get()
	defer c.Close()
	reply, err := c.Do("GET", k)
	require.NoError(t, err)
	assert.Nil(t, reply, "the restarted server has no data: the reply is its own")
}

func TestFaultServerKilledTestOnBorrow(t *testing.T) {
	useMetricViews(t)
	const name = "fault-killed-test-on-borrow"
	server := redistest.Start(t, redistest.Options{})
	proxy := startFaultProxy(t, server.Addr())
	closed := metricsSince(t, "redis/client/connections_closed", name)
	p, d := proxiedPool(t, proxy, name, &redis.Pool{
		MaxIdle: 2,
		TestOnBorrow: func(c redis.Conn, _ time.Time) error {
			_, err := c.Do("PING")
			return err
		},
	})
	c := p.Get()
	require.NoError(t, echo(t, c, "before"))
	c.Close()
	require.Equal(t, 1, p.IdleCount())

	server.Kill()
	waitFor(t, func() bool { return proxy.Conns() == 0 }, "the proxy to close its connections")
	server.Restart(t)

	// The idle connection fails its test, is closed, and Get dials anew.
	requireRecovered(t, p, d, 0)
	// The PING broke the connection: it counts as broken, not twice.
	assert.Equal(t, map[string]int64{"broken": 1}, closed())
	assert.Equal(t, 1, p.ActiveCount())
}

func TestFaultHalfOpen(t *testing.T) {
	useMetricViews(t)
	for _, tc := range []struct {
		name        string
		readTimeout time.Duration
		call        func(c redis.Conn) error
		check       func(t *testing.T, err error)
		row         string
	}{{
		name:        "fault-half-open-read-timeout",
		readTimeout: 100 * time.Millisecond,
		call:        func(c redis.Conn) error { _, err := c.Do("ECHO", "lost"); return err },
		check: func(t *testing.T, err error) {
			assert.True(t, isNetTimeout(err), "a net.Error timeout: %v", err)
		},
		row: "ECHO timeout timeout",
	}, {
		name: "fault-half-open-deadline",
		call: func(c redis.Conn) error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := redis.DoContext(c, ctx, "ECHO", "lost")
			return err
		},
		check: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.DeadlineExceeded) },
		row:   "ECHO timeout timeout",
	}, {
		name: "fault-half-open-cancel",
		call: func(c redis.Conn) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer time.AfterFunc(100*time.Millisecond, cancel).Stop()
			_, err := redis.DoContext(c, ctx, "ECHO", "lost")
			return err
		},
		check: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) },
		row:   "ECHO canceled other",
	}, {
		name: "fault-half-open-receive-deadline",
		call: func(c redis.Conn) error {
			if err := c.Send("ECHO", "lost"); err != nil {
				return err
			}
			if err := c.Flush(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := redis.ReceiveContext(c, ctx)
			return err
		},
		check: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.DeadlineExceeded) },
		row:   "ECHO timeout timeout",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := startFaultProxy(t, plainServer.Addr())
			p, d := proxiedPool(t, proxy, tc.name, &redis.Pool{MaxIdle: 2}, redis.DialReadTimeout(tc.readTimeout))
			errs := errorsSince(t, tc.name)
			closed := metricsSince(t, "redis/client/connections_closed", tc.name)
			c := p.Get()
			id := clientID(t, c)

			proxy.Pause()
			err := tc.call(c)
			require.Error(t, err)
			tc.check(t, err)
			assert.Error(t, c.Err(), "the connection is broken")
			c.Close()
			requireDiscarded(t, p)
			assert.Equal(t, map[string]int64{tc.row: 1}, errs())
			assert.Equal(t, map[string]int64{"broken": 1}, closed())

			// The held command reaches the server on resume; its reply
			// must not surface anywhere.
			proxy.Resume()
			requireRecovered(t, p, d, id)
		})
	}
}

func TestFaultLatencySpike(t *testing.T) {
	useMetricViews(t)
	const name = "fault-latency-spike"
	proxy := startFaultProxy(t, plainServer.Addr())
	p, d := proxiedPool(t, proxy, name, &redis.Pool{MaxIdle: 2}, redis.DialReadTimeout(2*time.Second))
	errs := errorsSince(t, name)
	closed := metricsSince(t, "redis/client/connections_closed", name)

	// A spike shorter than the read timeout only slows the replies.
	c := p.Get()
	id := clientID(t, c)
	proxy.SetLatency(faultproxy.Downstream, 20*time.Millisecond)
	require.NoError(t, echo(t, c, "slow but in time"))

	// A spike longer than the per-call timeout breaks the connection.
	proxy.SetLatency(faultproxy.Downstream, time.Hour)
	_, err := redis.DoWithTimeout(c, 100*time.Millisecond, "ECHO", "too late")
	require.Error(t, err)
	assert.True(t, isNetTimeout(err), "a net.Error timeout: %v", err)
	assert.Error(t, c.Err())
	c.Close()
	requireDiscarded(t, p)

	// The same against a context deadline, on a new connection.
	proxy.SetLatency(faultproxy.Downstream, 0)
	c = p.Get()
	require.NoError(t, echo(t, c, "fast again"))
	proxy.SetLatency(faultproxy.Downstream, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = redis.DoContext(c, ctx, "ECHO", "too late")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	c.Close()
	requireDiscarded(t, p)
	assert.Equal(t, map[string]int64{"ECHO timeout timeout": 2}, errs())
	assert.Equal(t, map[string]int64{"broken": 2}, closed())

	proxy.SetLatency(faultproxy.Downstream, 0)
	requireRecovered(t, p, d, id)
}

func TestFaultSlowWrites(t *testing.T) {
	useMetricViews(t)
	const name = "fault-slow-writes"
	proxy := startFaultProxy(t, plainServer.Addr())
	p, d := proxiedPool(t, proxy, name, &redis.Pool{MaxIdle: 2}, redis.DialWriteTimeout(100*time.Millisecond))
	errs := errorsSince(t, name)
	closed := metricsSince(t, "redis/client/connections_closed", name)
	k := key(t, "k")
	// More than the socket buffers of client and proxy hold, so that the
	// write blocks once the proxy reads slowly.
	big := make([]byte, 64<<20)

	c := p.Get()
	id := clientID(t, c)
	proxy.SetRate(faultproxy.Upstream, 16<<10)
	_, err := c.Do("SET", k, big)
	require.Error(t, err)
	assert.True(t, isNetTimeout(err), "a net.Error timeout: %v", err)
	assert.Error(t, c.Err())
	c.Close()
	requireDiscarded(t, p)

	// A context deadline bounds the write too.
	proxy.SetRate(faultproxy.Upstream, 0)
	c = p.Get()
	require.NoError(t, echo(t, c, "fast again"))
	proxy.SetRate(faultproxy.Upstream, 16<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = redis.DoContext(c, ctx, "SET", k, big)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	c.Close()
	requireDiscarded(t, p)
	assert.Equal(t, map[string]int64{"SET timeout timeout": 2}, errs())
	assert.Equal(t, map[string]int64{"broken": 2}, closed())

	proxy.SetRate(faultproxy.Upstream, 0)
	requireRecovered(t, p, d, id)
	c = p.Get()
	defer c.Close()
	reply, err := c.Do("GET", k)
	require.NoError(t, err)
	assert.Nil(t, reply, "a command cut short is never applied")
}

// waitFor polls cond until it holds, failing the test after a generous
// bound: the faults take effect asynchronously.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
