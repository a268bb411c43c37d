package redis_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// registerViews registers the catalogue; OpenCensus keeps the views for the
// rest of the test binary, which is fine: every test reads only the rows of
// its own name tag.
func registerViews(t testing.TB) {
	t.Helper()
	require.NoError(t, view.Register(redis.ObservabilityMetricViews...))
}

// rows returns the rows of a view whose name tag is name, keyed by their
// other tags ("cmd=GET kind=server detail=ERR"; "" for none).
func rows(t testing.TB, viewName, name string) map[string]view.AggregationData {
	t.Helper()
	data, err := view.RetrieveData(viewName)
	require.NoError(t, err)
	out := map[string]view.AggregationData{}
	for _, row := range data {
		var rowName string
		var others []string
		for _, tg := range row.Tags {
			if tg.Key.Name() == "name" {
				rowName = tg.Value
			} else {
				others = append(others, tg.Key.Name()+"="+tg.Value)
			}
		}
		if rowName == name {
			sort.Strings(others)
			out[strings.Join(others, " ")] = row.Data
		}
	}
	return out
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
