package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
)

// TestFastPathReachesAnOpenTelemetryReader: with redis.EnableMetrics
// instead of the views, the bridge's producer reads the same catalogue.
func TestFastPathReachesAnOpenTelemetryReader(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	tel, err := setup(tracetest.NewInMemoryExporter())
	require.NoError(t, err)
	defer tel.Shutdown(context.Background())
	view.Unregister(redis.ObservabilityMetricViews...) // one path at a time
	redis.EnableMetrics()
	defer redis.DisableMetrics()

	before := latencyCounts(t, tel) // the series are cumulative
	pool := newPool(srv.Addr())
	for i := 0; i < 2; i++ {
		_, err = checkout(context.Background(), pool, "kettle")
		require.NoError(t, err)
	}
	require.NoError(t, pool.Close())

	added := map[string]uint64{}
	require.Eventually(t, func() bool {
		clear(added)
		for cmd, n := range latencyCounts(t, tel) {
			added[cmd] = n - before[cmd]
		}
		return added["HGET"] == 2
	}, 5*time.Second, 20*time.Millisecond, "the fast path's latency histogram through the bridge")
	assert.Equal(t, map[string]uint64{"INCR": 2, "HSET": 2, "EXPIRE": 2, "HGET": 2}, added)
}

// latencyCounts returns the commands counted by the roundtrip latency
// histogram of the example's client, by command.
func latencyCounts(t *testing.T, tel *telemetry) map[string]uint64 {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.Reader.Collect(context.Background(), &rm))
	counts := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "redis/client/roundtrip_latency" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				if name, _ := dp.Attributes.Value("name"); name.AsString() == clientName {
					cmd, _ := dp.Attributes.Value("cmd")
					counts[cmd.AsString()] = dp.Count
				}
			}
		}
	}
	return counts
}
