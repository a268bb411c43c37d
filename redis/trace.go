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

// QueryText selects the db.query.text attribute of command spans
// (TraceOptions.QueryText).
type QueryText int

const (
	// QueryTextOff, the default, leaves db.query.text out.
	QueryTextOff QueryText = iota
	// QueryTextSanitized shows the command name and its first key, and ?
	// for each other argument: "SET user:1 ?".
	QueryTextSanitized
	// QueryTextFull shows every argument: "SET user:1 hello". The secret
	// arguments of AUTH, HELLO ... AUTH, CONFIG SET requirepass and
	// masterauth, ACL SETUSER and MIGRATE ... AUTH are still redacted.
	QueryTextFull

	// The values above are those of the internal package, which
	// TraceOptions converts to: these fail to compile if they drift apart.
	_ = uint(int(observability.QueryTextFull)-int(QueryTextFull)) + uint(int(QueryTextFull)-int(observability.QueryTextFull))
	_ = uint(int(observability.QueryTextSanitized)-int(QueryTextSanitized)) + uint(int(QueryTextSanitized)-int(observability.QueryTextSanitized))
)

// TraceOption is a function that edits a TraceOptions: the type of
// WithDefaultAttributes, kept from the original OpenCensus fork. No function
// of this package takes a TraceOption; apply one to the TraceOptions you
// pass to DialTraceOptions or set as Pool.TraceOptions:
//
//	opts := redis.TraceOptions{Name: "session-cache"}
//	redis.WithDefaultAttributes(trace.StringAttribute("tier", "eu-1"))(&opts)
//	c, err := redis.Dial("tcp", addr, redis.DialTraceOptions(opts))
//
// or set TraceOptions.DefaultAttributes directly (ExampleDialTraceOptions
// does the former).
type TraceOption func(o *TraceOptions)

// WithDefaultAttributes returns a TraceOption that appends attrs to
// TraceOptions.DefaultAttributes, the attributes of every span.
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
