package redis_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingDialer dials the plain server and counts dials.
type countingDialer struct {
	dials atomic.Int64
	opts  []redis.DialOption
}

func (d *countingDialer) dial() (redis.Conn, error) {
	d.dials.Add(1)
	return redis.Dial("tcp", plainServer.Addr(), d.opts...)
}

func (d *countingDialer) dialContext(ctx context.Context) (redis.Conn, error) {
	d.dials.Add(1)
	return redis.DialContext(ctx, "tcp", plainServer.Addr(), d.opts...)
}

// clientID returns the server's id of the connection under c.
func clientID(t *testing.T, c redis.Conn) int64 {
	t.Helper()
	id, err := redis.Int64(c.Do("CLIENT", "ID"))
	require.NoError(t, err)
	return id
}

// waitForWaiters returns once n Gets of p wait for a connection.
func waitForWaiters(t *testing.T, p *redis.Pool, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return redis.WaitingGets(p) >= n }, 10*time.Second, time.Millisecond,
		"%d Gets waiting", n)
}

func newTestPool(t *testing.T, p *redis.Pool) *redis.Pool {
	t.Helper()
	t.Cleanup(func() {
		p.Close()
		assert.Equal(t, 0, p.ActiveCount(), "no connection left open after Close")
	})
	return p
}

func TestPoolReusesConnection(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 2})
	c := p.Get()
	id := clientID(t, c)
	require.NoError(t, c.Close())
	assert.Equal(t, redis.PoolStats{ActiveCount: 1, IdleCount: 1}, p.Stats())

	c = p.Get()
	assert.Equal(t, id, clientID(t, c), "the idle connection is reused")
	require.NoError(t, c.Close())
	assert.EqualValues(t, 1, d.dials.Load())
}

func TestPoolMaxIdle(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 2})
	conns := make([]redis.Conn, 4)
	for i := range conns {
		conns[i] = p.Get()
		require.NoError(t, conns[i].Err())
	}
	assert.Equal(t, 4, p.ActiveCount())
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
	assert.Equal(t, 2, p.ActiveCount(), "connections beyond MaxIdle are closed")
	assert.Equal(t, 2, p.IdleCount())
}

func TestPoolDialContextTakesPrecedence(t *testing.T) {
	d := &countingDialer{}
	var plain atomic.Int64
	type ctxKey struct{}
	var got interface{}
	p := newTestPool(t, &redis.Pool{
		Dial: func() (redis.Conn, error) { plain.Add(1); return d.dial() },
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			got = ctx.Value(ctxKey{})
			return d.dialContext(ctx)
		},
	})
	c, err := p.GetContext(context.WithValue(context.Background(), ctxKey{}, "v"))
	require.NoError(t, err)
	c.Close()
	assert.Equal(t, "v", got)
	assert.EqualValues(t, 0, plain.Load())
}

func TestPoolWithoutDial(t *testing.T) {
	p := newTestPool(t, &redis.Pool{})
	c := p.Get()
	assert.EqualError(t, c.Err(), "redigo: must pass Dial or DialContext to pool")
	_, err := c.Do("PING")
	assert.EqualError(t, err, "redigo: must pass Dial or DialContext to pool")
	assert.NoError(t, c.Close())
	_, err = p.GetContext(context.Background())
	assert.EqualError(t, err, "redigo: must pass Dial or DialContext to pool")
	assert.Equal(t, 0, p.ActiveCount())
}

func TestPoolDialError(t *testing.T) {
	dialErr := errors.New("dial failed")
	p := newTestPool(t, &redis.Pool{Dial: func() (redis.Conn, error) { return nil, dialErr }, MaxActive: 1, Wait: true})
	for i := 0; i < 3; i++ {
		c, err := p.GetContext(context.Background())
		require.ErrorIs(t, err, dialErr)
		require.ErrorIs(t, c.Err(), dialErr)
		_, ok := c.(redis.ConnWithContext)
		assert.True(t, ok, "the error conn implements ConnWithContext")
		_, ok = c.(redis.ConnWithTimeout)
		assert.True(t, ok, "the error conn implements ConnWithTimeout")
	}
	assert.Equal(t, 0, p.ActiveCount(), "failed dials give their slot back")
}

func TestPoolExhausted(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxActive: 2})
	c1, c2 := p.Get(), p.Get()
	require.NoError(t, c1.Err())
	require.NoError(t, c2.Err())
	c3 := p.Get()
	assert.ErrorIs(t, c3.Err(), redis.ErrPoolExhausted)
	assert.EqualError(t, c3.Err(), "redigo: connection pool exhausted")
	_, err := p.GetContext(context.Background())
	assert.ErrorIs(t, err, redis.ErrPoolExhausted)
	c1.Close()
	c4 := p.Get()
	assert.NoError(t, c4.Err())
	c2.Close()
	c4.Close()
}

