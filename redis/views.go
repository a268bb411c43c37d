package redis

import (
	redigo "github.com/ocredigo/redigo"
)

// ObservabilityMetricViews are the views of every metric the driver
// records; register them to see the metrics:
//
//	if err := view.Register(redis.ObservabilityMetricViews...); err != nil { ... }
//
// The catalogue (measures, tag keys, buckets) is declared in package
// github.com/ocredigo/redigo.
var ObservabilityMetricViews = redigo.Views()
