package redis

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/observability"
)

// NewLoggingConn returns a logging wrapper around a connection.
func NewLoggingConn(conn Conn, logger *log.Logger, prefix string) Conn {
	return NewLoggingConnFilter(conn, logger, prefix, nil)
}

// NewLoggingConnFilter returns a logging wrapper around a connection and a
// filter function: commands for which skip returns true are not logged.
// skip gets the command name as given to Do or Send, and "" for the replies
// of Receive; Close is always logged.
//
// Each call is logged on one line: prefix, a dot (no prefix, no dot), the
// method with its arguments and then its results, e.g.
//
//	cache.Do(GET, "user:1") -> ("alice", <nil>)
//
// Strings and []byte values are quoted and cut after 32 bytes, arrays after
// 32 elements, both marked with "...". Arguments
// that hold secrets (AUTH passwords, HELLO ... AUTH, CONFIG SET requirepass,
// ACL SETUSER rules, MIGRATE ... AUTH) are logged as "[redacted]". A nil
// logger means the standard logger (log.Default).
func NewLoggingConnFilter(conn Conn, logger *log.Logger, prefix string, skip func(cmdName string) bool) Conn {
	if logger == nil {
		logger = log.Default()
	}
	if prefix != "" {
		prefix += "."
	}
	return &loggingConn{Conn: conn, logger: logger, prefix: prefix, skip: skip}
}

// loggingConn logs the calls that send commands or read replies; Err and
// Flush pass through the embedded Conn unlogged.
type loggingConn struct {
	Conn
	logger *log.Logger
	prefix string // with its trailing dot
	skip   func(cmdName string) bool
}

// maxLoggedLen is the number of bytes of a string or []byte value that are
// logged; longer values end in "...".
const maxLoggedLen = 32

// maxLoggedElements is the number of elements of an array reply that are
// logged, at every level of nesting; a longer array ends in "...]" right
// after its last logged element, as upstream's log does.
const maxLoggedElements = 32

// redacted replaces the value of a secret argument.
const redacted = `"[redacted]"`

func (c *loggingConn) Close() error {
	err := c.Conn.Close()
	c.logResult("Close", err)
	return err
}

// CloseContext closes the wrapped conn with its CloseContext method, or with
// Close when it has none: closing needs no context, and refusing to close
// would leak the connection.
func (c *loggingConn) CloseContext(ctx context.Context) error {
	var err error
	if cc, ok := c.Conn.(interface{ CloseContext(context.Context) error }); ok {
		err = cc.CloseContext(ctx)
	} else {
		err = c.Conn.Close()
	}
	c.logResult("CloseContext", err)
	return err
}

func (c *loggingConn) Do(commandName string, args ...interface{}) (interface{}, error) {
	reply, err := c.Conn.Do(commandName, args...)
	c.logReply("Do", commandName, args, reply, err)
	return reply, err
}

func (c *loggingConn) DoWithTimeout(timeout time.Duration, commandName string, args ...interface{}) (interface{}, error) {
	reply, err := DoWithTimeout(c.Conn, timeout, commandName, args...)
	c.logReply("DoWithTimeout", commandName, args, reply, err)
	return reply, err
}

func (c *loggingConn) DoContext(ctx context.Context, commandName string, args ...interface{}) (interface{}, error) {
	reply, err := DoContext(c.Conn, ctx, commandName, args...)
	c.logReply("DoContext", commandName, args, reply, err)
	return reply, err
}

func (c *loggingConn) Send(commandName string, args ...interface{}) error {
	err := c.Conn.Send(commandName, args...)
	c.logSend("Send", commandName, args, err)
	return err
}

func (c *loggingConn) SendContext(ctx context.Context, commandName string, args ...interface{}) error {
	err := errContextNotSupported
	if sc, ok := c.Conn.(interface {
		SendContext(context.Context, string, ...interface{}) error
	}); ok {
		err = sc.SendContext(ctx, commandName, args...)
	}
	c.logSend("SendContext", commandName, args, err)
	return err
}

