package redis_test

import (
	"math/rand"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// soakDuration is how long TestSoakUnderFaults runs: SOAK_DURATION, a Go
// duration (make soak sets it, 10m by default). Without it the test is
// skipped, so that it is not part of every make test.
func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("SOAK_DURATION")
	if s == "" {
		t.Skip("SOAK_DURATION is not set (make soak runs this test)")
	}
	d, err := time.ParseDuration(s)
	require.NoError(t, err, "SOAK_DURATION")
	require.Positive(t, d, "SOAK_DURATION")
	return d
}

// TestSoakUnderFaults runs the stress workload (50 goroutines on one pool,
// keys of their own, random cancellations and deadlines) while a proxy
// resets connections at random. No reply may be another command's, every
// error must be one a broken connection or a context explains, and at the
// end no connection is in use, no goroutine is left and the heap has not
// grown.
func TestSoakUnderFaults(t *testing.T) {
	duration := soakDuration(t)
	// Registered first, so it runs last: after the pool and the proxy are
	// closed by their own cleanups.
	ignoreBefore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		goleak.VerifyNone(t, ignoreBefore,
			goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
	})
	useMetricViews(t)
	const name = "soak"
	errs := errorsSince(t, name)

	proxy := startFaultProxy(t, plainServer.Addr())
	p, d := proxiedPool(t, proxy, name, &redis.Pool{MaxActive: 20, MaxIdle: 10, Wait: true},
		redis.DialReadTimeout(5*time.Second), redis.DialWriteTimeout(5*time.Second))

	// Faults: every few milliseconds one connection is reset, now and
	// then all of them.
	stopFaults := make(chan struct{})
	var faults sync.WaitGroup
	faults.Add(1)
	go func() {
		defer faults.Done()
		rnd := rand.New(rand.NewSource(time.Now().UnixNano()))
		for {
			select {
			case <-stopFaults:
				return
			case <-time.After(time.Duration(2+rnd.Intn(20)) * time.Millisecond):
			}
			if rnd.Intn(50) == 0 {
				proxy.ResetAll()
			} else {
				proxy.ResetOne(rnd.Intn)
			}
		}
	}()

	run := func(d time.Duration) *workloadStats {
		end := time.Now().Add(d)
		return runWorkload(t, p, stressWorkers, func(*worker) bool { return time.Now().Before(end) }, true)
	}
	// The heap is measured after a warm-up, when the pool, its buffers and
	// the metric rows exist, and again at the end, both times with the
	// workers stopped and after a GC.
	warmUp := run(duration / 5)
	before := heapInUse()
	stats := run(duration - duration/5)
	after := heapInUse()
	close(stopFaults)
	faults.Wait()

	warmUp.requireClean(t)
	stats.requireClean(t)
	assert.Positive(t, stats.ok.Load(), "commands succeed between faults")
	assert.Positive(t, stats.network.Load(), "resets break connections")
	assert.Positive(t, stats.interrupted.Load(), "contexts interrupt commands")
	t.Logf("%d dials; heap in use %d KiB after warm-up, %d KiB at the end", d.dials.Load(), before>>10, after>>10)
	assert.Less(t, after, before+32<<20, "the heap grows by less than 32 MiB")

	// Errors are counted under the kinds of broken connections and
	// contexts, never as protocol errors or error replies.
	for row := range errs() {
		kind := strings.Fields(row)[1]
		assert.Contains(t, []string{"read", "write", "dial", "timeout", "canceled", "pool"}, kind, "error row %q", row)
	}

	st := p.Stats()
	assert.Equal(t, st.ActiveCount, st.IdleCount, "no connection left in use")

	// Once the faults stop, the pool serves again: idle connections reset
	// by the last faults fail once each and are dropped.
	for i := 0; ; i++ {
		c := p.Get()
		err := echo(t, c, "after the faults")
		c.Close()
		if err == nil {
			break
		}
		require.True(t, isBrokenConnection(err), "a broken connection error: %v", err)
		require.Less(t, i, 10, "the pool does not recover")
	}
	require.NoError(t, p.Close())
	assert.Equal(t, 0, p.ActiveCount())
}

// heapInUse returns the bytes of in-use heap spans after a full GC.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
