package observability

import (
	"sync/atomic"
	"unsafe"

	redigo "github.com/ocredigo/redigo"
	"go.opencensus.io/stats"
	"go.opencensus.io/stats/view"
)

// The view path must cost nothing when no view uses the driver's
// measures. OpenCensus keeps, per measure, a flag set once a registered
// view uses it, but does not export it: stats.Record checks it only after
// the caller has built its measurements. So the driver reads the flag
// itself. A *stats.Int64Measure or *stats.Float64Measure points to a
// struct whose only field points to a descriptor starting with the int32
// flag (go.opencensus.io v0.24.0, the final release of an archived
// project). init checks that layout on a measure of its own; if the check
// fails, every measure counts as used, which is correct and only slower:
// OpenCensus then drops what no view wants.

type measureDescriptor struct {
	subs int32 // 1 once a view uses the measure; accessed atomically
}

type measureHeader struct {
	desc *measureDescriptor
}

// layoutKnown is set by init when the flag reads as expected.
var layoutKnown bool

func readFlag(m unsafe.Pointer) bool {
	return atomic.LoadInt32(&(*measureHeader)(m).desc.subs) == 1
}

func int64Subscribed(m *stats.Int64Measure) bool {
	return !layoutKnown || readFlag(unsafe.Pointer(m))
}

func float64Subscribed(m *stats.Float64Measure) bool {
	return !layoutKnown || readFlag(unsafe.Pointer(m))
}

func init() {
	layoutKnown = probeLayout()
	for i, m := range []unsafe.Pointer{
		unsafe.Pointer(redigo.MRoundtripLatencyMilliseconds), unsafe.Pointer(redigo.MBytesWritten),
		unsafe.Pointer(redigo.MBytesRead), unsafe.Pointer(redigo.MWrites), unsafe.Pointer(redigo.MReads),
		unsafe.Pointer(redigo.MKeyLength), unsafe.Pointer(redigo.MValueLength),
	} {
		commandFlags[i] = &(*measureHeader)(m).desc.subs
	}
}

// commandFlags are the flags of the measures of commands, read on every
// command: side by side, in one cache line.
var commandFlags [7]*int32

// probeLayout registers and unregisters a view on a measure of its own,
// and checks that the flag reads 0 before and 1 after.
func probeLayout() bool {
	m := stats.Int64("ocredigo/internal/layout_probe", "checks the measure layout at start-up", stats.UnitDimensionless)
	h := (*measureHeader)(unsafe.Pointer(m))
	if h.desc == nil || atomic.LoadInt32(&h.desc.subs) != 0 {
		return false
	}
	v := &view.View{Name: "ocredigo/internal/layout_probe", Measure: m, Aggregation: view.Count()}
	if err := view.Register(v); err != nil {
		return false
	}
	defer view.Unregister(v)
	return atomic.LoadInt32(&h.desc.subs) == 1
}

// commandViewsOn reports whether a view uses a measure of commands.
func commandViewsOn() bool {
	if !layoutKnown {
		return true
	}
	for _, f := range &commandFlags {
		if atomic.LoadInt32(f) == 1 {
			return true
		}
	}
	return false
}
