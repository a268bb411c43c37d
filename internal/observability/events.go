package observability

import (
	"context"
	"sync"
	"time"

	redigo "github.com/ocredigo/redigo"
	"go.opencensus.io/stats"
	"go.opencensus.io/trace"
)

// Connection states: values of the state tag.
const (
	StateNew           = "new"
	StateReused        = "reused"
	StateIdleTimeout   = "idle_timeout"
	StateMaxLifetime   = "max_lifetime"
	StateTestFailed    = "test_failed"
	StateBroken        = "broken"
	StatePoolFull      = "pool_full"
	StatePoolClosed    = "pool_closed"
	StateClient        = "client"
	StateCleanupFailed = "cleanup_failed"
	StateIdle          = "idle"
	StateActive        = "active"
)

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// wantSpan reports whether an operation in ctx gets a span: when ctx holds
// a parent span that records (a child of a parent not sampled is never
// sampled itself, and Redis carries no trace context onwards, so it would
// be work for nothing), or when the client asks for root spans and ctx
// holds no parent.
func (c *Client) wantSpan(ctx context.Context) bool {
	if ctx == context.Background() {
		return c.rootSpans // the calls without a context: no parent to look up
	}
	if parent := trace.FromContext(ctx); parent != nil {
		return parent.IsRecordingEvents()
	}
	return c.rootSpans
}

// Dial is the record of one dial.
type Dial struct {
	client *Client
	start  time.Time
	span   *trace.Span
}

// dialSample is a successful dial, kept by a connection that does not yet
// know its name.
type dialSample struct{ latency time.Duration }

// BeginDial starts the record of a dial. The returned context carries the
// redis.dial span, so that the set-up commands are its children.
func (c *Client) BeginDial(ctx context.Context) (context.Context, Dial) {
	d := Dial{client: c, start: time.Now()}
	if c.wantSpan(ctx) {
		ctx, d.span = trace.StartSpan(ctx, "redis.dial", trace.WithSpanKind(trace.SpanKindClient))
		if d.span.IsRecordingEvents() && len(c.attrs) > 0 {
			d.span.AddAttributes(c.attrs...)
		}
	}
	return ctx, d
}

// Dialing marks a connection's recorder as part of a dial in progress: what
// its set-up commands measure is kept until End knows under which name.
func (d Dial) Dialing(o *Conn) { o.state.Store(dialing) }

// End completes the record of a dial. conn is the recorder of the
// connection (nil when none was made), err nil when the dial succeeded,
// and replyErr the text of the error reply when a set-up command (AUTH,
// CLIENT SETNAME, SELECT) failed. A connection dialed without a name keeps
// its measurements until a pool adopts it or it is first used.
func (d Dial) End(o *Conn, err error, replyErr string) {
	c := d.client
	if err == nil {
		ds := dialSample{latency: time.Since(d.start)}
		o.mu.Lock()
		o.dial = &ds
		o.state.Store(unnamed)
		o.mu.Unlock()
		if c.named {
			o.Adopt(nil)
		}
	} else {
		if o != nil {
			o.mu.Lock()
			o.state.Store(unnamed)
			o.mu.Unlock()
			o.Adopt(nil)
		}
		var detail string
		if replyErr != "" {
			detail = ServerDetail(replyErr)
		} else {
			_, detail = Classify(err, OpDial)
		}
		c.countError(errorKey{kind: KindDial, detail: detail})
		if d.span != nil && d.span.IsRecordingEvents() {
			setSpanError(d.span, KindDial, err.Error(), "")
		}
	}
	if d.span != nil {
		if d.span.IsRecordingEvents() && err == nil {
			d.span.AddAttributes(o.Peer().attributes()...)
		}
		d.span.End()
	}
}

// dialed counts a successful dial.
func (c *Client) dialed(ds dialSample) {
	if producerOn.Load() {
		c.names.series.dial.add(int64(ds.latency))
	}
	if float64Subscribed(redigo.MDialLatencyMilliseconds) {
		stats.Record(tagKey{name: c.names.name}.context(), redigo.MDialLatencyMilliseconds.M(millis(ds.latency)))
	}
	c.countState(redigo.MConnectionsOpen, StateNew)
}

func (c *Client) countState(m *stats.Int64Measure, state string) {
	if producerOn.Load() {
		c.names.series.countState(state)
	}
	if int64Subscribed(m) {
		stats.Record(tagKey{name: c.names.name, state: state}.context(), m.M(1))
	}
}

// ConnClosed counts a connection closed for reason (a state value).
func (c *Client) ConnClosed(reason string) { c.countState(redigo.MConnectionsClosed, reason) }

// ConnOpened counts a connection handed out for reason (new or reused).
func (c *Client) ConnOpened(reason string) { c.countState(redigo.MConnectionsOpen, reason) }

type poolClientKey struct{}

// WithPool returns a context telling the dial a pool makes which name the
// pool has: a dialer that sets no name takes the pool's.
func WithPool(ctx context.Context, pool *Client) context.Context {
	return context.WithValue(ctx, poolClientKey{}, pool)
}

