package observability

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
	"go.opencensus.io/stats"
	"go.opencensus.io/trace"
)

// Call is one command, from its write (or Send) to its reply. The
// connection keeps it, in the order of the replies it awaits, between the
// recorder's two calls: Start and Finish.
type Call struct {
	cmd     *commandinfo.Command
	start   int64 // monoNow at the start; 0 when no metric wanted it
	written int32 // bytes of the command on the wire
	keyLen  int32 // length of the first key, -1 if none
	db      int32 // SELECT's database, -1 for other commands
	hk      bool  // the pool's housekeeping: not the application's command
	span    *trace.Span
	secrets *[]string // secret arguments, to keep out of recorded error texts; rare, hence a pointer
}

// Command returns the command of the call.
func (c *Call) Command() *commandinfo.Command { return c.cmd }

// KeyIndex returns the position among the arguments of the command's first
// key, -1 if it has none, for the codec to measure.
func (c *Call) KeyIndex() int { return c.cmd.FirstKey }

// Written records what the codec measured while encoding the command.
func (c *Call) Written(n, keyLen int) {
	c.written = int32(min(n, 1<<31-1))
	if c.cmd.FirstKey >= 0 {
		c.keyLen = int32(min(keyLen, 1<<31-1))
	}
}

// PushCall is the call of a reply that arrives with no command pending.
var PushCall = Call{cmd: commandinfo.Push, keyLen: -1, db: -1}

// Result is how a call ended.
type Result struct {
	// Err is the I/O error (or the context's) that ended the call without
	// a reply; Op is where it happened.
	Err error
	Op  Op
	// Reply is the reply read, ErrMsg its text when it is an error reply.
	Reply  interface{}
	ErrMsg string
	// Read and Payload are the reply's bytes on the wire and of its bulk
	// strings.
	Read, Payload int
	// NoReply is set for a command the server will not answer (CLIENT
	// REPLY OFF): it ends once written.
	NoReply bool
	// Arrived is when the reply's bytes were read (Now), 0 for now: the
	// replies of a pipeline read from one buffer arrived together.
	Arrived int64
}

// Now is the recorder's clock, for Result.Arrived.
func Now() int64 { return monoNow() }

// Timed reports whether the call's latency is measured.
func (c *Call) Timed() bool { return c.start != 0 }

type housekeepingKey struct{}

// Housekeeping marks ctx as the pool's own: its commands are not counted
// as the application's and start no spans.
func Housekeeping(ctx context.Context) context.Context {
	return context.WithValue(ctx, housekeepingKey{}, true)
}

func isHousekeeping(ctx context.Context) bool {
	if ctx == context.Background() {
		return false
	}
	hk, _ := ctx.Value(housekeepingKey{}).(bool)
	return hk
}

// Binding states of a connection's recorder: a connection dialed without a
// name keeps its measurements until it knows its name (a pool's, or the
// default one at its first use).
const (
	bound   int32 = iota
	dialing       // dial in progress: measurements kept
	unnamed       // dialed without a name: bound at first use or by a pool
)

// Conn records the commands of one connection. Start and Finish may be
// called from the goroutines that send and receive, concurrently; neither
// takes the connection's mutex.
type Conn struct {
	client atomic.Pointer[Client]
	peer   Peer
	series atomic.Pointer[connSeries]        // made at the first command counted
	attrs  atomic.Pointer[[]trace.Attribute] // of every command span; nil when stale
	state  atomic.Int32
	db     atomic.Int32 // the selected database, for db.namespace

	mu    sync.Mutex // guards early
	early []sample   // measured while not bound
	dial  *dialSample

	batch viewBatch

	// The last command Start looked up: applications send the same few
	// commands, and comparing the name they pass (often the same string)
	// is cheaper than the table lookup. Only the sending side touches it.
	lastName string
	lastCmd  *commandinfo.Command
}

