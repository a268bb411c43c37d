package observability

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
	"go.opencensus.io/metric/metricdata"
)

// The in-driver aggregates: what the metric producer publishes. A
// connection counts its commands in series of its own, plain integers
// under a mutex that only it and a reading producer take: one uncontended
// lock per command costs a fifth of the ten atomic adds a command's
// counters would otherwise take. A read sums the series of the live
// connections and those of the closed ones, folded in at their close.

var (
	latencyScale = newScale(redigo.LatencyBoundsMilliseconds, float64(time.Millisecond))
	byteScale    = newScale(redigo.ByteBounds, 1)
)

// The measures of a command series, by index in its sums.
const (
	mLatency = iota
	mWritten
	mRead
	mKeyLen
	mValueLen
	commandMeasures
)

// cmdCounts aggregates one (name, command), of one connection or of many.
// The writes and reads counters are the counts of the bytes histograms: a
// command counts as written when its bytes were, a reply as read when its
// bytes were.
type cmdCounts struct {
	sums    [commandMeasures]int64
	latency [latencyBuckets]int64
	bytes   [commandMeasures - 1][byteBuckets]int64 // written, read, keyLen, valueLen
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

// add counts v, a sample of measure m.
func (c *cmdCounts) add(m int, v int64) {
	if m == mLatency {
		c.latency[bucketOf(latencyScale.bounds, v)]++
	} else {
		c.bytes[m-1][bucketOf(byteScale.bounds, v)]++
	}
	c.sums[m] += v
}

// count adds what a sample measured.
func (c *cmdCounts) count(s *sample) {
	if s.latency >= 0 {
		c.add(mLatency, s.latency)
	}
	if s.written >= 0 {
		c.add(mWritten, int64(s.written))
	}
	if s.read >= 0 {
		c.add(mRead, int64(s.read))
	}
	if s.keyLen >= 0 {
		c.add(mKeyLen, int64(s.keyLen))
	}
	if s.valueLen >= 0 {
		c.add(mValueLen, int64(s.valueLen))
	}
}

// merge adds o's counts to c's.
func (c *cmdCounts) merge(o *cmdCounts) {
	for i := range c.sums {
		c.sums[i] += o.sums[i]
	}
	for i := range c.latency {
		c.latency[i] += o.latency[i]
	}
	for m := range c.bytes {
		for i := range c.bytes[m] {
			c.bytes[m][i] += o.bytes[m][i]
		}
	}
}

// buckets returns the bucket counts of measure m and its scale.
func (c *cmdCounts) buckets(m int) ([]int64, *scale) {
	if m == mLatency {
		return c.latency[:], latencyScale
	}
	return c.bytes[m-1][:], byteScale
}

// samples returns the number of samples of measure m.
func (c *cmdCounts) samples(m int) int64 {
	counts, _ := c.buckets(m)
	var n int64
	for _, v := range counts {
		n += v
	}
	return n
}

// distribution returns measure m's counts as a distribution.
func (c *cmdCounts) distribution(m int) *metricdata.Distribution {
	counts, s := c.buckets(m)
	d := s.newDistribution()
	for i, n := range counts {
		d.Buckets[i].Count = n
		d.Count += n
	}
	d.Sum = float64(c.sums[m]) / s.perUnit
	return d
}

// connSeries is one connection's command series.
type connSeries struct {
	owner *nameSeries

	mu      sync.Mutex
	cmds    []cmdSlot // the commands the connection sent, in the order of first use
	last    int       // index in cmds of the last command counted
	retired bool      // folded into owner: count there from now on
}

type cmdSlot struct {
	cmd    *commandinfo.Command
	counts *cmdCounts
}

// lockCommand locks c and returns the counts of cmd; nil (and c unlocked)
// once c is retired.
func (c *connSeries) lockCommand(cmd *commandinfo.Command) *cmdCounts {
	c.mu.Lock()
	if c.last < len(c.cmds) && c.cmds[c.last].cmd == cmd {
		return c.cmds[c.last].counts
	}
	if c.retired {
		c.mu.Unlock()
		return nil
	}
	for i := range c.cmds {
		if c.cmds[i].cmd == cmd {
			c.last = i
			return c.cmds[i].counts
		}
	}
	c.cmds = append(c.cmds, cmdSlot{cmd: cmd, counts: new(cmdCounts)})
	c.last = len(c.cmds) - 1
	return c.cmds[c.last].counts
}

// retire folds c's counts into its owner's: the connection is closed (or
// was collected unclosed). Safe to call more than once.
func (c *connSeries) retire() {
	s := c.owner
	s.mu.Lock()
	c.mu.Lock()
	if !c.retired {
		for _, slot := range c.cmds {
			s.closedCommand(slot.cmd).merge(slot.counts)
		}
		c.cmds, c.retired = nil, true
		delete(s.live, c)
	}
	c.mu.Unlock()
	s.mu.Unlock()
}

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
	start time.Time

	mu     sync.Mutex                          // guards live and closed
	live   map[*connSeries]struct{}            // the series of open connections
	closed map[*commandinfo.Command]*cmdCounts // folded in from closed connections

	dial, poolWait histogram
	states         [10]atomic.Int64 // opened and closed connections, by connStates index
	idle, active   atomic.Int64     // summed over the name's pools
	hasPool        atomic.Bool      // a pool has this name: publish its counts, zeros too

	errs sync.Map // errorKey -> *atomic.Int64
}

