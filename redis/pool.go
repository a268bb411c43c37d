package redis

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// nowFunc is the pool's clock; tests replace it.
var nowFunc = time.Now

var (
	// ErrPoolExhausted is what Get returns (through the connection's Err
	// and every call) and GetContext returns when MaxActive connections are
	// in use and Wait is false.
	ErrPoolExhausted = errors.New("redigo: connection pool exhausted")

	errPoolClosed   = errors.New("redigo: get on closed pool")
	errConnClosed   = errors.New("redigo: connection closed")
	errNoPoolDialer = errors.New("redigo: must pass Dial or DialContext to pool")
)

// Pool keeps connections to one server for reuse. Configure it by setting
// its fields before the first Get and leave them alone afterwards; a Pool
// whose only field is Dial (or DialContext) works, with no limit on
// connections and none kept idle.
//
// A connection taken with Get or GetContext goes back to the pool when the
// application calls its Close, and only in the state it was dialed in: an
// open MULTI is discarded, WATCHes are dropped, subscriptions are ended and
// their messages drained, all within a few seconds. A connection that ran
// a command whose effect cannot be undone (SELECT of another database,
// MONITOR, CLIENT REPLY OFF or SKIP, CLIENT TRACKING ON, HELLO of another
// protocol, AUTH, RESET), that broke, or that holds unread bytes, is
// closed instead.
type Pool struct {
	// Dial makes a new connection. It must return it ready for use by any
	// caller: not subscribed, not inside MULTI. DialContext is used instead
	// when both are set.
	Dial func() (Conn, error)

	// DialContext makes a new connection within ctx, the context given to
	// GetContext (context.Background for Get). The same rule as for Dial
	// applies to the connection it returns.
	DialContext func(ctx context.Context) (Conn, error)

	// TestOnBorrow, when set, vets an idle connection before Get hands it
	// out again; lastUsed is when it was last returned. A non-nil error
	// closes that connection, and Get tries the next one or dials.
	// TestOnBorrowContext is used instead when both are set.
	TestOnBorrow func(c Conn, lastUsed time.Time) error

	// TestOnBorrowContext is TestOnBorrow given the context of GetContext.
	TestOnBorrowContext func(ctx context.Context, c Conn, lastUsed time.Time) error

	// MaxIdle bounds the idle connections kept; a connection returned to a
	// full idle list closes the oldest idle one. Zero keeps none.
	MaxIdle int

	// MaxActive bounds the connections open at once, idle and in use
	// together. Zero means no bound.
	MaxActive int

	// IdleTimeout closes a connection that stayed idle longer than this.
	// Zero keeps idle connections forever; set it below the server's
	// timeout setting.
	IdleTimeout time.Duration

	// Wait makes Get and GetContext wait, when MaxActive connections are
	// open, for one to come back (GetContext only as long as its context
	// allows). Without Wait they fail at once with ErrPoolExhausted.
	Wait bool

	// MaxConnLifetime closes a connection once it is this old, checked
	// when it would be handed out again. Zero sets no age limit.
	MaxConnLifetime time.Duration

	// TraceOptions are the observability options of the pool: the name of
	// its series (waits, connection counts, reuses, failed Gets) and the
	// settings of its redis.pool.get spans. A connection the pool dials
	// without a name of its own (no DialTraceOptions name) takes the pool's
	// name, so one pool's series never split between two names.
	TraceOptions TraceOptions

	obsOnce sync.Once
	obs     *observability.Pool

	slotsOnce sync.Once
	slots     chan struct{} // one token per connection that may still open, when Wait && MaxActive > 0
	waiting   atomic.Int32  // Gets waiting for a slot, for tests

	mu        sync.Mutex
	closed    bool
	open      int // connections open: idle and in use
	idle      idleConns
	waitCount int64
	waitTotal time.Duration
}

// NewPool returns a pool whose Dial is newFn, keeping at most maxIdle idle
// connections.
//
// Deprecated: declare a Pool value with its fields set instead, as the
// Pool example (ExamplePool) does.
func NewPool(newFn func() (Conn, error), maxIdle int) *Pool {
	return &Pool{Dial: newFn, MaxIdle: maxIdle}
}

// PoolStats is a snapshot of a pool's counters.
type PoolStats struct {
	// ActiveCount is the number of open connections, idle ones included.
	ActiveCount int
	// IdleCount is the number of idle connections.
	IdleCount int
	// WaitCount is the number of Gets that waited for a connection and got
	// one (Wait set and MaxActive reached).
	WaitCount int64
	// WaitDuration is the time those Gets spent waiting, in total.
	WaitDuration time.Duration
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{ActiveCount: p.open, IdleCount: p.idle.len(), WaitCount: p.waitCount, WaitDuration: p.waitTotal}
}

// ActiveCount returns the number of open connections, idle ones included.
func (p *Pool) ActiveCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

// IdleCount returns the number of idle connections.
func (p *Pool) IdleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle.len()
}

// Get returns a connection, which the caller must Close. It never returns
// nil: when no connection can be had, the one returned fails every call
// with the reason (Err returns it too).
func (p *Pool) Get() Conn {
	c, _ := p.GetContext(context.Background())
	return c
}