// NewConn returns the recorder of a connection to peer.
func (c *Client) NewConn(peer Peer) *Conn {
	o := &Conn{peer: peer}
	// A connection the application drops unclosed still has its counts
	// folded into its name's when it is collected.
	runtime.SetFinalizer(o, (*Conn).retireSeries)
	o.db.Store(int32(peer.DB))
	o.bind(c)
	return o
}

// Client returns the client the connection records under.
func (o *Conn) Client() *Client { return o.client.Load() }

// Peer returns the server end of the connection.
func (o *Conn) Peer() Peer {
	p := o.peer
	p.DB = int(o.db.Load())
	return p
}

func (o *Conn) bind(c *Client) {
	o.client.Store(c)
	if old := o.series.Swap(nil); old != nil {
		old.retire()
	}
}

// commandSeries returns the connection's command series, made and listed
// with its name's at the first call.
func (o *Conn) commandSeries(client *Client) *connSeries {
	if cs := o.series.Load(); cs != nil {
		return cs
	}
	cs := client.names.series.newConn()
	if o.series.CompareAndSwap(nil, cs) {
		return cs
	}
	cs.retire() // another goroutine's came first
	return o.series.Load()
}

// retireSeries folds the connection's command series into its name's.
func (o *Conn) retireSeries() {
	if cs := o.series.Load(); cs != nil {
		cs.retire()
	}
}

// Start begins the record of a command about to be written: the start of
// its latency, and its span when ctx holds a recording parent span or the
// client asks for root spans.
func (o *Conn) Start(ctx context.Context, call *Call, name string, args []interface{}) {
	cmd := o.lastCmd
	if cmd == nil || name != o.lastName {
		cmd = commandinfo.Lookup(name)
		o.lastName, o.lastCmd = name, cmd
	}
	*call = Call{cmd: cmd, keyLen: -1, db: -1}
	if isHousekeeping(ctx) {
		call.hk = true
		return
	}
	if o.state.Load() == unnamed {
		o.Adopt(nil)
	}
	if metricsOn() {
		call.start = monoNow()
	}
	if cmd.Flags&commandinfo.Select != 0 && len(args) == 1 {
		call.db = selectedDB(args[0])
	}
	client := o.client.Load()
	if client.wantSpan(ctx) {
		call.span = o.startSpan(ctx, client, name, cmd, args)
		if call.span.IsRecordingEvents() && cmd.Flags&commandinfo.SecretArgs != 0 {
			if secrets := secretValues(cmd, args); len(secrets) > 0 {
				call.secrets = &secrets
			}
		}
	}
}

func selectedDB(arg interface{}) int32 {
	text := argText(arg)
	n, err := strconv.ParseInt(text, 10, 32)
	if err != nil || n < 0 {
		return -1
	}
	return int32(n)
}

// sample is what one call measured, -1 for what it did not.
type sample struct {
	cmd          *commandinfo.Command
	latency      int64 // ns
	written      int
	read         int
	keyLen       int
	valueLen     int
	kind, detail string // of an error, "" if none
}

// Finish completes a call.
func (o *Conn) Finish(call *Call, r Result) {
	if call.hk {
		return
	}
	measured := call.start != 0 || call.cmd == commandinfo.Push && metricsOn()
	failed := r.Err != nil || r.ErrMsg != ""
	if measured || failed && errorsOn() {
		o.record(o.sampleOf(call, r))
	}
	if r.Err == nil && r.ErrMsg == "" && call.db >= 0 && o.db.Load() != call.db {
		o.db.Store(call.db)
		o.attrs.Store(nil)
	}
	if call.span != nil {
		o.endSpan(call, r)
	}
}

