package resp

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"unsafe"
)

const (
	// writeBufferSize is how many bytes the Writer gathers before it writes
	// them to its destination. Larger than bufio's 4096 so that a pipeline
	// of small commands costs fewer system calls; the buffer grows to it
	// only when a connection actually pipelines that much.
	writeBufferSize = 16 << 10

	// initialWriteBuffer is the capacity a new Writer starts with: enough
	// for the commands of a typical request/reply connection.
	initialWriteBuffer = 512

	// maxBulkHeader is the longest bulk header: '$', 20 digits, CRLF.
	maxBulkHeader = 1 + 20 + 2

	// maxKeptFormatBuffer bounds the scratch buffer kept for fmt-formatted
	// arguments, so that one huge argument does not pin memory for the life
	// of the connection.
	maxKeptFormatBuffer = 64 << 10
)

// Writer encodes commands as RESP arrays of bulk strings into a buffer and
// writes that buffer to its destination when it fills up or on Flush. Like
// bufio.Writer, once a write to the destination fails every later call
// returns that error, until Reset. It is not safe for concurrent use.
type Writer struct {
	dst    io.Writer
	buf    []byte
	err    error
	num    [64]byte     // scratch for formatting numbers without allocating
	format bytes.Buffer // scratch for arguments formatted with fmt
}

// NewWriter returns a Writer that writes to dst.
func NewWriter(dst io.Writer) *Writer {
	return &Writer{dst: dst, buf: make([]byte, 0, initialWriteBuffer)}
}

// Buffered returns the number of bytes encoded but not yet written.
func (w *Writer) Buffered() int { return len(w.buf) }

// Reset drops buffered data and any error, and writes to dst from now on.
func (w *Writer) Reset(dst io.Writer) {
	w.dst = dst
	w.buf = w.buf[:0]
	w.err = nil
}

// Flush writes all buffered bytes to the destination.
func (w *Writer) Flush() error {
	w.flushBuffer()
	return w.err
}

// WriteCommand encodes the command name followed by args. n is the number of
// bytes the command occupies on the wire. keyLen is the encoded length of
// args[keyIndex], or 0 when keyIndex is out of range (-1 for no key). err is
// the error of a write to the destination, made now or earlier.
//
// Arguments are converted as redigo does: string and []byte as they are;
// int, int64 and float64 (shortest 'g') in decimal; bool as "1" or "0"; nil
// as ""; an Argument by encoding its RedisArg() once more by these rules
// (but an Argument returned by RedisArg is formatted with fmt); anything
// else as fmt.Fprint formats it.
func (w *Writer) WriteCommand(name string, args []interface{}, keyIndex int) (n int, keyLen int, err error) {
	if w.err != nil {
		return 0, 0, w.err
	}
	w.reserve(1 + 20 + 2)
	w.buf = append(w.buf, '*')
	w.buf = strconv.AppendInt(w.buf, int64(len(args)+1), 10)
	w.buf = append(w.buf, '\r', '\n')
	n = 3 + decimalLen(len(args)+1)

	n += bulkWireLen(w.writeString(name))
	for i, arg := range args {
		size := w.writeArg(arg, true)
		if i == keyIndex {
			keyLen = size
		}
		n += bulkWireLen(size)
	}
	if len(w.buf) >= writeBufferSize {
		w.flushBuffer()
	}
	return n, keyLen, w.err
}

