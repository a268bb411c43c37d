package resp

// Differential tests: the same commands and byte streams go through upstream
// redigo's connection and through this package, and the results must agree.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// sinkConn is a net.Conn that records what is written to it and serves
// reads from src. It is a byte sink and source, not a Redis server.
type sinkConn struct {
	src     io.Reader
	written bytes.Buffer
}

func (c *sinkConn) Read(p []byte) (int, error) {
	if c.src == nil {
		return 0, io.EOF
	}
	return c.src.Read(p)
}
func (c *sinkConn) Write(p []byte) (int, error)        { return c.written.Write(p) }
func (c *sinkConn) Close() error                       { return nil }
func (c *sinkConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *sinkConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *sinkConn) SetDeadline(t time.Time) error      { return nil }
func (c *sinkConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *sinkConn) SetWriteDeadline(t time.Time) error { return nil }

// argOf is an Argument returning any value, including another argOf.
type argOf struct{ v interface{} }

func (a argOf) RedisArg() interface{} { return a.v }

// ptrArg implements Argument with a pointer receiver.
type ptrArg struct{ s string }

func (a *ptrArg) RedisArg() interface{} { return "ptr:" + a.s }

// stringerArg is an Argument that fmt formats with its String method when it
// is returned by another Argument.
type stringerArg struct{ n int }

func (a stringerArg) RedisArg() interface{} { return a.n }
func (a stringerArg) String() string        { return fmt.Sprintf("stringer-%d", a.n) }

type (
	namedString string
	namedBytes  []byte
	namedInt    int
	point       struct{ X, Y int }
	stringer    struct{}
)

func (stringer) String() string { return "i am a stringer" }

func upstreamSend(t testing.TB, name string, args ...interface{}) []byte {
	t.Helper()
	nc := &sinkConn{}
	c := redis.NewConn(nc, 0, 0)
	if err := c.Send(name, args...); err != nil {
		t.Fatalf("upstream Send: %v", err)
	}
	if err := c.Flush(); err != nil {
		t.Fatalf("upstream Flush: %v", err)
	}
	return nc.written.Bytes()
}

func oursSend(t testing.TB, name string, args []interface{}, keyIndex int) (wire []byte, n, keyLen int) {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out)
	n, keyLen, err := w.WriteCommand(name, args, keyIndex)
	if err != nil {
		t.Fatalf("WriteCommand: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return out.Bytes(), n, keyLen
}

func argumentTable() []interface{} {
	var nilPtr *point
	var nilStringer *stringer
	values := []interface{}{
		"", "a", "hello world", "crlf\r\ninside", "\x00\xff\xfe binary", strings.Repeat("x", 5000),
		[]byte{}, []byte("bytes"), []byte("\r\n"), []byte(nil),
		0, 1, -1, 42, math.MaxInt, math.MinInt,
		int8(0), int8(math.MaxInt8), int8(math.MinInt8),
		int16(math.MaxInt16), int16(math.MinInt16),
		int32(math.MaxInt32), int32(math.MinInt32),
		int64(0), int64(math.MaxInt64), int64(math.MinInt64),
		uint(0), uint(math.MaxUint), uint8(0), uint8(math.MaxUint8),
		uint16(math.MaxUint16), uint32(math.MaxUint32), uint64(math.MaxUint64),
		uintptr(0), uintptr(12345),
		float64(0), math.Copysign(0, -1), 1.5, -2.25, 1e20, 1e21, 1e-7, 1e-4, 123456789.0,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1), 0.1, 1.0 / 3,
		float32(0), float32(math.Copysign(0, -1)), float32(1.5), float32(0.1), float32(1e20), float32(1e-7),
		float32(16777216), float32(3.4028235e38), float32(1.4e-45), float32(math.NaN()),
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(1.0 / 3),
		true, false, nil,
		complex(1, 2), complex64(complex(-1.5, 0)),
		namedString("named"), namedBytes("nb"), namedInt(7),
		point{1, 2}, &point{3, 4}, nilPtr, nilStringer, stringer{}, &stringer{},
		[]int{1, 2, 3}, []string{"a", "b"}, []interface{}{1, "x", nil},
		map[string]int{"b": 2, "a": 1, "c": 3}, [2]bool{true, false},
		errors.New("an error value"), time.Duration(1500) * time.Millisecond,
		struct{}{}, struct{ A []byte }{[]byte("x")},
		&ptrArg{"p"}, stringerArg{9},
	}
	// Arguments returning every kind of value once more, and Arguments
	// returning Arguments (formatted with fmt, not unwrapped again).
	for _, v := range values[:len(values):len(values)] {
		if _, isArg := v.(Argument); isArg {
			continue
		}
		values = append(values, argOf{v})
	}
	values = append(values,
		argOf{argOf{"inner"}}, argOf{argOf{42}}, argOf{&ptrArg{"q"}}, argOf{stringerArg{3}},
		argOf{argOf{argOf{nil}}}, argOf{nil},
	)
	return values
}

