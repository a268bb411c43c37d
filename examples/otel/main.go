// Command otel runs ocredigo under OpenTelemetry: OpenCensus's spans and
// metrics reach the OpenTelemetry SDK through the OpenCensus bridge
// (go.opentelemetry.io/otel/bridge/opencensus).
//
//	go run . -addr localhost:6379
//
// The program installs an OpenTelemetry tracer provider and a meter
// provider, installs the bridge for both, and runs a "checkout" under an
// OpenTelemetry span: the driver's command spans (INCR, HSET, EXPIRE, GET)
// become its children, and the driver's metrics are read by an
// OpenTelemetry metric reader through the bridge's metric producer. It
// prints the spans and the metrics it collected. A real service would hand
// the same providers an OTLP exporter and a periodic reader instead.
//
// This example is a module of its own, so that the library's module never
// requires OpenTelemetry.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"time"

	"go.opencensus.io/stats/view"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/bridge/opencensus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ocredigo/redigo/redis"
)

// clientName is the name label of the example's metrics.
const clientName = "otel-example"

func main() {
	addr := flag.String("addr", "localhost:6379", "Redis `host:port`")
	flag.Parse()
	if err := run(context.Background(), *addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// telemetry is the OpenTelemetry SDK with the OpenCensus bridge installed.
type telemetry struct {
	Tracer *sdktrace.TracerProvider
	Meter  *sdkmetric.MeterProvider
	// Reader collects on demand; the bridge's producer feeds it the
	// OpenCensus metrics at each collection.
	Reader *sdkmetric.ManualReader
}

// setup installs the OpenTelemetry SDK, exporting spans to spans, and the
// bridge: OpenCensus spans become OpenTelemetry spans of the tracer
// provider, OpenCensus metrics are read by the reader. It registers the
// driver's views, without which OpenCensus records nothing.
func setup(spans sdktrace.SpanExporter) (*telemetry, error) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	otel.SetTracerProvider(tp)
	opencensus.InstallTraceBridge(opencensus.WithTracerProvider(tp))

	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(opencensus.NewMetricProducer()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	otel.SetMeterProvider(mp)

	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		return nil, fmt.Errorf("registering the views: %w", err)
	}
	return &telemetry{Tracer: tp, Meter: mp, Reader: reader}, nil
}

// Shutdown flushes and stops the providers.
func (t *telemetry) Shutdown(ctx context.Context) error {
	view.Unregister(redis.ObservabilityMetricViews...)
	return errors.Join(t.Tracer.Shutdown(ctx), t.Meter.Shutdown(ctx))
}

// newPool returns a pool of connections to addr named clientName.
func newPool(addr string) *redis.Pool {
	opts := redis.TraceOptions{Name: clientName}
	return &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr, redis.DialTraceOptions(opts),
				redis.DialConnectTimeout(5*time.Second))
		},
		MaxIdle:      2,
		TraceOptions: opts,
	}
}

// checkout is the workload: under an OpenTelemetry span named "checkout",
// it counts the order, stores it with a pipeline and reads it back. It
// returns the order number.
func checkout(ctx context.Context, pool *redis.Pool, item string) (n int64, err error) {
	ctx, span := otel.Tracer("github.com/ocredigo/redigo/examples/otel").Start(ctx, "checkout")
	defer span.End()

	c, err := pool.GetContext(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	cc := c.(redis.ConnWithContext)

	n, err = redis.Int64(cc.DoContext(ctx, "INCR", "otel:orders"))
	if err != nil {
		return 0, err
	}
	key := fmt.Sprintf("otel:order:%d", n)
	// Pipelined: one round trip, a span per command all the same.
	if err := cc.SendContext(ctx, "HSET", key, "item", item); err != nil {
		return 0, err
	}
	if err := cc.SendContext(ctx, "EXPIRE", key, 60); err != nil {
		return 0, err
	}
	if _, err := cc.DoContext(ctx, ""); err != nil {
		return 0, err
	}
	got, err := redis.String(cc.DoContext(ctx, "HGET", key, "item"))
	if err != nil {
		return 0, err
	}
	if got != item {
		return 0, fmt.Errorf("HGET %s: %q, want %q", key, got, item)
	}
	span.SetAttributes(attribute.Int64("order", n))
	return n, nil
}

// run sets up the SDK, runs three checkouts, and prints the spans and the
// metrics that reached OpenTelemetry.
func run(ctx context.Context, addr string, out io.Writer) error {
	spans := tracetest.NewInMemoryExporter()
	tel, err := setup(spans)
	if err != nil {
		return err
	}
	defer tel.Shutdown(context.Background())

	pool := newPool(addr)
	for _, item := range []string{"book", "lamp", "kettle"} {
		if _, err := checkout(ctx, pool, item); err != nil {
			pool.Close()
			return err
		}
	}
	// Closing the pool hands the connections' last measurements to
	// OpenCensus.
	if err := pool.Close(); err != nil {
		return err
	}

	names := map[string]string{}
	for _, s := range spans.GetSpans() {
		names[s.SpanContext.SpanID().String()] = s.Name
	}
	for _, s := range spans.GetSpans() {
		parent := names[s.Parent.SpanID().String()]
		if parent == "" {
			parent = "-"
		}
		fmt.Fprintf(out, "span %-10s parent %-10s trace %s\n", s.Name, parent, s.SpanContext.TraceID())
	}

	// OpenCensus aggregates in a worker goroutine: collect until the
	// commands show, for at most a second.
	var rm metricdata.ResourceMetrics
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := tel.Reader.Collect(ctx, &rm); err != nil {
			return err
		}
		if hasMetric(rm, "redis/client/roundtrip_latency") || time.Now().After(deadline) {
			break
		}
	}
	for _, line := range describe(rm) {
		fmt.Fprintln(out, line)
	}
	return nil
}

// describe returns a line per metric of rm: its name, type and the number
// of its data points.
func describe(rm metricdata.ResourceMetrics) []string {
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var kind string
			var points int
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				kind, points = "histogram", len(d.DataPoints)
			case metricdata.Sum[int64]:
				kind, points = "sum", len(d.DataPoints)
			case metricdata.Sum[float64]:
				kind, points = "sum", len(d.DataPoints)
			case metricdata.Gauge[int64]:
				kind, points = "gauge", len(d.DataPoints)
			case metricdata.Gauge[float64]:
				kind, points = "gauge", len(d.DataPoints)
			default:
				kind = fmt.Sprintf("%T", d)
			}
			lines = append(lines, fmt.Sprintf("metric %s (%s, %s): %d series", m.Name, m.Unit, kind, points))
		}
	}
	sort.Strings(lines)
	return lines
}

// hasMetric reports whether rm holds the metric name.
func hasMetric(rm metricdata.ResourceMetrics, name string) bool {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return true
			}
		}
	}
	return false
}
