package redis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/observability"
)

// cleanupTimeout bounds the commands a pooled connection sends to restore
// its state on Close; a connection that cannot be restored in time (after
// CLIENT REPLY OFF slipped through, or with a flood of pub/sub messages) is
// closed instead.
var cleanupTimeout = 5 * time.Second

// connState is the connection state a pooled connection must undo.
type connState uint8

const (
	stateMulti connState = 1 << iota
	stateWatch
	stateSubscribed
	stateShardSubscribed // SSUBSCRIBE: SUNSUBSCRIBE too (Redis 7 and later)
	stateUnrestorable
)

// activeConn is a connection handed out by a pool. It tracks the state the
// application's commands change so that Close can restore it.
type activeConn struct {
	p   *Pool
	pc  *poolConn       // nil once closed
	ctx context.Context // the parent of the spans of its plain calls, or nil
	// detached is the context of GetContext without its deadline and
	// cancellation, kept here so that making it allocates nothing.
	detached detachedContext
	state    connState
}

// track records the state change of a command once it was sent: err is
// the call's error, replied whether its reply was read (Do) rather than
// left for later (Send). A command refused because its context had already
// ended was not written (the connection is still usable), so it changed
// nothing; any other failure broke the connection, which is closed anyway.
// State is entered as soon as a command is sent, but left only when the
// server said yes: an EXEC or UNWATCH refused, or whose reply is not read
// yet, leaves the state for Close to clean up.
func (ac *activeConn) track(c Conn, cmd string, args []interface{}, err error, replied bool) {
	ci := commandinfo.Lookup(cmd)
	if ci.Flags == 0 {
		return
	}
	if (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && c.Err() == nil {
		return
	}
	effect := ci.Effect(args)
	if effect&commandinfo.EnterMulti != 0 {
		ac.state |= stateMulti
	}
	if effect&commandinfo.Watching != 0 {
		ac.state |= stateWatch
	}
	if replied && err == nil {
		if effect&commandinfo.LeaveMulti != 0 {
			ac.state &^= stateMulti
		}
		if effect&commandinfo.Unwatching != 0 {
			ac.state &^= stateWatch
		}
	}
	if effect&commandinfo.EnterPubSub != 0 {
		ac.state |= stateSubscribed
		if ci.Name == "SSUBSCRIBE" {
			ac.state |= stateShardSubscribed
		}
	}
	if effect&commandinfo.Unrestorable != 0 ||
		effect&commandinfo.SelectDB != 0 && !ac.selectsDialedDB(c, args) {
		ac.state |= stateUnrestorable
	}
}

// selectsDialedDB reports whether SELECT args go back to the database the
// connection was dialed with, which is known for this package's connections
// only.
func (ac *activeConn) selectsDialedDB(pc Conn, args []interface{}) bool {
	c, ok := pc.(*conn)
	if !ok || len(args) != 1 {
		return false
	}
	var db int64
	var err error
	switch a := args[0].(type) {
	case int:
		db = int64(a)
	case int64:
		db = a
	case string:
		db, err = strconv.ParseInt(a, 10, 64)
	case []byte:
		db, err = strconv.ParseInt(string(a), 10, 64)
	default:
		return false
	}
	return err == nil && db == int64(c.db)
}

// detach makes ctx, without its deadline and cancellation, the parent of
// the connection's plain calls.
func (ac *activeConn) detach(ctx context.Context) {
	ac.detached.parent = ctx
	ac.ctx = &ac.detached
}

// detachedContext is a context's values without its deadline and
// cancellation, as context.WithoutCancel makes, in a value of ours.
type detachedContext struct{ parent context.Context }

func (*detachedContext) Deadline() (time.Time, bool)         { return time.Time{}, false }
func (*detachedContext) Done() <-chan struct{}               { return nil }
func (*detachedContext) Err() error                          { return nil }
func (d *detachedContext) Value(key interface{}) interface{} { return d.parent.Value(key) }

// context is the context of a call without its own: the one given to
// GetWithContext, or none.
func (ac *activeConn) context() context.Context {
	if ac.ctx != nil {
		return ac.ctx
	}
	return context.Background()
}

func (ac *activeConn) Close() error { return ac.CloseContext(ac.context()) }

// CloseContext restores the connection's state and returns it to the pool.
// The commands it sends for that are the pool's housekeeping: they are not
// counted as the application's and start no spans; a cleanup that fails
// closes the connection (connections_closed, state cleanup_failed).
func (ac *activeConn) CloseContext(ctx context.Context) error {
	pc := ac.pc
	if pc == nil {
		return nil
	}
	ac.pc = nil

	reason := ""
	var err error
	switch {
	case pc.c.Err() != nil, ac.state&stateUnrestorable != 0:
		reason = observability.StateBroken
	case ac.needsCleanup(pc.c):
		if err = ac.restore(ctx, pc.c); err != nil || ac.state != 0 {
			reason = observability.StateCleanupFailed
		}
	}
	if c, ok := pc.c.(*conn); ok && reason == "" {
		c.releaseWatch()
		if !c.idleClean() {
			reason = observability.StateBroken // a reply nobody asked for
		}
	}
	ac.p.put(pc, reason)
	return err
}

// needsCleanup reports whether Close has commands to send or replies to
// read. For this package's connections it knows; others get upstream's
// unconditional Do("").
func (ac *activeConn) needsCleanup(c Conn) bool {
	if ac.state != 0 {
		return true
	}
	if c, ok := c.(*conn); ok {
		return c.hasPending()
	}
	return true
}

// restore ends transactions and subscriptions and reads every pending
// reply, all within cleanupTimeout. It leaves in ac.state what it could not
// undo. A connection of the application's that has neither context nor
// timeout methods is cleaned up on a goroutine of its own, and closed when
// the time is up: nothing else can interrupt its calls.
func (ac *activeConn) restore(ctx context.Context, c Conn) error {
	ctx, cancel := context.WithTimeout(observability.Housekeeping(context.WithoutCancel(ctx)), cleanupTimeout)
	defer cancel()
	if boundable(c) {
		return ac.restoreWithin(ctx, c)
	}
	done := make(chan error, 1)
	state := ac.state
	go func() {
		cleaner := activeConn{state: state}
		err := cleaner.restoreWithin(ctx, c)
		state = cleaner.state
		done <- err
	}()
	select {
	case err := <-done:
		ac.state = state
		return err
	case <-ctx.Done():
		c.Close() // unblocks the cleanup's read, for a connection on a net.Conn
		return ctx.Err()
	}
}

// boundable reports whether the calls of c can be bounded by a context or
// a timeout.
func boundable(c Conn) bool {
	switch c.(type) {
	case *conn, ConnWithContext, ConnWithTimeout:
		return true
	}
	return false
}

func (ac *activeConn) restoreWithin(ctx context.Context, c Conn) error {
	switch {
	case ac.state&stateMulti != 0:
		sendContext(c, ctx, "DISCARD")
		ac.state &^= stateMulti | stateWatch
	case ac.state&stateWatch != 0:
		sendContext(c, ctx, "UNWATCH")
		ac.state &^= stateWatch
	}
	if ac.state&stateSubscribed != 0 {
		if unsubscribeAll(ctx, c, ac.state&stateShardSubscribed != 0) == nil {
			ac.state &^= stateSubscribed | stateShardSubscribed
		}
	}
	_, err := doContextOrPlain(c, ctx, "")
	return err
}

// unsubscribeAll leaves subscribed mode and reads replies up to an ECHO of
// a random sentinel, which the server only answers once every
// subscription has ended. SUNSUBSCRIBE is sent only after SSUBSCRIBE: a
// server older than Redis 7 refuses it.
func unsubscribeAll(ctx context.Context, c Conn, sharded bool) error {
	var raw [16]byte
	rand.Read(raw[:])
	sentinel := []byte(hex.EncodeToString(raw[:]))
	cmds := []string{"UNSUBSCRIBE", "PUNSUBSCRIBE"}
	if sharded {
		cmds = append(cmds, "SUNSUBSCRIBE")
	}
	for _, cmd := range cmds {
		if err := sendContext(c, ctx, cmd); err != nil {
			return err
		}
	}
	if err := sendContext(c, ctx, "ECHO", sentinel); err != nil {
		return err
	}
	if err := flushContext(c, ctx); err != nil {
		return err
	}
	for {
		reply, err := receiveContext(c, ctx)
		if err != nil {
			if _, ok := err.(Error); ok {
				continue
			}
			return err
		}
		if p, ok := reply.([]byte); ok && bytes.Equal(p, sentinel) {
			return nil
		}
	}
}

// live returns the connection under ac, or errConnClosed once the
// application has closed ac.
func (ac *activeConn) live() (Conn, error) {
	if ac.pc == nil {
		return nil, errConnClosed
	}
	return ac.pc.c, nil
}

func (ac *activeConn) Err() error {
	c, err := ac.live()
	if err != nil {
		return err
	}
	return c.Err()
}

// Every call below runs on the connection under ac (with ac.ctx as the
// parent of the spans of plain calls), and tracks what the command changes
// in the connection's state.

func (ac *activeConn) Do(cmd string, args ...interface{}) (interface{}, error) {
	return ac.doWith(func(c Conn) (interface{}, error) {
		if ac.ctx != nil {
			return doContextOrPlain(c, ac.ctx, cmd, args...)
		}
		return c.Do(cmd, args...)
	}, cmd, args)
}

func (ac *activeConn) DoWithTimeout(timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) {
	return ac.doWith(func(c Conn) (interface{}, error) { return DoWithTimeout(c, timeout, cmd, args...) }, cmd, args)
}

func (ac *activeConn) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	return ac.doWith(func(c Conn) (interface{}, error) { return DoContext(c, ctx, cmd, args...) }, cmd, args)
}