// GetWithContext is the original OpenCensus fork's Get: ctx bounds the
// wait for a connection (as with GetContext), and the connection's plain
// calls (Do, Send, ...) are children of ctx's span. ctx's deadline and
// cancellation do not apply to those calls.
func (p *Pool) GetWithContext(ctx context.Context) Conn {
	c, err := p.get(ctx)
	if err != nil {
		return errorConn{err}
	}
	c.detach(ctx)
	return c
}

// GetContext returns a connection, waiting (with Wait set) and dialing
// within ctx; ctx bounds only the Get. On failure it returns the error and
// a connection whose calls fail with it. When ctx holds a span, the plain
// calls of the connection (Do, Send, ...) are its children, as with
// GetWithContext; the Context methods use their own context.
func (p *Pool) GetContext(ctx context.Context) (Conn, error) {
	c, err := p.get(ctx)
	if err != nil {
		return errorConn{err}, err
	}
	if observability.HasSpan(ctx) {
		c.detach(ctx)
	}
	return c, nil
}

func (p *Pool) get(ctx context.Context) (*activeConn, error) {
	obs := p.observer()
	record, err := p.takeSlot(ctx)
	if err != nil {
		record.End(err, observability.KindPool)
		return nil, err
	}
	if record.Started() {
		ctx = record.Context()
	}

	p.mu.Lock()
	p.pruneIdle()
	for p.idle.len() > 0 {
		pc := p.idle.popNewest()
		p.countsChanged()
		p.mu.Unlock()
		if reason := p.unusable(ctx, pc); reason != "" {
			p.closeConn(pc.c, reason)
			p.mu.Lock()
			p.open--
			p.countsChanged()
			continue
		}
		obs.Reused()
		record.End(nil, "")
		return &activeConn{p: p, pc: pc}, nil
	}

	switch {
	case p.closed:
		p.mu.Unlock()
		obs.Error(observability.DetailClosed)
		record.End(errPoolClosed, observability.KindPool)
		return nil, errPoolClosed
	case !p.Wait && p.MaxActive > 0 && p.open >= p.MaxActive:
		p.mu.Unlock()
		obs.Error(observability.DetailExhausted)
		record.End(ErrPoolExhausted, observability.KindPool)
		return nil, ErrPoolExhausted
	}
	p.open++
	p.countsChanged()
	p.mu.Unlock()

	if !record.Started() {
		var pg observability.PoolGet
		ctx, pg = obs.BeginPoolGet(ctx)
		record = poolGet{PoolGet: pg, ctx: ctx}
	}
	c, err := p.dial(ctx)
	if err == nil && c == nil {
		err = errNilConn
	}
	if err != nil {
		p.mu.Lock()
		p.open--
		p.countsChanged()
		p.giveSlot()
		p.mu.Unlock()
		record.End(err, observability.KindDial)
		return nil, err
	}
	if cc, ok := c.(*conn); ok {
		cc.obs.Adopt(p.namedClient())
	}
	record.End(nil, "")
	return &activeConn{p: p, pc: &poolConn{c: c, created: nowFunc()}}, nil
}

var errNilConn = errors.New("redigo: pool dial returned a nil connection")

// pruneIdle closes the connections idle for longer than IdleTimeout, the
// oldest first. Called with p.mu held; releases it while closing.
func (p *Pool) pruneIdle() {
	if p.IdleTimeout <= 0 {
		return
	}
	for p.idle.len() > 0 && nowFunc().Sub(p.idle.oldest().returned) > p.IdleTimeout {
		pc := p.idle.popOldest()
		p.mu.Unlock()
		p.closeConn(pc.c, observability.StateIdleTimeout)
		p.mu.Lock()
		p.open--
		p.countsChanged()
	}
}

// unusable returns why an idle connection may not be handed out again, or
// "" when it may.
func (p *Pool) unusable(ctx context.Context, pc *poolConn) string {
	if p.MaxConnLifetime > 0 && nowFunc().Sub(pc.created) >= p.MaxConnLifetime {
		return observability.StateMaxLifetime
	}
	var err error
	switch {
	case p.TestOnBorrowContext != nil:
		err = p.TestOnBorrowContext(ctx, pc.c, pc.returned)
	case p.TestOnBorrow != nil:
		err = p.TestOnBorrow(pc.c, pc.returned)
	}
	if err != nil {
		return observability.StateTestFailed
	}
	return ""
}

// dial makes a connection; the context tells an unnamed dialer the pool's
// name.
func (p *Pool) dial(ctx context.Context) (Conn, error) {
	switch {
	case p.DialContext != nil:
		if named := p.namedClient(); named != nil {
			ctx = observability.WithPool(ctx, named)
		}
		return p.DialContext(ctx)
	case p.Dial != nil:
		return p.Dial()
	}
	return nil, errNoPoolDialer
}

// namedClient returns the pool's observability client when TraceOptions
// names it, nil otherwise.
func (p *Pool) namedClient() *observability.Client {
	if c := p.observer().Client(); c.Named() {
		return c
	}
	return nil
}