func newNameSeries() *nameSeries {
	return &nameSeries{
		start:    time.Now(),
		live:     make(map[*connSeries]struct{}),
		closed:   make(map[*commandinfo.Command]*cmdCounts),
		dial:     latencyScale.newHistogram(),
		poolWait: latencyScale.newHistogram(),
	}
}

// newConn returns the command series of a new connection.
func (s *nameSeries) newConn() *connSeries {
	c := &connSeries{owner: s}
	s.mu.Lock()
	s.live[c] = struct{}{}
	s.mu.Unlock()
	return c
}

// closedCommand returns the counts of cmd folded in from closed
// connections. Called with s.mu held.
func (s *nameSeries) closedCommand(cmd *commandinfo.Command) *cmdCounts {
	counts := s.closed[cmd]
	if counts == nil {
		counts = new(cmdCounts)
		s.closed[cmd] = counts
	}
	return counts
}

// commandTotals returns the counts of every command the name's connections
// sent, open and closed ones summed, by command ID.
func (s *nameSeries) commandTotals() []cmdTotal {
	byCmd := make(map[*commandinfo.Command]*cmdCounts)
	total := func(cmd *commandinfo.Command) *cmdCounts {
		t := byCmd[cmd]
		if t == nil {
			t = new(cmdCounts)
			byCmd[cmd] = t
		}
		return t
	}
	s.mu.Lock()
	for cmd, counts := range s.closed {
		total(cmd).merge(counts)
	}
	for c := range s.live {
		c.mu.Lock()
		for _, slot := range c.cmds {
			total(slot.cmd).merge(slot.counts)
		}
		c.mu.Unlock()
	}
	s.mu.Unlock()
	totals := make([]cmdTotal, 0, len(byCmd))
	for cmd, counts := range byCmd {
		totals = append(totals, cmdTotal{cmd: cmd, counts: counts})
	}
	sort.Slice(totals, func(i, j int) bool { return totals[i].cmd.ID < totals[j].cmd.ID })
	return totals
}

// cmdTotal is what a name's connections counted of one command.
type cmdTotal struct {
	cmd    *commandinfo.Command
	counts *cmdCounts
}

// countLate counts a sample of a connection whose series is retired (a
// reply read while another goroutine closed the connection).
func (s *nameSeries) countLate(smp *sample) {
	s.mu.Lock()
	s.closedCommand(smp.cmd).count(smp)
	s.mu.Unlock()
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
