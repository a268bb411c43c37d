package observability

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
	"go.opencensus.io/stats"
	"go.opencensus.io/trace"
)

// Call is one command, from its write (or Send) to its reply.
type Call struct {
	cmd     *commandinfo.Command
	start   time.Time // zero when no metric was on at the start
	written int       // bytes of the command on the wire
	keyLen  int       // length of the first key, -1 if none
	span    *trace.Span
}

// KeyIndex returns the position among the arguments of the command's first
// key, -1 if it has none, for the codec to measure.
func (c *Call) KeyIndex() int { return c.cmd.FirstKey }

// Written records what the codec measured while encoding the command.
func (c *Call) Written(n, keyLen int) {
	c.written = n
	if c.cmd.FirstKey >= 0 {
		c.keyLen = keyLen
	}
}

// commandMetricsOn reports whether a view uses a measure of commands.
func commandMetricsOn() bool {
	return float64Subscribed(redigo.MRoundtripLatencyMilliseconds) ||
		int64Subscribed(redigo.MBytesWritten) || int64Subscribed(redigo.MBytesRead) ||
		int64Subscribed(redigo.MWrites) || int64Subscribed(redigo.MReads) ||
		int64Subscribed(redigo.MKeyLength) || int64Subscribed(redigo.MValueLength)
}

// maxBatch bounds the measurements a connection keeps before recording
// them.
const maxBatch = 512

// flushInterval is how long a connection keeps the measurements of its
// commands before recording them. OpenCensus hands every recording to its
// worker goroutine, and waking it for each command costs more than the
// command itself on a busy machine; batching records a connection's
// commands a few times a second instead. Zero records them as soon as no
// command is pending (the replies of a pipeline at once).
var flushInterval atomic.Int64

func init() { flushInterval.Store(int64(100 * time.Millisecond)) }

// SetFlushInterval changes the flush interval of every connection and
// returns the previous one.
func SetFlushInterval(d time.Duration) time.Duration {
	return time.Duration(flushInterval.Swap(int64(d)))
}

// group holds the batched measurements of one tag context (name, command).
type group struct {
	ctx    context.Context
	ms     []stats.Measurement
	last   int   // measurements of the previous batch: the next one's capacity
	writes int64 // commands and replies, recorded as one measurement each
	reads  int64
}

// Conn records the commands of one connection. Its FIFO matches pipelined
// commands with their replies. It is not safe for concurrent use: the
// connection guards it with the mutex given to NewConn, which the flush
// timer takes too.
type Conn struct {
	client *Client
	peer   Peer
	mu     sync.Locker

	attrsOnce sync.Once
	attrs     []trace.Attribute // of every command span

	fifo       []Call // ring buffer of commands awaiting their reply
	head, size int

	groups  []group // batched measurements, by tag context
	batched int     // measurements in groups
	timer   *time.Timer
	timing  bool // the timer will flush the batch
}

// NewConn returns the recorder of a connection to peer; mu is the
// connection's mutex, under which every method is called.
func (c *Client) NewConn(peer Peer, mu sync.Locker) *Conn {
	return &Conn{client: c, peer: peer, mu: mu}
}

// Client returns the client the connection belongs to.
func (o *Conn) Client() *Client { return o.client }

// Begin starts the record of a command about to be written: the start of
// its latency and its span (when the context holds a parent span or the
// client asks for root spans).
func (o *Conn) Begin(ctx context.Context, name string, args []interface{}) Call {
	call := Call{cmd: commandinfo.Lookup(name), keyLen: -1}
	if commandMetricsOn() {
		call.start = time.Now()
	}
	if o.client.wantSpan(ctx) {
		call.span = o.startSpan(ctx, name, call.cmd, args)
	}
	return call
}

// Push queues a written command until its reply is read.
func (o *Conn) Push(call Call) {
	if o.size == len(o.fifo) {
		grown := make([]Call, max(8, 2*len(o.fifo)))
		for i := 0; i < o.size; i++ {
			grown[i] = o.fifo[(o.head+i)%len(o.fifo)]
		}
		o.fifo, o.head = grown, 0
	}
	o.fifo[(o.head+o.size)%len(o.fifo)] = call
	o.size++
}

// Pending returns the number of commands awaiting their reply.
func (o *Conn) Pending() int { return o.size }

// Pop returns the oldest command awaiting its reply; with none pending, the
// reply is a push (a pub/sub message, a MONITOR line) and Pop returns a
// call of the PUSH command.
func (o *Conn) Pop() Call {
	if o.size == 0 {
		return Call{cmd: commandinfo.Push, keyLen: -1}
	}
	call := o.fifo[o.head]
	o.fifo[o.head] = Call{}
	o.head = (o.head + 1) % len(o.fifo)
	o.size--
	return call
}

