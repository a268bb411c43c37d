package redis_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pool behaviour where ocredigo matches upstream, or does better where
// upstream is wrong (issue 12).

// A done context fails GetContext, even with a connection idle and a slot
// free, as upstream does for a pool that waits.
func TestPoolGetContextDoneWithIdleConnection(t *testing.T) {
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1, MaxActive: 2, Wait: true})
	c := p.Get()
	require.NoError(t, c.Err())
	require.NoError(t, c.Close())
	require.Equal(t, 1, p.IdleCount())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.GetContext(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, p.IdleCount(), "the idle connection stays")
	c = p.Get()
	require.NoError(t, c.Err(), "the refused Get gave its slot back")
	c.Close()
}

// A reply that arrives with nothing pending (a duplicate) never answers
// the next borrower's command: the connection is closed, not reused.
func TestPoolClosesConnectionWithUnreadReply(t *testing.T) {
	peer := startHostilePeer(t, writeString("+PONG\r\n+PONG\r\n"))
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{
		Dial: func() (redis.Conn, error) {
			d.dials.Add(1)
			return redis.Dial("tcp", peer.ln.Addr().String())
		},
		MaxIdle: 1,
	})
	c := p.Get()
	reply, err := redis.String(c.Do("PING"))
	require.NoError(t, err)
	require.Equal(t, "PONG", reply)
	require.NoError(t, c.Close())
	assert.Equal(t, 0, p.IdleCount(), "the connection holding a stray reply is closed")
	assert.Equal(t, 0, p.ActiveCount())
}

// Cleanup sends SUNSUBSCRIBE only to a connection that used SSUBSCRIBE:
// servers before Redis 7 refuse it.
func TestPoolSendsSunsubscribeOnlyAfterSsubscribe(t *testing.T) {
	var logged bytes.Buffer
	logger := log.New(&logged, "", 0)
	p := newTestPool(t, &redis.Pool{
		Dial: func() (redis.Conn, error) {
			c, err := redis.Dial("tcp", plainServer.Addr())
			if err != nil {
				return nil, err
			}
			return redis.NewLoggingConn(c, logger, "pooled"), nil
		},
		MaxIdle: 1,
	})
	for _, subscribe := range []string{"SUBSCRIBE", "SSUBSCRIBE"} {
		logged.Reset()
		c := p.Get()
		require.NoError(t, c.Send(subscribe, key(t, subscribe)))
		require.NoError(t, c.Flush())
		_, err := c.Receive()
		require.NoError(t, err)
		require.NoError(t, c.Close())
		sent := logged.String()
		assert.Contains(t, sent, "UNSUBSCRIBE")
		assert.Equal(t, subscribe == "SSUBSCRIBE", strings.Contains(sent, "SUNSUBSCRIBE"),
			"after %s the cleanup sent: %s", subscribe, sent)
	}
}

// An EXEC the server refuses does not end a WATCH: the next borrower's
// transaction must not abort because of a key the previous one watched.
func TestPoolRefusedExecKeepsWatchForCleanup(t *testing.T) {
	p := statePool(t)
	k := key(t, "watched")
	other := dial(t)
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		_, err := c.Do("WATCH", k)
		require.NoError(t, err)
		_, err = c.Do("EXEC")
		require.Error(t, err, "EXEC without MULTI")
	})
	require.True(t, reused)
	_, err := other.Do("SET", k, "changed by another client")
	require.NoError(t, err)
	_, err = next.Do("MULTI")
	require.NoError(t, err)
	_, err = next.Do("SET", k, "mine")
	require.NoError(t, err)
	reply, err := next.Do("EXEC")
	require.NoError(t, err)
	assert.NotNil(t, reply, "the transaction ran: no WATCH was left behind")
}

// onlyConn hides every method of a connection but Conn's, as an
// application's wrapper might.
type onlyConn struct{ redis.Conn }

// The cleanup of a connection with no context or timeout methods is
// bounded too: behind a BLPOP that never returns, Close gives up.
func TestPoolCleanupOfPlainConnIsBounded(t *testing.T) {
	defer redis.SetCleanupTimeout(100 * time.Millisecond)()
	p := newTestPool(t, &redis.Pool{
		Dial: func() (redis.Conn, error) {
			c, err := redis.Dial("tcp", plainServer.Addr())
			return onlyConn{c}, err
		},
		MaxIdle: 1,
	})
	c := p.Get()
	require.NoError(t, c.Send("BLPOP", key(t, "never"), 0))
	require.NoError(t, c.Flush())
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		require.Error(t, err, "the cleanup did not finish")
	case <-time.After(30 * time.Second):
		t.Fatal("Close blocks behind BLPOP 0")
	}
	assert.Equal(t, 0, p.ActiveCount(), "the connection was closed")
}

