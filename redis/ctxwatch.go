package redis

import (
	"context"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// A call bounded by a context must return when the context ends, without
// a goroutine per call: a context.AfterFunc forces a past deadline on the
// net.Conn, which makes the blocked read or write return. Registering one
// costs two allocations, more than the rest of a pipelined call, and an
// application calls with the same context many times in a row (a request's
// calls, a pipeline's Sends and Receives). So the connection keeps one
// watch registered on the context of its last calls and reuses it while
// they come with that context; a call with another context replaces it
// once no call is using it, and a call with another context while one is
// (pub/sub: Receive and Send on two goroutines) gets a watch of its own.
//
// A watch forces the deadline only while calls are under it: one that
// fires between calls does nothing (the next call in its context is
// refused, its context having ended).

// ctxWatch is the connection's cached watch; guarded by the conn's mu.
type ctxWatch struct {
	ctx   context.Context // nil when none is registered
	stop  func() bool
	users int  // calls in progress under the watch
	fired bool // it interrupted its users
}

// ioGuard is what one call holds of the context machinery.
type ioGuard struct {
	ctx    context.Context
	shared bool        // under the connection's watch
	stop   func() bool // a watch of the call's own, when the shared one was busy
}

// fireWatch runs when the watched context ends. It may run late, for a
// watch since replaced: it acts only if the current watch's context has
// ended and calls are under it. The deadline is forced with c.mu held, so
// that no call of another context can start in between.
func (c *conn) fireWatch() {
	c.mu.Lock()
	w := &c.watch
	if w.ctx != nil && w.ctx.Err() != nil && w.users > 0 {
		w.fired = true
		c.abortIO()
	}
	c.mu.Unlock()
}

// guard ties a call in ctx to the context's end.
func (c *conn) guard(ctx context.Context) ioGuard {
	g := ioGuard{ctx: ctx}
	done := ctx.Done() != nil
	if !done && !c.watching.Load() {
		return g // nothing to watch, nothing watched
	}
	c.mu.Lock()
	w := &c.watch
	switch {
	case w.users > 0 && w.ctx == ctx:
		w.users++
		g.shared = true
	case w.users > 0:
		if done {
			g.stop = context.AfterFunc(ctx, c.abortIO)
		}
	default:
		if w.ctx != ctx {
			c.unwatchLocked()
		}
		if done {
			if w.ctx == nil {
				w.ctx, w.stop = ctx, context.AfterFunc(ctx, c.fireWatchFn)
				c.watching.Store(true)
			}
			w.users++
			g.shared = true
		}
	}
	c.mu.Unlock()
	return g
}

// unwatchLocked removes the watch. Called with c.mu held and no call under
// the watch: a late fireWatch finds another watch, or none, and does
// nothing.
func (c *conn) unwatchLocked() {
	w := &c.watch
	if w.ctx == nil {
		return
	}
	w.stop()
	w.ctx, w.stop, w.fired = nil, nil, false
	c.watching.Store(false)
}

// releaseWatch drops the watch, so that an idle connection keeps no
// context of a finished request alive.
func (c *conn) releaseWatch() {
	if !c.watching.Load() {
		return
	}
	c.mu.Lock()
	if c.watch.users == 0 {
		c.unwatchLocked()
	}
	c.mu.Unlock()
}

// interruptedBy reports whether the context of a call ended during it.
func (c *conn) interruptedBy(g ioGuard) bool {
	switch {
	case g.shared:
		c.mu.Lock()
		c.watch.users--
		fired := c.watch.fired
		c.mu.Unlock()
		return fired
	case g.stop != nil:
		return !g.stop()
	}
	return false
}

// end releases the guard. It returns the context's error when the context
// ended during the call, in which case err, whatever it was, is replaced:
// the call was interrupted and the connection is broken. A non-nil err
// (from op) breaks the connection.
func (c *conn) end(g ioGuard, err error, op observability.Op) error {
	if c.interruptedBy(g) {
		return c.fatal(contextError(g.ctx), op)
	}
	if err != nil {
		if ctxErr := g.ctx.Err(); ctxErr != nil {
			return c.fatal(ctxErr, op)
		}
		if d, ok := g.ctx.Deadline(); ok && isTimeout(err) && !time.Now().Before(d) {
			// The context's deadline, applied to the net.Conn, expired a
			// moment before the context noticed.
			return c.fatal(context.DeadlineExceeded, op)
		}
		return c.fatal(err, op)
	}
	return nil
}
