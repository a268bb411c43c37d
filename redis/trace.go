package redis

import (
	"github.com/ocredigo/redigo/internal/observability"
	"go.opencensus.io/trace"
)

// TraceOptions are the observability options of a connection
// (DialTraceOptions) or of a pool's own metrics and spans
// (Pool.TraceOptions).
type TraceOptions struct {
	// DefaultAttributes are added to every span.
	DefaultAttributes []trace.Attribute

	// Name is the value of the name tag of every metric: the logical
	// client, e.g. "session-cache". Empty means "default". Keep it a
	// fixed, short word: it is a metric label.
	Name string

	// QueryText chooses what of a command goes into its span's
	// db.query.text attribute: nothing (the default), the command and its
	// first key, or the whole command. Secret arguments (AUTH passwords,
	// ACL rules, CONFIG SET requirepass, ...) are always redacted.
	QueryText QueryText

	// RootSpans starts a span for every command, even when the context
	// holds no parent span (or when the call has no context). Off by
	// default: a command outside a traced operation gets no span.
	RootSpans bool
}

// QueryText selects the db.query.text of command spans.
type QueryText int

const (
	// QueryTextOff leaves db.query.text out.
	QueryTextOff QueryText = QueryText(observability.QueryTextOff)
	// QueryTextSanitized shows the command up to its first key and ? for
	// each other argument: "SET user:1 ?".
	QueryTextSanitized QueryText = QueryText(observability.QueryTextSanitized)
	// QueryTextFull shows every argument, secrets redacted.
	QueryTextFull QueryText = QueryText(observability.QueryTextFull)
)

// TraceOption changes TraceOptions.
type TraceOption func(o *TraceOptions)

// WithDefaultAttributes adds attributes to every span.
func WithDefaultAttributes(attrs ...trace.Attribute) TraceOption {
	return func(o *TraceOptions) {
		o.DefaultAttributes = append(o.DefaultAttributes, attrs...)
	}
}

func (o TraceOptions) observability() observability.Options {
	return observability.Options{
		Name:              o.Name,
		DefaultAttributes: o.DefaultAttributes,
		QueryText:         observability.QueryText(o.QueryText),
		RootSpans:         o.RootSpans,
	}
}
