package redis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/internal/resp"
)

// conn is the connection to one server. One goroutine may send (Send,
// Flush) while another receives (Receive), as pub/sub does; the fields the
// two share are guarded by mu. The recorder (obs) is called twice per
// command, Start before the write and Finish with the reply or the error,
// and never with mu held.
type conn struct {
	netConn      net.Conn
	readTimeout  time.Duration
	writeTimeout time.Duration
	db           int // the database dialed
	obs          *observability.Conn

	// Writer side.
	bw            *resp.Writer
	writeDeadline time.Time // last deadline set on netConn for writing
	replyMode     commandinfo.ReplyMode

	// Reader side.
	br           *resp.Reader
	readDeadline time.Time // last deadline set on netConn for reading
	lastReads    uint64    // br.Reads() when lastArrival was taken
	lastArrival  int64     // when the bytes of the last timed reply arrived

	// watch interrupts the I/O of calls whose context ends (ctxwatch.go).
	watch       ctxWatch
	watching    atomic.Bool // watch is registered on a context
	readStale   atomic.Bool // a watch forced a past deadline: set the read deadline anew
	writeStale  atomic.Bool // likewise for the write deadline
	fireWatchFn func()      // c.fireWatch, made once so that watching allocates no closure

	failed  atomic.Bool // err is set: lets calls check without the mutex
	mu      sync.Mutex
	err     error     // set once: the connection is broken or closed
	pending callQueue // commands awaiting their reply, oldest first
	opened  bool      // handed to the application: its close is counted
}

// NewConn returns a connection for an existing network connection. A nil
// netConn gives a connection whose calls fail.
func NewConn(netConn net.Conn, readTimeout, writeTimeout time.Duration) Conn {
	if netConn == nil {
		return errorConn{errNewConnNil}
	}
	c := newConn(netConn, readTimeout, writeTimeout, defaultClient, peerOf(netConn, "", 0))
	c.opened = true
	return c
}

var errNewConnNil = errors.New("redigo: NewConn of a nil net.Conn")

// defaultClient records the connections made by NewConn.
var defaultClient = observability.NewClient(observability.Options{})

func newConn(netConn net.Conn, readTimeout, writeTimeout time.Duration, client *observability.Client, peer observability.Peer) *conn {
	c := &conn{
		netConn:      netConn,
		readTimeout:  readTimeout,
		writeTimeout: writeTimeout,
		bw:           resp.NewWriter(netConn),
		br:           resp.NewReader(netConn),
		obs:          client.NewConn(peer),
	}
	c.fireWatchFn = c.fireWatch
	return c
}

// peerOf describes the server end of netConn, dialed as address. The
// remote address is only a fallback: a net.Conn of the application's may
// have none, or a typed nil.
func peerOf(netConn net.Conn, address string, db int) observability.Peer {
	peer := observability.Peer{DB: db}
	if host, port, err := net.SplitHostPort(address); err == nil {
		peer.Address = host
		peer.Port, _ = strconv.Atoi(port)
	} else {
		peer.Address = address
	}
	if addr, ok := remoteAddr(netConn).(*net.TCPAddr); ok && addr != nil {
		peer.IP = addr.IP.String()
		if peer.Address == "" {
			peer.Address, peer.Port = peer.IP, addr.Port
		}
	}
	return peer
}

// remoteAddr returns netConn.RemoteAddr(), or nil when it panics (a
// wrapper around a nil connection).
func remoteAddr(netConn net.Conn) (addr net.Addr) {
	defer func() {
		if recover() != nil {
			addr = nil
		}
	}()
	return netConn.RemoteAddr()
}

var errClosed = errors.New("redigo: closed")

// aLongTimeAgo is a deadline in the past: setting it makes blocked I/O on
// the net.Conn return immediately.
var aLongTimeAgo = time.Unix(1, 0)

func (c *conn) forceDeadline() { c.netConn.SetDeadline(aLongTimeAgo) }

// abortIO forces the connection's blocked I/O to return, for a call whose
// context ended; its method value allocates once per call.
func (c *conn) abortIO() {
	c.readStale.Store(true)
	c.writeStale.Store(true)
	c.forceDeadline()
}

func (c *conn) Close() error { return c.closeFor(observability.StateClient) }

// CloseContext closes the connection; ctx is not needed to close a plain
// connection.
func (c *conn) CloseContext(ctx context.Context) error { return c.Close() }

