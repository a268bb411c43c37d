package observability

import (
	"sync/atomic"
	"time"

	"go.opencensus.io/metric/metricdata"
)

// A histogram counts samples into fixed buckets, updated in place with
// atomic adds: no lock, no allocation. Bucket i holds the samples below
// bounds[i] and at or above bounds[i-1] (OpenCensus's rule), the last one
// everything from the last bound up. Samples and bounds are integers in
// the histogram's base unit (nanoseconds for latencies, bytes for sizes),
// so that the sum is an exact atomic integer too.
type histogram struct {
	bounds []int64
	counts []atomic.Int64 // len(bounds)+1
	sum    *atomic.Int64
}

// scale describes how a histogram's base unit maps to the unit its metric
// is published in: ms for latencies (1e6 ns per ms), bytes as they are.
type scale struct {
	bounds  []int64   // in the base unit
	public  []float64 // the same bounds in the published unit
	perUnit float64   // base units per published unit
}

// newScale converts the bounds of a view (published unit) to the base
// unit. OpenCensus drops bounds that are not positive; so does this.
func newScale(viewBounds []float64, perUnit float64) *scale {
	s := &scale{perUnit: perUnit}
	for _, b := range viewBounds {
		if b > 0 {
			s.public = append(s.public, b)
			s.bounds = append(s.bounds, int64(b*perUnit+0.5))
		}
	}
	return s
}

func (s *scale) newHistogram() histogram {
	return histogram{bounds: s.bounds, counts: make([]atomic.Int64, len(s.bounds)+1), sum: new(atomic.Int64)}
}

// add counts one sample.
func (h *histogram) add(v int64) { count(h.bounds, h.counts, h.sum, v) }

// count counts v into counts (one per bucket of bounds) and sum.
func count(bounds []int64, counts []atomic.Int64, sum *atomic.Int64, v int64) {
	counts[bucketOf(bounds, v)].Add(1)
	sum.Add(v)
}

// bucketOf returns the index of v's bucket, found from the lowest bound
// up: Redis latencies and sizes sit in the first few buckets, where a
// linear scan is shorter than a binary search and its branches
// predictable.
func bucketOf(bounds []int64, v int64) int {
	i := 0
	for i < len(bounds) && v >= bounds[i] {
		i++
	}
	return i
}

// count returns the number of samples.
func (h *histogram) count() int64 {
	var n int64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// addTo adds h's counts and sum to a distribution being read.
func (h *histogram) addTo(d *metricdata.Distribution, s *scale) {
	for i := range h.counts {
		n := h.counts[i].Load()
		d.Buckets[i].Count += n
		d.Count += n
	}
	d.Sum += float64(h.sum.Load()) / s.perUnit
}

// newDistribution returns an empty distribution with s's buckets.
func (s *scale) newDistribution() *metricdata.Distribution {
	return &metricdata.Distribution{
		BucketOptions: &metricdata.BucketOptions{Bounds: s.public},
		Buckets:       make([]metricdata.Bucket, len(s.public)+1),
	}
}

// epoch anchors the driver's clock: time.Since reads only the monotonic
// clock, half the cost of time.Now.
var epoch = time.Now()

// monoNow returns nanoseconds since epoch, never 0 (0 means "not timed").
func monoNow() int64 { return int64(time.Since(epoch)) | 1 }
