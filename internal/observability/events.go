package observability

import (
	"context"
	"time"

	redigo "github.com/ocredigo/redigo"
	"go.opencensus.io/stats"
	"go.opencensus.io/trace"
)

// Connection states: values of the state tag.
const (
	StateNew         = "new"
	StateReused      = "reused"
	StateIdleTimeout = "idle_timeout"
	StateMaxLifetime = "max_lifetime"
	StateTestFailed  = "test_failed"
	StateBroken      = "broken"
	StatePoolFull    = "pool_full"
	StatePoolClosed  = "pool_closed"
	StateClient      = "client"
	StateIdle        = "idle"
	StateActive      = "active"
)

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// wantSpan reports whether an operation in ctx gets a span: when ctx holds
// a parent span that records (a child of a parent not sampled is never
// sampled itself, and Redis carries no trace context onwards, so it would
// be work for nothing), or when the client asks for root spans and ctx
// holds no parent.
func (c *Client) wantSpan(ctx context.Context) bool {
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

// End completes the record of a dial; err is nil when it succeeded, and
// replyErr the text of the error reply when a set-up command (AUTH,
// CLIENT SETNAME, SELECT) failed. Failed dials are errors of kind dial.
func (d Dial) End(peer Peer, err error, replyErr string) {
	c := d.client
	if err == nil {
		if float64Subscribed(redigo.MDialLatencyMilliseconds) {
			stats.Record(tagKey{name: c.names.name}.context(),
				redigo.MDialLatencyMilliseconds.M(millis(time.Since(d.start))))
		}
		c.ConnOpened(StateNew)
	} else {
		var detail string
		if replyErr != "" {
			detail = ServerDetail(replyErr)
		} else {
			_, detail = Classify(err, OpDial)
		}
		c.recordError("", KindDial, detail)
		if d.span != nil && d.span.IsRecordingEvents() {
			setSpanError(d.span, KindDial, err.Error(), "")
		}
	}
	if d.span != nil {
		if d.span.IsRecordingEvents() && err == nil {
			d.span.AddAttributes(peer.attributes()...)
		}
		d.span.End()
	}
}

// ConnOpened counts a connection handed to the application.
func (c *Client) ConnOpened(state string) {
	if int64Subscribed(redigo.MConnectionsOpen) {
		stats.Record(tagKey{name: c.names.name, state: state}.context(), redigo.MConnectionsOpen.M(1))
	}
}

// ConnClosed counts a connection closed for reason (a state value).
func (c *Client) ConnClosed(reason string) {
	if int64Subscribed(redigo.MConnectionsClosed) {
		stats.Record(tagKey{name: c.names.name, state: reason}.context(), redigo.MConnectionsClosed.M(1))
	}
}

// PoolWaited records the waits of pool Gets for a connection, in one
// recording.
func (c *Client) PoolWaited(waits []time.Duration) {
	if len(waits) == 0 || !float64Subscribed(redigo.MPoolWaitLatencyMilliseconds) {
		return
	}
	ms := make([]stats.Measurement, len(waits))
	for i, d := range waits {
		ms[i] = redigo.MPoolWaitLatencyMilliseconds.M(millis(d))
	}
	stats.Record(tagKey{name: c.names.name}.context(), ms...)
}

// PoolError counts a failed pool Get: exhausted, closed or wait_canceled.
func (c *Client) PoolError(detail string) {
	c.recordError("", KindPool, detail)
}

// PoolConnections records a pool's idle and active (in use) connections.
func (c *Client) PoolConnections(idle, active int) {
	if int64Subscribed(redigo.MPoolConnections) {
		stats.Record(tagKey{name: c.names.name, state: StateIdle}.context(), redigo.MPoolConnections.M(int64(idle)))
		stats.Record(tagKey{name: c.names.name, state: StateActive}.context(), redigo.MPoolConnections.M(int64(active)))
	}
}

// PoolGet is the record of a pool Get that had to wait or dial.
type PoolGet struct{ span *trace.Span }

// BeginPoolGet starts the redis.pool.get span, when ctx has a parent span
// or the client asks for root spans; the returned context carries it.
func (c *Client) BeginPoolGet(ctx context.Context) (context.Context, PoolGet) {
	if !c.wantSpan(ctx) {
		return ctx, PoolGet{}
	}
	ctx, span := trace.StartSpan(ctx, "redis.pool.get")
	if span.IsRecordingEvents() && len(c.attrs) > 0 {
		span.AddAttributes(c.attrs...)
	}
	return ctx, PoolGet{span: span}
}

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

// PoolMetricsOn reports whether a view uses the pool connection counts,
// the connections opened or the pool waits, which pools record in batches.
func PoolMetricsOn() bool {
	return int64Subscribed(redigo.MPoolConnections) || int64Subscribed(redigo.MConnectionsOpen) ||
		float64Subscribed(redigo.MPoolWaitLatencyMilliseconds)
}

// ConnsReused counts n idle connections handed out by a pool, in one
// recording.
func (c *Client) ConnsReused(n int) {
	if n == 0 || !int64Subscribed(redigo.MConnectionsOpen) {
		return
	}
	ms := make([]stats.Measurement, n)
	for i := range ms {
		ms[i] = redigo.MConnectionsOpen.M(1)
	}
	stats.Record(tagKey{name: c.names.name, state: StateReused}.context(), ms...)
}