// takeSlot reserves a connection slot when the pool limits connections
// and waits for them. A Get that has to wait starts the redis.pool.get
// span (returned) and counts its wait once it got a slot; a context that
// ends first fails the Get, and so does a context already done when a
// slot is free.
func (p *Pool) takeSlot(ctx context.Context) (poolGet, error) {
	if !p.Wait || p.MaxActive <= 0 {
		return poolGet{}, nil
	}
	p.slotsOnce.Do(p.makeSlots)

	select {
	case _, ok := <-p.slots:
		if err := ctx.Err(); err != nil {
			p.returnSlot(ok)
			return poolGet{}, err
		}
		return poolGet{}, nil
	default:
	}

	spanCtx, record := p.observer().BeginPoolGet(ctx)
	got := poolGet{PoolGet: record, ctx: spanCtx}
	start := nowFunc()
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	select {
	case _, ok := <-p.slots:
		// Both cases may be ready at once and select picks either: a caller
		// whose context has ended gets the error, and the slot goes back.
		if err := ctx.Err(); err != nil {
			p.returnSlot(ok)
			p.waitEnded(nowFunc().Sub(start), false)
			return got, err
		}
		p.waitEnded(nowFunc().Sub(start), true)
		return got, nil
	case <-ctx.Done():
		p.waitEnded(nowFunc().Sub(start), false)
		return got, ctx.Err()
	}
}

// poolGet is the record of a Get that waited, and the context of its span.
type poolGet struct {
	observability.PoolGet
	ctx context.Context
}

func (g poolGet) Context() context.Context { return g.ctx }

func (p *Pool) makeSlots() {
	slots := make(chan struct{}, p.MaxActive)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		close(slots)
	} else {
		for i := 0; i < p.MaxActive; i++ {
			slots <- struct{}{}
		}
	}
	p.slots = slots
}

// returnSlot gives back a slot taken from the channel (ok false: the
// channel was closed and gave none).
func (p *Pool) returnSlot(ok bool) {
	if ok {
		p.mu.Lock()
		p.giveSlot()
		p.mu.Unlock()
	}
}

// waitEnded accounts for a wait of d: PoolStats counts the waits that got
// a connection; the wait metric counts them all, and a wait its context
// ended is a pool error.
func (p *Pool) waitEnded(d time.Duration, got bool) {
	if d <= 0 {
		d = 1 // a wait that counts is never zero
	}
	p.mu.Lock()
	if got {
		p.waitCount++
		p.waitTotal += d
	}
	p.observer().Waited(d)
	p.mu.Unlock()
	if !got {
		p.observer().Error(observability.DetailWaitCanceled)
	}
}

// giveSlot frees a slot. Called with p.mu held.
func (p *Pool) giveSlot() {
	if p.slots != nil && !p.closed {
		p.slots <- struct{}{}
	}
}

// put takes back a connection from the application: onto the idle list,
// or closed when broken (reason), when the pool is closed or when the idle
// list is full.
func (p *Pool) put(pc *poolConn, reason string) {
	p.mu.Lock()
	switch {
	case p.closed:
		reason = observability.StatePoolClosed
	case reason == "":
		pc.returned = nowFunc()
		p.idle.push(pc)
		if p.idle.len() <= p.MaxIdle {
			pc = nil
		} else {
			pc, reason = p.idle.popOldest(), observability.StatePoolFull
		}
	}
	if pc != nil {
		p.mu.Unlock()
		p.closeConn(pc.c, reason)
		p.mu.Lock()
		p.open--
	}
	p.countsChanged()
	p.giveSlot()
	p.mu.Unlock()
}

// Close releases the pool: idle connections are closed now, connections in
// use when they come back. Gets waiting for a connection, and later Gets,
// fail. Close always returns nil.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.idle.takeAll()
	p.open -= len(idle)
	if p.slots != nil {
		close(p.slots)
	}
	p.countsChanged()
	p.mu.Unlock()
	for _, pc := range idle {
		p.closeConn(pc.c, observability.StatePoolClosed)
	}
	return nil
}

// poolConn is a connection in the pool's care.
type poolConn struct {
	c        Conn
	created  time.Time
	returned time.Time // when it last went back to the idle list
}

// idleConns holds the idle connections in the order they came back: the
// oldest first, the one to hand out next (the most recently used) last.
type idleConns struct{ conns []*poolConn }

func (l *idleConns) len() int { return len(l.conns) }

func (l *idleConns) push(pc *poolConn) { l.conns = append(l.conns, pc) }

func (l *idleConns) oldest() *poolConn { return l.conns[0] }

func (l *idleConns) popNewest() *poolConn {
	last := len(l.conns) - 1
	pc := l.conns[last]
	l.conns[last] = nil
	l.conns = l.conns[:last]
	return pc
}

func (l *idleConns) popOldest() *poolConn {
	pc := l.conns[0]
	copy(l.conns, l.conns[1:])
	l.conns[len(l.conns)-1] = nil
	l.conns = l.conns[:len(l.conns)-1]
	return pc
}

func (l *idleConns) takeAll() []*poolConn {
	all := l.conns
	l.conns = nil
	return all
}