// With replies off (CLIENT REPLY OFF, a bulk-load pattern) the commands
// sent expect no reply: nothing is kept for them, the connection stays in
// step with the server, and closing it counts no phantom errors.
func TestClientReplyOffExpectsNoReplies(t *testing.T) {
	usePath(t, producerPath)
	name := uniqueName("reply-off")
	c := dial(t, redis.DialReadTimeout(5*time.Second), redis.DialTraceOptions(redis.TraceOptions{Name: name}))
	k := key(t, "bulk")
	require.NoError(t, c.Send("CLIENT", "REPLY", "OFF"))
	for i := 0; i < 1000; i++ {
		require.NoError(t, c.Send("SET", k, i))
	}
	require.NoError(t, c.Flush())
	reply, err := c.Do("CLIENT", "REPLY", "ON")
	require.NoError(t, err, "only CLIENT REPLY ON is answered")
	assert.Equal(t, "OK", reply)
	v, err := redis.Int(c.Do("GET", k))
	require.NoError(t, err)
	assert.Equal(t, 999, v)

	require.NoError(t, c.Send("CLIENT", "REPLY", "SKIP"))
	require.NoError(t, c.Send("SET", k, "skipped"))
	v2, err := redis.String(c.Do("GET", k))
	require.NoError(t, err)
	assert.Equal(t, "skipped", v2, "SKIP's command got no reply, GET got its own")

	require.NoError(t, c.Send("CLIENT", "REPLY", "OFF"))
	require.NoError(t, c.Send("SET", k, "last"))
	require.NoError(t, c.Flush())
	require.NoError(t, c.Close())
	assert.Empty(t, rows(t, "redis/client/errors", name), "no command was left waiting for a reply")
	assert.EqualValues(t, 1002, sum(t, "redis/client/writes", name, "cmd=SET"))
}

// A pool's name applies to the connections it dials without a name of
// their own, with Dial and with DialContext: one pool, one name.
func TestPoolNameAppliesToItsConnections(t *testing.T) {
	usePath(t, producerPath)
	for _, withContext := range []bool{false, true} {
		name := uniqueName("pool-name")
		d := &countingDialer{opts: []redis.DialOption{redis.DialDatabase(3)}}
		p := &redis.Pool{MaxIdle: 1, TraceOptions: redis.TraceOptions{Name: name}}
		if withContext {
			p.DialContext = d.dialContext
		} else {
			p.Dial = d.dial
		}
		newTestPool(t, p)
		c := p.Get()
		_, err := c.Do("PING")
		require.NoError(t, err)
		require.NoError(t, c.Close())
		assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "PING").Count)
		assert.EqualValues(t, 1, dist(t, "redis/client/roundtrip_latency", name, "SELECT").Count,
			"the dial's SELECT is the pool's too")
		assert.EqualValues(t, 1, count(t, "redis/client/connections_open", name, "state=new"))
		_, ok := rows(t, "redis/client/dial_latency", name)[""]
		assert.True(t, ok, "the dial is under the pool's name (context %v)", withContext)
	}
}

// The commands the pool sends to restore a connection are its own
// housekeeping, not the application's traffic.
func TestPoolHousekeepingIsNotCounted(t *testing.T) {
	usePath(t, producerPath)
	name := uniqueName("housekeeping")
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1, TraceOptions: redis.TraceOptions{Name: name}})
	c := p.Get()
	_, err := c.Do("MULTI")
	require.NoError(t, err)
	require.NoError(t, c.Close()) // DISCARD
	writes := rows(t, "redis/client/writes", name)
	assert.Contains(t, writes, "cmd=MULTI")
	assert.NotContains(t, writes, "cmd=DISCARD", "the pool's DISCARD is not the application's")
}

// A connection from GetContext parents its plain calls under the span of
// the context it was taken with, as GetWithContext does.
func TestGetContextParentsPlainCalls(t *testing.T) {
	rec := recordSpans(t)
	ctx, root := rootSpan(t)
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1})
	c, err := p.GetContext(ctx)
	require.NoError(t, err)
	_, err = c.Do("PING")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	root.End()
	var names []string
	for _, s := range rec.InTrace(root) {
		names = append(names, s.Name)
	}
	assert.Contains(t, names, "PING")
}

// NewConn of a nil net.Conn gives a connection whose calls fail; a
// net.Conn reporting a typed nil remote address works.
func TestNilNetConnAndNilRemoteAddr(t *testing.T) {
	c := redis.NewConn(nil, 0, 0)
	_, err := c.Do("PING")
	require.Error(t, err)
	require.NotPanics(t, func() { c.Close() })

	netConn, err := net.Dial("tcp", plainServer.Addr())
	require.NoError(t, err)
	c = redis.NewConn(nilAddrConn{netConn}, time.Second, time.Second)
	defer c.Close()
	reply, err := redis.String(c.Do("PING"))
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
}

type nilAddrConn struct{ net.Conn }

func (nilAddrConn) RemoteAddr() net.Addr { return (*net.TCPAddr)(nil) }

var _ io.Writer = nilAddrConn{}
