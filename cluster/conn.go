package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/redis"
)

// Conn is a connection to a cluster. It holds at most one node
// connection at a time, chosen by the slot of the first key of the
// command it runs; between commands (nothing pending, no transaction,
// no WATCH, no subscription) it moves to the node serving the next
// command's key. Conn implements redis.Conn, redis.ConnWithTimeout and
// redis.ConnWithContext.
//
// As for redis.Conn, one goroutine may call Do, or one goroutine may
// send (Send, Flush) while another receives (Receive).
type Conn struct {
	cluster  *Cluster
	ctx      context.Context // from GetContext, never canceled; nil otherwise
	unpooled bool            // from Dial: node connections are dialed and closed

	mu      sync.Mutex
	node    *boundNode
	pending []entry // sent, reply not yet received, in order, from head on
	head    int
	unsent  []entry // keyless commands sent before any key bound the Conn
	closed  bool

	readOnly bool
	pick     int  // which replica of a shard this Conn reads from
	inMulti  bool // between MULTI and EXEC/DISCARD
	watching bool // between WATCH and EXEC/DISCARD/UNWATCH
	// sticky: the Conn never leaves its node again (subscribed, MONITOR,
	// SELECT, CLIENT REPLY, ...): the state cannot move with it.
	sticky    bool
	receiving int // Receive calls in progress

	maxRedirects int
	maxRetries   int
	backoff      time.Duration
}

// boundNode is the node connection a Conn holds.
type boundNode struct {
	addr    string
	conn    redis.Conn
	replica bool
}

// entry is one command a Conn sent, kept until its reply is read so that
// a redirection can replay it.
type entry struct {
	name   string
	args   []interface{}
	slot   int
	effect commandinfo.Effect
	// clean: sent with no connection state in effect, and changes none:
	// it may be replayed on another connection.
	clean bool
	// internal: READONLY sent by the Conn itself; its reply is not the
	// application's.
	internal bool
	addr     string // the node it was sent to
	failed   error  // not sent: the error its Receive returns
}

func (c *Conn) plain() call { return call{ctx: c.ctx} }

// Bind binds the connection to the node serving the slot of keys, which
// must all hash to one slot; with no key, to a random master. It fails
// when the connection is already bound or has run commands.
func (c *Conn) Bind(keys ...string) error {
	slot := noSlot
	for _, k := range keys {
		s := Slot(k)
		if slot != noSlot && s != slot {
			return fmt.Errorf("cluster: Bind: keys %q and %q hash to different slots (%d and %d)",
				keys[0], k, slot, s)
		}
		slot = s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errConnClosed
	}
	if c.node != nil || c.npending() > 0 || len(c.unsent) > 0 {
		return errors.New("cluster: Bind: connection already bound")
	}
	return c.bindFor(c.plain(), slot)
}

// ReadOnly makes the connection read from a replica of each slot's shard
// (sending READONLY first), or from the master when the shard has no
// healthy replica. Replicas may lag behind their master. A write sent to
// a replica is redirected to the master. It fails once the connection is
// bound.
func (c *Conn) ReadOnly() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errConnClosed
	}
	if c.node != nil || c.npending() > 0 || len(c.unsent) > 0 {
		return errors.New("cluster: ReadOnly: connection already bound")
	}
	c.readOnly = true
	return nil
}

// Addr returns the address of the node the connection is bound to, or ""
// when it is not bound.
func (c *Conn) Addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.node == nil {
		return ""
	}
	return c.node.addr
}

// Close returns the node connection to its pool (or closes it).
func (c *Conn) Close() error { return c.CloseContext(c.plain().context()) }

// CloseContext is Close; the spans of the commands a pool sends to clean
// the connection up are children of ctx's span.
func (c *Conn) CloseContext(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	node := c.node
	c.node, c.pending, c.head, c.unsent = nil, nil, 0, nil
	c.mu.Unlock()
	if node == nil {
		return nil
	}
	if cc, ok := node.conn.(redis.ConnWithContext); ok {
		return nodeError(node.addr, cc.CloseContext(ctx))
	}
	return nodeError(node.addr, node.conn.Close())
}

