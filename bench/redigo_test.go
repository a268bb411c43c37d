package bench

import (
	"context"
	"errors"
	"net"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
)

// conn is the method set that upstream's and ocredigo's Conn share, so that
// one workload code runs both; the call through it is the same interface
// call that an application makes through either library's Conn.
type conn interface {
	Do(cmd string, args ...interface{}) (interface{}, error)
	Send(cmd string, args ...interface{}) error
	Flush() error
	Receive() (interface{}, error)
	Close() error
}

type (
	doContexter interface {
		DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error)
	}
	sendContexter interface {
		SendContext(ctx context.Context, cmd string, args ...interface{}) error
	}
	flushContexter interface {
		FlushContext(ctx context.Context) error
	}
	receiveContexter interface {
		ReceiveContext(ctx context.Context) (interface{}, error)
	}
	closeContexter interface {
		CloseContext(ctx context.Context) error
	}
)

// callMode is how a redigo-style target calls its connections.
type callMode int

const (
	// plainCalls: Do, Send, Flush, Receive, Pool.Get.
	plainCalls callMode = iota
	// upstreamContextCalls: DoContext and ReceiveContext, the context
	// methods upstream has, with plain Send and Flush; Pool.GetContext.
	upstreamContextCalls
	// contextCalls: DoContext, SendContext, FlushContext, ReceiveContext,
	// Pool.GetContext and CloseContext.
	contextCalls
)

// connPool is a redigo-style pool of either library.
type connPool interface {
	get(ctx context.Context) (conn, error)
	close() error
}

// redigoTarget runs the workloads on upstream redigo or ocredigo.
type redigoTarget struct {
	dial func() (conn, error)
	// newConn makes a connection on a net.Conn of the caller's (NewConn).
	newConn func(net.Conn) conn
	newPool func() connPool
	mode    callMode
	// newContext makes the context of one benchmark loop, or of one
	// goroutine of a parallel one; the returned func ends it.
	newContext func() (context.Context, func())
	// settle, when set, runs after the timed loop, inside the measurement.
	settle func()
}

func (t *redigoTarget) do(ctx context.Context, c conn, cmd string, args ...interface{}) (interface{}, error) {
	if t.mode == plainCalls {
		return c.Do(cmd, args...)
	}
	return c.(doContexter).DoContext(ctx, cmd, args...)
}

func (t *redigoTarget) send(ctx context.Context, c conn, cmd string, args ...interface{}) error {
	if t.mode == contextCalls {
		return c.(sendContexter).SendContext(ctx, cmd, args...)
	}
	return c.Send(cmd, args...)
}

func (t *redigoTarget) flush(ctx context.Context, c conn) error {
	if t.mode == contextCalls {
		return c.(flushContexter).FlushContext(ctx)
	}
	return c.Flush()
}

func (t *redigoTarget) receive(ctx context.Context, c conn) (interface{}, error) {
	if t.mode == plainCalls {
		return c.Receive()
	}
	return c.(receiveContexter).ReceiveContext(ctx)
}

func (t *redigoTarget) close(ctx context.Context, c conn) error {
	if t.mode == contextCalls {
		return c.(closeContexter).CloseContext(ctx)
	}
	return c.Close()
}

// checkModeSupported fails early, with a clear message, when a library
// lacks a method that the call mode needs.
func (t *redigoTarget) checkModeSupported(c conn) error {
	switch t.mode {
	case upstreamContextCalls:
		_, d := c.(doContexter)
		_, r := c.(receiveContexter)
		if !d || !r {
			return errors.New("connection has no DoContext or ReceiveContext")
		}
	case contextCalls:
		_, d := c.(doContexter)
		_, s := c.(sendContexter)
		_, f := c.(flushContexter)
		_, r := c.(receiveContexter)
		_, cl := c.(closeContexter)
		if !d || !s || !f || !r || !cl {
			return errors.New("connection lacks one of DoContext, SendContext, FlushContext, ReceiveContext, CloseContext")
		}
	}
	return nil
}

