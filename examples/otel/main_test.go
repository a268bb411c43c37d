package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
)

// TestCommandSpansUnderAnOpenTelemetrySpan: the driver's spans, started
// with OpenCensus, are OpenTelemetry spans below the caller's.
func TestCommandSpansUnderAnOpenTelemetrySpan(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	spans := tracetest.NewInMemoryExporter()
	tel, err := setup(spans)
	require.NoError(t, err)
	defer tel.Shutdown(context.Background())
	pool := newPool(srv.Addr())
	defer pool.Close()

	_, err = checkout(context.Background(), pool, "book")
	require.NoError(t, err)

	got := spans.GetSpans()
	var root tracetest.SpanStub
	for _, s := range got {
		if s.Name == "checkout" {
			root = s
		}
	}
	require.True(t, root.SpanContext.IsValid(), "the checkout span: %v", names(got))
	assert.False(t, root.Parent.IsValid(), "checkout is a root")

	var commands []string
	for _, s := range got {
		if s.Name == "checkout" || s.Name == "redis.dial" || s.Name == "redis.pool.get" {
			continue
		}
		commands = append(commands, s.Name)
		assert.Equal(t, root.SpanContext.TraceID(), s.SpanContext.TraceID(), "%s in the checkout's trace", s.Name)
		assert.Equal(t, root.SpanContext.SpanID(), s.Parent.SpanID(), "%s is a child of checkout", s.Name)
		assert.Equal(t, trace.SpanKindClient, s.SpanKind, s.Name)
		attrs := attribute.NewSet(s.Attributes...)
		system, _ := attrs.Value("db.system")
		assert.Equal(t, "redis", system.AsString(), s.Name)
		op, _ := attrs.Value("db.operation.name")
		assert.Equal(t, s.Name, op.AsString())
		port, ok := attrs.Value("server.port")
		assert.True(t, ok, "%s has server.port", s.Name)
		assert.EqualValues(t, srv.Port(), port.AsInt64())
	}
	assert.ElementsMatch(t, []string{"INCR", "HSET", "EXPIRE", "HGET"}, commands,
		"a span per command, the pipelined HSET and EXPIRE too")
	for _, s := range got {
		if s.Name == "redis.pool.get" || s.Name == "redis.dial" {
			assert.Equal(t, root.SpanContext.TraceID(), s.SpanContext.TraceID(), "%s in the checkout's trace", s.Name)
		}
	}

	// Without an OpenTelemetry span in the context, no span: the bridge's
	// FromContext returns a span that does not record.
	spans.Reset()
	c, err := pool.GetContext(context.Background())
	require.NoError(t, err)
	defer c.Close()
	_, err = redis.DoContext(c, context.Background(), "PING")
	require.NoError(t, err)
	assert.Empty(t, names(spans.GetSpans()), "no root span per command")
}

// TestMetricsReachAnOpenTelemetryReader: the driver's views, read through
// the bridge's metric producer, keep their OpenCensus names, units, labels
// and buckets.
func TestMetricsReachAnOpenTelemetryReader(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	tel, err := setup(tracetest.NewInMemoryExporter())
	require.NoError(t, err)
	defer tel.Shutdown(context.Background())
	pool := newPool(srv.Addr())
	for i := 0; i < 3; i++ {
		_, err = checkout(context.Background(), pool, "lamp")
		require.NoError(t, err)
	}
	require.NoError(t, pool.Close(), "closing hands the last measurements to OpenCensus")

	var latency metricdata.Histogram[float64]
	var writes map[string]float64
	require.Eventually(t, func() bool {
		var rm metricdata.ResourceMetrics
		require.NoError(t, tel.Reader.Collect(context.Background(), &rm))
		latency, writes = metricdata.Histogram[float64]{}, map[string]float64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch m.Name {
				case "redis/client/roundtrip_latency":
					assert.Equal(t, "ms", m.Unit)
					latency = m.Data.(metricdata.Histogram[float64])
				case "redis/client/writes":
					for cmd, v := range sumByCmd(t, m.Data) {
						writes[cmd] = v
					}
				}
			}
		}
		return writes["HGET"] == 3 && writes["INCR"] == 3
	}, 5*time.Second, 20*time.Millisecond, "writes by command through the bridge")
	assert.Equal(t, map[string]float64{"INCR": 3, "HSET": 3, "EXPIRE": 3, "HGET": 3}, writes)

	counts := map[string]uint64{}
	for _, dp := range latency.DataPoints {
		name, _ := dp.Attributes.Value("name")
		assert.Equal(t, clientName, name.AsString())
		cmd, _ := dp.Attributes.Value("cmd")
		counts[cmd.AsString()] = dp.Count
		assert.NotEmpty(t, dp.Bounds, "the catalogue's buckets")
		assert.Len(t, dp.BucketCounts, len(dp.Bounds)+1)
		assert.Positive(t, dp.Sum)
	}
	assert.Equal(t, map[string]uint64{"INCR": 3, "HSET": 3, "EXPIRE": 3, "HGET": 3}, counts)
}

func TestRunPrints(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), srv.Addr(), &out))
	assert.Contains(t, out.String(), "span INCR       parent checkout")
	assert.Contains(t, out.String(), "metric redis/client/roundtrip_latency (ms, histogram)")
}

// sumByCmd returns the values of a sum metric by its cmd label.
func sumByCmd(t *testing.T, data metricdata.Aggregation) map[string]float64 {
	out := map[string]float64{}
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			cmd, _ := dp.Attributes.Value("cmd")
			out[cmd.AsString()] = float64(dp.Value)
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			cmd, _ := dp.Attributes.Value("cmd")
			out[cmd.AsString()] = dp.Value
		}
	default:
		t.Fatalf("redis/client/writes is a %T, want a sum", data)
	}
	return out
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
