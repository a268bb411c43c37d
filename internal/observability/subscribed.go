package observability

import (
	"sync/atomic"
	"unsafe"

	"go.opencensus.io/stats"
)

// OpenCensus keeps, per measure, a flag set once a registered view uses it,
// and stats.Record drops measurements of measures without views. But the
// check happens after the caller has built the measurements (a heap
// allocated slice), and OpenCensus does not export the flag. The driver
// must cost nothing when no view is registered, so it reads the flag
// itself: a *stats.Int64Measure or *stats.Float64Measure points to a struct
// whose only field points to a descriptor starting with the int32 flag
// (go.opencensus.io v0.24.0, the final release of the archived project).
// TestSubscribedFollowsViewRegistration fails if that layout ever changes.

type measureDescriptor struct {
	subs int32 // 1 once a view uses the measure; accessed atomically
}

type measureHeader struct {
	desc *measureDescriptor
}

func int64Subscribed(m *stats.Int64Measure) bool {
	return atomic.LoadInt32(&(*measureHeader)(unsafe.Pointer(m)).desc.subs) == 1
}

func float64Subscribed(m *stats.Float64Measure) bool {
	return atomic.LoadInt32(&(*measureHeader)(unsafe.Pointer(m)).desc.subs) == 1
}
