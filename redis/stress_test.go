package redis_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Stress run size: 50 workers × 800 steps of 2 to 5 commands each, about
// 2,900 commands per worker (~145,000 in all). On the 2-core reference
// machine it takes ~6.5 s under -race, inside the package's time budget.
const (
	stressWorkers = 50
	stressSteps   = 800
)

// TestPoolStress runs 50 goroutines on one pool of 20 connections, each
// writing and reading back keys of its own through Do, DoContext,
// pipelines and transactions, with random cancellations and deadlines
// (some already expired, some firing mid-command). No reply may be
// another command's: a connection broken by a cancellation must never go
// back to the pool with a reply in flight.
func TestPoolStress(t *testing.T) {
	d := &countingDialer{}
	p := newTestPool(t, &redis.Pool{
		DialContext: d.dialContext,
		MaxActive:   20,
		MaxIdle:     10,
		Wait:        true,
	})
	stats := runWorkload(t, p, stressWorkers, func(w *worker) bool { return w.steps < stressSteps }, false)

	stats.requireClean(t)
	assert.Positive(t, stats.ok.Load(), "some commands succeed")
	assert.Positive(t, stats.interrupted.Load(), "some commands are interrupted by their context")
	assert.Positive(t, p.Stats().WaitCount, "workers wait for connections")
	assert.Greater(t, d.dials.Load(), int64(20), "broken connections are replaced by new ones")
	st := p.Stats()
	assert.Equal(t, st.ActiveCount, st.IdleCount, "no connection left in use")
	assert.LessOrEqual(t, st.ActiveCount, 10)
	require.NoError(t, p.Close())
	assert.Equal(t, 0, p.ActiveCount())
}

// workloadStats are the outcomes of a workload's commands.
type workloadStats struct {
	ok          atomic.Int64 // commands that returned without error
	interrupted atomic.Int64 // commands failed by their context or deadline
	network     atomic.Int64 // commands failed by a broken connection
	mismatched  atomic.Int64 // replies that were not the command's
	unexpected  atomic.Int64 // errors of another kind

	mu      sync.Mutex
	samples []string // the first problems, for the failure message
}

func (s *workloadStats) problem(counter *atomic.Int64, format string, args ...interface{}) {
	counter.Add(1)
	s.mu.Lock()
	if len(s.samples) < 10 {
		s.samples = append(s.samples, fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
}

// requireClean fails the test on any mismatched reply or unexpected error.
func (s *workloadStats) requireClean(t *testing.T) {
	t.Helper()
	t.Logf("commands: %d ok, %d interrupted, %d network errors", s.ok.Load(), s.interrupted.Load(), s.network.Load())
	require.Zero(t, s.mismatched.Load(), "mismatched replies: %q", s.samples)
	require.Zero(t, s.unexpected.Load(), "unexpected errors: %q", s.samples)
}

// runWorkload runs n workers on p while more(w) is true for each and waits
// for them. networkErrors allows the errors of connections broken by a
// fault proxy.
func runWorkload(t *testing.T, p *redis.Pool, n int, more func(w *worker) bool, networkErrors bool) *workloadStats {
	t.Helper()
	stats := &workloadStats{}
	seed := uint64(time.Now().UnixNano())
	t.Logf("workload seed %d", seed)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		w := &worker{
			pool:          p,
			prefix:        fmt.Sprintf("%s:%d:", t.Name(), i),
			rnd:           rand.New(rand.NewSource(int64(seed) + int64(i))),
			stats:         stats,
			networkErrors: networkErrors,
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for more(w) {
				w.step()
				w.steps++
			}
		}()
	}
	wg.Wait()
	return stats
}

// worker is one goroutine of a workload: each step borrows a connection,
// runs a random operation on keys of its own and checks every reply that
// came back without error.
type worker struct {
	pool          *redis.Pool
	prefix        string
	rnd           *rand.Rand
	stats         *workloadStats
	networkErrors bool
	steps         int
	seq           int
}

func (w *worker) step() {
	ctx, cancel := w.context()
	defer cancel()
	c, err := w.pool.GetContext(ctx)
	if !w.check(err, "GET from pool") {
		return
	}
	defer c.Close()
	switch w.rnd.Intn(6) {
	case 0:
		w.setGet(c, func(cmd string, args ...interface{}) (interface{}, error) {
			return c.Do(cmd, args...)
		})
	case 1:
		w.setGet(c, func(cmd string, args ...interface{}) (interface{}, error) {
			return redis.DoContext(c, ctx, cmd, args...)
		})
	case 2:
		timeout := time.Duration(w.rnd.Intn(3000)) * time.Microsecond
		w.setGet(c, func(cmd string, args ...interface{}) (interface{}, error) {
			return redis.DoWithTimeout(c, timeout, cmd, args...)
		})
	case 3:
		w.pipeline(ctx, c.(redis.ConnWithContext))
	case 4:
		w.transaction(ctx, c.(redis.ConnWithContext))
	case 5:
		v := w.value()
		reply, err := redis.DoContext(c, ctx, "ECHO", v)
		if w.check(err, "ECHO") {
			w.expect("ECHO", reply, []byte(v))
		}
	}
}

// context returns the context of a step: mostly plain, sometimes already
// ended, sometimes ending during the step.
func (w *worker) context() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	switch r := w.rnd.Intn(100); {
	case r < 55:
		return ctx, cancel
	case r < 65:
		cancel()
		return ctx, cancel
	case r < 70:
		cancel()
		return context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	case r < 85:
		cancel()
		return context.WithTimeout(context.Background(), time.Duration(w.rnd.Intn(3000))*time.Microsecond)
	default:
		timer := time.AfterFunc(time.Duration(w.rnd.Intn(2000))*time.Microsecond, cancel)
		return ctx, func() { timer.Stop(); cancel() }
	}
}

