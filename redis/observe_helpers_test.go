package redis_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/metric/metricexport"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// The catalogue tests run against both metric paths: the views (the
// exact path, read with view.RetrieveData) and the driver's producer (the
// fast path, read as exporters read it, with metricexport). Every helper
// reads from the path the running test chose.

// metricPath is one way the catalogue's metrics reach a reader.
type metricPath int

const (
	viewPath     metricPath = iota // view.Register + view.RetrieveData
	producerPath                   // redis.EnableMetrics + a metricexport reader
)

func (p metricPath) String() string { return [...]string{"views", "producer"}[p] }

// currentPath is the path the helpers read; tests run one at a time.
var currentPath = viewPath

// usePath makes p the path publishing the catalogue for the rest of the
// test: for the producer, the views are unregistered (the producer leaves
// the metrics of registered views to them) and the fast path enabled.
func usePath(t testing.TB, p metricPath) {
	t.Helper()
	currentPath = p
	switch p {
	case viewPath:
		registerViews(t)
	case producerPath:
		view.Unregister(redis.ObservabilityMetricViews...)
		redis.EnableMetrics()
		t.Cleanup(redis.DisableMetrics)
	}
	t.Cleanup(func() { currentPath = viewPath })
}

// bothPaths runs f as a subtest on each metric path.
func bothPaths(t *testing.T, f func(t *testing.T)) {
	for _, p := range []metricPath{viewPath, producerPath} {
		t.Run(p.String(), func(t *testing.T) {
			usePath(t, p)
			f(t)
		})
	}
}

var names atomic.Int64

// uniqueName returns a name tag value no other test run uses, so that a
// test reads only its own series, also under -count=2.
func uniqueName(base string) string { return fmt.Sprintf("%s-%d", base, names.Add(1)) }

// registerViews registers the views of the catalogue for the test; they
// are unregistered when it ends, so that the next test (or example) reads
// the path it chose.
func registerViews(t testing.TB) {
	t.Helper()
	for _, v := range redis.ObservabilityMetricViews {
		if view.Find(v.Name) == nil {
			require.NoError(t, view.Register(v))
		}
	}
	t.Cleanup(func() { view.Unregister(redis.ObservabilityMetricViews...) })
}

// rows returns the rows of a view whose name tag is name, keyed by their
// other tags ("cmd=GET kind=server detail=ERR" sorted; "" for none), from
// the current path.
func rows(t testing.TB, viewName, name string) map[string]view.AggregationData {
	t.Helper()
	redis.FlushMetrics()
	if currentPath == producerPath {
		return producerRows(t, viewName, name)
	}
	data, err := view.RetrieveData(viewName)
	require.NoError(t, err)
	out := map[string]view.AggregationData{}
	for _, row := range data {
		labels := map[string]string{}
		for _, tg := range row.Tags {
			labels[tg.Key.Name()] = tg.Value
		}
		if labels["name"] == name {
			out[rowKey(labels)] = row.Data
		}
	}
	return out
}

func rowKey(labels map[string]string) string {
	var others []string
	for k, v := range labels {
		if k != "name" && v != "" {
			others = append(others, k+"="+v)
		}
	}
	sort.Strings(others)
	return strings.Join(others, " ")
}

// metricsExporter keeps what a metricexport reader hands it.
type metricsExporter struct{ metrics []*metricdata.Metric }

func (e *metricsExporter) ExportMetrics(_ context.Context, ms []*metricdata.Metric) error {
	e.metrics = append(e.metrics, ms...)
	return nil
}

// producerRows reads every producer as an exporter does and returns the
// series of metric viewName and name, as the view path's row types.
func producerRows(t testing.TB, viewName, name string) map[string]view.AggregationData {
	t.Helper()
	e := &metricsExporter{}
	metricexport.NewReader().ReadAndExport(e)
	out := map[string]view.AggregationData{}
	seen := 0
	for _, m := range e.metrics {
		if m.Descriptor.Name != viewName {
			continue
		}
		seen++
		for _, ts := range m.TimeSeries {
			labels := map[string]string{}
			for i, k := range m.Descriptor.LabelKeys {
				if ts.LabelValues[i].Present {
					labels[k.Key] = ts.LabelValues[i].Value
				}
			}
			if labels["name"] != name {
				continue
			}
			key := rowKey(labels)
			require.NotContains(t, out, key, "series %s{%s} published twice", viewName, key)
			out[key] = asRowData(m.Descriptor, ts.Points[len(ts.Points)-1])
		}
	}
	require.LessOrEqual(t, seen, 1, "metric %s published by more than one producer", viewName)
	return out
}

func asRowData(d metricdata.Descriptor, p metricdata.Point) view.AggregationData {
	switch v := p.Value.(type) {
	case *metricdata.Distribution:
		dd := &view.DistributionData{Count: v.Count, CountPerBucket: make([]int64, len(v.Buckets))}
		for i, b := range v.Buckets {
			dd.CountPerBucket[i] = b.Count
		}
		if v.Count > 0 {
			dd.Mean = v.Sum / float64(v.Count)
		}
		return dd
	case int64:
		switch {
		case d.Type == metricdata.TypeGaugeInt64:
			return &view.LastValueData{Value: float64(v)}
		case strings.HasSuffix(d.Name, "/writes") || strings.HasSuffix(d.Name, "/reads"):
			return &view.SumData{Value: float64(v)}
		}
		return &view.CountData{Value: v}
	}
	panic(fmt.Sprintf("unexpected point %T", p.Value))
}

// dist returns the distribution row of cmd, failing when absent.
func dist(t testing.TB, viewName, name, cmd string) *view.DistributionData {
	t.Helper()
	d, ok := rows(t, viewName, name)["cmd="+cmd].(*view.DistributionData)
	require.True(t, ok, "%s has no row for %s %s", viewName, name, cmd)
	return d
}

// sum returns the value of a Sum row, 0 when absent.
func sum(t testing.TB, viewName, name, key string) float64 {
	t.Helper()
	if d, ok := rows(t, viewName, name)[key].(*view.SumData); ok {
		return d.Value
	}
	return 0
}

// count returns the value of a Count row, 0 when absent.
func count(t testing.TB, viewName, name, key string) int64 {
	t.Helper()
	if d, ok := rows(t, viewName, name)[key].(*view.CountData); ok {
		return d.Value
	}
	return 0
}

// recordSpans records the spans ended, all sampled, until the end of the
// test.
func recordSpans(t testing.TB) *tracetest.Recorder { return tracetest.Record(t, true) }

// rootSpan starts a sampled span for a test's commands to hang under.
func rootSpan(t testing.TB) (context.Context, *trace.Span) {
	ctx, span := trace.StartSpan(context.Background(), t.Name(), trace.WithSampler(trace.AlwaysSample()))
	return ctx, span
}
