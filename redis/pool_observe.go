package redis

import (
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// poolGaugeInterval spaces the recordings of a pool's connection counts:
// they change on every Get and Close, and a gauge scraped every few
// seconds needs no more. The last change is always recorded, late by at
// most the interval.
var poolGaugeInterval = 100 * time.Millisecond

// observer returns the pool's observability client, made on first use
// from TraceOptions.
func (p *Pool) observer() *observability.Client {
	p.obsOnce.Do(func() {
		p.obs = observability.NewClient(p.TraceOptions.observability())
	})
	return p.obs
}

// closeConn closes a connection of the pool for reason. This package's
// connections count their own close; for others the pool counts it.
func (p *Pool) closeConn(c Conn, reason string) {
	if cc, ok := c.(*conn); ok {
		cc.closeFor(reason)
		return
	}
	c.Close()
	p.observer().ConnClosed(reason)
}

// connReused counts an idle connection handed out; it is recorded with
// the connection counts.
func (p *Pool) connReused() {
	if !observability.PoolMetricsOn() {
		return
	}
	p.mu.Lock()
	p.reused++
	p.countsChanged()
	p.mu.Unlock()
}

// waitedFor notes a Get that waited d for a connection; it is recorded
// with the connection counts. Called with p.mu held.
func (p *Pool) waitedFor(d time.Duration) {
	if !observability.PoolMetricsOn() {
		return
	}
	p.waits = append(p.waits, d)
	p.countsChanged()
}

// countsChanged records the pool's connection counts, reuses and waits, at most
// once per poolGaugeInterval: they change on every Get and Close, and each
// recording wakes OpenCensus's worker. A change within the interval is
// recorded when it ends. Called with p.mu held.
func (p *Pool) countsChanged() {
	if p.gaugeTimer != nil || !observability.PoolMetricsOn() {
		return // a recording is already scheduled
	}
	now := time.Now()
	if wait := p.gaugeRecorded.Add(poolGaugeInterval).Sub(now); wait > 0 && !p.closed {
		p.gaugeTimer = time.AfterFunc(wait, func() {
			p.mu.Lock()
			p.gaugeTimer = nil
			p.recordCounts(time.Now())
			p.mu.Unlock()
		})
		return
	}
	p.recordCounts(now)
}

// recordCounts records the idle and in-use connections. Called with p.mu
// held.
func (p *Pool) recordCounts(now time.Time) {
	p.gaugeRecorded = now
	p.observer().PoolConnections(p.idle.count, p.active-p.idle.count)
	p.observer().ConnsReused(p.reused)
	p.observer().PoolWaited(p.waits)
	p.reused, p.waits = 0, p.waits[:0]
}
