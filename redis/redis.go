package redis

import (
	"context"
	"errors"
	"time"
)

// Error is an error reply: the text of a RESP "-" line, such as
// "ERR unknown command" or "WRONGTYPE Operation against a key holding the
// wrong kind of value". Do and Receive return it as their error; the
// connection stays usable, unlike after an I/O or protocol error. The first
// word is the error's code, by Redis convention.
type Error string

func (err Error) Error() string { return string(err) }

// Conn is a connection to a Redis server, as Dial returns it or a Pool
// lends it. See the package documentation for which methods may be called
// from different goroutines at the same time. Once Err returns non-nil the
// connection is broken for good and every call fails: close it and get
// another.
type Conn interface {
	// Close ends the use of the connection: a dialed one is closed, a
	// pooled one is cleaned up and returned to its pool. Calls after
	// Close fail.
	Close() error

	// Err is nil while the connection can be used, and otherwise the
	// error that broke it (a failed read or write, a protocol error, a
	// context that ended during a call, Close).
	Err() error

	// Do sends a command and waits for its reply, within the read timeout
	// (DialReadTimeout; none by default). Commands queued by Send go first,
	// and their replies are read too: Do returns the reply to its own
	// command, with the first error reply among all of them as the error.
	// Do("") only writes the queued commands and returns their replies as
	// an []interface{}. An error reply (an Error) leaves the connection
	// usable; any other error breaks it.
	Do(commandName string, args ...interface{}) (reply interface{}, err error)

	// Send queues a command in the output buffer, to be written by Flush
	// or Do; its reply is read later by Receive (or Do). An argument that
	// cannot be encoded is an error here.
	Send(commandName string, args ...interface{}) error

	// Flush writes the queued commands to the server, within the write
	// timeout (DialWriteTimeout; none by default).
	Flush() error

	// Receive reads one reply: that of the oldest command sent and not yet
	// answered, or a pushed message in pub/sub mode. It waits within the
	// read timeout, and returns error replies and errors as Do does.
	Receive() (reply interface{}, err error)
}

// Argument is implemented by a type that chooses how it is sent as a
// command argument. RedisArg returns the value to encode in its place,
// by the rules of the package documentation (a string, []byte or number,
// typically); AddFlat uses it for struct fields too.
type Argument interface {
	RedisArg() interface{}
}

// Scanner is implemented by a type that decodes itself from a reply value,
// for Scan, ScanStruct and ScanSlice. RedisScan gets the raw value: []byte,
// string, int64, Error, []interface{} or nil. It should return an error
// when the value cannot be stored without loss; the scan then stops with
// that error.
type Scanner interface {
	RedisScan(src interface{}) error
}

// ConnWithTimeout is a Conn whose read timeout can be chosen per call, for
// commands that block at the server (BLPOP, BRPOP, XREAD BLOCK, WAIT): give
// them a timeout longer than the time they may block, and keep the default
// (DialReadTimeout) for the others. Every Conn of this package implements
// it; the DoWithTimeout and ReceiveWithTimeout functions accept any Conn
// and report an error for one that does not.
type ConnWithTimeout interface {
	Conn

	// DoWithTimeout is Do with timeout as the read timeout of this call
	// only; 0 means no timeout.
	DoWithTimeout(timeout time.Duration, commandName string, args ...interface{}) (reply interface{}, err error)

	// ReceiveWithTimeout is Receive with timeout as the read timeout of
	// this call only; 0 means no timeout.
	ReceiveWithTimeout(timeout time.Duration) (reply interface{}, err error)
}

// ConnWithContext is a Conn whose calls take a context: the context bounds
// the call, and the call's span and metrics are recorded under the
// context's span. It has upstream redigo's two methods (DoContext,
// ReceiveContext) and the three that the original OpenCensus fork added
// (CloseContext, SendContext, FlushContext). Every Conn of this package
// implements it; the DoContext and ReceiveContext functions need only the
// one method they call.
type ConnWithContext interface {
	Conn

	// CloseContext is Close; the spans of the commands it sends (the
	// cleanup of a pooled connection) are children of ctx's span.
	CloseContext(ctx context.Context) error

	// DoContext is Do bounded by ctx as well as by the read timeout: the
	// earlier deadline applies. A ctx that is already done when the call
	// starts returns its error at once, without sending. When ctx ends
	// during the call, the call returns ctx's error (context.Canceled or
	// context.DeadlineExceeded) and the connection is broken, since the
	// reply may still arrive; a read timeout returns an error that
	// satisfies errors.Is(err, os.ErrDeadlineExceeded), also breaking it.
	DoContext(ctx context.Context, commandName string, args ...interface{}) (reply interface{}, err error)

	// SendContext is Send; the command's span is a child of ctx's span.
	SendContext(ctx context.Context, commandName string, args ...interface{}) error

	// FlushContext is Flush bounded by ctx as well as by the write
	// timeout, with DoContext's rules.
	FlushContext(ctx context.Context) error

	// ReceiveContext is Receive bounded by ctx as well as by the read
	// timeout, with DoContext's rules.
	ReceiveContext(ctx context.Context) (reply interface{}, err error)
}

