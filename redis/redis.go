package redis

import (
	"context"
	"errors"
	"time"
)

// Error is an error reply from the server (a RESP "-" line).
type Error string

func (err Error) Error() string { return string(err) }

// Conn represents a connection to a Redis server.
type Conn interface {
	// Close releases the connection (back to its pool, for a pooled one).
	Close() error

	// Err reports why the connection can no longer be used, or nil.
	Err() error

	// Do writes a command, flushes, and reads replies up to and including
	// the one for this command. Do("") only flushes and drains the pending
	// replies of earlier Sends.
	Do(commandName string, args ...interface{}) (reply interface{}, err error)

	// Send buffers a command without waiting for its reply.
	Send(commandName string, args ...interface{}) error

	// Flush writes the buffered commands to the server.
	Flush() error

	// Receive reads the next reply from the server.
	Receive() (reply interface{}, err error)
}

// Argument lets a type choose the value it is sent as: RedisArg returns a
// value encoded by the usual rules (a string or []byte, typically).
type Argument interface {
	RedisArg() interface{}
}

// Scanner lets a type decode itself from a reply value. RedisScan gets one of
// the reply types ([]byte, string, int64, Error, []interface{} or nil) and
// returns an error when the value does not fit without loss.
type Scanner interface {
	RedisScan(src interface{}) error
}

// ConnWithTimeout is a Conn whose read timeout can be chosen per call, for
// commands that block at the server (BLPOP, XREAD BLOCK, ...). The default
// comes from DialReadTimeout. Every Conn of this package implements it; the
// DoWithTimeout and ReceiveWithTimeout helpers use it.
type ConnWithTimeout interface {
	Conn

	// DoWithTimeout is Do with timeout in place of the read timeout.
	DoWithTimeout(timeout time.Duration, commandName string, args ...interface{}) (reply interface{}, err error)

	// ReceiveWithTimeout is Receive with timeout in place of the read timeout.
	ReceiveWithTimeout(timeout time.Duration) (reply interface{}, err error)
}

// ConnWithContext is an optional interface that allows the caller to control
// the command's life with a context, and to attach the command's metrics and
// trace span to the context's span. It is a superset of upstream redigo's
// ConnWithContext (DoContext, ReceiveContext) with the three methods of the
// original OpenCensus fork (CloseContext, SendContext, FlushContext).
//
// All of the Conn implementations in this package satisfy the ConnWithContext
// interface.
type ConnWithContext interface {
	Conn

	// CloseContext is Close; spans of the commands it sends (a pooled
	// connection's cleanup) are children of ctx's span.
	CloseContext(ctx context.Context) error

	// DoContext is Do bounded by ctx: the earlier of ctx's deadline and the
	// read timeout applies, and a cancel or deadline during the call leaves
	// the connection broken (Err() != nil).
	DoContext(ctx context.Context, commandName string, args ...interface{}) (reply interface{}, err error)

	// SendContext is Send; the command's span is a child of ctx's span.
	SendContext(ctx context.Context, commandName string, args ...interface{}) error

	// FlushContext is Flush bounded by ctx.
	FlushContext(ctx context.Context) error

	// ReceiveContext is Receive bounded by ctx, as DoContext.
	ReceiveContext(ctx context.Context) (reply interface{}, err error)
}

var errTimeoutNotSupported = errors.New("redis: connection does not support ConnWithTimeout")
var errContextNotSupported = errors.New("redis: connection does not support ConnWithContext")

// DoContext runs c.DoContext, or returns an error when c has no such method.
func DoContext(c Conn, ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	cwt, ok := c.(interface {
		DoContext(context.Context, string, ...interface{}) (interface{}, error)
	})
	if !ok {
		return nil, errContextNotSupported
	}
	return cwt.DoContext(ctx, cmd, args...)
}

// DoWithTimeout runs c.DoWithTimeout, or returns an error when c has no such
// method.
func DoWithTimeout(c Conn, timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) {
	cwt, ok := c.(interface {
		DoWithTimeout(time.Duration, string, ...interface{}) (interface{}, error)
	})
	if !ok {
		return nil, errTimeoutNotSupported
	}
	return cwt.DoWithTimeout(timeout, cmd, args...)
}

// ReceiveContext runs c.ReceiveContext, or returns an error when c has no
// such method.
func ReceiveContext(c Conn, ctx context.Context) (interface{}, error) {
	cwt, ok := c.(interface {
		ReceiveContext(context.Context) (interface{}, error)
	})
	if !ok {
		return nil, errContextNotSupported
	}
	return cwt.ReceiveContext(ctx)
}

// ReceiveWithTimeout runs c.ReceiveWithTimeout, or returns an error when c has
// no such method.
func ReceiveWithTimeout(c Conn, timeout time.Duration) (interface{}, error) {
	cwt, ok := c.(interface {
		ReceiveWithTimeout(time.Duration) (interface{}, error)
	})
	if !ok {
		return nil, errTimeoutNotSupported
	}
	return cwt.ReceiveWithTimeout(timeout)
}

// The helpers below run the context variant of a call when c has it, and
// the plain or timeout variant otherwise. The pool uses them on the
// connections its Dial returned, which need not be this package's.

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
