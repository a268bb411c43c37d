package redis

import (
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// SetNowFunc replaces the pool's clock for a test and returns a function
// that restores it.
func SetNowFunc(f func() time.Time) (restore func()) {
	old := nowFunc
	nowFunc = f
	return func() { nowFunc = old }
}

// SetCleanupTimeout shortens the bound on a pooled connection's cleanup.
func SetCleanupTimeout(d time.Duration) (restore func()) {
	old := cleanupTimeout
	cleanupTimeout = d
	return func() { cleanupTimeout = old }
}

// FlushMetrics hands the measurements waiting for the view path to
// OpenCensus now, as the flusher would within its interval.
func FlushMetrics() { observability.FlushViews() }

// WaitingGets returns the number of Gets of p waiting for a connection.
func WaitingGets(p *Pool) int { return int(p.waiting.Load()) }
