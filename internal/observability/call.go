package observability

import (
	"context"
	"sync"
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

// Command returns the command's table entry.
func (c *Call) Command() *commandinfo.Command { return c.cmd }

// commandMetricsOn reports whether a view uses a measure of commands.
func commandMetricsOn() bool {
	return float64Subscribed(redigo.MRoundtripLatencyMilliseconds) ||
		int64Subscribed(redigo.MBytesWritten) || int64Subscribed(redigo.MBytesRead) ||
		int64Subscribed(redigo.MWrites) || int64Subscribed(redigo.MReads) ||
		int64Subscribed(redigo.MKeyLength) || int64Subscribed(redigo.MValueLength)
}

// maxBatch bounds the measurements kept before they are recorded.
const maxBatch = 512

// Conn records the commands of one connection. Its FIFO matches pipelined
// commands with their replies. It is not safe for concurrent use: the
// connection guards it with its mutex.
type Conn struct {
	client *Client
	peer   Peer

	attrsOnce sync.Once
	attrs     []trace.Attribute // of every command span

	fifo       []Call // ring buffer of commands awaiting their reply
	head, size int

	batchCtx context.Context // tags of the measurements in batch
	batch    []stats.Measurement
	writes   int64 // commands and replies in batch, recorded as one
	reads    int64 // measurement each
}

// NewConn returns the recorder of a connection to peer.
func (c *Client) NewConn(peer Peer) *Conn {
	return &Conn{client: c, peer: peer}
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
	if o.client.rootSpans || trace.FromContext(ctx) != nil {
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
// reply, or "". Measurements are batched until no command is pending, so a
// pipeline is recorded at once.
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
	if o.size == 0 || len(o.batch) >= maxBatch {
		o.Flush()
	}
}

func (o *Conn) add(call Call, reply interface{}, wire, payload int) {
	ctx := o.client.names.command(call.cmd)
	if o.batchCtx != ctx {
		o.Flush()
		o.batchCtx = ctx
	}
	if o.batch == nil {
		o.batch = make([]stats.Measurement, 0, 8)
	}
	if call.cmd != commandinfo.Push {
		o.batch = append(o.batch,
			redigo.MRoundtripLatencyMilliseconds.M(float64(time.Since(call.start))/float64(time.Millisecond)),
			redigo.MBytesWritten.M(int64(call.written)))
		o.writes++
		if call.keyLen >= 0 {
			o.batch = append(o.batch, redigo.MKeyLength.M(int64(call.keyLen)))
		}
	}
	o.batch = append(o.batch, redigo.MBytesRead.M(int64(wire)))
	o.reads++
	switch reply.(type) {
	case []byte, []interface{}, nil:
		o.batch = append(o.batch, redigo.MValueLength.M(int64(payload)))
	}
}

// Flush records the batched measurements.
func (o *Conn) Flush() {
	if o.writes == 0 && o.reads == 0 && len(o.batch) == 0 {
		return
	}
	ms := o.batch
	if o.writes > 0 {
		ms = append(ms, redigo.MWrites.M(o.writes))
	}
	if o.reads > 0 {
		ms = append(ms, redigo.MReads.M(o.reads))
	}
	stats.Record(o.batchCtx, ms...)
	// The recorded slice now belongs to OpenCensus's worker.
	o.batch, o.writes, o.reads = nil, 0, 0
}

// Fail completes a call that got no reply because of err, which happened
// in op. A call that was written counts as a write.
func (o *Conn) Fail(call Call, err error, op Op) {
	kind, detail := Classify(err, op)
	if !call.start.IsZero() && call.written > 0 {
		ctx := o.client.names.command(call.cmd)
		if o.batchCtx != ctx {
			o.Flush()
			o.batchCtx = ctx
		}
		o.batch = append(o.batch, redigo.MBytesWritten.M(int64(call.written)))
		o.writes++
	}
	o.client.recordError(call.cmd.Name, kind, detail)
	if call.span != nil {
		o.endSpan(call, 0, kind, err.Error(), "")
	}
}

// Abort fails every pending call with err: the connection broke.
func (o *Conn) Abort(err error, op Op) {
	for o.size > 0 {
		o.Fail(o.Pop(), err, op)
	}
	o.Flush()
}

func (c *Client) recordError(cmd, kind, detail string) {
	if !int64Subscribed(redigo.MErrors) {
		return
	}
	stats.Record(tagKey{name: c.names.name, cmd: cmd, kind: kind, detail: detail}.context(), redigo.MErrors.M(1))
}

// Peer returns the server end of the connection.
func (o *Conn) Peer() Peer { return o.peer }