func (t *redigoTarget) openConn(b *testing.B) conn {
	c, err := t.dial()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func (t *redigoTarget) set(b *testing.B, key string, value []byte) {
	c := t.openConn(b)
	ctx, end := t.newContext()
	defer end()
	var v interface{} = value // converted once, not per call
	if _, err := t.do(ctx, c, "SET", key, v); err != nil {
		b.Fatal(err)
	}
	measure(b, t.settle, func() {
		for i := 0; i < b.N; i++ {
			if _, err := t.do(ctx, c, "SET", key, v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (t *redigoTarget) get(b *testing.B, key string, size int) {
	t.getLoop(b, t.openConn(b), key, size)
}

// getLoop runs b.N GET round trips on c.
func (t *redigoTarget) getLoop(b *testing.B, c conn, key string, size int) {
	ctx, end := t.newContext()
	defer end()
	if _, err := t.do(ctx, c, "GET", key); err != nil {
		b.Fatal(err)
	}
	measure(b, t.settle, func() {
		for i := 0; i < b.N; i++ {
			reply, err := t.do(ctx, c, "GET", key)
			if err != nil {
				b.Fatal(err)
			}
			if err := checkValue(reply, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (t *redigoTarget) pipeline(b *testing.B, key string, size int) {
	t.pipelineLoop(b, t.openConn(b), key, size)
}

// pipelineLoop runs b.N GETs on c in pipelines of pipelineDepth.
func (t *redigoTarget) pipelineLoop(b *testing.B, c conn, key string, size int) {
	ctx, end := t.newContext()
	defer end()
	if err := t.pipelineGets(ctx, c, key, size, 1); err != nil {
		b.Fatal(err)
	}
	measure(b, t.settle, func() {
		for done := 0; done < b.N; done += pipelineDepth {
			if err := t.pipelineGets(ctx, c, key, size, min(pipelineDepth, b.N-done)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (t *redigoTarget) pipelineGets(ctx context.Context, c conn, key string, size, n int) error {
	for i := 0; i < n; i++ {
		if err := t.send(ctx, c, "GET", key); err != nil {
			return err
		}
	}
	if err := t.flush(ctx, c); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		reply, err := t.receive(ctx, c)
		if err != nil {
			return err
		}
		if err := checkValue(reply, size); err != nil {
			return err
		}
	}
	return nil
}

func (t *redigoTarget) pool(b *testing.B, key string, size int, parallelism int) {
	p := t.newPool()
	defer p.close()
	if err := t.warmPool(p, key, size); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(parallelism)
	measure(b, t.settle, func() {
		b.RunParallel(func(pb *testing.PB) {
			ctx, end := t.newContext()
			defer end()
			for pb.Next() {
				if err := t.pooledGet(ctx, p, key, size); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// warmPool dials every connection of the pool before the timed loop.
func (t *redigoTarget) warmPool(p connPool, key string, size int) error {
	ctx, end := t.newContext()
	defer end()
	conns := make([]conn, 0, poolSize)
	defer func() {
		for _, c := range conns {
			t.close(ctx, c)
		}
	}()
	for range poolSize {
		c, err := p.get(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if err := t.checkModeSupported(c); err != nil {
			return err
		}
		reply, err := t.do(ctx, c, "GET", key)
		if err != nil {
			return err
		}
		if err := checkValue(reply, size); err != nil {
			return err
		}
	}
	return nil
}

func (t *redigoTarget) pooledGet(ctx context.Context, p connPool, key string, size int) error {
	c, err := p.get(ctx)
	if err != nil {
		return err
	}
	reply, err := t.do(ctx, c, "GET", key)
	if cerr := t.close(ctx, c); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return checkValue(reply, size)
}

// probeGet runs one GET as the workloads do.
func (t *redigoTarget) probeGet(key string, size int) error {
	c, err := t.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := t.checkModeSupported(c); err != nil {
		return err
	}
	ctx, end := t.newContext()
	defer end()
	return t.checkedGet(ctx, c, key, size)
}

// checkedGet runs one GET of key on c and checks its value.
func (t *redigoTarget) checkedGet(ctx context.Context, c conn, key string, size int) error {
	reply, err := t.do(ctx, c, "GET", key)
	if err != nil {
		return err
	}
	return checkValue(reply, size)
}

// upstreamTarget is github.com/gomodule/redigo, the baseline.
type upstreamTarget struct{ redigoTarget }

func (t *upstreamTarget) probe(key string, size int) error { return t.probeGet(key, size) }

func (t *upstreamTarget) probeCanned(key string, size int) error {
	return t.redigoTarget.probeCanned(key, size)
}

func newUpstream(addr string) (target, error) {
	return newUpstreamTarget(addr, plainCalls, endless), nil
}

// newUpstreamCtx is upstream with its own DoContext and ReceiveContext, for
// reference: they run a goroutine per call.
func newUpstreamCtx(addr string) (target, error) {
	return newUpstreamTarget(addr, upstreamContextCalls, cancelable), nil
}

func newUpstreamTarget(addr string, mode callMode, newContext func() (context.Context, func())) *upstreamTarget {
	dial := func() (upstream.Conn, error) { return upstream.Dial("tcp", addr) }
	return &upstreamTarget{redigoTarget{
		dial:    func() (conn, error) { return dial() },
		newConn: func(nc net.Conn) conn { return upstream.NewConn(nc, 0, 0) },
		newPool: func() connPool {
			return upstreamPool{&upstream.Pool{Dial: dial, MaxIdle: poolSize, MaxActive: poolSize, Wait: true}, mode != plainCalls}
		},
		mode:       mode,
		newContext: newContext,
	}}
}

type upstreamPool struct {
	p          *upstream.Pool
	getContext bool
}

func (p upstreamPool) get(ctx context.Context) (conn, error) {
	if p.getContext {
		return p.p.GetContext(ctx)
	}
	return p.p.Get(), nil
}

func (p upstreamPool) close() error { return p.p.Close() }