func TestWriterMatchesUpstream(t *testing.T) {
	values := argumentTable()
	for i, v := range values {
		want := upstreamSend(t, "SET", "key", v)
		got, n, keyLen := oursSend(t, "SET", []interface{}{"key", v}, 0)
		if !bytes.Equal(got, want) {
			t.Errorf("value %d (%T %#v):\n got %q\nwant %q", i, v, v, got, want)
		}
		if n != len(got) {
			t.Errorf("value %d (%T): n = %d, wrote %d bytes", i, v, n, len(got))
		}
		if keyLen != 3 {
			t.Errorf("value %d (%T): keyLen = %d, want 3", i, v, keyLen)
		}
	}

	// All of them in one command, and with an odd command name.
	want := upstreamSend(t, "MSET", values...)
	got, n, _ := oursSend(t, "MSET", values, -1)
	if !bytes.Equal(got, want) || n != len(got) {
		t.Errorf("all values in one command differ from upstream (n=%d, len=%d)", n, len(got))
	}
	want = upstreamSend(t, "a\r\nweird name")
	got, n, _ = oursSend(t, "a\r\nweird name", nil, -1)
	if !bytes.Equal(got, want) || n != len(got) {
		t.Errorf("no-arg command: got %q want %q (n=%d)", got, want, n)
	}
}

// normalize maps upstream's and our reply values to one comparable form.
func normalize(v interface{}) interface{} {
	switch v := v.(type) {
	case redis.Error:
		return "error:" + string(v)
	case Error:
		return "error:" + string(v)
	case []interface{}:
		out := make([]interface{}, len(v))
		for i := range v {
			out[i] = normalize(v[i])
		}
		return out
	}
	return v
}

// upstreamReceive reads one reply with upstream; a top-level error reply
// comes back as err there, and is turned back into a value here.
func upstreamReceive(c redis.Conn) (interface{}, error) {
	reply, err := c.Receive()
	var serverErr redis.Error
	if errors.As(err, &serverErr) {
		return serverErr, nil
	}
	return reply, err
}

var validReplies = []string{
	"+OK\r\n", "+PONG\r\n", "+\r\n", "+QUEUED\r\n", "+OK with spaces\r\n", "+ok\r\n",
	"-ERR unknown command\r\n", "-WRONGTYPE Operation against a key\r\n", "-\r\n",
	":0\r\n", ":1\r\n", ":-1\r\n", ":255\r\n", ":256\r\n", ":-0\r\n", ":007\r\n",
	":9223372036854775807\r\n", ":-9223372036854775808\r\n", ":123456789012345678\r\n",
	"$0\r\n\r\n", "$5\r\nhello\r\n", "$-1\r\n", "$2\r\n\r\n\r\n", "$4\r\n\x00\x01\xfe\xff\r\n", "$03\r\nabc\r\n",
	"*0\r\n", "*-1\r\n", "*1\r\n$1\r\na\r\n", "*3\r\n:1\r\n+OK\r\n-ERR x\r\n",
	"*2\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n", "*4\r\n*-1\r\n$0\r\n\r\n:5\r\n*1\r\n*1\r\n-E nested\r\n",
	"+" + strings.Repeat("s", 5000) + "\r\n", "-" + strings.Repeat("e", 9000) + "\r\n",
	"$5000\r\n" + strings.Repeat("b", 5000) + "\r\n",
	"$70000\r\n" + strings.Repeat("c", 70000) + "\r\n",
	"*100\r\n" + strings.Repeat("$3\r\nabc\r\n", 100),
	"*1500\r\n" + strings.Repeat(":12\r\n", 1500),
	strings.Repeat("*1\r\n", 100) + ":1\r\n",
}

