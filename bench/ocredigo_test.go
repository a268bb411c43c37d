package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/metric/metricproducer"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// ocredigoTarget is github.com/ocredigo/redigo in one of its configurations.
type ocredigoTarget struct {
	redigoTarget
	// want is the instrumentation the configuration claims.
	want instrumentation
	// spans counts the spans exported in this process.
	spans *spanCounter
}

// instrumentation is what a configuration claims to record.
type instrumentation struct {
	producer bool // the driver's metric producer (redis.EnableMetrics) publishes
	views    bool // the catalogue's views are registered and record
	spans    bool // command spans are sampled and exported
}

func (w instrumentation) String() string {
	var on []string
	if w.producer {
		on = append(on, "producer")
	}
	if w.views {
		on = append(on, "views")
	}
	if w.spans {
		on = append(on, "spans")
	}
	if len(on) == 0 {
		return "nothing"
	}
	return strings.Join(on, "+")
}

func newOcredigoTarget(addr string, mode callMode, newContext func() (context.Context, func()), want instrumentation) *ocredigoTarget {
	dial := func() (redis.Conn, error) { return redis.Dial("tcp", addr) }
	t := &ocredigoTarget{redigoTarget: redigoTarget{
		dial:    func() (conn, error) { return dial() },
		newConn: func(nc net.Conn) conn { return redis.NewConn(nc, 0, 0) },
		newPool: func() connPool {
			return ocredigoPool{&redis.Pool{Dial: dial, MaxIdle: poolSize, MaxActive: poolSize, Wait: true}, mode != plainCalls}
		},
		mode:       mode,
		newContext: newContext,
	}, want: want}
	if want.views {
		t.settle = settleViews
	}
	// Never-sampled spans reach no exporter, so the counter costs nothing
	// where spans are off; it stays registered so that the check after the
	// benchmarks can tell that none was exported.
	t.spans = countExports()
	return t
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

func (t *ocredigoTarget) probe(key string, size int) error {
	return t.checked(func() error { return t.probeGet(key, size) })
}

func (t *ocredigoTarget) probeCanned(key string, size int) error {
	return t.checked(func() error { return t.redigoTarget.probeCanned(key, size) })
}

// checked runs GETs with probe and checks that the instrumentation
// recorded them as the configuration claims, and nothing else.
func (t *ocredigoTarget) checked(probe func() error) error {
	before := t.observe()
	if err := probe(); err != nil {
		return err
	}
	if t.settle != nil {
		t.settle()
	}
	after := t.observe()
	return t.want.check(before, after)
}

// observed is what the instrumentation shows, read as exporters read it.
type observed struct {
	// views is the number of the catalogue's views registered.
	views int
	// producers is the number of this module's producers in OpenCensus's
	// global producer manager (the driver's fast path).
	producers int
	// published is the count of GET round trips in the roundtrip latency
	// metric, summed over every producer of the global manager: the
	// driver's, and OpenCensus's view worker, which publishes the views.
	published int64
	// viewed is the count of GET round trips in the roundtrip latency
	// view's data (view.RetrieveData); -1 when the view is not registered.
	viewed int64
	// spans is the number of spans exported so far.
	spans int64
}

func (t *ocredigoTarget) observe() observed {
	o := observed{viewed: -1, spans: t.spans.Load()}
	for _, v := range redis.ObservabilityMetricViews {
		if view.Find(v.Name) != nil {
			o.views++
		}
	}
	for _, p := range metricproducer.GlobalManager().GetAll() {
		if fromThisModule(p) {
			o.producers++
		}
		// What metricexport.Reader.ReadAndExport hands an exporter, without
		// the span it starts (sampled once in 10⁴ reads).
		o.published += getCount(p.Read())
	}
	if rows, err := view.RetrieveData(redigo.RoundtripLatencyView.Name); err == nil {
		o.viewed = 0
		for _, r := range rows {
			d, ok := r.Data.(*view.DistributionData)
			if !ok {
				continue
			}
			for _, tg := range r.Tags {
				if tg.Key.Name() == redigo.KeyCommand.Name() && tg.Value == "GET" {
					o.viewed += d.Count
				}
			}
		}
	}
	return o
}

// fromThisModule reports whether a producer's type is ocredigo's.
func fromThisModule(p metricproducer.Producer) bool {
	ty := reflect.TypeOf(p)
	for ty.Kind() == reflect.Pointer {
		ty = ty.Elem()
	}
	return strings.HasPrefix(ty.PkgPath(), "github.com/ocredigo/redigo/")
}

// getCount is the count of GET round trips in the roundtrip latency metric.
func getCount(metrics []*metricdata.Metric) int64 {
	var n int64
	for _, m := range metrics {
		if m.Descriptor.Name != redigo.RoundtripLatencyView.Name {
			continue
		}
		cmd := -1
		for i, k := range m.Descriptor.LabelKeys {
			if k.Key == redigo.KeyCommand.Name() {
				cmd = i
			}
		}
		if cmd < 0 {
			continue
		}
		for _, ts := range m.TimeSeries {
			if cmd >= len(ts.LabelValues) || ts.LabelValues[cmd].Value != "GET" {
				continue
			}
			for _, p := range ts.Points {
				if d, ok := p.Value.(*metricdata.Distribution); ok {
					n += d.Count
				}
			}
		}
	}
	return n
}

// check compares what the instrumentation showed before and after a probe
// with what the configuration claims.
func (w instrumentation) check(before, after observed) error {
	var errs []error
	fail := func(format string, args ...interface{}) { errs = append(errs, fmt.Errorf(format, args...)) }
	all := len(redis.ObservabilityMetricViews)
	switch {
	case w.views && after.views != all:
		fail("%d of the %d catalogue views registered, want all", after.views, all)
	case !w.views && after.views != 0:
		fail("%d catalogue views registered, want none", after.views)
	}
	switch {
	case w.producer && after.producers != 1:
		fail("%d ocredigo metric producers in the global manager, want 1 (redis.EnableMetrics)", after.producers)
	case !w.producer && after.producers != 0:
		fail("%d ocredigo metric producers in the global manager, want none", after.producers)
	}
	published := after.published - before.published
	if on := w.producer || w.views; on && published < 1 {
		fail("the probe's GETs were not published to metric exporters (roundtrip latency count +%d)", published)
	} else if !on && (published != 0 || after.published != 0) {
		fail("GET round trips published (count %d, +%d by the probe), want none", after.published, published)
	}
	switch viewed := after.viewed - before.viewed; {
	case w.views && (before.viewed < 0 || viewed < 1):
		fail("the probe's GETs not in view %s (+%d)", redigo.RoundtripLatencyView.Name, viewed)
	case !w.views && after.viewed >= 0:
		fail("view %s is registered", redigo.RoundtripLatencyView.Name)
	}
	switch spans := after.spans - before.spans; {
	case w.spans && spans < 2: // a command span and its parent
		fail("%d spans exported by the probe, want its command spans and their parent", spans)
	case !w.spans && after.spans != 0:
		fail("%d spans exported, want none", after.spans)
	}
	if len(errs) > 0 {
		return fmt.Errorf("want %s: %w", w, errors.Join(errs...))
	}
	return nil
}

// settleViews hands the measurements batched by the driver (for up to
// observability.FlushInterval) to OpenCensus's worker, and waits until the
// worker has processed them: RetrieveData goes through its queue.
func settleViews() {
	observability.FlushViews()
	view.RetrieveData(redigo.RoundtripLatencyView.Name)
}

// newBare is ocredigo with no metric path on and no span, plain calls.
func newBare(addr string) (target, error) {
	return newOcredigoTarget(addr, plainCalls, endless, instrumentation{}), nil
}

// newBareCtx is bare with every call through the context methods, with a
// cancelable context and no span: the context path must cost nothing.
func newBareCtx(addr string) (target, error) {
	return newOcredigoTarget(addr, contextCalls, cancelable, instrumentation{}), nil
}

// newMetrics is ocredigo with the fast metric path (redis.EnableMetrics, no
// view registered) and spans never sampled; calls go through the context
// methods with a parent span in the context, so that the span path runs.
func newMetrics(addr string) (target, error) {
	redis.EnableMetrics()
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.NeverSample()})
	return newOcredigoTarget(addr, contextCalls, spanContext(trace.NeverSample()),
		instrumentation{producer: true}), nil
}

