// Package resp is the RESP2 wire codec of the driver: Writer encodes commands
// as arrays of bulk strings, Reader decodes replies. Both count the exact
// number of bytes each command or reply occupies on the wire, headers and
// CRLFs included, so that the caller can record them without a second pass.
//
// The encoding of arguments and the decoded reply types are those of
// github.com/gomodule/redigo/redis. The Reader is stricter than upstream on
// hostile input: every limit below yields a *ProtocolError instead of a
// panic, a hang or an allocation of an advertised but absent size.
package resp

// Limits on what the Reader accepts.
const (
	// MaxBulkLength is the largest bulk string accepted: 512 MiB, Redis's
	// default proto-max-bulk-len and its documented maximum string size.
	MaxBulkLength = 512 << 20

	// MaxArrayLength is the largest array count accepted. Each element takes
	// at least 3 bytes on the wire, so a larger array cannot be real.
	MaxArrayLength = 1<<31 - 1

	// MaxNesting is the deepest array nesting accepted. Redis itself only
	// nests a few levels; deeper nests come from Lua tables, and anything
	// past this is hostile (and would grow the goroutine stack without end).
	MaxNesting = 1024

	// MaxLineLength bounds a status or error line. Redis does not bound them
	// (a Lua script may return a long error), so the limit is generous.
	MaxLineLength = 1 << 20

	// maxHeaderLength bounds an integer, bulk or array header line; a valid
	// one has at most 21 bytes before CRLF.
	maxHeaderLength = 64 << 10
)

// Argument mirrors redis.Argument: a value that chooses how it is sent.
type Argument interface {
	RedisArg() interface{}
}

// Error is an error reply ("-ERR ..."), kept distinct from I/O and protocol
// errors; the driver converts it to redis.Error.
type Error string

func (e Error) Error() string { return string(e) }

// ProtocolError reports malformed input from the server. The connection it
// came from can no longer be trusted.
type ProtocolError struct {
	Msg string
}

func (e *ProtocolError) Error() string {
	return "redigo: " + e.Msg + " (possible server error or unsupported concurrent read by application)"
}

func protocolError(msg string) error { return &ProtocolError{Msg: msg} }