// Err returns a non-nil error when the connection is closed, or when its
// node connection is broken and the connection holds state (a
// transaction, WATCH, a subscription, replies pending) that cannot move
// to another node connection. A broken node connection without such
// state is replaced by the next command.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errConnClosed
	}
	if c.node == nil {
		return nil
	}
	if err := c.node.conn.Err(); err != nil && !c.canSwitch() {
		return nodeError(c.node.addr, err)
	}
	return nil
}

// Do sends a command and returns its reply, following redirections.
func (c *Conn) Do(name string, args ...interface{}) (interface{}, error) {
	return c.do(c.plain(), name, args)
}

// DoWithTimeout is Do with timeout as the read timeout.
func (c *Conn) DoWithTimeout(timeout time.Duration, name string, args ...interface{}) (interface{}, error) {
	return c.do(call{ctx: c.ctx, timeout: timeout}, name, args)
}

// DoContext is Do bounded by ctx, whose span is the parent of each
// attempt's span.
func (c *Conn) DoContext(ctx context.Context, name string, args ...interface{}) (interface{}, error) {
	return c.do(call{ctx: ctx}, name, args)
}

// Send writes a command to the node connection's buffer. A command with
// no key sent before any command with one waits in the Conn until a key
// (or Flush) chooses the node. The Conn keeps args until the command's
// reply is read, to replay it after a redirection: do not modify them
// before.
func (c *Conn) Send(name string, args ...interface{}) error {
	return c.send(c.plain(), name, args)
}

// SendContext is Send; the command's span is a child of ctx's span.
func (c *Conn) SendContext(ctx context.Context, name string, args ...interface{}) error {
	return c.send(call{ctx: ctx}, name, args)
}

// Flush writes the buffered commands.
func (c *Conn) Flush() error { return c.flush(c.plain()) }

// FlushContext is Flush bounded by ctx.
func (c *Conn) FlushContext(ctx context.Context) error { return c.flush(call{ctx: ctx}) }

// Receive reads the reply of the oldest pending command, following its
// redirection if it got one.
func (c *Conn) Receive() (interface{}, error) { return c.receive(c.plain()) }

// ReceiveWithTimeout is Receive with timeout as the read timeout.
func (c *Conn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	return c.receive(call{ctx: c.ctx, timeout: timeout})
}

// ReceiveContext is Receive bounded by ctx.
func (c *Conn) ReceiveContext(ctx context.Context) (interface{}, error) {
	return c.receive(call{ctx: ctx})
}

// newEntry describes a command about to be sent; the connection state it
// changes is applied by apply once it is sent.
func (c *Conn) newEntry(name string, args []interface{}) entry {
	info := commandinfo.Lookup(name)
	effect := info.Effect(args)
	return entry{
		name:   name,
		args:   args,
		slot:   commandSlot(info, args),
		effect: effect,
		clean:  !c.inMulti && !c.watching && !c.sticky && effect == commandinfo.EffectNone,
	}
}

// apply records the connection state e changes. Called with c.mu held.
func (c *Conn) apply(e *entry) {
	switch ef := e.effect; {
	case ef == commandinfo.EffectNone:
	case ef&(commandinfo.EnterPubSub|commandinfo.Unrestorable|commandinfo.SelectDB) != 0:
		c.sticky = true
		fallthrough
	default:
		if ef&commandinfo.EnterMulti != 0 {
			c.inMulti = true
		}
		if ef&commandinfo.LeaveMulti != 0 {
			c.inMulti = false
		}
		if ef&commandinfo.Watching != 0 {
			c.watching = true
		}
		if ef&commandinfo.Unwatching != 0 {
			c.watching = false
		}
	}
}

// canSwitch reports whether the Conn may leave its node connection for
// another: nothing pending and no state bound to it. Called with c.mu
// held.
func (c *Conn) canSwitch() bool {
	return !c.inMulti && !c.watching && !c.sticky && c.receiving == 0 &&
		c.npending() == 0 && len(c.unsent) == 0
}

// npending is the number of replies pending. Called with c.mu held.
func (c *Conn) npending() int { return len(c.pending) - c.head }

// push queues e's reply. Called with c.mu held.
func (c *Conn) push(e entry) { c.pending = append(c.pending, e) }

// pop takes the oldest pending entry. Called with c.mu held.
func (c *Conn) pop() (entry, bool) {
	if c.head == len(c.pending) {
		return entry{}, false
	}
	e := c.pending[c.head]
	c.pending[c.head] = entry{} // let go of its arguments
	c.head++
	if c.head == len(c.pending) {
		c.pending, c.head = c.pending[:0], 0 // reuse the array
	}
	return e, true
}