func (o *Conn) sampleOf(call *Call, r Result) sample {
	s := sample{cmd: call.cmd, latency: -1, written: -1, read: -1, keyLen: -1, valueLen: -1}
	if call.start != 0 && call.cmd != commandinfo.Push {
		if call.written > 0 {
			s.written = int(call.written)
			s.keyLen = int(call.keyLen)
			if !r.NoReply {
				end := r.Arrived
				if end == 0 {
					end = monoNow()
				}
				s.latency = max(0, end-call.start)
			}
		}
	}
	switch {
	case r.Err != nil:
		s.kind, s.detail = Classify(r.Err, r.Op)
	case r.NoReply:
	default:
		if call.start != 0 || call.cmd == commandinfo.Push {
			s.read = r.Read
			switch r.Reply.(type) {
			case []byte, []interface{}, nil:
				s.valueLen = r.Payload
			}
		}
		if r.ErrMsg != "" {
			s.kind, s.detail = KindServer, ServerDetail(r.ErrMsg)
		}
	}
	return s
}

// record applies a sample to the aggregates and the view path, or keeps it
// while the connection's name is not known.
func (o *Conn) record(s sample) {
	if o.state.Load() != bound {
		o.mu.Lock()
		if o.state.Load() != bound {
			o.early = append(o.early, s)
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
	}
	o.apply(s)
}

func (o *Conn) apply(s sample) {
	client := o.client.Load()
	if producerOn.Load() {
		series := o.commandSeries(client)
		if counts := series.lockCommand(s.cmd); counts != nil {
			counts.count(&s)
			series.mu.Unlock()
		} else {
			series.owner.countLate(&s)
		}
	}
	if commandViewsOn() {
		o.addViews(client, s)
	}
	if s.kind != "" {
		cmd := s.cmd.Name
		client.countError(errorKey{cmd: cmd, kind: s.kind, detail: s.detail})
	}
}

// addViews batches a sample's measurements for the view path.
func (o *Conn) addViews(client *Client, s sample) {
	var buf [7]stats.Measurement
	ms := buf[:0]
	if s.latency >= 0 {
		ms = append(ms, redigo.MRoundtripLatencyMilliseconds.M(float64(s.latency)/1e6))
	}
	if s.written >= 0 {
		ms = append(ms, redigo.MBytesWritten.M(int64(s.written)), redigo.MWrites.M(1))
	}
	if s.keyLen >= 0 {
		ms = append(ms, redigo.MKeyLength.M(int64(s.keyLen)))
	}
	if s.read >= 0 {
		ms = append(ms, redigo.MBytesRead.M(int64(s.read)), redigo.MReads.M(1))
	}
	if s.valueLen >= 0 {
		ms = append(ms, redigo.MValueLength.M(int64(s.valueLen)))
	}
	if len(ms) > 0 {
		o.batch.add(client.names.command(s.cmd), ms...)
	}
}

// Adopt binds a connection dialed without a name to pool's name, or, with
// pool nil, to the name it was dialed with; the measurements kept until
// then are applied. A connection that has a name keeps it.
func (o *Conn) Adopt(pool *Client) {
	o.mu.Lock()
	if o.state.Load() != unnamed {
		o.mu.Unlock()
		return
	}
	if pool != nil {
		o.bind(o.client.Load().withNames(pool.names))
	}
	early, dial := o.early, o.dial
	o.early, o.dial = nil, nil
	o.state.Store(bound)
	o.mu.Unlock()
	if dial != nil {
		o.client.Load().dialed(*dial)
	}
	for _, s := range early {
		o.apply(s)
	}
}

// Close records what the view path holds: the connection is closed.
func (o *Conn) Close() {
	if o.state.Load() == unnamed {
		o.Adopt(nil)
	}
	o.retireSeries()
	o.batch.flush()
}

// errorsOn reports whether a metric path counts errors.
func errorsOn() bool { return producerOn.Load() || int64Subscribed(redigo.MErrors) }

// countError counts an error of the client in both paths.
func (c *Client) countError(k errorKey) {
	if producerOn.Load() {
		c.names.series.countError(k)
	}
	if int64Subscribed(redigo.MErrors) {
		stats.Record(tagKey{name: c.names.name, cmd: k.cmd, kind: k.kind, detail: k.detail}.context(), redigo.MErrors.M(1))
	}
}
