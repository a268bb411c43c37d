package redis

import (
	redigo "github.com/ocredigo/redigo"
)

// ObservabilityMetricViews are the views of every metric the driver
// records. Registering them is the exact path, as OpenCensus users know
// it (view.RetrieveData, custom views, view exporters):
//
//	if err := view.Register(redis.ObservabilityMetricViews...); err != nil { ... }
//
// EnableMetrics publishes the same metrics at a fraction of the cost, for
// exporters that read metric producers (Prometheus, Stackdriver, OC agent,
// OpenTelemetry's bridge).
//
// The catalogue (measures, tag keys, buckets) is declared in package
// github.com/ocredigo/redigo.
var ObservabilityMetricViews = redigo.Views()
