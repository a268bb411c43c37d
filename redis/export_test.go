package redis

import "time"

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

// SetPoolGaugeInterval changes how often pools record their connection
// counts; 0 records every change.
func SetPoolGaugeInterval(d time.Duration) (restore func()) {
	old := poolGaugeInterval
	poolGaugeInterval = d
	return func() { poolGaugeInterval = old }
}
