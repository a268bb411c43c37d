package observability

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
)

// The in-driver aggregates: what the metric producer publishes. Every
// series is updated in place with atomic adds. A name's command series are
// sharded by connection, so that connections on different cores rarely
// write the same cache lines; a read sums the shards.

var (
	latencyScale = newScale(redigo.LatencyBoundsMilliseconds, float64(time.Millisecond))
	byteScale    = newScale(redigo.ByteBounds, 1)
)

// cmdSeries aggregates one (name, command) in one shard, in one block of
// memory: a command touches the line of the sums and one line per
// histogram, and no header. The writes and reads counters are the counts
// of the bytes histograms: a command counts as written when its bytes
// were, a reply as read when its bytes were.
type cmdSeries struct {
	sums     [5]atomic.Int64 // latency, written, read, keyLen, valueLen
	latency  [latencyBuckets]atomic.Int64
	written  [byteBuckets]atomic.Int64
	read     [byteBuckets]atomic.Int64
	keyLen   [byteBuckets]atomic.Int64
	valueLen [byteBuckets]atomic.Int64
}

// The bucket counts of the catalogue's bounds (checked at init).
const (
	latencyBuckets = 22
	byteBuckets    = 15
)

func init() {
	if len(latencyScale.bounds)+1 != latencyBuckets || len(byteScale.bounds)+1 != byteBuckets {
		panic("observability: the catalogue's bucket bounds changed: update latencyBuckets and byteBuckets")
	}
}

func newCmdSeries() *cmdSeries { return new(cmdSeries) }

// The series' histograms, for reading.
func (c *cmdSeries) latencyHist() histogram  { return latencyScale.over(c.latency[:], &c.sums[0]) }
func (c *cmdSeries) writtenHist() histogram  { return byteScale.over(c.written[:], &c.sums[1]) }
func (c *cmdSeries) readHist() histogram     { return byteScale.over(c.read[:], &c.sums[2]) }
func (c *cmdSeries) keyLenHist() histogram   { return byteScale.over(c.keyLen[:], &c.sums[3]) }
func (c *cmdSeries) valueLenHist() histogram { return byteScale.over(c.valueLen[:], &c.sums[4]) }

// shard holds one shard's command series, by command ID, made on first use.
type shard struct {
	cmds []atomic.Pointer[cmdSeries]
	_    [64]byte // keeps neighbouring shards' headers off one cache line
}

func (s *shard) command(cmd *commandinfo.Command) *cmdSeries {
	slot := &s.cmds[cmd.ID]
	if cs := slot.Load(); cs != nil {
		return cs
	}
	slot.CompareAndSwap(nil, newCmdSeries())
	return slot.Load()
}

// shardCount is a power of two, twice the processors at start-up.
var shardCount = func() int {
	n := 1
	for n < 2*runtime.GOMAXPROCS(0) && n < 64 {
		n <<= 1
	}
	return n
}()

var nextShard atomic.Uint32

// Connection states, by index in the series' state counters.
var connStates = []string{
	StateNew, StateReused, StateIdleTimeout, StateMaxLifetime, StateTestFailed,
	StateBroken, StatePoolFull, StatePoolClosed, StateClient, StateCleanupFailed,
}

func stateIndex(state string) int {
	for i, s := range connStates {
		if s == state {
			return i
		}
	}
	return -1
}

// errorKey identifies an error series of a name.
type errorKey struct {
	cmd          string // "" for dial and pool errors
	kind, detail string
}

// nameSeries are the aggregates of one client name.
type nameSeries struct {
	start  time.Time
	shards []shard

	dial, poolWait histogram
	states         [10]atomic.Int64 // opened and closed connections, by connStates index
	idle, active   atomic.Int64     // summed over the name's pools
	hasPool        atomic.Bool      // a pool has this name: publish its counts, zeros too

	errs sync.Map // errorKey -> *atomic.Int64
}

func newNameSeries() *nameSeries {
	s := &nameSeries{
		start:    time.Now(),
		shards:   make([]shard, shardCount),
		dial:     latencyScale.newHistogram(),
		poolWait: latencyScale.newHistogram(),
	}
	for i := range s.shards {
		s.shards[i].cmds = make([]atomic.Pointer[cmdSeries], commandinfo.Count())
	}
	return s
}

// pickShard returns the shard of a new connection.
func (s *nameSeries) pickShard() *shard {
	return &s.shards[int(nextShard.Add(1))&(shardCount-1)]
}

func (s *nameSeries) countState(state string) {
	if i := stateIndex(state); i >= 0 {
		s.states[i].Add(1)
	}
}

func (s *nameSeries) countError(k errorKey) {
	if n, ok := s.errs.Load(k); ok {
		n.(*atomic.Int64).Add(1)
		return
	}
	n, _ := s.errs.LoadOrStore(k, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}
