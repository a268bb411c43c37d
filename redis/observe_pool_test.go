package redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
)

// lastValue returns the value of a LastValue row, -1 when absent.
func lastValue(t *testing.T, viewName, name, key string) float64 {
	t.Helper()
	if d, ok := rows(t, viewName, name)[key].(*view.LastValueData); ok {
		return d.Value
	}
	return -1
}

func TestPoolMetrics(t *testing.T) { bothPaths(t, testPoolMetrics) }

func testPoolMetrics(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	defer redis.SetNowFunc(clock.Now)()
	name := uniqueName("pool-metrics")
	traceOpts := redis.TraceOptions{Name: name}
	failBorrow := false
	p := &redis.Pool{
		Dial: func() (redis.Conn, error) {
			return redis.Dial("tcp", plainServer.Addr(), redis.DialTraceOptions(traceOpts))
		},
		TestOnBorrow: func(c redis.Conn, _ time.Time) error {
			if failBorrow {
				return errors.New("unhealthy")
			}
			return nil
		},
		MaxIdle: 2, MaxActive: 3, Wait: true,
		IdleTimeout: time.Minute, MaxConnLifetime: time.Hour,
		TraceOptions: traceOpts,
	}
	closed := func(state string) int64 {
		return count(t, "redis/client/connections_closed", name, "state="+state)
	}
	gauge := func(state string) float64 {
		return lastValue(t, "redis/client/pool_connections", name, "state="+state)
	}

	a, b, c := p.Get(), p.Get(), p.Get()
	assert.EqualValues(t, 0, gauge("idle"))
	assert.EqualValues(t, 3, gauge("active"))

	// A wait, ended by a returned connection; another ended by its context.
	done := make(chan redis.Conn)
	go func() { done <- p.Get() }()
	waitForWaiters(t, p, 1)
	a.Close()
	d := <-done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	_, err := p.GetContext(ctx)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	waits, ok := rows(t, "redis/client/pool_wait_latency", name)[""].(*view.DistributionData)
	require.True(t, ok)
	assert.EqualValues(t, 2, waits.Count)
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "detail=wait_canceled kind=pool"))
	assert.EqualValues(t, 1, count(t, "redis/client/connections_open", name, "state=reused"))

	b.Close()
	c.Close()
	d.Close() // MaxIdle is 2: the third is closed
	assert.EqualValues(t, 1, closed("pool_full"))
	assert.EqualValues(t, 2, gauge("idle"))
	assert.EqualValues(t, 0, gauge("active"))

	failBorrow = true
	e := p.Get() // the two idle ones fail the test, a new one is dialed
	failBorrow = false
	assert.EqualValues(t, 2, closed("test_failed"))
	e.Close()

	clock.Advance(2 * time.Minute)
	p.Get().Close() // the idle one timed out
	assert.EqualValues(t, 1, closed("idle_timeout"))

	// Used every 50 s, the connection never idles out but grows old.
	for i := 0; i < 80; i++ {
		clock.Advance(50 * time.Second)
		p.Get().Close()
	}
	assert.EqualValues(t, 1, closed("max_lifetime"))
	assert.EqualValues(t, 1, closed("idle_timeout"))

	broken := p.Get()
	_, err = broken.Do("MONITOR")
	require.NoError(t, err)
	broken.Close()
	assert.EqualValues(t, 1, closed("broken"), "a connection that cannot be restored")

	p.Get().Close() // one idle connection for Close to close

	require.NoError(t, p.Close())
	assert.EqualValues(t, 1, closed("pool_closed"))
	assert.EqualValues(t, 0, gauge("idle"))
	assert.EqualValues(t, 0, gauge("active"))
	assert.EqualValues(t, 0, closed("client"), "the pool's closes have their reasons")
	assert.EqualValues(t, 1, count(t, "redis/client/errors", name, "detail=wait_canceled kind=pool"))
}