// FlushContext is not logged, as Flush is not.
func (c *loggingConn) FlushContext(ctx context.Context) error {
	if fc, ok := c.Conn.(interface{ FlushContext(context.Context) error }); ok {
		return fc.FlushContext(ctx)
	}
	return errContextNotSupported
}

func (c *loggingConn) Receive() (interface{}, error) {
	reply, err := c.Conn.Receive()
	c.logReply("Receive", "", nil, reply, err)
	return reply, err
}

func (c *loggingConn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	reply, err := ReceiveWithTimeout(c.Conn, timeout)
	c.logReply("ReceiveWithTimeout", "", nil, reply, err)
	return reply, err
}

func (c *loggingConn) ReceiveContext(ctx context.Context) (interface{}, error) {
	reply, err := ReceiveContext(c.Conn, ctx)
	c.logReply("ReceiveContext", "", nil, reply, err)
	return reply, err
}

// The log helpers are called straight from the methods above, so that the
// logger's calldepth 3 (Output, helper, method) names the caller's line, as
// upstream's does with Lshortfile.

// logReply logs a call that returns a reply: method(cmd, args) -> (reply, err).
func (c *loggingConn) logReply(method, commandName string, args []interface{}, reply interface{}, err error) {
	if c.skip != nil && c.skip(commandName) {
		return
	}
	var b strings.Builder
	c.writeCall(&b, method, commandName, args)
	var result strings.Builder
	result.WriteString(" -> (")
	writeValue(&result, reply)
	result.WriteString(", ")
	fmt.Fprint(&result, err)
	result.WriteByte(')')
	if err != nil && len(args) > 0 {
		// The server's error may quote the secret it refused.
		b.WriteString(observability.RedactSecrets(result.String(),
			observability.SecretTexts(commandinfo.Lookup(commandName), args)))
	} else {
		b.WriteString(result.String())
	}
	c.logger.Output(3, b.String())
}

// logSend logs a call that only sends: method(cmd, args) -> (err).
func (c *loggingConn) logSend(method, commandName string, args []interface{}, err error) {
	if c.skip != nil && c.skip(commandName) {
		return
	}
	var b strings.Builder
	c.writeCall(&b, method, commandName, args)
	b.WriteString(" -> (")
	fmt.Fprint(&b, err)
	b.WriteByte(')')
	c.logger.Output(3, b.String())
}

// logResult logs Close and CloseContext, which no filter skips.
func (c *loggingConn) logResult(method string, err error) {
	var b strings.Builder
	c.writeCall(&b, method, "", nil)
	b.WriteString(" -> (")
	fmt.Fprint(&b, err)
	b.WriteByte(')')
	c.logger.Output(3, b.String())
}

func (c *loggingConn) writeCall(b *strings.Builder, method, commandName string, args []interface{}) {
	b.WriteString(c.prefix)
	b.WriteString(method)
	b.WriteByte('(')
	b.WriteString(commandName)
	var info *commandinfo.Command
	if len(args) > 0 {
		info = commandinfo.Lookup(commandName)
	}
	for i, arg := range args {
		b.WriteString(", ")
		if info.Secret(args, i) {
			b.WriteString(redacted)
			continue
		}
		writeValue(b, arg)
	}
	b.WriteByte(')')
}

// writeValue writes an argument or a reply: strings and []byte quoted and
// cut, arrays element by element up to maxLoggedElements, anything else as
// fmt's %v.
func writeValue(b *strings.Builder, v interface{}) {
	switch v := v.(type) {
	case string:
		writeQuoted(b, v)
	case []byte:
		writeQuoted(b, v)
	case []interface{}:
		b.WriteByte('[')
		for i, e := range v {
			if i == maxLoggedElements {
				b.WriteString("...")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	default:
		fmt.Fprint(b, v)
	}
}

func writeQuoted[T string | []byte](b *strings.Builder, s T) {
	if len(s) <= maxLoggedLen {
		b.WriteString(strconv.Quote(string(s)))
		return
	}
	b.WriteString(strconv.Quote(string(s[:maxLoggedLen])))
	b.WriteString("...")
}
