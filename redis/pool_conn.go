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
	stateUnrestorable
)

// activeConn is a connection handed out by a pool. It tracks the state the
// application's commands change so that Close can restore it.
type activeConn struct {
	p     *Pool
	pc    *poolConn       // nil once closed
	ctx   context.Context // from GetWithContext: the parent of its spans
	state connState
}

// track records the state change of a command once it was sent: err is
// the call's error. A command refused because its context had already
// ended was not written (the connection is still usable), so it changed
// nothing; any other failure broke the connection, which is closed anyway.
func (ac *activeConn) track(c Conn, cmd string, args []interface{}, err error) {
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
	if effect&commandinfo.LeaveMulti != 0 {
		ac.state &^= stateMulti
	}
	if effect&commandinfo.Unwatching != 0 {
		ac.state &^= stateWatch
	}
	if effect&commandinfo.EnterPubSub != 0 {
		ac.state |= stateSubscribed
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

// context is the context of a call without its own: the one given to
// GetWithContext, or none.
func (ac *activeConn) context() context.Context {
	if ac.ctx != nil {
		return ac.ctx
	}
	return context.Background()
}

func (ac *activeConn) Close() error { return ac.CloseContext(ac.context()) }

// CloseContext restores the connection's state and returns it to the pool;
// the commands it sends for that are children of ctx's span.
func (ac *activeConn) CloseContext(ctx context.Context) error {
	pc := ac.pc
	if pc == nil {
		return nil
	}
	ac.pc = nil

	var err error
	if ac.state&stateUnrestorable == 0 && pc.c.Err() == nil && ac.needsCleanup(pc.c) {
		err = ac.restore(ctx, pc.c)
	}
	ac.p.put(pc, ac.state != 0 || pc.c.Err() != nil)
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
// undo.
func (ac *activeConn) restore(ctx context.Context, c Conn) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()

	switch {
	case ac.state&stateMulti != 0:
		sendContext(c, ctx, "DISCARD")
		ac.state &^= stateMulti | stateWatch
	case ac.state&stateWatch != 0:
		sendContext(c, ctx, "UNWATCH")
		ac.state &^= stateWatch
	}
	if ac.state&stateSubscribed != 0 {
		if unsubscribeAll(ctx, c) == nil {
			ac.state &^= stateSubscribed
		}
	}
	_, err := doContextOrPlain(c, ctx, "")
	return err
}

// unsubscribeAll leaves subscribed mode and reads replies up to an ECHO of
// a random sentinel, which the server only answers once every
// subscription has ended.
func unsubscribeAll(ctx context.Context, c Conn) error {
	var raw [16]byte
	rand.Read(raw[:])
	sentinel := []byte(hex.EncodeToString(raw[:]))
	for _, cmd := range []string{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"} {
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
				continue // e.g. SUNSUBSCRIBE unknown to an older server
			}
			return err
		}
		if p, ok := reply.([]byte); ok && bytes.Equal(p, sentinel) {
			return nil
		}
	}
}

func (ac *activeConn) Err() error {
	pc := ac.pc
	if pc == nil {
		return errConnClosed
	}
	return pc.c.Err()
}

func (ac *activeConn) Do(cmd string, args ...interface{}) (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	var reply interface{}
	var err error
	if ac.ctx != nil {
		reply, err = doContextOrPlain(pc.c, ac.ctx, cmd, args...)
	} else {
		reply, err = pc.c.Do(cmd, args...)
	}
	ac.track(pc.c, cmd, args, err)
	return reply, err
}

func (ac *activeConn) DoWithTimeout(timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	reply, err := DoWithTimeout(pc.c, timeout, cmd, args...)
	ac.track(pc.c, cmd, args, err)
	return reply, err
}

func (ac *activeConn) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	reply, err := DoContext(pc.c, ctx, cmd, args...)
	ac.track(pc.c, cmd, args, err)
	return reply, err
}

func (ac *activeConn) Send(cmd string, args ...interface{}) error {
	pc := ac.pc
	if pc == nil {
		return errConnClosed
	}
	var err error
	if ac.ctx != nil {
		err = sendContext(pc.c, ac.ctx, cmd, args...)
	} else {
		err = pc.c.Send(cmd, args...)
	}
	ac.track(pc.c, cmd, args, err)
	return err
}

func (ac *activeConn) SendContext(ctx context.Context, cmd string, args ...interface{}) error {
	pc := ac.pc
	if pc == nil {
		return errConnClosed
	}
	err := sendContext(pc.c, ctx, cmd, args...)
	ac.track(pc.c, cmd, args, err)
	return err
}

func (ac *activeConn) Flush() error {
	pc := ac.pc
	if pc == nil {
		return errConnClosed
	}
	if ac.ctx != nil {
		return flushContext(pc.c, ac.ctx)
	}
	return pc.c.Flush()
}

func (ac *activeConn) FlushContext(ctx context.Context) error {
	pc := ac.pc
	if pc == nil {
		return errConnClosed
	}
	return flushContext(pc.c, ctx)
}

func (ac *activeConn) Receive() (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	if ac.ctx != nil {
		return receiveContext(pc.c, ac.ctx)
	}
	return pc.c.Receive()
}

func (ac *activeConn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	return ReceiveWithTimeout(pc.c, timeout)
}

func (ac *activeConn) ReceiveContext(ctx context.Context) (interface{}, error) {
	pc := ac.pc
	if pc == nil {
		return nil, errConnClosed
	}
	return ReceiveContext(pc.c, ctx)
}

// errorConn is the connection a pool hands out when it cannot provide one.
type errorConn struct{ err error }

func (ec errorConn) Do(string, ...interface{}) (interface{}, error) { return nil, ec.err }
func (ec errorConn) DoWithTimeout(time.Duration, string, ...interface{}) (interface{}, error) {
	return nil, ec.err
}
func (ec errorConn) DoContext(context.Context, string, ...interface{}) (interface{}, error) {
	return nil, ec.err
}
func (ec errorConn) Send(string, ...interface{}) error                         { return ec.err }
func (ec errorConn) SendContext(context.Context, string, ...interface{}) error { return ec.err }
func (ec errorConn) Err() error                                                { return ec.err }
func (ec errorConn) Close() error                                              { return nil }
func (ec errorConn) CloseContext(context.Context) error                        { return nil }
func (ec errorConn) Flush() error                                              { return ec.err }
func (ec errorConn) FlushContext(context.Context) error                        { return ec.err }
func (ec errorConn) Receive() (interface{}, error)                             { return nil, ec.err }
func (ec errorConn) ReceiveWithTimeout(time.Duration) (interface{}, error) {
	return nil, ec.err
}
func (ec errorConn) ReceiveContext(context.Context) (interface{}, error) { return nil, ec.err }