// End completes a call with its reply: wire and payload are the reply's
// bytes on the wire and of its bulk strings; errMsg is the text of an error
// reply, or "".
func (o *Conn) End(call Call, reply interface{}, wire, payload int, errMsg string) {
	measured := !call.start.IsZero() || call.cmd == commandinfo.Push && commandMetricsOn()
	if measured {
		o.add(call, reply, wire, payload)
	}
	if errMsg != "" {
		o.client.recordError(call.cmd.Name, KindServer, ServerDetail(errMsg))
	}
	if call.span != nil {
		o.endSpan(call, wire, KindServer, errMsg, ServerDetail(errMsg))
	}
	if measured {
		o.scheduleFlush()
	}
}

// group returns the batch of cmd's measurements.
func (o *Conn) group(cmd *commandinfo.Command) *group {
	ctx := o.client.names.command(cmd)
	for i := range o.groups {
		if o.groups[i].ctx == ctx {
			return &o.groups[i]
		}
	}
	o.groups = append(o.groups, group{ctx: ctx})
	return &o.groups[len(o.groups)-1]
}

func (o *Conn) add(call Call, reply interface{}, wire, payload int) {
	g := o.group(call.cmd)
	if g.ms == nil {
		// Each batch is handed to OpenCensus: size the next one like the
		// last, so that it rarely grows.
		g.ms = make([]stats.Measurement, 0, max(8, g.last+2))
	}
	n := len(g.ms)
	if call.cmd != commandinfo.Push {
		g.ms = append(g.ms,
			redigo.MRoundtripLatencyMilliseconds.M(millis(time.Since(call.start))),
			redigo.MBytesWritten.M(int64(call.written)))
		g.writes++
		if call.keyLen >= 0 {
			g.ms = append(g.ms, redigo.MKeyLength.M(int64(call.keyLen)))
		}
	}
	g.ms = append(g.ms, redigo.MBytesRead.M(int64(wire)))
	g.reads++
	switch reply.(type) {
	case []byte, []interface{}, nil:
		g.ms = append(g.ms, redigo.MValueLength.M(int64(payload)))
	}
	o.batched += len(g.ms) - n
}

// scheduleFlush records the batch when it is full, or when no command is
// pending with a zero FlushInterval; otherwise it makes sure the timer
// will.
func (o *Conn) scheduleFlush() {
	interval := time.Duration(flushInterval.Load())
	switch {
	case o.batched >= maxBatch, interval <= 0 && o.size == 0:
		o.Flush()
	case interval > 0 && !o.timing && o.batched > 0:
		o.timing = true
		if o.timer == nil {
			o.timer = time.AfterFunc(interval, o.flushOnTimer)
		} else {
			o.timer.Reset(interval)
		}
	}
}

func (o *Conn) flushOnTimer() {
	o.mu.Lock()
	o.timing = false
	o.Flush()
	o.mu.Unlock()
}

// Flush records the batched measurements, one recording per tag context.
func (o *Conn) Flush() {
	for i := range o.groups {
		g := &o.groups[i]
		if len(g.ms) == 0 && g.writes == 0 && g.reads == 0 {
			continue
		}
		ms := g.ms
		if g.writes > 0 {
			ms = append(ms, redigo.MWrites.M(g.writes))
		}
		if g.reads > 0 {
			ms = append(ms, redigo.MReads.M(g.reads))
		}
		stats.Record(g.ctx, ms...)
		// The recorded slice now belongs to OpenCensus's worker.
		g.last = len(g.ms)
		g.ms, g.writes, g.reads = nil, 0, 0
	}
	o.batched = 0
}

// Close records what is batched and stops the timer: the connection is
// closed.
func (o *Conn) Close() {
	o.Flush()
	if o.timer != nil {
		o.timer.Stop()
		o.timing = false
	}
}

// Fail completes a call that got no reply because of err, which happened
// in op. A call that was written counts as a write.
func (o *Conn) Fail(call Call, err error, op Op) {
	kind, detail := Classify(err, op)
	if !call.start.IsZero() && call.written > 0 {
		g := o.group(call.cmd)
		g.ms = append(g.ms, redigo.MBytesWritten.M(int64(call.written)))
		g.writes++
		o.batched++
	}
	o.client.recordError(call.cmd.Name, kind, detail)
	if call.span != nil {
		o.endSpan(call, 0, kind, err.Error(), "")
	}
}

// Abort fails every pending call with err and records the batch: the
// connection broke or was closed.
func (o *Conn) Abort(err error, op Op) {
	for o.size > 0 {
		o.Fail(o.Pop(), err, op)
	}
	o.Close()
}

func (c *Client) recordError(cmd, kind, detail string) {
	if !int64Subscribed(redigo.MErrors) {
		return
	}
	stats.Record(tagKey{name: c.names.name, cmd: cmd, kind: kind, detail: detail}.context(), redigo.MErrors.M(1))
}

// Peer returns the server end of the connection.
func (o *Conn) Peer() Peer { return o.peer }