// newViews is the exact view path: view.Register of the catalogue, no
// producer, spans never sampled, context methods with a parent span.
func newViews(addr string) (target, error) {
	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		return nil, err
	}
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.NeverSample()})
	return newOcredigoTarget(addr, contextCalls, spanContext(trace.NeverSample()),
		instrumentation{views: true}), nil
}

// newTraced is the fast metric path with every span sampled into an
// exporter that drops it.
func newTraced(addr string) (target, error) {
	redis.EnableMetrics()
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.AlwaysSample()})
	return newOcredigoTarget(addr, contextCalls, spanContext(trace.AlwaysSample()),
		instrumentation{producer: true, spans: true}), nil
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

func TestInstrumentationCheck(t *testing.T) {
	all := len(redis.ObservabilityMetricViews)
	none := observed{viewed: -1}
	for _, tc := range []struct {
		name          string
		want          instrumentation
		before, after observed
		errs          []string // substrings of the error; none: no error
	}{
		{"bare", instrumentation{}, none, none, nil},
		{"bare with a producer", instrumentation{}, none, observed{producers: 1, published: 3, viewed: -1},
			[]string{"producers in the global manager, want none", "published (count 3, +3 by the probe)"}},
		{"metrics", instrumentation{producer: true}, observed{producers: 1, published: 5, viewed: -1},
			observed{producers: 1, published: 6, viewed: -1}, nil},
		{"metrics not publishing", instrumentation{producer: true}, observed{producers: 1, published: 5, viewed: -1},
			observed{producers: 1, published: 5, viewed: -1}, []string{"not published"}},
		{"metrics with views", instrumentation{producer: true}, none,
			observed{views: all, producers: 1, published: 1, viewed: 1}, []string{"views registered, want none", "is registered"}},
		{"views", instrumentation{views: true}, observed{views: all, viewed: 2, published: 2},
			observed{views: all, viewed: 3, published: 3}, nil},
		{"views with the producer", instrumentation{views: true}, observed{views: all, viewed: 2, published: 2},
			observed{views: all, producers: 1, viewed: 3, published: 3}, []string{"want none"}},
		{"views not recording", instrumentation{views: true}, observed{views: all, viewed: 2, published: 2},
			observed{views: all, viewed: 2, published: 3}, []string{"not in view"}},
		{"spans exported", instrumentation{producer: true}, observed{producers: 1, viewed: -1},
			observed{producers: 1, published: 1, viewed: -1, spans: 1}, []string{"1 spans exported, want none"}},
		{"traced", instrumentation{producer: true, spans: true}, observed{producers: 1, viewed: -1, spans: 4},
			observed{producers: 1, published: 1, viewed: -1, spans: 6}, nil},
		{"traced without spans", instrumentation{producer: true, spans: true}, observed{producers: 1, viewed: -1, spans: 4},
			observed{producers: 1, published: 1, viewed: -1, spans: 4}, []string{"0 spans exported by the probe"}},
	} {
		err := tc.want.check(tc.before, tc.after)
		if len(tc.errs) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.errs)
			continue
		}
		for _, e := range tc.errs {
			if !strings.Contains(err.Error(), e) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, e)
			}
		}
	}
}