func (ac *activeConn) doWith(call func(Conn) (interface{}, error), cmd string, args []interface{}) (interface{}, error) {
	c, err := ac.live()
	if err != nil {
		return nil, err
	}
	reply, err := call(c)
	ac.track(c, cmd, args, err, true)
	return reply, err
}

func (ac *activeConn) Send(cmd string, args ...interface{}) error {
	return ac.sendWith(func(c Conn) error {
		if ac.ctx != nil {
			return sendContext(c, ac.ctx, cmd, args...)
		}
		return c.Send(cmd, args...)
	}, cmd, args)
}

func (ac *activeConn) SendContext(ctx context.Context, cmd string, args ...interface{}) error {
	return ac.sendWith(func(c Conn) error { return sendContext(c, ctx, cmd, args...) }, cmd, args)
}

func (ac *activeConn) sendWith(call func(Conn) error, cmd string, args []interface{}) error {
	c, err := ac.live()
	if err != nil {
		return err
	}
	err = call(c)
	ac.track(c, cmd, args, err, false)
	return err
}

func (ac *activeConn) Flush() error {
	c, err := ac.live()
	if err != nil {
		return err
	}
	if ac.ctx != nil {
		return flushContext(c, ac.ctx)
	}
	return c.Flush()
}

func (ac *activeConn) FlushContext(ctx context.Context) error {
	c, err := ac.live()
	if err != nil {
		return err
	}
	return flushContext(c, ctx)
}

