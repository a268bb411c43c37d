package redis

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// nowFunc is the pool's clock; tests replace it.
var nowFunc = time.Now

var (
	// ErrPoolExhausted is returned by a pool's Get when MaxActive
	// connections are in use and Wait is false.
	ErrPoolExhausted = errors.New("redigo: connection pool exhausted")

	errPoolClosed   = errors.New("redigo: get on closed pool")
	errConnClosed   = errors.New("redigo: connection closed")
	errNoPoolDialer = errors.New("redigo: must pass Dial or DialContext to pool")
)

// Pool maintains a pool of connections. Set its fields before first use and
// do not change them after; the zero value with Dial set is a usable pool.
//
// A connection from Get or GetContext goes back to the pool when the
// application calls its Close, in the state it was dialed in: an open
// transaction is discarded, WATCHes are dropped, subscriptions are ended
// and their messages drained. A connection whose state cannot be restored
// (SELECT of another database, MONITOR, CLIENT REPLY OFF or SKIP, HELLO of
// another protocol, AUTH, RESET), or that is broken, is closed instead.
type Pool struct {
	// Dial creates a connection. DialContext takes precedence when set.
	Dial func() (Conn, error)

	// DialContext creates a connection with the context given to GetContext.
	DialContext func(ctx context.Context) (Conn, error)

	// TestOnBorrow, when set, checks an idle connection before it is handed
	// out; lastUsed is when it went back to the pool. A connection failing
	// the test is closed. TestOnBorrowContext takes precedence when set.
	TestOnBorrow func(c Conn, lastUsed time.Time) error

	// TestOnBorrowContext is TestOnBorrow with the context given to
	// GetContext.
	TestOnBorrowContext func(ctx context.Context, c Conn, lastUsed time.Time) error

	// MaxIdle is the maximum number of idle connections kept.
	MaxIdle int

	// MaxActive is the maximum number of connections, idle or in use;
	// zero means no limit.
	MaxActive int

	// IdleTimeout closes connections idle for longer than this; zero means
	// they are never closed for being idle.
	IdleTimeout time.Duration

	// Wait makes Get wait for a connection to be returned when MaxActive
	// connections are in use, instead of failing with ErrPoolExhausted.
	Wait bool

	// MaxConnLifetime closes connections older than this; zero means no
	// limit.
	MaxConnLifetime time.Duration

	// TraceOptions are the observability options of the pool's own metrics
	// and spans (pool waits, connection counts, redis.pool.get).
	TraceOptions TraceOptions

	obsOnce sync.Once
	obs     *observability.Client

	mu            sync.Mutex
	gaugeRecorded time.Time       // when the connection counts were last recorded
	gaugeTimer    *time.Timer     // a recording of the counts is scheduled
	reused        int             // idle connections handed out, not yet recorded
	waits         []time.Duration // waits for a connection, not yet recorded
	closed        bool
	active        int // connections open: idle or in use
	initOnce      sync.Once
	ch            chan struct{} // a token per free slot when Wait && MaxActive > 0
	idle          idleList
	waitCount     int64
	waitDuration  time.Duration
}

// NewPool creates a pool.
//
// Deprecated: Initialize the Pool directly as shown in the package example.
func NewPool(newFn func() (Conn, error), maxIdle int) *Pool {
	return &Pool{Dial: newFn, MaxIdle: maxIdle}
}

// PoolStats are the statistics of a pool.
type PoolStats struct {
	// ActiveCount is the number of connections open, idle or in use.
	ActiveCount int
	// IdleCount is the number of idle connections.
	IdleCount int
	// WaitCount is the number of Gets that had to wait for a connection.
	WaitCount int64
	// WaitDuration is the total time those Gets waited.
	WaitDuration time.Duration
}

// Stats returns the pool's statistics.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{
		ActiveCount:  p.active,
		IdleCount:    p.idle.count,
		WaitCount:    p.waitCount,
		WaitDuration: p.waitDuration,
	}
}

// ActiveCount returns the number of connections open, idle or in use.
func (p *Pool) ActiveCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active
}

// IdleCount returns the number of idle connections.
func (p *Pool) IdleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle.count
}

