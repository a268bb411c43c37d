package observability

import (
	"context"
	"sync"
	"time"

	"go.opencensus.io/stats"
)

// The view path: measurements for views registered on the catalogue's
// measures, recorded with stats.Record so that OpenCensus aggregates them
// exactly (view.RetrieveData, custom views, view exporters). OpenCensus's
// worker costs more per recording than a Redis command, so a recorder
// keeps its measurements for up to FlushInterval and hands them over in
// one recording per tag context. stats.Record is never called with a
// connection's or a pool's mutex held: a batch is taken out under its own
// small mutex and recorded after releasing it.

// FlushInterval is how long measurements wait before they are recorded.
const FlushInterval = 100 * time.Millisecond

// maxBatch bounds the measurements a batch keeps before recording them.
const maxBatch = 512

// group is the batched measurements of one tag context.
type group struct {
	ctx  context.Context
	ms   []stats.Measurement
	last int // measurements of the previous batch: the next one's capacity
}

// viewBatch collects measurements until the flusher records them.
type viewBatch struct {
	mu     sync.Mutex
	groups []group
	n      int
	listed bool // on the flusher's list
}

// add appends measurements under ctx; the batch is recorded at once when
// full, otherwise at the flusher's next round.
func (b *viewBatch) add(ctx context.Context, ms ...stats.Measurement) {
	b.mu.Lock()
	g := b.group(ctx)
	if g.ms == nil {
		g.ms = make([]stats.Measurement, 0, max(8, g.last+len(ms)))
	}
	g.ms = append(g.ms, ms...)
	b.n += len(ms)
	full := b.n >= maxBatch
	list := !b.listed && !full
	b.listed = b.listed || list
	b.mu.Unlock()
	switch {
	case full:
		b.flush()
	case list:
		flusher.add(b)
	}
}

func (b *viewBatch) group(ctx context.Context) *group {
	for i := range b.groups {
		if b.groups[i].ctx == ctx {
			return &b.groups[i]
		}
	}
	b.groups = append(b.groups, group{ctx: ctx})
	return &b.groups[len(b.groups)-1]
}

// take removes the batched measurements; the recorded slices belong to
// OpenCensus's worker from then on.
func (b *viewBatch) take() []group {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n == 0 {
		return nil
	}
	out := make([]group, 0, len(b.groups))
	for i := range b.groups {
		g := &b.groups[i]
		if len(g.ms) > 0 {
			out = append(out, group{ctx: g.ctx, ms: g.ms})
			g.last, g.ms = len(g.ms), nil
		}
	}
	b.n = 0
	return out
}

// flush records what the batch holds.
func (b *viewBatch) flush() {
	for _, g := range b.take() {
		stats.Record(g.ctx, g.ms...)
	}
}

func (b *viewBatch) flushViews() {
	b.mu.Lock()
	b.listed = false
	b.mu.Unlock()
	b.flush()
}

// flushable is what the flusher records: connection batches and pools.
type flushable interface{ flushViews() }

// viewFlusher records the listed recorders every FlushInterval. It runs
// only while something is listed: a timer, no goroutine of its own.
type viewFlusher struct {
	mu    sync.Mutex
	list  []flushable
	timer *time.Timer
}

var flusher viewFlusher

func (f *viewFlusher) add(r flushable) {
	f.mu.Lock()
	f.list = append(f.list, r)
	if f.timer == nil {
		f.timer = time.AfterFunc(FlushInterval, f.round)
	}
	f.mu.Unlock()
}

// round records every listed recorder; the timer is made again by the
// next add.
func (f *viewFlusher) round() {
	f.mu.Lock()
	list := f.list
	f.list, f.timer = nil, nil
	f.mu.Unlock()
	for _, r := range list {
		r.flushViews()
	}
}

// FlushViews records every measurement waiting in a batch now; tests call
// it before reading views.
func FlushViews() {
	f := &flusher
	f.mu.Lock()
	if f.timer != nil {
		f.timer.Stop()
	}
	f.mu.Unlock()
	f.round()
}