// PoolName returns the name of the pool dialing in ctx, "" if none.
func PoolName(ctx context.Context) string {
	if c, ok := ctx.Value(poolClientKey{}).(*Client); ok && c.named {
		return c.names.name
	}
	return ""
}

// Pool records the series of one connection pool. Counts, Reused and
// Waited are called with the pool's mutex held and touch only atomics and
// the recorder's own mutex; the view path records later, from the
// flusher.
type Pool struct {
	client *Client

	published struct{ idle, active int64 } // this pool's share of the name's gauges

	mu           sync.Mutex // the view path's pending recordings
	idle, active int64
	countsDirty  bool
	reused       int64
	waits        []stats.Measurement
	listed       bool
}

// NewPool returns the recorder of a pool.
func (c *Client) NewPool() *Pool {
	c.names.series.hasPool.Store(true)
	return &Pool{client: c}
}

// Client returns the pool's client.
func (p *Pool) Client() *Client { return p.client }

// Counts notes the pool's idle and active (in use) connections.
func (p *Pool) Counts(idle, active int) {
	s := p.client.names.series
	if di := int64(idle) - p.published.idle; di != 0 {
		s.idle.Add(di)
	}
	if da := int64(active) - p.published.active; da != 0 {
		s.active.Add(da)
	}
	p.published.idle, p.published.active = int64(idle), int64(active)
	if int64Subscribed(redigo.MPoolConnections) {
		p.mu.Lock()
		p.idle, p.active, p.countsDirty = int64(idle), int64(active), true
		p.listLocked()
		p.mu.Unlock()
	}
}

// Reused counts an idle connection handed out.
func (p *Pool) Reused() {
	if producerOn.Load() {
		p.client.names.series.countState(StateReused)
	}
	if int64Subscribed(redigo.MConnectionsOpen) {
		p.mu.Lock()
		p.reused++
		p.listLocked()
		p.mu.Unlock()
	}
}

// Waited records a Get that waited d for a connection.
func (p *Pool) Waited(d time.Duration) {
	if producerOn.Load() {
		p.client.names.series.poolWait.add(int64(d))
	}
	if float64Subscribed(redigo.MPoolWaitLatencyMilliseconds) {
		p.mu.Lock()
		p.waits = append(p.waits, redigo.MPoolWaitLatencyMilliseconds.M(millis(d)))
		p.listLocked()
		p.mu.Unlock()
	}
}

// Error counts a failed Get: exhausted, closed or wait_canceled. Not to be
// called with the pool's mutex held.
func (p *Pool) Error(detail string) {
	p.client.countError(errorKey{kind: KindPool, detail: detail})
}

func (p *Pool) listLocked() {
	if !p.listed {
		p.listed = true
		flusher.add(p)
	}
}

func (p *Pool) flushViews() {
	p.mu.Lock()
	idle, active, counts := p.idle, p.active, p.countsDirty
	reused, waits := p.reused, p.waits
	p.countsDirty, p.reused, p.waits, p.listed = false, 0, nil, false
	p.mu.Unlock()
	name := p.client.names.name
	if counts {
		stats.Record(tagKey{name: name, state: StateIdle}.context(), redigo.MPoolConnections.M(idle))
		stats.Record(tagKey{name: name, state: StateActive}.context(), redigo.MPoolConnections.M(active))
	}
	if reused > 0 {
		ms := make([]stats.Measurement, reused)
		for i := range ms {
			ms[i] = redigo.MConnectionsOpen.M(1)
		}
		stats.Record(tagKey{name: name, state: StateReused}.context(), ms...)
	}
	if len(waits) > 0 {
		stats.Record(tagKey{name: name}.context(), waits...)
	}
}

// PoolGet is the record of a pool Get that had to wait or dial.
type PoolGet struct{ span *trace.Span }

// BeginPoolGet starts the redis.pool.get span, when ctx has a parent span
// or the client asks for root spans; the returned context carries it.
func (p *Pool) BeginPoolGet(ctx context.Context) (context.Context, PoolGet) {
	c := p.client
	if !c.wantSpan(ctx) {
		return ctx, PoolGet{}
	}
	ctx, span := trace.StartSpan(ctx, "redis.pool.get")
	if span.IsRecordingEvents() && len(c.attrs) > 0 {
		span.AddAttributes(c.attrs...)
	}
	return ctx, PoolGet{span: span}
}

// Started reports whether the Get has a span.
func (g PoolGet) Started() bool { return g.span != nil }

// End ends the span; err is nil when the Get succeeded.
func (g PoolGet) End(err error, kind string) {
	if g.span == nil {
		return
	}
	if err != nil && g.span.IsRecordingEvents() {
		setSpanError(g.span, kind, err.Error(), "")
	}
	g.span.End()
}

// HasSpan reports whether ctx holds a span.
func HasSpan(ctx context.Context) bool { return trace.FromContext(ctx) != nil }