// closeFor closes the connection, counting the close under reason (a pool
// closes its connections for the reasons of the state tag). Commands still
// awaiting a reply fail with net.ErrClosed.
func (c *conn) closeFor(reason string) error {
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return err
	}
	c.setErr(errClosed)
	if c.watch.users == 0 {
		c.unwatchLocked()
	}
	calls := c.pending.takeAll()
	opened := c.opened
	err := c.netConn.Close()
	c.mu.Unlock()
	c.finishAll(calls, net.ErrClosed, observability.OpRead)
	if opened {
		c.obs.Client().ConnClosed(reason)
	}
	c.obs.Close()
	return err
}

// setErr breaks the connection. Called with c.mu held.
func (c *conn) setErr(err error) {
	c.err = err
	c.failed.Store(true)
}

func (c *conn) Err() error {
	if !c.failed.Load() {
		return nil
	}
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
	if c.err != nil {
		c.mu.Unlock()
		return err
	}
	c.setErr(err)
	c.netConn.Close()
	if c.watch.users == 0 {
		c.unwatchLocked()
	}
	calls := c.pending.takeAll()
	opened := c.opened
	c.mu.Unlock()
	c.finishAll(calls, err, op)
	if opened {
		c.obs.Client().ConnClosed(observability.StateBroken)
	}
	c.obs.Close()
	return err
}

func (c *conn) finishAll(calls []observability.Call, err error, op observability.Op) {
	for i := range calls {
		c.obs.Finish(&calls[i], observability.Result{Err: err, Op: op})
	}
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
	if t.IsZero() && c.writeDeadline.IsZero() && !c.writeStale.Load() {
		return nil
	}
	c.writeStale.Store(false)
	c.writeDeadline = t
	if err := c.netConn.SetWriteDeadline(t); err != nil {
		return err
	}
	return interrupted(ctx)
}

// setReadDeadline sets the deadline of the reads of a call in ctx.
func (c *conn) setReadDeadline(ctx context.Context, t time.Time) error {
	if t.IsZero() && c.readDeadline.IsZero() && !c.readStale.Load() {
		return nil
	}
	c.readStale.Store(false)
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
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		// Past the deadline, before the context's timer says so.
		return context.DeadlineExceeded
	}
	return nil
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
	var call observability.Call
	answered, err := c.writeCall(ctx, &call, cmd, args)
	if answered {
		c.queue(&call)
	}
	return c.end(g, err, observability.OpWrite)
}

// queue adds a written command to those awaiting a reply. A connection
// broken meanwhile will not read it: the call ends at once.
func (c *conn) queue(call *observability.Call) {
	c.mu.Lock()
	broken := c.err != nil
	if !broken {
		c.pending.push(call)
	}
	c.mu.Unlock()
	if broken {
		c.obs.Finish(call, observability.Result{Err: net.ErrClosed, Op: observability.OpRead})
	}
}

// writeCall buffers a command (a large buffer is written out on the way,
// hence the deadline) and starts its call in *call; it reports whether a
// reply is due, for the caller to queue the call or keep it. A call that
// fails here, or that expects no reply (replies are off), has ended.
func (c *conn) writeCall(ctx context.Context, call *observability.Call, cmd string, args []interface{}) (bool, error) {
	c.obs.Start(ctx, call, cmd, args)
	t, ok := deadline(ctx, c.writeTimeout)
	if !ok {
		return false, c.writeFailed(call, context.DeadlineExceeded)
	}
	if err := c.setWriteDeadline(ctx, t); err != nil {
		return false, c.writeFailed(call, err)
	}
	n, keyLen, err := c.bw.WriteCommand(cmd, args, call.KeyIndex())
	if err != nil {
		return false, c.writeFailed(call, err)
	}
	call.Written(n, keyLen)
	answered, mode := call.Command().Replies(args, c.replyMode)
	c.replyMode = mode
	if !answered {
		c.obs.Finish(call, observability.Result{NoReply: true})
	}
	return answered, nil
}

