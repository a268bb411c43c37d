package redis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/internal/resp"
)

// conn is the connection to one server. One goroutine may send (Send,
// Flush) while another receives (Receive), as pub/sub does; the fields the
// two share are guarded by mu.
type conn struct {
	netConn      net.Conn
	readTimeout  time.Duration
	writeTimeout time.Duration
	db           int

	// Writer side.
	bw            *resp.Writer
	writeDeadline time.Time // last deadline set on netConn for writing

	// Reader side.
	br           *resp.Reader
	readDeadline time.Time // last deadline set on netConn for reading

	// abortIO, run by context.AfterFunc when a call's context ends, makes
	// the blocked read or write return at once; a method value made once so
	// that watching a context allocates no closure.
	abortIO func()

	mu     sync.Mutex
	obs    *observability.Conn // records commands; holds those awaiting a reply
	err    error               // set once: the connection is broken or closed
	opened bool                // handed to the application: its close is counted
}

// NewConn returns a connection for an existing network connection.
func NewConn(netConn net.Conn, readTimeout, writeTimeout time.Duration) Conn {
	c := newConn(netConn, readTimeout, writeTimeout, defaultClient, peerOf(netConn, "", 0))
	c.opened = true
	return c
}

// defaultClient records the connections made by NewConn.
var defaultClient = observability.NewClient(observability.Options{})

func newConn(netConn net.Conn, readTimeout, writeTimeout time.Duration, client *observability.Client, peer observability.Peer) *conn {
	c := &conn{
		netConn:      netConn,
		readTimeout:  readTimeout,
		writeTimeout: writeTimeout,
		bw:           resp.NewWriter(netConn),
		br:           resp.NewReader(netConn),
	}
	c.obs = client.NewConn(peer, &c.mu)
	c.abortIO = c.forceDeadline
	return c
}

// peerOf describes the server end of netConn, dialed as address.
func peerOf(netConn net.Conn, address string, db int) observability.Peer {
	peer := observability.Peer{DB: db}
	if host, port, err := net.SplitHostPort(address); err == nil {
		peer.Address = host
		peer.Port, _ = strconv.Atoi(port)
	} else {
		peer.Address = address
	}
	if addr, ok := netConn.RemoteAddr().(*net.TCPAddr); ok {
		peer.IP = addr.IP.String()
		if peer.Address == "" {
			peer.Address, peer.Port = peer.IP, addr.Port
		}
	}
	return peer
}

var errClosed = errors.New("redigo: closed")

// aLongTimeAgo is a deadline in the past: setting it makes blocked I/O on
// the net.Conn return immediately.
var aLongTimeAgo = time.Unix(1, 0)

func (c *conn) forceDeadline() { c.netConn.SetDeadline(aLongTimeAgo) }

func (c *conn) Close() error { return c.closeFor(observability.StateClient) }

// CloseContext closes the connection; ctx is not needed to close a plain
// connection.
func (c *conn) CloseContext(ctx context.Context) error { return c.Close() }

// closeFor closes the connection, counting the close under reason (a pool
// closes its connections for the reasons of the state tag).
func (c *conn) closeFor(reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.err = errClosed
	c.obs.Abort(net.ErrClosed, observability.OpRead)
	if c.opened {
		c.obs.Client().ConnClosed(reason)
	}
	return c.netConn.Close()
}

func (c *conn) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	return err
}

// fatal marks the connection broken and closes it, so that no later call can
// read a reply meant for an earlier one. The commands awaiting replies fail
// with err, which happened in op.
func (c *conn) fatal(err error, op observability.Op) error {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
		c.netConn.Close()
		c.obs.Abort(err, op)
		if c.opened {
			c.obs.Client().ConnClosed(observability.StateBroken)
		}
	}
	c.mu.Unlock()
	return err
}

// ioGuard ties one call's I/O to its context without a goroutine: when the
// context ends, abortIO forces the blocked I/O to return.
type ioGuard struct {
	ctx  context.Context
	stop func() bool
}

func (c *conn) guard(ctx context.Context) ioGuard {
	g := ioGuard{ctx: ctx}
	if ctx.Done() != nil {
		g.stop = context.AfterFunc(ctx, c.abortIO)
	}
	return g
}