// Get returns a connection. It never returns nil: on failure the returned
// connection's methods return the error.
func (p *Pool) Get() Conn {
	c, _ := p.GetContext(context.Background())
	return c
}

// GetWithContext is the original OpenCensus fork's Get: the connection
// carries ctx, and the commands it runs are children of ctx's span. ctx
// bounds the wait for a connection, not the commands.
func (p *Pool) GetWithContext(ctx context.Context) Conn {
	c, err := p.get(ctx)
	if err != nil {
		return errorConn{err}
	}
	c.ctx = context.WithoutCancel(ctx)
	return c
}

// GetContext returns a connection, waiting (when Wait is set) and dialing
// within ctx. On failure it returns the error and a connection whose
// methods return it.
func (p *Pool) GetContext(ctx context.Context) (Conn, error) {
	c, err := p.get(ctx)
	if err != nil {
		return errorConn{err}, err
	}
	return c, nil
}

func (p *Pool) get(ctx context.Context) (*activeConn, error) {
	obs := p.observer()
	var record observability.PoolGet
	waited, err := p.waitVacantConn(ctx, &ctx, &record)
	if err != nil {
		record.End(err, observability.KindPool)
		return nil, err
	}

	p.mu.Lock()
	if waited > 0 {
		p.waitCount++
		p.waitDuration += waited
		p.waitedFor(waited)
	}
	p.pruneIdle()

	// The most recently used idle connection first.
	for p.idle.front != nil {
		pc := p.idle.popFront()
		p.countsChanged()
		p.mu.Unlock()
		reason := p.unusable(ctx, pc)
		if reason == "" {
			p.connReused()
			record.End(nil, "")
			return &activeConn{p: p, pc: pc}, nil
		}
		p.closeConn(pc.c, reason)
		p.mu.Lock()
		p.active--
		p.countsChanged()
	}

	if p.closed {
		p.mu.Unlock()
		obs.PoolError(observability.DetailClosed)
		record.End(errPoolClosed, observability.KindPool)
		return nil, errPoolClosed
	}
	if !p.Wait && p.MaxActive > 0 && p.active >= p.MaxActive {
		p.mu.Unlock()
		obs.PoolError(observability.DetailExhausted)
		record.End(ErrPoolExhausted, observability.KindPool)
		return nil, ErrPoolExhausted
	}
	p.active++
	p.countsChanged()
	p.mu.Unlock()

	if record == (observability.PoolGet{}) {
		ctx, record = obs.BeginPoolGet(ctx)
	}
	c, err := p.dial(ctx)
	if err != nil {
		p.mu.Lock()
		p.active--
		p.countsChanged()
		p.releaseSlot()
		p.mu.Unlock()
		record.End(err, observability.KindDial)
		return nil, err
	}
	record.End(nil, "")
	return &activeConn{p: p, pc: &poolConn{c: c, created: nowFunc()}}, nil
}

