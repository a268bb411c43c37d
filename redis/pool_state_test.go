package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statePool is a pool of one idle connection at most, for checking what a
// returned connection looks like to the next borrower.
func statePool(t *testing.T, opts ...redis.DialOption) *redis.Pool {
	return newTestPool(t, &redis.Pool{Dial: (&countingDialer{opts: opts}).dial, MaxIdle: 1})
}

// borrowAfter runs use on a pooled connection, returns it, and reports
// whether the next Get got the same server connection.
func borrowAfter(t *testing.T, p *redis.Pool, use func(c redis.Conn)) (next redis.Conn, reused bool) {
	t.Helper()
	c := p.Get()
	id := clientID(t, c)
	use(c)
	require.NoError(t, c.Close())
	next = p.Get()
	t.Cleanup(func() { next.Close() })
	return next, clientID(t, next) == id
}

func TestPoolDiscardsTransaction(t *testing.T) {
	p := statePool(t)
	k := key(t, "k")
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		_, err := c.Do("MULTI")
		require.NoError(t, err)
		queued, err := c.Do("SET", k, "from-abandoned-multi")
		require.NoError(t, err)
		require.Equal(t, "QUEUED", queued)
	})
	assert.True(t, reused)
	reply, err := next.Do("GET", k)
	require.NoError(t, err, "not inside MULTI any more")
	assert.Nil(t, reply, "the abandoned transaction never ran")
}

func TestPoolUnwatches(t *testing.T) {
	p := statePool(t)
	k := key(t, "watched")
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		_, err := c.Do("WATCH", k)
		require.NoError(t, err)
	})
	require.True(t, reused)
	// Another client changes the key: a WATCH still in force would abort
	// the next borrower's transaction.
	_, err := dial(t).Do("SET", k, "changed")
	require.NoError(t, err)
	require.NoError(t, next.Send("MULTI"))
	require.NoError(t, next.Send("INCR", key(t, "n")))
	reply, err := next.Do("EXEC")
	require.NoError(t, err)
	assert.NotNil(t, reply, "EXEC ran: the WATCH was dropped")
}

func TestPoolUnwatchesAfterMultiWithWatch(t *testing.T) {
	p := statePool(t)
	k := key(t, "watched")
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		_, err := c.Do("WATCH", k)
		require.NoError(t, err)
		_, err = c.Do("MULTI")
		require.NoError(t, err)
	})
	require.True(t, reused)
	_, err := dial(t).Do("SET", k, "changed")
	require.NoError(t, err)
	_, err = next.Do("MULTI")
	require.NoError(t, err)
	reply, err := next.Do("EXEC")
	require.NoError(t, err)
	assert.NotNil(t, reply)
}

func testPoolEndsSubscription(t *testing.T, subscribe func(c redis.Conn)) {
	p := statePool(t)
	channel := key(t, "ch")
	publisher := dial(t)
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		subscribe(c)
		// Messages arrive and are never read by the application.
		for i := 0; i < 10; i++ {
			_, err := publisher.Do("PUBLISH", channel, "unread")
			require.NoError(t, err)
		}
	})
	require.True(t, reused, "a subscribed connection is restored and reused")
	n, err := redis.Int(publisher.Do("PUBLISH", channel, "after"))
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nobody is subscribed any more")
	k := key(t, "k")
	_, err = next.Do("SET", k, "v")
	require.NoError(t, err)
	v, err := redis.String(next.Do("GET", k))
	require.NoError(t, err, "the connection answers commands, not messages")
	assert.Equal(t, "v", v)
}

func TestPoolEndsSubscribe(t *testing.T) {
	testPoolEndsSubscription(t, func(c redis.Conn) {
		require.NoError(t, c.Send("SUBSCRIBE", key(t, "ch"), key(t, "other")))
		require.NoError(t, c.Flush())
	})
}

func TestPoolEndsPSubscribe(t *testing.T) {
	testPoolEndsSubscription(t, func(c redis.Conn) {
		require.NoError(t, c.Send("PSUBSCRIBE", key(t, "c*")))
		require.NoError(t, c.Flush())
		_, err := c.Receive()
		require.NoError(t, err)
	})
}

func TestPoolEndsSSubscribe(t *testing.T) {
	testPoolEndsSubscription(t, func(c redis.Conn) {
		require.NoError(t, c.Send("SSUBSCRIBE", key(t, "ch")))
		require.NoError(t, c.Flush())
	})
}

func TestPoolEndsPubSubConn(t *testing.T) {
	testPoolEndsSubscription(t, func(c redis.Conn) {
		psc := redis.PubSubConn{Conn: c}
		require.NoError(t, psc.Subscribe(key(t, "ch")))
		require.IsType(t, redis.Subscription{}, psc.Receive())
	})
}

func TestPoolClosesUnrestorableConnections(t *testing.T) {
	tests := []struct {
		name string
		use  func(t *testing.T, c redis.Conn)
	}{
		{"SELECT other db", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("SELECT", 4)
			require.NoError(t, err)
		}},
		{"MONITOR", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("MONITOR")
			require.NoError(t, err)
		}},
		{"CLIENT REPLY OFF", func(t *testing.T, c redis.Conn) {
			require.NoError(t, c.Send("CLIENT", "REPLY", "OFF"))
			require.NoError(t, c.Send("PING"))
			require.NoError(t, c.Flush())
		}},
		{"CLIENT REPLY SKIP", func(t *testing.T, c redis.Conn) {
			require.NoError(t, c.Send("client", []byte("reply"), "skip"))
			require.NoError(t, c.Send("PING"))
			require.NoError(t, c.Flush())
		}},
		{"HELLO 3", func(t *testing.T, c redis.Conn) {
			c.Do("HELLO", "3") // a RESP3 reply: the connection breaks or is dropped
		}},
		{"AUTH", func(t *testing.T, c redis.Conn) {
			c.Do("AUTH", "default", "anything")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := statePool(t)
			_, reused := borrowAfter(t, p, func(c redis.Conn) { tt.use(t, c) })
			assert.False(t, reused, "the connection is closed, not reused")
			assert.Equal(t, 1, p.ActiveCount())
		})
	}
}

func TestPoolKeepsSelectOfDialedDB(t *testing.T) {
	p := statePool(t, redis.DialDatabase(2))
	next, reused := borrowAfter(t, p, func(c redis.Conn) {
		_, err := c.Do("SELECT", "2")
		require.NoError(t, err)
	})
	assert.True(t, reused)
	assert.Equal(t, "2", clientInfo(t, next)["db"])
}

func TestPoolCleanupIsBounded(t *testing.T) {
	// A BLPOP that never returns: the reply the cleanup waits for on Close
	// never comes. Close must not hang.
	defer redis.SetCleanupTimeout(100 * time.Millisecond)()
	p := statePool(t)
	c := p.Get()
	require.NoError(t, c.Send("BLPOP", key(t, "never"), 0))
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		assert.Error(t, err, "the cleanup timed out")
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs")
	}
	assert.Equal(t, 0, p.ActiveCount(), "the connection is closed, not reused")
}

func TestPoolCleanupChildOfCallerContext(t *testing.T) {
	p := statePool(t)
	c := p.Get().(redis.ConnWithContext)
	_, err := c.DoContext(context.Background(), "MULTI")
	require.NoError(t, err)
	// A canceled caller context does not stop the cleanup.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, c.CloseContext(ctx))
	assert.Equal(t, 1, p.IdleCount())
}