func TestPoolWaitBlocksUntilReturn(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxActive: 1, MaxIdle: 1, Wait: true})
	c1 := p.Get()
	id := clientID(t, c1)
	got := make(chan redis.Conn)
	go func() { got <- p.Get() }()
	waitForWaiters(t, p, 1)
	select {
	case c := <-got:
		t.Fatalf("Get returned %v while the only connection was in use", c)
	default:
	}
	require.NoError(t, c1.Close())
	c2 := <-got
	assert.Equal(t, id, clientID(t, c2))
	c2.Close()
	stats := p.Stats()
	assert.EqualValues(t, 1, stats.WaitCount)
	assert.Greater(t, stats.WaitDuration, time.Duration(0))
}

func TestPoolWaitCanceled(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxActive: 1, MaxIdle: 1, Wait: true})
	c1 := p.Get()
	require.NoError(t, c1.Err())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	c, err := p.GetContext(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, c.Err(), context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = p.GetContext(ctx)
	require.ErrorIs(t, err, context.Canceled)

	stats := p.Stats()
	assert.EqualValues(t, 0, stats.WaitCount, "as upstream, only waits that got a connection count")
	assert.Zero(t, stats.WaitDuration)
	assert.Equal(t, 1, stats.ActiveCount)

	// The canceled waits took no slot: once c1 is back, Get succeeds.
	require.NoError(t, c1.Close())
	c2, err := p.GetContext(context.Background())
	require.NoError(t, err)
	c2.Close()
	assert.EqualValues(t, 1, d.dials.Load())
}

func TestPoolWaitManyCanceledLeakNoSlot(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxActive: 2, MaxIdle: 2, Wait: true})
	held := []redis.Conn{p.Get(), p.Get()}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%5)*time.Millisecond)
			defer cancel()
			if c, err := p.GetContext(ctx); err == nil {
				c.Close()
			}
		}(i)
	}
	// Release the held connections while waiters come and go.
	time.Sleep(2 * time.Millisecond)
	for _, c := range held {
		c.Close()
	}
	wg.Wait()
	assert.Equal(t, p.IdleCount(), p.ActiveCount(), "nothing in use")
	// Both slots are still there.
	a, err := p.GetContext(context.Background())
	require.NoError(t, err)
	b, err := p.GetContext(context.Background())
	require.NoError(t, err)
	a.Close()
	b.Close()
}

func TestPoolTestOnBorrow(t *testing.T) {
	d := &countingDialer{}
	var lastUsed []time.Time
	fail := false
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 1,
		TestOnBorrow: func(c redis.Conn, t time.Time) error {
			lastUsed = append(lastUsed, t)
			if fail {
				return errors.New("unhealthy")
			}
			_, err := c.Do("PING")
			return err
		}})
	c := p.Get()
	id := clientID(t, c)
	before := time.Now()
	c.Close()

	c = p.Get()
	require.Len(t, lastUsed, 1, "tested when taken from the idle list")
	assert.False(t, lastUsed[0].Before(before), "lastUsed is when it was returned")
	assert.Equal(t, id, clientID(t, c))
	c.Close()

	fail = true
	c = p.Get()
	assert.NotEqual(t, id, clientID(t, c), "a connection failing the test is replaced")
	c.Close()
	assert.Equal(t, 1, p.ActiveCount(), "and closed")
}

func TestPoolTestOnBorrowContext(t *testing.T) {
	d := &countingDialer{}
	type ctxKey struct{}
	var gotCtx interface{}
	plainCalled := false
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 1,
		TestOnBorrow: func(redis.Conn, time.Time) error { plainCalled = true; return nil },
		TestOnBorrowContext: func(ctx context.Context, c redis.Conn, _ time.Time) error {
			gotCtx = ctx.Value(ctxKey{})
			return errors.New("unhealthy")
		}})
	c := p.Get()
	id := clientID(t, c)
	c.Close()
	c, err := p.GetContext(context.WithValue(context.Background(), ctxKey{}, "v"))
	require.NoError(t, err)
	assert.Equal(t, "v", gotCtx)
	assert.False(t, plainCalled, "TestOnBorrowContext takes precedence")
	assert.NotEqual(t, id, clientID(t, c))
	c.Close()
}

// fakeClock is a settable clock for the pool.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestPoolIdleTimeout(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	defer redis.SetNowFunc(clock.Now)()
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 3, IdleTimeout: time.Minute})

	a, b := p.Get(), p.Get()
	idA, idB := clientID(t, a), clientID(t, b)
	a.Close()
	clock.Advance(45 * time.Second)
	b.Close() // b returned 45 s after a

	clock.Advance(30 * time.Second) // a idle 75 s, b 30 s
	c := p.Get()
	assert.Equal(t, idB, clientID(t, c), "the fresh idle connection is handed out")
	assert.Equal(t, 1, p.ActiveCount(), "the one idle past IdleTimeout is closed")
	assert.NotEqual(t, idA, clientID(t, c))
	c.Close()

	clock.Advance(61 * time.Second)
	c = p.Get()
	assert.NotEqual(t, idB, clientID(t, c), "pruned once idle too long")
	c.Close()
	assert.EqualValues(t, 3, d.dials.Load())
}