var errTimeoutNotSupported = errors.New("redis: connection does not support ConnWithTimeout")
var errContextNotSupported = errors.New("redis: connection does not support ConnWithContext")

// The four functions below call the method of their name on any Conn that
// has it (a wrapper written for upstream redigo, say), and otherwise return
// "redis: connection does not support ConnWithTimeout" or
// "...ConnWithContext" without sending anything.

// DoContext calls c.DoContext: the command bounded by ctx (see
// ConnWithContext). Note that ctx is the second argument, as upstream.
func DoContext(c Conn, ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	if cc, ok := c.(interface {
		DoContext(context.Context, string, ...interface{}) (interface{}, error)
	}); ok {
		return cc.DoContext(ctx, cmd, args...)
	}
	return nil, errContextNotSupported
}

// DoWithTimeout calls c.DoWithTimeout: the command with timeout as its read
// timeout, 0 for none (see ConnWithTimeout).
func DoWithTimeout(c Conn, timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) {
	if ct, ok := c.(interface {
		DoWithTimeout(time.Duration, string, ...interface{}) (interface{}, error)
	}); ok {
		return ct.DoWithTimeout(timeout, cmd, args...)
	}
	return nil, errTimeoutNotSupported
}

// ReceiveContext calls c.ReceiveContext: one reply, waited for within ctx
// (see ConnWithContext). ctx is the second argument, as upstream.
func ReceiveContext(c Conn, ctx context.Context) (interface{}, error) {
	if cc, ok := c.(interface {
		ReceiveContext(context.Context) (interface{}, error)
	}); ok {
		return cc.ReceiveContext(ctx)
	}
	return nil, errContextNotSupported
}

// ReceiveWithTimeout calls c.ReceiveWithTimeout: one reply, waited for
// within timeout, 0 for no limit (see ConnWithTimeout).
func ReceiveWithTimeout(c Conn, timeout time.Duration) (interface{}, error) {
	if ct, ok := c.(interface {
		ReceiveWithTimeout(time.Duration) (interface{}, error)
	}); ok {
		return ct.ReceiveWithTimeout(timeout)
	}
	return nil, errTimeoutNotSupported
}

// The helpers below run the context variant of a call when c has it, and
// the plain or timeout variant otherwise (the remaining time of ctx's
// deadline as the timeout). The pool runs them on the connections its Dial
// returned, which need not be this package's.

func sendContext(c Conn, ctx context.Context, cmd string, args ...interface{}) error {
	if cc, ok := c.(interface {
		SendContext(context.Context, string, ...interface{}) error
	}); ok {
		return cc.SendContext(ctx, cmd, args...)
	}
	return c.Send(cmd, args...)
}

func flushContext(c Conn, ctx context.Context) error {
	if cc, ok := c.(interface{ FlushContext(context.Context) error }); ok {
		return cc.FlushContext(ctx)
	}
	return c.Flush()
}

func receiveContext(c Conn, ctx context.Context) (interface{}, error) {
	if reply, err := ReceiveContext(c, ctx); err != errContextNotSupported {
		return reply, err
	}
	if d, ok := ctx.Deadline(); ok {
		if reply, err := ReceiveWithTimeout(c, time.Until(d)); err != errTimeoutNotSupported {
			return reply, err
		}
	}
	return c.Receive()
}

func doContextOrPlain(c Conn, ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	if reply, err := DoContext(c, ctx, cmd, args...); err != errContextNotSupported {
		return reply, err
	}
	if d, ok := ctx.Deadline(); ok {
		if reply, err := DoWithTimeout(c, time.Until(d), cmd, args...); err != errTimeoutNotSupported {
			return reply, err
		}
	}
	return c.Do(cmd, args...)
}