// end releases the guard. It returns the context's error when the context
// ended during the call, in which case err, whatever it was, is replaced:
// the call was interrupted and the connection is broken. A non-nil err
// (from op) breaks the connection.
func (c *conn) end(g ioGuard, err error, op observability.Op) error {
	if g.stop != nil && !g.stop() {
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

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func contextError(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.Canceled
}

// deadline returns the earlier of ctx's deadline and now+timeout; zero means
// none. ok is false when ctx's deadline has already passed.
func deadline(ctx context.Context, timeout time.Duration) (t time.Time, ok bool) {
	d, hasDeadline := ctx.Deadline()
	if timeout == 0 && !hasDeadline {
		return time.Time{}, true
	}
	now := time.Now()
	if hasDeadline && !d.After(now) {
		return d, false
	}
	if timeout != 0 {
		if t = now.Add(timeout); hasDeadline && d.Before(t) {
			t = d
		}
		return t, true
	}
	return d, true
}

// setWriteDeadline sets the deadline of the writes of a call in ctx.
func (c *conn) setWriteDeadline(ctx context.Context, t time.Time) error {
	if t.IsZero() && c.writeDeadline.IsZero() {
		return nil
	}
	c.writeDeadline = t
	if err := c.netConn.SetWriteDeadline(t); err != nil {
		return err
	}
	return interrupted(ctx)
}

// setReadDeadline sets the deadline of the reads of a call in ctx.
func (c *conn) setReadDeadline(ctx context.Context, t time.Time) error {
	if t.IsZero() && c.readDeadline.IsZero() {
		return nil
	}
	c.readDeadline = t
	if err := c.netConn.SetReadDeadline(t); err != nil {
		return err
	}
	return interrupted(ctx)
}

// interrupted returns ctx's error once it has ended. A deadline set on the
// net.Conn may have replaced the past deadline with which abortIO
// interrupts a call; the context ends before abortIO runs, so checking it
// after setting the deadline misses no cancel.
func interrupted(ctx context.Context) error {
	if ctx.Done() == nil {
		return nil
	}
	return ctx.Err()
}

// begin checks that a call may start: the connection is usable and ctx has
// not ended. A call refused here has touched nothing, so the connection
// stays usable when only ctx is to blame.
func (c *conn) begin(ctx context.Context, op observability.Op) error {
	if err := c.Err(); err != nil {
		return c.closedError(op, err)
	}
	return ctx.Err()
}

// closedError is the error of a call on a broken or closed connection: as
// with upstream, the error of the write (or, to read, of setting the
// deadline) on the closed net.Conn, so that errors.Is(err, net.ErrClosed)
// and a timeout that broke the connection is not reported again as a
// timeout.
func (c *conn) closedError(op observability.Op, err error) error {
	var ioErr error
	if op == observability.OpRead {
		ioErr = c.netConn.SetReadDeadline(time.Time{})
	} else {
		_, ioErr = c.netConn.Write(nil)
	}
	if ioErr != nil {
		return ioErr
	}
	return err
}

func (c *conn) Send(cmd string, args ...interface{}) error {
	return c.send(context.Background(), cmd, args)
}

func (c *conn) SendContext(ctx context.Context, cmd string, args ...interface{}) error {
	return c.send(ctx, cmd, args)
}

func (c *conn) send(ctx context.Context, cmd string, args []interface{}) error {
	if err := c.begin(ctx, observability.OpWrite); err != nil {
		return err
	}
	g := c.guard(ctx)
	err := c.writeCommand(ctx, cmd, args)
	return c.end(g, err, observability.OpWrite)
}

// writeCommand buffers a command and queues it for its reply; a large
// buffer is written out on the way, hence the deadline.
func (c *conn) writeCommand(ctx context.Context, cmd string, args []interface{}) error {
	call := c.obs.Begin(ctx, cmd, args)
	t, ok := deadline(ctx, c.writeTimeout)
	if !ok {
		return c.failCall(call, context.DeadlineExceeded)
	}
	if err := c.setWriteDeadline(ctx, t); err != nil {
		return c.failCall(call, err)
	}
	n, keyLen, err := c.bw.WriteCommand(cmd, args, call.KeyIndex())
	if err != nil {
		return c.failCall(call, err)
	}
	call.Written(n, keyLen)
	c.mu.Lock()
	c.obs.Push(call)
	c.mu.Unlock()
	return nil
}

// failCall records a command that could not be written.
func (c *conn) failCall(call observability.Call, err error) error {
	c.mu.Lock()
	c.obs.Fail(call, err, observability.OpWrite)
	c.mu.Unlock()
	return err
}

func (c *conn) Flush() error { return c.flush(context.Background()) }

func (c *conn) FlushContext(ctx context.Context) error { return c.flush(ctx) }

func (c *conn) flush(ctx context.Context) error {
	if err := c.begin(ctx, observability.OpWrite); err != nil {
		return err
	}
	g := c.guard(ctx)
	err := c.flushBuffer(ctx)
	return c.end(g, err, observability.OpWrite)
}

func (c *conn) flushBuffer(ctx context.Context) error {
	if c.bw.Buffered() == 0 {
		return nil
	}
	t, ok := deadline(ctx, c.writeTimeout)
	if !ok {
		return context.DeadlineExceeded
	}
	if err := c.setWriteDeadline(ctx, t); err != nil {
		return err
	}
	return c.bw.Flush()
}

func (c *conn) Receive() (interface{}, error) {
	return c.receive(context.Background(), c.readTimeout)
}

func (c *conn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	return c.receive(context.Background(), timeout)
}

func (c *conn) ReceiveContext(ctx context.Context) (interface{}, error) {
	return c.receive(ctx, c.readTimeout)
}

func (c *conn) receive(ctx context.Context, timeout time.Duration) (interface{}, error) {
	if err := c.begin(ctx, observability.OpRead); err != nil {
		return nil, err
	}
	g := c.guard(ctx)
	var reply interface{}
	err := c.readDeadlineFor(ctx, timeout)
	if err == nil {
		reply, err = c.readReply()
	}
	if err = c.end(g, err, observability.OpRead); err != nil {
		return nil, err
	}
	if err, ok := reply.(Error); ok {
		return nil, err
	}
	return reply, nil
}

// readDeadlineFor sets the read deadline of the replies a call reads.
func (c *conn) readDeadlineFor(ctx context.Context, timeout time.Duration) error {
	t, ok := deadline(ctx, timeout)
	if !ok {
		return context.DeadlineExceeded
	}
	return c.setReadDeadline(ctx, t)
}

// readReply reads a reply and completes the oldest pending command with it.
// In pub/sub more replies arrive than commands were sent: a reply with no
// command pending is a push, and the connection is usable again after
// unsubscribing.
func (c *conn) readReply() (interface{}, error) {
	reply, wire, payload, err := c.br.ReadReply()
	if err != nil {
		return nil, err
	}
	reply = fromWire(reply)
	var errMsg string
	if e, ok := reply.(Error); ok {
		errMsg = string(e)
	}
	c.mu.Lock()
	c.obs.End(c.obs.Pop(), reply, wire, payload, errMsg)
	c.mu.Unlock()
	return reply, nil
}

// fromWire turns the codec's error replies, at any depth, into Error.
func fromWire(v interface{}) interface{} {
	switch v := v.(type) {
	case resp.Error:
		return Error(v)
	case []interface{}:
		for i, e := range v {
			switch e.(type) {
			case resp.Error, []interface{}:
				v[i] = fromWire(e)
			}
		}
	}
	return v
}

func (c *conn) Do(cmd string, args ...interface{}) (interface{}, error) {
	return c.do(context.Background(), c.readTimeout, cmd, args)
}

func (c *conn) DoWithTimeout(timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) {
	return c.do(context.Background(), timeout, cmd, args)
}

func (c *conn) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	return c.do(ctx, c.readTimeout, cmd, args)
}

// do writes cmd (unless it is ""), flushes, and reads the replies of every
// pending command and then cmd's. Do("") returns the pending replies as a
// slice; otherwise the last reply is returned with the first error reply.
func (c *conn) do(ctx context.Context, timeout time.Duration, cmd string, args []interface{}) (interface{}, error) {
	if err := c.begin(ctx, observability.OpWrite); err != nil {
		return nil, err
	}
	c.mu.Lock()
	pending := c.obs.Pending()
	c.mu.Unlock()
	if cmd == "" && pending == 0 {
		return nil, nil
	}

	g := c.guard(ctx)
	var err error
	if cmd != "" {
		err = c.writeCommand(ctx, cmd, args)
	}
	if err == nil {
		err = c.flushBuffer(ctx)
	}
	if err != nil {
		return nil, c.end(g, err, observability.OpWrite)
	}
	if err = c.readDeadlineFor(ctx, timeout); err != nil {
		return nil, c.end(g, err, observability.OpRead)
	}

	if cmd == "" {
		replies := make([]interface{}, pending)
		for i := range replies {
			if replies[i], err = c.readReply(); err != nil {
				return nil, c.end(g, err, observability.OpRead)
			}
		}
		if err := c.end(g, nil, observability.OpRead); err != nil {
			return nil, err
		}
		return replies, nil
	}

	var reply interface{}
	var replyErr error
	for i := 0; i <= pending; i++ {
		if reply, err = c.readReply(); err != nil {
			return nil, c.end(g, err, observability.OpRead)
		}
		if e, ok := reply.(Error); ok && replyErr == nil {
			replyErr = e
		}
	}
	if err := c.end(g, nil, observability.OpRead); err != nil {
		return nil, err
	}
	return reply, replyErr
}

// hasPending reports whether commands were sent whose replies are unread.
func (c *conn) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.obs.Pending() > 0
}