// writeArg encodes one argument as a bulk string and returns its payload
// length. The cases for the sized integer types and float32 are fast paths
// that produce exactly what fmt.Fprint would.
func (w *Writer) writeArg(arg interface{}, argumentOK bool) int {
	switch v := arg.(type) {
	case string:
		return w.writeString(v)
	case []byte:
		return w.writeBytes(v)
	case int:
		return w.writeBytes(strconv.AppendInt(w.num[:0], int64(v), 10))
	case int64:
		return w.writeBytes(strconv.AppendInt(w.num[:0], v, 10))
	case float64:
		return w.writeBytes(strconv.AppendFloat(w.num[:0], v, 'g', -1, 64))
	case bool:
		if v {
			return w.writeString("1")
		}
		return w.writeString("0")
	case nil:
		return w.writeString("")
	case int32:
		return w.writeBytes(strconv.AppendInt(w.num[:0], int64(v), 10))
	case int16:
		return w.writeBytes(strconv.AppendInt(w.num[:0], int64(v), 10))
	case int8:
		return w.writeBytes(strconv.AppendInt(w.num[:0], int64(v), 10))
	case uint:
		return w.writeBytes(strconv.AppendUint(w.num[:0], uint64(v), 10))
	case uint64:
		return w.writeBytes(strconv.AppendUint(w.num[:0], v, 10))
	case uint32:
		return w.writeBytes(strconv.AppendUint(w.num[:0], uint64(v), 10))
	case uint16:
		return w.writeBytes(strconv.AppendUint(w.num[:0], uint64(v), 10))
	case uint8:
		return w.writeBytes(strconv.AppendUint(w.num[:0], uint64(v), 10))
	case uintptr:
		return w.writeBytes(strconv.AppendUint(w.num[:0], uint64(v), 10))
	case float32:
		return w.writeBytes(strconv.AppendFloat(w.num[:0], float64(v), 'g', -1, 32))
	case Argument:
		if argumentOK {
			return w.writeArg(v.RedisArg(), false)
		}
		return w.writeFormatted(v)
	default:
		return w.writeFormatted(v)
	}
}

func (w *Writer) writeFormatted(v interface{}) int {
	w.format.Reset()
	fmt.Fprint(&w.format, v)
	size := w.writeBytes(w.format.Bytes())
	if w.format.Cap() > maxKeptFormatBuffer {
		w.format = bytes.Buffer{}
	}
	return size
}

func (w *Writer) writeString(s string) int {
	if len(s) >= writeBufferSize {
		// Large payloads are written straight to the destination. io.Writer
		// implementations must not modify p, so viewing s as bytes is safe
		// and saves copying it.
		return w.writeBytes(unsafe.Slice(unsafe.StringData(s), len(s)))
	}
	w.writeBulkHeader(len(s))
	if len(w.buf)+len(s)+2 > writeBufferSize {
		w.flushBuffer()
	}
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	return len(s)
}

func (w *Writer) writeBytes(p []byte) int {
	w.writeBulkHeader(len(p))
	if len(w.buf)+len(p)+2 > writeBufferSize {
		w.flushBuffer()
		if len(p) >= writeBufferSize {
			w.writeDirect(p)
			w.buf = append(w.buf, '\r', '\n')
			return len(p)
		}
	}
	w.buf = append(w.buf, p...)
	w.buf = append(w.buf, '\r', '\n')
	return len(p)
}

func (w *Writer) writeBulkHeader(size int) {
	w.reserve(maxBulkHeader)
	w.buf = append(w.buf, '$')
	w.buf = strconv.AppendInt(w.buf, int64(size), 10)
	w.buf = append(w.buf, '\r', '\n')
}

// reserve flushes the buffer if fewer than size bytes fit before the
// threshold, so that a command of many small arguments cannot grow the
// buffer without bound.
func (w *Writer) reserve(size int) {
	if len(w.buf)+size > writeBufferSize {
		w.flushBuffer()
	}
}

// flushBuffer writes the buffer to the destination. On failure it keeps the
// unwritten bytes and records the error; the command being encoded is still
// encoded into the buffer, which is bounded by that one command.
func (w *Writer) flushBuffer() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	n, err := w.dst.Write(w.buf)
	if n < len(w.buf) && err == nil {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 && n < len(w.buf) {
			w.buf = w.buf[:copy(w.buf, w.buf[n:])]
		}
		w.err = err
		return
	}
	w.buf = w.buf[:0]
}

// writeDirect writes a large payload without copying it into the buffer,
// which has just been flushed. After a failed write nothing more reaches the
// destination, so the payload is dropped.
func (w *Writer) writeDirect(p []byte) {
	if w.err != nil {
		return
	}
	n, err := w.dst.Write(p)
	if n < len(p) && err == nil {
		err = io.ErrShortWrite
	}
	w.err = err
}

// bulkWireLen is the number of bytes of a bulk string with a payload of size
// bytes: '$', the decimal size, CRLF, the payload, CRLF.
func bulkWireLen(size int) int { return 1 + decimalLen(size) + 2 + size + 2 }

// decimalLen is the number of decimal digits of a non-negative n.
func decimalLen(n int) int {
	digits := 1
	for n >= 10 {
		n /= 10
		digits++
	}
	return digits
}