func (c *conn) writeFailed(call *observability.Call, err error) error {
	c.obs.Finish(call, observability.Result{Err: err, Op: observability.OpWrite})
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
func (c *conn) readReply() (interface{}, error) { return c.readReplyOf(nil) }

// readReplyOf reads a reply and completes own with it, or, with own nil,
// the oldest pending command.
func (c *conn) readReplyOf(own *observability.Call) (interface{}, error) {
	reply, wire, payload, err := c.br.ReadReply()
	if err != nil {
		return nil, err
	}
	reply = fromWire(reply)
	var errMsg string
	if e, ok := reply.(Error); ok {
		errMsg = string(e)
	}
	call := own
	if call == nil {
		c.mu.Lock()
		popped, ok := c.pending.pop()
		c.mu.Unlock()
		if !ok {
			popped = observability.PushCall
		}
		call = &popped
	}
	res := observability.Result{Reply: reply, ErrMsg: errMsg, Read: wire, Payload: payload}
	if call.Timed() {
		res.Arrived = c.arrival()
	}
	c.obs.Finish(call, res)
	return reply, nil
}

// arrival returns when the last reply read arrived: now if reading it took
// data from the network, else when the data it came from was read. The
// replies of a pipeline arrive together, and one clock read serves them.
func (c *conn) arrival() int64 {
	if reads := c.br.Reads(); reads != c.lastReads || c.lastArrival == 0 {
		c.lastReads, c.lastArrival = reads, observability.Now()
	}
	return c.lastArrival
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
// While replies are off (CLIENT REPLY OFF), cmd expects none and Do
// returns nil after reading the replies still due. cmd's call is not
// queued: do keeps it, and ends it itself if the connection breaks.
func (c *conn) do(ctx context.Context, timeout time.Duration, cmd string, args []interface{}) (interface{}, error) {
	if err := c.begin(ctx, observability.OpWrite); err != nil {
		return nil, err
	}
	c.mu.Lock()
	earlier := c.pending.len()
	c.mu.Unlock()
	if cmd == "" && earlier == 0 && c.bw.Buffered() == 0 {
		return nil, nil
	}

	g := c.guard(ctx)
	var own observability.Call
	var ownDue bool // own awaits its reply
	var err error
	fail := func(err error, op observability.Op) (interface{}, error) {
		err = c.end(g, err, op)
		if ownDue {
			c.obs.Finish(&own, observability.Result{Err: err, Op: op})
		}
		return nil, err
	}
	if cmd != "" {
		ownDue, err = c.writeCall(ctx, &own, cmd, args)
	}
	if err == nil {
		err = c.flushBuffer(ctx)
	}
	if err != nil {
		return fail(err, observability.OpWrite)
	}
	if earlier > 0 || ownDue {
		if err = c.readDeadlineFor(ctx, timeout); err != nil {
			return fail(err, observability.OpRead)
		}
	}

	if cmd == "" {
		replies := make([]interface{}, earlier)
		for i := range replies {
			if replies[i], err = c.readReply(); err != nil {
				return fail(err, observability.OpRead)
			}
		}
		if err := c.end(g, nil, observability.OpRead); err != nil {
			return nil, err
		}
		return replies, nil
	}

	var reply interface{}
	var replyErr error
	keep := func(r interface{}) {
		reply = r
		if e, ok := r.(Error); ok && replyErr == nil {
			replyErr = e
		}
	}
	for i := 0; i < earlier; i++ {
		r, err := c.readReply()
		if err != nil {
			return fail(err, observability.OpRead)
		}
		keep(r)
	}
	if ownDue {
		r, err := c.readReplyOf(&own)
		if err != nil {
			return fail(err, observability.OpRead)
		}
		ownDue = false
		keep(r)
	}
	if err := c.end(g, nil, observability.OpRead); err != nil {
		return nil, err
	}
	return reply, replyErr
}

// idleClean reports whether the connection holds no command awaiting a
// reply and no unread bytes: a reply nobody asked for (a duplicate from a
// faulty proxy) would otherwise answer the next command.
func (c *conn) idleClean() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending.len() == 0 && c.br.Buffered() == 0
}

// hasPending reports whether commands were sent whose replies are unread.
func (c *conn) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending.len() > 0
}

// callQueue is a ring buffer of the calls awaiting a reply.
type callQueue struct {
	calls      []observability.Call
	head, size int
}

func (q *callQueue) len() int { return q.size }

func (q *callQueue) push(call *observability.Call) {
	if q.size == len(q.calls) {
		grown := make([]observability.Call, max(8, 2*len(q.calls)))
		for i := 0; i < q.size; i++ {
			grown[i] = q.calls[(q.head+i)%len(q.calls)]
		}
		q.calls, q.head = grown, 0
	}
	q.calls[(q.head+q.size)%len(q.calls)] = *call
	q.size++
}

func (q *callQueue) pop() (observability.Call, bool) {
	if q.size == 0 {
		return observability.Call{}, false
	}
	call := q.calls[q.head]
	q.calls[q.head] = observability.Call{}
	q.head = (q.head + 1) % len(q.calls)
	q.size--
	return call, true
}

// takeAll removes and returns every pending call.
func (q *callQueue) takeAll() []observability.Call {
	if q.size == 0 {
		return nil
	}
	out := make([]observability.Call, 0, q.size)
	for q.size > 0 {
		call, _ := q.pop()
		out = append(out, call)
	}
	return out
}
