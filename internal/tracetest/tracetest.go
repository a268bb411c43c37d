// Package tracetest records the OpenCensus spans ended during a test.
package tracetest

import (
	"sync"
	"testing"

	"go.opencensus.io/trace"
)

// Recorder is a trace exporter keeping every span it is given.
type Recorder struct {
	mu    sync.Mutex
	spans []*trace.SpanData
}

// ExportSpan implements trace.Exporter.
func (r *Recorder) ExportSpan(s *trace.SpanData) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}

// Spans returns the spans recorded so far, in the order they ended.
func (r *Recorder) Spans() []*trace.SpanData {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*trace.SpanData(nil), r.spans...)
}

// Take returns the spans recorded so far and forgets them.
func (r *Recorder) Take() []*trace.SpanData {
	r.mu.Lock()
	defer r.mu.Unlock()
	spans := r.spans
	r.spans = nil
	return spans
}

// InTrace returns the spans of root's trace, root excluded, in the order
// they ended.
func (r *Recorder) InTrace(root *trace.Span) []*trace.SpanData {
	var out []*trace.SpanData
	for _, s := range r.Spans() {
		if s.TraceID == root.SpanContext().TraceID && s.SpanID != root.SpanContext().SpanID {
			out = append(out, s)
		}
	}
	return out
}

// Record registers a Recorder until the end of the test. With sampleAll,
// every span is sampled until then, and the default sampler restored after.
func Record(t testing.TB, sampleAll bool) *Recorder {
	r := &Recorder{}
	trace.RegisterExporter(r)
	if sampleAll {
		trace.ApplyConfig(trace.Config{DefaultSampler: trace.AlwaysSample()})
	}
	t.Cleanup(func() {
		trace.UnregisterExporter(r)
		if sampleAll {
			trace.ApplyConfig(trace.Config{DefaultSampler: trace.ProbabilitySampler(1e-4)})
		}
	})
	return r
}

// Names returns the names of spans, in order.
func Names(spans []*trace.SpanData) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