func (ac *activeConn) Receive() (interface{}, error) {
	c, err := ac.live()
	if err != nil {
		return nil, err
	}
	if ac.ctx != nil {
		return receiveContext(c, ac.ctx)
	}
	return c.Receive()
}

func (ac *activeConn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	c, err := ac.live()
	if err != nil {
		return nil, err
	}
	return ReceiveWithTimeout(c, timeout)
}

func (ac *activeConn) ReceiveContext(ctx context.Context) (interface{}, error) {
	c, err := ac.live()
	if err != nil {
		return nil, err
	}
	return ReceiveContext(c, ctx)
}

// errorConn stands in for a connection that could not be had (a failed
// pool Get, NewConn of nil): every call fails with err, and Close, having
// nothing to release, succeeds.
type errorConn struct{ err error }

func (ec errorConn) Err() error                         { return ec.err }
func (ec errorConn) Close() error                       { return nil }
func (ec errorConn) CloseContext(context.Context) error { return nil }
func (ec errorConn) Flush() error                       { return ec.err }
func (ec errorConn) FlushContext(context.Context) error { return ec.err }

func (ec errorConn) Send(string, ...interface{}) error { return ec.err }

func (ec errorConn) SendContext(context.Context, string, ...interface{}) error { return ec.err }

func (ec errorConn) Do(string, ...interface{}) (interface{}, error) { return ec.reply() }

func (ec errorConn) DoContext(context.Context, string, ...interface{}) (interface{}, error) {
	return ec.reply()
}

func (ec errorConn) DoWithTimeout(time.Duration, string, ...interface{}) (interface{}, error) {
	return ec.reply()
}

func (ec errorConn) Receive() (interface{}, error) { return ec.reply() }

func (ec errorConn) ReceiveContext(context.Context) (interface{}, error) { return ec.reply() }

func (ec errorConn) ReceiveWithTimeout(time.Duration) (interface{}, error) { return ec.reply() }

func (ec errorConn) reply() (interface{}, error) { return nil, ec.err }