// target returns the node for slot: its master, or a replica when the
// Conn reads from replicas. A command with no key stays on the bound
// node, or goes to a random master.
func (c *Conn) target(l *layout, slot int) (addr string, replica bool) {
	if slot == noSlot {
		if c.node != nil {
			return c.node.addr, c.node.replica
		}
		masters := l.masters()
		if len(masters) == 0 {
			return "", false
		}
		return masters[rand.Intn(len(masters))], false
	}
	if c.readOnly {
		if reps := l.replicas(slot); len(reps) > 0 {
			return reps[c.pick%len(reps)], true
		}
	}
	return l.master(slot), false
}

// errNotSent marks a failure that happened before the command was
// written (no node for the slot, a failed dial or pool wait): retrying it
// cannot run it twice.
type errNotSent struct{ err error }

func (e errNotSent) Error() string { return e.err.Error() }
func (e errNotSent) Unwrap() error { return e.err }

func unwrapNotSent(err error) error {
	if err == nil {
		return nil
	}
	var ns errNotSent
	if errors.As(err, &ns) {
		return ns.err
	}
	return err
}

// bindFor makes sure the Conn holds a node connection fit for slot,
// moving to the slot's node when it may. Called with c.mu held.
func (c *Conn) bindFor(cl call, slot int) error {
	if c.node != nil {
		if !c.canSwitch() {
			return nil // stay; the node's errors will tell
		}
		if c.node.conn.Err() == nil {
			if slot == noSlot {
				return nil
			}
			l := c.cluster.current.Load()
			if addr, _ := c.target(l, slot); addr == "" || addr == c.node.addr {
				return nil
			}
		}
		c.release()
	}
	l, err := c.cluster.layoutFor(cl.context())
	if err != nil {
		return errNotSent{err}
	}
	addr, replica := c.target(l, slot)
	if addr == "" {
		c.cluster.triggerRefresh()
		return errNotSent{errNoNode(slot)}
	}
	return c.bindTo(cl, addr, replica)
}

// bindTo takes a node connection to addr. Called with c.mu held.
func (c *Conn) bindTo(cl call, addr string, replica bool) error {
	if c.node != nil {
		c.release()
	}
	conn, err := c.cluster.nodeConn(cl.context(), addr, c.unpooled)
	if err != nil {
		c.cluster.triggerRefresh()
		return errNotSent{err}
	}
	c.node = &boundNode{addr: addr, conn: conn, replica: replica}
	if replica {
		// Pipelined with the first command: no round trip of its own.
		e := entry{name: "READONLY", slot: noSlot, internal: true, addr: addr}
		if err := cl.send(conn, "READONLY", nil); err != nil {
			e.failed = nodeError(addr, err)
		}
		c.push(e)
	}
	return nil
}

// release gives the node connection back. Called with c.mu held.
func (c *Conn) release() {
	node := c.node
	c.node = nil
	if err := node.conn.Close(); err != nil && c.cluster.BgError != nil {
		c.cluster.BgError(RetryCloseConn, nodeError(node.addr, err))
	}
}

// writeUnsent writes the keyless commands that waited for a node, binding
// to a random master if no key came. Called with c.mu held.
func (c *Conn) writeUnsent(cl call) {
	if len(c.unsent) == 0 {
		return
	}
	unsent := c.unsent
	c.unsent = nil
	var bindErr error
	if c.node == nil {
		bindErr = c.bindFor(cl, noSlot)
	}
	for _, e := range unsent {
		if bindErr != nil {
			e.failed = unwrapNotSent(bindErr)
		} else {
			e.addr = c.node.addr
			if err := cl.send(c.node.conn, e.name, e.args); err != nil {
				e.failed = nodeError(e.addr, err)
			}
		}
		c.push(e)
	}
}