// pruneIdle closes the connections idle for longer than IdleTimeout; they
// are at the back of the idle list. Called with p.mu held.
func (p *Pool) pruneIdle() {
	if p.IdleTimeout <= 0 {
		return
	}
	for n := p.idle.count; n > 0 && p.idle.back != nil; n-- {
		if !nowFunc().After(p.idle.back.returned.Add(p.IdleTimeout)) {
			return
		}
		pc := p.idle.popBack()
		p.mu.Unlock()
		p.closeConn(pc.c, observability.StateIdleTimeout)
		p.mu.Lock()
		p.active--
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

func (p *Pool) dial(ctx context.Context) (Conn, error) {
	switch {
	case p.DialContext != nil:
		return p.DialContext(ctx)
	case p.Dial != nil:
		return p.Dial()
	}
	return nil, errNoPoolDialer
}

// lazyInit creates the slot tokens on first use.
func (p *Pool) lazyInit() {
	p.initOnce.Do(func() {
		ch := make(chan struct{}, p.MaxActive)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed {
			close(ch)
		} else {
			for i := 0; i < p.MaxActive; i++ {
				ch <- struct{}{}
			}
		}
		p.ch = ch
	})
}

// waitVacantConn takes a slot token when the pool limits and waits. It
// returns how long it waited when it had to; a wait that ends with ctx is
// counted too, and takes no token. A wait starts the redis.pool.get span
// (in *record), and *ctx becomes its context.
func (p *Pool) waitVacantConn(ctx context.Context, spanCtx *context.Context, record *observability.PoolGet) (time.Duration, error) {
	if !p.Wait || p.MaxActive <= 0 {
		return 0, nil
	}
	p.lazyInit()

	select {
	case <-p.ch:
		return 0, nil // a free slot: no wait
	default:
	}
	*spanCtx, *record = p.observer().BeginPoolGet(ctx)
	start := nowFunc()
	select {
	case _, ok := <-p.ch:
		// Both cases may be ready at once and select picks either: a caller
		// whose context has ended gets the error, and the token goes back.
		if err := ctx.Err(); err != nil {
			if ok {
				p.mu.Lock()
				p.releaseSlot()
				p.mu.Unlock()
			}
			p.countCanceledWait(nowFunc().Sub(start))
			return 0, err
		}
		return waited(start), nil
	case <-ctx.Done():
		p.countCanceledWait(nowFunc().Sub(start))
		return 0, ctx.Err()
	}
}

// waited returns the time since start, at least 1ns so that it counts.
func waited(start time.Time) time.Duration {
	if d := nowFunc().Sub(start); d > 0 {
		return d
	}
	return 1
}

func (p *Pool) countCanceledWait(d time.Duration) {
	p.mu.Lock()
	p.waitCount++
	p.waitDuration += d
	p.waitedFor(d)
	p.mu.Unlock()
	p.observer().PoolError(observability.DetailWaitCanceled)
}

// releaseSlot gives a slot token back. Called with p.mu held.
func (p *Pool) releaseSlot() {
	if p.ch != nil && !p.closed {
		p.ch <- struct{}{}
	}
}

// put returns a connection to the idle list, or closes it when forceClose
// is set, the pool is closed or the idle list is full.
func (p *Pool) put(pc *poolConn, forceClose bool) {
	p.mu.Lock()
	reason := observability.StateBroken
	switch {
	case p.closed:
		reason = observability.StatePoolClosed
	case !forceClose:
		pc.returned = nowFunc()
		p.idle.pushFront(pc)
		if p.idle.count > p.MaxIdle {
			pc = p.idle.popBack()
			reason = observability.StatePoolFull
		} else {
			pc = nil
		}
	}
	if pc != nil {
		p.mu.Unlock()
		p.closeConn(pc.c, reason)
		p.mu.Lock()
		p.active--
	}
	p.countsChanged()
	p.releaseSlot()
	p.mu.Unlock()
}

// Close releases the pool's resources: idle connections are closed now,
// connections in use when they are returned.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.active -= p.idle.count
	pc := p.idle.front
	p.idle = idleList{}
	if p.ch != nil {
		close(p.ch)
	}
	if p.gaugeTimer != nil {
		p.gaugeTimer.Stop()
		p.gaugeTimer = nil
	}
	p.recordCounts(time.Now())
	p.mu.Unlock()
	for pc != nil {
		next := pc.next
		p.closeConn(pc.c, observability.StatePoolClosed)
		pc = next
	}
	return nil
}

// poolConn is a connection in the pool's care.
type poolConn struct {
	c          Conn
	created    time.Time
	returned   time.Time // when it last went back to the idle list
	next, prev *poolConn
}

// idleList holds idle connections, the most recently returned in front.
type idleList struct {
	count       int
	front, back *poolConn
}

func (l *idleList) pushFront(pc *poolConn) {
	pc.next, pc.prev = l.front, nil
	if l.count == 0 {
		l.back = pc
	} else {
		l.front.prev = pc
	}
	l.front = pc
	l.count++
}

func (l *idleList) popFront() *poolConn {
	pc := l.front
	l.count--
	if l.count == 0 {
		l.front, l.back = nil, nil
	} else {
		pc.next.prev = nil
		l.front = pc.next
	}
	pc.next, pc.prev = nil, nil
	return pc
}

func (l *idleList) popBack() *poolConn {
	pc := l.back
	l.count--
	if l.count == 0 {
		l.front, l.back = nil, nil
	} else {
		pc.prev.next = nil
		l.back = pc.prev
	}
	pc.next, pc.prev = nil, nil
	return pc
}
