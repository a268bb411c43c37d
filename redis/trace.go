package redis

import "go.opencensus.io/trace"

// TraceOptions are the observability options of a connection or a pool.
type TraceOptions struct {
	// DefaultAttributes are added to every span.
	DefaultAttributes []trace.Attribute
}

// TraceOption changes TraceOptions.
type TraceOption func(o *TraceOptions)

// WithDefaultAttributes adds attributes to every span.
func WithDefaultAttributes(attrs ...trace.Attribute) TraceOption {
	return func(o *TraceOptions) {
		o.DefaultAttributes = append(o.DefaultAttributes, attrs...)
	}
}