func (c *Conn) do(cl call, name string, args []interface{}) (interface{}, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errConnClosed
	}
	if name == "" && c.npending() == 0 && len(c.unsent) == 0 {
		c.mu.Unlock()
		return nil, nil
	}
	if name != "" && c.npending() == 0 && len(c.unsent) == 0 {
		// The common case: one command, nothing pending.
		e := c.newEntry(name, args)
		err := c.bindFor(cl, e.slot)
		if err == nil && c.npending() == 0 {
			node := c.node
			e.addr = node.addr
			c.apply(&e)
			c.mu.Unlock()
			reply, err := cl.do(node.conn, name, args)
			if needsRecovery(err) && e.clean {
				return c.recover(cl, &e, err, true)
			}
			return reply, c.failed(node.addr, err)
		}
		c.mu.Unlock()
		if err != nil {
			if e.clean {
				return c.recover(cl, &e, err, true)
			}
			return nil, unwrapNotSent(err)
		}
		// A READONLY went first: the general path reads both replies.
	} else {
		c.mu.Unlock()
	}

	if name != "" {
		_ = c.send(cl, name, args) // a failure is the command's reply
	}
	if err := c.flush(cl); err != nil {
		return nil, err
	}
	c.mu.Lock()
	n := 0
	for _, e := range c.pending[c.head:] {
		if !e.internal {
			n++
		}
	}
	c.mu.Unlock()
	if name == "" {
		replies := make([]interface{}, n)
		for i := range replies {
			r, err := c.receive(cl)
			if err != nil {
				var re redis.Error
				if !errors.As(err, &re) {
					return nil, err
				}
				r = re
			}
			replies[i] = r
		}
		return replies, nil
	}
	var reply interface{}
	var firstErr error
	for i := 0; i < n; i++ {
		r, err := c.receive(cl)
		if err != nil {
			var re redis.Error
			if !errors.As(err, &re) {
				return nil, err
			}
			if firstErr == nil {
				firstErr = err
			}
			r = re
		}
		reply = r
	}
	return reply, firstErr
}

func (c *Conn) send(cl call, name string, args []interface{}) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errConnClosed
	}
	e := c.newEntry(name, args)
	if c.node == nil && e.slot == noSlot {
		c.unsent = append(c.unsent, e)
		c.apply(&e)
		return nil
	}
	if err := c.bindFor(cl, e.slot); err != nil {
		// Keep the reply's place: its Receive returns the error.
		c.writeUnsent(cl)
		e.failed = unwrapNotSent(err)
		c.push(e)
		return e.failed
	}
	c.writeUnsent(cl)
	e.addr = c.node.addr
	err := cl.send(c.node.conn, name, args)
	if err != nil {
		e.failed = nodeError(e.addr, err)
	}
	c.push(e)
	c.apply(&e)
	return e.failed
}

func (c *Conn) flush(cl call) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errConnClosed
	}
	c.writeUnsent(cl)
	node := c.node
	c.mu.Unlock()
	if node == nil {
		return nil
	}
	return c.failed(node.addr, cl.flush(node.conn))
}

func (c *Conn) receive(cl call) (interface{}, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, errConnClosed
		}
		c.writeUnsent(cl)
		e, ok := c.pop()
		if ok && e.failed != nil {
			c.mu.Unlock()
			if e.internal {
				continue
			}
			return nil, e.failed
		}
		if c.node == nil {
			// Nothing sent: a Receive first binds to a random master,
			// as for reading pushed messages.
			if err := c.bindFor(cl, noSlot); err != nil {
				c.mu.Unlock()
				return nil, unwrapNotSent(err)
			}
		}
		node := c.node
		c.receiving++
		c.mu.Unlock()

		reply, err := cl.receive(node.conn)

		c.mu.Lock()
		c.receiving--
		c.mu.Unlock()
		if ok && e.internal {
			if err != nil && !isServerError(err) {
				return nil, c.failed(node.addr, err)
			}
			continue // READONLY's own reply
		}
		if ok && e.clean && needsRecovery(err) {
			return c.recover(cl, &e, err, false)
		}
		return reply, c.failed(node.addr, err)
	}
}

// failed returns err as the application sees it. A MOVED that was not
// followed (in a transaction, say) still updates the slot map, and a node
// that could not be reached (it may have failed) starts a refresh.
func (c *Conn) failed(addr string, err error) error {
	if err == nil {
		return nil
	}
	err = unwrapNotSent(err)
	if isServerError(err) {
		if r := ParseRedir(err); r != nil && r.Type == "MOVED" && c.cluster.moved(r.NewSlot, r.Addr) {
			c.cluster.triggerRefresh()
		}
		return err
	}
	if addr == "" {
		return err
	}
	c.cluster.triggerRefresh()
	return nodeError(addr, err)
}

func isServerError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}