func (w *worker) key() string {
	w.seq++
	return fmt.Sprint(w.prefix, w.seq)
}

// value returns a value no other command of the run writes.
func (w *worker) value() string {
	w.seq++
	return fmt.Sprintf("%s%d:%x", w.prefix, w.seq, w.rnd.Uint64())
}

// setGet writes a new key and reads it back. When the SET failed it may or
// may not have been applied, but the GET may see nothing else.
func (w *worker) setGet(c redis.Conn, do func(cmd string, args ...interface{}) (interface{}, error)) {
	k, v := w.key(), w.value()
	reply, err := do("SET", k, v, "PX", 10000)
	written := w.check(err, "SET")
	if written {
		w.expect("SET", reply, "OK")
	}
	reply, err = do("GET", k)
	if !w.check(err, "GET") {
		return
	}
	if written || reply != nil {
		w.expect("GET", reply, []byte(v))
	}
}

// pipeline sends two SETs and two GETs of them in one flush and receives
// the four replies in order.
func (w *worker) pipeline(ctx context.Context, c redis.ConnWithContext) {
	k1, v1, k2, v2 := w.key(), w.value(), w.key(), w.value()
	sends := [][]interface{}{{"SET", k1, v1, "PX", 10000}, {"SET", k2, v2, "PX", 10000}, {"GET", k1}, {"GET", k2}}
	want := []interface{}{"OK", "OK", []byte(v1), []byte(v2)}
	for _, s := range sends {
		if !w.check(c.SendContext(ctx, s[0].(string), s[1:]...), "Send") {
			return // Close reads the replies of what was sent
		}
	}
	if !w.check(c.FlushContext(ctx), "Flush") {
		return
	}
	for i := range want {
		reply, err := c.ReceiveContext(ctx)
		if !w.check(err, "Receive") {
			return
		}
		w.expect(fmt.Sprint("pipelined ", sends[i][0]), reply, want[i])
	}
}

