package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
)

const (
	// readBufferSize matches bufio's default, as upstream uses.
	readBufferSize = 4096

	// bulkChunk is the most a bulk payload is allocated ahead of the bytes
	// that actually arrived; beyond it the payload grows as data comes in.
	bulkChunk = 64 << 10

	// arrayChunk is the most elements an array is allocated ahead of the
	// elements actually read. arrayBudget bounds the sum of these advances
	// over the open arrays of a reply, so that nested headers cannot make a
	// few bytes of input cost megabytes; past it an array starts with
	// arraySmallChunk elements and grows as elements arrive.
	arrayChunk      = 1024
	arrayBudget     = 8 * arrayChunk
	arraySmallChunk = 16

	// maxEmptyReads is how many (0, nil) reads in a row are taken as a
	// broken source, as bufio does.
	maxEmptyReads = 100
)

var errInvalidRead = errors.New("resp: source returned an invalid count from Read")

// Reader decodes RESP2 replies read from a source through its own buffer.
// It is not safe for concurrent use.
type Reader struct {
	src  io.Reader
	buf  []byte
	r, w int   // unread bytes are buf[r:w]
	err  error // error of a read that also returned data, held until needed

	reads uint64 // reads from the source that returned data

	// Counters of the reply being read.
	wire     int
	payload  int
	reserved int // array elements allocated ahead, see arrayBudget
}

// NewReader returns a Reader that reads from src.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src, buf: make([]byte, readBufferSize)}
}

// Buffered returns the number of bytes read from the source but not yet
// consumed by a reply.
func (r *Reader) Buffered() int { return r.w - r.r }

// Reads returns how many reads from the source returned data so far: a
// reply read while it stays the same came from bytes already buffered.
func (r *Reader) Reads() uint64 { return r.reads }

// Reset drops buffered data and reads from src from now on.
func (r *Reader) Reset(src io.Reader) {
	r.src = src
	r.r, r.w = 0, 0
	r.err = nil
}

// ReadReply reads one complete reply. The reply is a string (status), an
// Error (error reply, also when nested), an int64, a []byte (bulk string), a
// []interface{} (array) or nil (nil bulk string or nil array). wire is the
// number of bytes consumed, headers and CRLFs included, also on error;
// payload is the total length of the bulk strings in the reply. err is an
// I/O error (io.EOF if the source ended before the reply began,
// io.ErrUnexpectedEOF if it ended within) or a *ProtocolError.
func (r *Reader) ReadReply() (reply interface{}, wire int, payload int, err error) {
	r.wire, r.payload, r.reserved = 0, 0, 0
	reply, err = r.readValue(0)
	if err != nil {
		reply = nil
		if err == io.EOF && r.wire > 0 {
			err = io.ErrUnexpectedEOF
		}
	}
	return reply, r.wire, r.payload, err
}

func (r *Reader) readValue(depth int) (interface{}, error) {
	line, err := r.readLine()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, protocolError("empty response line")
	}
	switch line[0] {
	case '+':
		// The common replies are returned as constants, without allocating.
		switch string(line[1:]) {
		case "OK":
			return "OK", nil
		case "PONG":
			return "PONG", nil
		}
		return string(line[1:]), nil
	case '-':
		return Error(line[1:]), nil
	case ':':
		return parseInt(line[1:])
	case '$':
		n, err := parseLength(line[1:], MaxBulkLength)
		if err != nil || n < 0 {
			return nil, err
		}
		r.payload += n
		return r.readBulk(n)
	case '*':
		n, err := parseLength(line[1:], MaxArrayLength)
		if err != nil || n < 0 {
			return nil, err
		}
		if depth >= MaxNesting {
			return nil, protocolError("reply nested too deeply")
		}
		return r.readArray(n, depth)
	}
	return nil, protocolError("unexpected response line")
}

func (r *Reader) readArray(n, depth int) (interface{}, error) {
	ahead := min(n, arrayChunk)
	if r.reserved+ahead > arrayBudget {
		ahead = min(n, arraySmallChunk)
	}
	r.reserved += ahead
	values := make([]interface{}, 0, ahead)
	for len(values) < n {
		if len(values) == cap(values) {
			grown := make([]interface{}, len(values), min(n, 2*cap(values)))
			copy(grown, values)
			values = grown
		}
		v, err := r.readValue(depth + 1)
		if err != nil {
			return nil, err // ReadReply resets r.reserved
		}
		values = append(values, v)
	}
	r.reserved -= ahead
	return values, nil
}