var malformedReplies = []string{
	"\r\n", "x\r\n", "_\r\n", "#t\r\n", "%1\r\n", ",1.5\r\n",
	"+OK\n", "+OK\r", "+OK\rx\n", "-ERR\n", ":1\n",
	":\r\n", ":-\r\n", ":1a\r\n", ":a\r\n", ": 1\r\n", ":1.5\r\n",
	"$\r\n", "$-2\r\n", "$-0\r\n", "$x\r\n", "$1x\r\n", "$-1x\r\n", "$ 1\r\n",
	"$3\r\nabc\n", "$3\r\nabcd\r\n", "$3\r\nab\r\n\r\n", "$3\r\nabc\r\r",
	"*\r\n", "*-2\r\n", "*x\r\n", "*1x\r\n",
	"*2\r\n:1\r\n!\r\n", "*1\r\n$2\r\nabc\r\n",
	// Truncated replies.
	"", "+OK", "$5\r\nhel", "$5\r\nhello", "$5\r\nhello\r", "*2\r\n:1\r\n", "*1\r\n",
}

func TestReaderMatchesUpstream(t *testing.T) {
	for _, input := range validReplies {
		c := redis.NewConn(&sinkConn{src: strings.NewReader(input)}, 0, 0)
		want, err := upstreamReceive(c)
		if err != nil {
			t.Fatalf("upstream fails on valid %q: %v", abbreviate(input), err)
		}
		r := NewReader(strings.NewReader(input))
		got, wire, _, err := r.ReadReply()
		if err != nil {
			t.Errorf("ReadReply(%q): %v", abbreviate(input), err)
			continue
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Errorf("ReadReply(%q) = %#v, upstream %#v", abbreviate(input), got, want)
		}
		if wire != len(input) {
			t.Errorf("ReadReply(%q): wire = %d, want %d", abbreviate(input), wire, len(input))
		}
	}

	// The same replies back to back, as in a pipeline.
	stream := strings.Join(validReplies, "")
	c := redis.NewConn(&sinkConn{src: strings.NewReader(stream)}, 0, 0)
	r := NewReader(strings.NewReader(stream))
	total := 0
	for i := range validReplies {
		want, err := upstreamReceive(c)
		if err != nil {
			t.Fatalf("upstream reply %d: %v", i, err)
		}
		got, wire, _, err := r.ReadReply()
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Errorf("pipelined reply %d = %#v, upstream %#v", i, got, want)
		}
		total += wire
	}
	if total != len(stream) || r.Buffered() != 0 {
		t.Errorf("pipeline: wire total %d, stream %d, buffered %d", total, len(stream), r.Buffered())
	}
}

func TestReaderRejectsWhatUpstreamRejects(t *testing.T) {
	for _, input := range malformedReplies {
		c := redis.NewConn(&sinkConn{src: strings.NewReader(input)}, 0, 0)
		if reply, err := upstreamReceive(c); err == nil {
			t.Errorf("upstream accepts malformed %q as %#v; fix the table", input, reply)
		}
		r := NewReader(strings.NewReader(input))
		reply, wire, _, err := r.ReadReply()
		if err == nil {
			t.Errorf("ReadReply(%q) = %#v, want an error", input, reply)
			continue
		}
		var perr *ProtocolError
		if !errors.As(err, &perr) && err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Errorf("ReadReply(%q) error %T %v, want *ProtocolError or EOF", input, err, err)
		}
		if reply != nil {
			t.Errorf("ReadReply(%q) returned reply %#v with error", input, reply)
		}
		if wire > len(input) {
			t.Errorf("ReadReply(%q): wire %d > input length", input, wire)
		}
	}
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:40], len(s))
	}
	return s
}