func TestPoolMaxConnLifetime(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	defer redis.SetNowFunc(clock.Now)()
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 1, MaxConnLifetime: time.Hour})
	c := p.Get()
	id := clientID(t, c)
	c.Close()
	clock.Advance(59 * time.Minute)
	c = p.Get()
	assert.Equal(t, id, clientID(t, c))
	c.Close()
	clock.Advance(time.Minute)
	c = p.Get()
	assert.NotEqual(t, id, clientID(t, c), "retired at MaxConnLifetime")
	c.Close()
	assert.Equal(t, 1, p.ActiveCount())
}

func TestPoolClose(t *testing.T) {
	d := &countingDialer{}
	p := &redis.Pool{Dial: d.dial, MaxIdle: 2, MaxActive: 2, Wait: true}
	a, b := p.Get(), p.Get()
	waiting := make(chan error)
	go func() {
		_, err := p.GetContext(context.Background())
		waiting <- err
	}()
	waitForWaiters(t, p, 1)
	require.NoError(t, p.Close())
	assert.EqualError(t, <-waiting, "redigo: get on closed pool", "waiters are released")
	assert.EqualError(t, p.Get().Err(), "redigo: get on closed pool")
	assert.Equal(t, 2, p.ActiveCount())
	a.Close()
	b.Close()
	assert.Equal(t, 0, p.ActiveCount(), "connections returned after Close are closed")
	assert.Equal(t, 0, p.IdleCount())
	assert.NoError(t, p.Close(), "Close twice is fine")

	p2 := &redis.Pool{Dial: d.dial, MaxIdle: 2}
	c := p2.Get()
	id := clientID(t, c)
	c.Close()
	require.Equal(t, 1, p2.IdleCount())
	require.NoError(t, p2.Close())
	assert.Equal(t, redis.PoolStats{}, p2.Stats(), "idle connections are closed")
	observer := dial(t)
	assert.Eventually(t, func() bool {
		list, err := redis.String(observer.Do("CLIENT", "LIST", "ID", id))
		return err == nil && list == ""
	}, 5*time.Second, 10*time.Millisecond, "the server no longer has the connection")
}

func TestPooledConnClosed(t *testing.T) {
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1})
	c := p.Get()
	require.NoError(t, c.Close())
	assert.NoError(t, c.Close(), "a second Close does nothing")
	assert.EqualError(t, c.Err(), "redigo: connection closed")
	_, err := c.Do("PING")
	assert.EqualError(t, err, "redigo: connection closed")
	assert.EqualError(t, c.Send("PING"), "redigo: connection closed")
	assert.EqualError(t, c.Flush(), "redigo: connection closed")
	_, err = c.Receive()
	assert.EqualError(t, err, "redigo: connection closed")
	cc := c.(redis.ConnWithContext)
	_, err = cc.DoContext(context.Background(), "PING")
	assert.EqualError(t, err, "redigo: connection closed")
}

func TestNewPool(t *testing.T) {
	p := redis.NewPool((&countingDialer{}).dial, 3)
	defer p.Close()
	assert.Equal(t, 3, p.MaxIdle)
	c := p.Get()
	_, err := c.Do("PING")
	require.NoError(t, err)
	c.Close()
	assert.Equal(t, 1, p.IdleCount())
}

func TestPoolBrokenConnectionIsNotReused(t *testing.T) {
	d := &countingDialer{opts: []redis.DialOption{redis.DialReadTimeout(30 * time.Millisecond)}}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 1})
	c := p.Get()
	_, err := c.Do("BLPOP", key(t, "empty"), 0)
	require.Error(t, err)
	c.Close()
	assert.Equal(t, 0, p.ActiveCount(), "a broken connection is closed, not kept")
	c = p.Get()
	_, err = c.Do("PING")
	require.NoError(t, err)
	c.Close()
}

func TestGetWithContext(t *testing.T) {
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1})
	ctx, cancel := context.WithCancel(context.Background())
	c := p.GetWithContext(ctx)
	cancel()
	cc, ok := c.(redis.ConnWithContext)
	require.True(t, ok)
	reply, err := c.Do("PING")
	require.NoError(t, err, "the carried context is for spans; its cancel does not stop commands")
	assert.Equal(t, "PONG", reply)
	require.NoError(t, cc.SendContext(context.Background(), "ECHO", "a"))
	require.NoError(t, c.Flush())
	reply, err = c.Receive()
	require.NoError(t, err)
	assert.Equal(t, []byte("a"), reply)
	require.NoError(t, c.Close())

	closed := &redis.Pool{Dial: (&countingDialer{}).dial}
	closed.Close()
	assert.EqualError(t, closed.GetWithContext(context.Background()).Err(), "redigo: get on closed pool")
}
