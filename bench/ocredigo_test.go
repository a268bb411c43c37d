package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// ocredigoTarget is github.com/ocredigo/redigo in one of its configurations.
type ocredigoTarget struct {
	redigoTarget
	// check verifies, after a probe GET, that the instrumentation of the
	// configuration recorded it (or did not).
	check func() error
}

func (t *ocredigoTarget) probe(key string, size int) error {
	if err := t.probeGet(key, size); err != nil {
		return err
	}
	if t.settle != nil {
		t.settle()
	}
	return t.check()
}

func newOcredigoTarget(addr string, mode callMode, newContext func() (context.Context, func())) *ocredigoTarget {
	dial := func() (redis.Conn, error) { return redis.Dial("tcp", addr) }
	return &ocredigoTarget{redigoTarget: redigoTarget{
		dial: func() (conn, error) { return dial() },
		newPool: func() connPool {
			return ocredigoPool{&redis.Pool{Dial: dial, MaxIdle: poolSize, MaxActive: poolSize, Wait: true}, mode != plainCalls}
		},
		mode:       mode,
		newContext: newContext,
	}}
}

type ocredigoPool struct {
	p          *redis.Pool
	getContext bool
}

func (p ocredigoPool) get(ctx context.Context) (conn, error) {
	if p.getContext {
		return p.p.GetContext(ctx)
	}
	return p.p.Get(), nil
}

func (p ocredigoPool) close() error { return p.p.Close() }

// probeView is the view whose rows show whether commands are recorded.
var probeView = redis.ObservabilityMetricViews[0]

func viewRows() (int, error) {
	rows, err := view.RetrieveData(probeView.Name)
	return len(rows), err
}

// settleViews waits until the OpenCensus worker has processed every record
// sent before it: RetrieveData goes through the worker's queue.
func settleViews() { view.RetrieveData(probeView.Name) }

// unrecorded checks that no view is registered.
func unrecorded() error {
	if view.Find(probeView.Name) != nil {
		return fmt.Errorf("view %s is registered", probeView.Name)
	}
	return nil
}

// newBare is ocredigo with no view registered, no span, plain calls.
func newBare(addr string) (target, error) {
	t := newOcredigoTarget(addr, plainCalls, endless)
	t.check = unrecorded
	return t, nil
}

// newBareCtx is bare with every call through the context methods, with a
// cancelable context and no span: the context path must cost nothing.
func newBareCtx(addr string) (target, error) {
	t := newOcredigoTarget(addr, contextCalls, cancelable)
	t.check = unrecorded
	return t, nil
}

// newMetrics is ocredigo with the views registered and spans never
// sampled; calls go through the context methods with a parent span in the
// context, so that the span path runs.
func newMetrics(addr string) (target, error) {
	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		return nil, err
	}
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.NeverSample()})
	exported := countExports()
	t := newOcredigoTarget(addr, contextCalls, spanContext(trace.NeverSample()))
	t.settle = settleViews
	t.check = func() error {
		if n, err := viewRows(); err != nil || n == 0 {
			return fmt.Errorf("view %s has %d rows (%v): commands not recorded", probeView.Name, n, err)
		}
		if n := exported.Load(); n != 0 {
			return fmt.Errorf("%d spans sampled, want none", n)
		}
		trace.UnregisterExporter(exported) // the benchmarks run with no exporter
		return nil
	}
	return t, nil
}

// newTraced is ocredigo with the views registered and every span sampled
// into an exporter that drops it.
func newTraced(addr string) (target, error) {
	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		return nil, err
	}
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.AlwaysSample()})
	exported := countExports()
	t := newOcredigoTarget(addr, contextCalls, spanContext(trace.AlwaysSample()))
	t.settle = settleViews
	t.check = func() error {
		if n, err := viewRows(); err != nil || n == 0 {
			return fmt.Errorf("view %s has %d rows (%v): commands not recorded", probeView.Name, n, err)
		}
		// The probe's command span and its parent.
		if n := exported.Load(); n < 2 {
			return errors.New("command spans not exported")
		}
		return nil
	}
	return t, nil
}

// spanContext makes contexts holding a parent span with the given sampler.
func spanContext(sampler trace.Sampler) func() (context.Context, func()) {
	return func() (context.Context, func()) {
		ctx, span := trace.StartSpan(context.Background(), "bench", trace.WithSampler(sampler))
		return ctx, span.End
	}
}

// spanCounter is an exporter that counts and drops spans.
type spanCounter struct{ atomic.Int64 }

func (c *spanCounter) ExportSpan(*trace.SpanData) { c.Add(1) }

func countExports() *spanCounter {
	c := new(spanCounter)
	trace.RegisterExporter(c)
	return c
}