// readBulk reads a payload of n bytes and its CRLF.
func (r *Reader) readBulk(n int) (interface{}, error) {
	if n+2 <= len(r.buf) {
		for r.w-r.r < n+2 {
			if err := r.fill(); err != nil {
				r.consume(r.w - r.r)
				return nil, err
			}
		}
		p := make([]byte, n)
		copy(p, r.buf[r.r:])
		end := r.buf[r.r+n : r.r+n+2]
		r.consume(n + 2)
		if end[0] != '\r' || end[1] != '\n' {
			return nil, protocolError("bad bulk string format")
		}
		return p, nil
	}

	// A payload larger than the buffer is allocated in chunks as it arrives,
	// so that a hostile length costs no more memory than the bytes sent.
	p := make([]byte, 0, min(n, bulkChunk))
	for len(p) < n {
		if len(p) == cap(p) {
			grown := make([]byte, len(p), min(n, 2*cap(p)))
			copy(grown, p)
			p = grown
		}
		if r.w > r.r {
			k := copy(p[len(p):cap(p)], r.buf[r.r:r.w])
			p = p[:len(p)+k]
			r.consume(k)
			continue
		}
		if r.err != nil {
			err := r.err
			r.err = nil
			return nil, err
		}
		k, err := r.readSource(p[len(p):cap(p)])
		p = p[:len(p)+k]
		r.wire += k
		if err != nil {
			return nil, err
		}
	}
	for r.w-r.r < 2 {
		if err := r.fill(); err != nil {
			r.consume(r.w - r.r)
			return nil, err
		}
	}
	end := r.buf[r.r : r.r+2]
	r.consume(2)
	if end[0] != '\r' || end[1] != '\n' {
		return nil, protocolError("bad bulk string format")
	}
	return p, nil
}

// readLine returns the next line without its CRLF. The line aliases the
// buffer: it is valid until the next read.
func (r *Reader) readLine() ([]byte, error) {
	scanned := 0
	for {
		if i := bytes.IndexByte(r.buf[r.r+scanned:r.w], '\n'); i >= 0 {
			line := r.buf[r.r : r.r+scanned+i+1]
			r.consume(len(line))
			return trimCRLF(line)
		}
		scanned = r.w - r.r
		if scanned == len(r.buf) {
			return r.readLongLine()
		}
		if err := r.fill(); err != nil {
			r.consume(r.w - r.r)
			return nil, err
		}
	}
}

// readLongLine reads a line that does not fit in the buffer, up to a limit
// that depends on the reply type.
func (r *Reader) readLongLine() ([]byte, error) {
	limit := maxHeaderLength
	if c := r.buf[r.r]; c == '+' || c == '-' {
		limit = MaxLineLength
	}
	var line []byte
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			line = append(line, r.buf[r.r:r.r+i+1]...)
			r.consume(i + 1)
			if len(line)-2 > limit {
				return nil, protocolError("response line too long")
			}
			return trimCRLF(line)
		}
		line = append(line, r.buf[r.r:r.w]...)
		r.consume(r.w - r.r)
		if len(line) > limit+1 {
			return nil, protocolError("response line too long")
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

func trimCRLF(line []byte) ([]byte, error) {
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, protocolError("bad response line terminator")
	}
	return line[:len(line)-2], nil
}

func (r *Reader) consume(n int) {
	r.r += n
	r.wire += n
}

// fill moves the unread bytes to the front of the buffer and reads more
// after them. It returns an error only if no byte was added. The caller
// makes sure the buffer is not full.
func (r *Reader) fill() error {
	if r.err != nil {
		err := r.err
		r.err = nil
		return err
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	n, err := r.readSource(r.buf[r.w:])
	r.w += n
	if n > 0 {
		r.reads++
	}
	if n > 0 && err != nil {
		r.err = err
		return nil
	}
	return err
}

// readSource reads into p from the source, retrying empty reads.
func (r *Reader) readSource(p []byte) (int, error) {
	for i := 0; i < maxEmptyReads; i++ {
		n, err := r.src.Read(p)
		if n < 0 || n > len(p) {
			return 0, errInvalidRead
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// parseLength parses the count of a bulk string or array header: -1 (nil)
// or a decimal number of at most max, without sign or blanks.
func parseLength(p []byte, max int64) (int, error) {
	if len(p) == 0 {
		return 0, protocolError("malformed length")
	}
	if p[0] == '-' {
		if len(p) == 2 && p[1] == '1' {
			return -1, nil
		}
		return 0, protocolError("malformed length")
	}
	var n int64
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, protocolError("malformed length")
		}
		n = n*10 + int64(c-'0')
		if n > max {
			return 0, protocolError("length out of range")
		}
	}
	return int(n), nil
}

// parseInt parses an integer reply: an optional '-' and decimal digits that
// fit in an int64.
func parseInt(p []byte) (interface{}, error) {
	if len(p) == 0 {
		return nil, protocolError("malformed integer")
	}
	negative := p[0] == '-'
	if negative {
		p = p[1:]
		if len(p) == 0 {
			return nil, protocolError("malformed integer")
		}
	}
	var n uint64
	if len(p) <= 18 {
		// 18 digits cannot overflow: skip the range checks.
		for _, c := range p {
			if c < '0' || c > '9' {
				return nil, protocolError("malformed integer")
			}
			n = n*10 + uint64(c-'0')
		}
	} else {
		limit := uint64(math.MaxInt64)
		if negative {
			limit++
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return nil, protocolError("malformed integer")
			}
			d := uint64(c - '0')
			if n > (limit-d)/10 {
				return nil, protocolError("integer out of range")
			}
			n = n*10 + d
		}
	}
	if negative {
		return -int64(n), nil
	}
	return int64(n), nil
}