// transaction runs MULTI, SET, GET, EXEC. A step that stops half-way
// leaves the transaction to the pool's cleanup.
func (w *worker) transaction(ctx context.Context, c redis.ConnWithContext) {
	k, v := w.key(), w.value()
	for _, s := range [][]interface{}{{"MULTI"}, {"SET", k, v, "PX", 10000}, {"GET", k}} {
		if !w.check(c.SendContext(ctx, s[0].(string), s[1:]...), "Send") {
			return
		}
	}
	reply, err := c.DoContext(ctx, "EXEC")
	if w.check(err, "EXEC") {
		w.expect("EXEC", reply, []interface{}{"OK", []byte(v)})
	}
}

// check returns whether err is nil, and counts it otherwise: errors of
// contexts and timeouts are expected, network errors when the workload
// runs behind a fault proxy, anything else is a problem.
func (w *worker) check(err error, what string) bool {
	switch {
	case err == nil:
		w.stats.ok.Add(1)
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), isNetTimeout(err):
		w.stats.interrupted.Add(1)
	case errors.Is(err, net.ErrClosed) && !w.networkErrors:
		// A later call of the same step on a connection an interruption
		// broke: as upstream, it fails like I/O on a closed connection.
		w.stats.interrupted.Add(1)
	case w.networkErrors && isBrokenConnection(err):
		w.stats.network.Add(1)
	default:
		w.stats.problem(&w.stats.unexpected, "%s: %T %v", what, err, err)
	}
	return false
}

func (w *worker) expect(what string, got, want interface{}) {
	if !sameReply(got, want) {
		w.stats.problem(&w.stats.mismatched, "%s: got %q, want %q", what, got, want)
	}
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isBrokenConnection reports whether err is that of a connection closed or
// reset by its peer.
func isBrokenConnection(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// sameReply compares replies made of strings, []byte, integers, nil and
// slices of them.
func sameReply(got, want interface{}) bool {
	switch want := want.(type) {
	case []byte:
		g, ok := got.([]byte)
		return ok && string(g) == string(want)
	case []interface{}:
		g, ok := got.([]interface{})
		if !ok || len(g) != len(want) {
			return false
		}
		for i := range want {
			if !sameReply(g[i], want[i]) {
				return false
			}
		}
		return true
	}
	return got == want
}

// The stress and soak runs found that a pooled connection tracks the state
// a command changes before the command is sent: a command refused because
// its context had already ended (nothing written, the connection still
// usable) changes the tracked state all the same. These tests pin it down.

// TestPoolRefusedExecLeavesNoTransaction: MULTI is sent, EXEC refused; the
// pool must not hand out the connection still inside MULTI.
func TestPoolRefusedExecLeavesNoTransaction(t *testing.T) {
	p := newTestPool(t, &redis.Pool{Dial: (&countingDialer{}).dial, MaxIdle: 1})
	c := p.Get()
	cc := c.(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, cc.SendContext(ctx, "MULTI"))
	require.NoError(t, cc.SendContext(ctx, "SET", key(t, "in-multi"), "v"))
	cancel()
	_, err := cc.DoContext(ctx, "EXEC")
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, c.Err(), "nothing was written: the connection is usable")
	require.NoError(t, c.Close())

	c = p.Get()
	defer c.Close()
	reply, err := c.Do("SET", key(t, "next"), "v")
	require.NoError(t, err)
	assert.Equal(t, "OK", reply, "the next borrower is not inside the previous one's MULTI")
}

// TestPoolRefusedMultiSendsNoDiscard: MULTI refused; Close must not send a
// DISCARD the server answers with an error (counted as a server error).
func TestPoolRefusedMultiSendsNoDiscard(t *testing.T) {
	useMetricViews(t)
	const name = "refused-multi"
	errs := errorsSince(t, name)
	d := &countingDialer{opts: []redis.DialOption{redis.DialTraceOptions(redis.TraceOptions{Name: name})}}
	p := newTestPool(t, &redis.Pool{Dial: d.dial, MaxIdle: 1})
	c := p.Get()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, c.(redis.ConnWithContext).SendContext(ctx, "MULTI"), context.Canceled)
	require.NoError(t, c.Close())
	assert.Empty(t, errs(), "no error reply to a cleanup command")
	assert.Equal(t, 1, p.IdleCount())
}
