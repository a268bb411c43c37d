package redis

import "github.com/ocredigo/redigo/internal/observability"

// EnableMetrics turns on the driver's fast metric path: every metric of
// the catalogue (ObservabilityMetricViews) is aggregated inside the driver,
// with fixed buckets updated in place, and published through OpenCensus's
// metric producer API (go.opencensus.io/metric/metricproducer). Exporters
// that read producers see it with the views' names, label keys, units and
// bounds: the Prometheus exporter (contrib.go.opencensus.io/exporter/
// prometheus), the Stackdriver and OC-agent exporters, and OpenTelemetry's
// OpenCensus bridge. Call it once at start-up, instead of registering the
// views; calling it again does nothing.
//
// The fast path publishes no sum of squared deviations (0) and is read at
// each scrape, not pushed to view exporters. A metric whose view is
// registered with view.Register is left to that view, the exact path, so
// that no exporter sees it twice.
func EnableMetrics() { observability.EnableProducer() }

// DisableMetrics stops the fast metric path: the driver stops aggregating
// and the producer is removed. What was aggregated is kept, so enabling it
// again continues the same cumulative series.
func DisableMetrics() { observability.DisableProducer() }
