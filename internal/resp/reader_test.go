package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadReplyCounts(t *testing.T) {
	tests := []struct {
		input   string
		want    interface{}
		wire    int
		payload int
	}{
		{"+OK\r\n", "OK", 5, 0},
		{"+PONG\r\n", "PONG", 7, 0},
		{"+QUEUED\r\n", "QUEUED", 9, 0},
		{"-ERR no such key\r\n", Error("ERR no such key"), 18, 0},
		{":42\r\n", int64(42), 5, 0},
		{":-9223372036854775808\r\n", int64(math.MinInt64), 23, 0},
		{"$5\r\nhello\r\n", []byte("hello"), 11, 5},
		{"$0\r\n\r\n", []byte{}, 6, 0},
		{"$-1\r\n", nil, 5, 0},
		{"*-1\r\n", nil, 5, 0},
		{"*0\r\n", []interface{}{}, 4, 0},
		// 4 + (7+9) + 5 = 25 wire; 1+3 payload.
		{"*3\r\n$1\r\na\r\n$3\r\nbcd\r\n$-1\r\n", []interface{}{[]byte("a"), []byte("bcd"), nil}, 25, 4},
		// Nested: 4 + [4 + 11 + 4] + 5 + 13 = 41 wire; 5+2 payload.
		{
			"*3\r\n*2\r\n$5\r\nhello\r\n:7\r\n+OK\r\n-ERR x y\r\n",
			[]interface{}{[]interface{}{[]byte("hello"), int64(7)}, "OK", Error("ERR x y")},
			4 + 4 + 11 + 4 + 5 + 10, 5,
		},
		{
			"*2\r\n*1\r\n$2\r\nab\r\n*1\r\n*1\r\n$10\r\n0123456789\r\n",
			[]interface{}{[]interface{}{[]byte("ab")}, []interface{}{[]interface{}{[]byte("0123456789")}}},
			4 + 4 + 8 + 4 + 4 + 17, 12,
		},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.input))
		got, wire, payload, err := r.ReadReply()
		if err != nil {
			t.Errorf("ReadReply(%q): %v", tt.input, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ReadReply(%q) = %#v, want %#v", tt.input, got, tt.want)
		}
		if wire != tt.wire || wire != len(tt.input) || payload != tt.payload {
			t.Errorf("ReadReply(%q): wire %d payload %d, want %d and %d", tt.input, wire, payload, tt.wire, tt.payload)
		}
		if _, _, _, err := r.ReadReply(); err != io.EOF {
			t.Errorf("after %q: err %v, want io.EOF", tt.input, err)
		}
	}
}

func TestReadReplyTypes(t *testing.T) {
	// Nil replies are untyped nil interfaces, as upstream returns them.
	for _, input := range []string{"$-1\r\n", "*-1\r\n"} {
		got, _, _, err := NewReader(strings.NewReader(input)).ReadReply()
		if err != nil || got != nil {
			t.Errorf("ReadReply(%q) = %#v, %v; want untyped nil", input, got, err)
		}
	}
	// An empty array is a non-nil empty slice.
	got, _, _, _ := NewReader(strings.NewReader("*0\r\n")).ReadReply()
	if s, ok := got.([]interface{}); !ok || s == nil {
		t.Errorf("*0 = %#v, want non-nil []interface{}", got)
	}
}

// TestReadReplyPieces feeds every valid reply one byte at a time, and with
// the final data returned together with io.EOF.
func TestReadReplyPieces(t *testing.T) {
	for _, input := range validReplies {
		want, _, _, err := NewReader(strings.NewReader(input)).ReadReply()
		if err != nil {
			t.Fatalf("ReadReply(%q): %v", abbreviate(input), err)
		}
		for name, src := range map[string]io.Reader{
			"one byte": iotest.OneByteReader(strings.NewReader(input)),
			"data+EOF": iotest.DataErrReader(strings.NewReader(input)),
			"half":     iotest.HalfReader(strings.NewReader(input)),
		} {
			got, wire, _, err := NewReader(src).ReadReply()
			if err != nil || !reflect.DeepEqual(got, want) || wire != len(input) {
				t.Errorf("%s ReadReply(%q) = %#v, wire %d, %v", name, abbreviate(input), got, wire, err)
			}
		}
	}
}

// TestReadReplyTruncated cuts a reply of every kind at every position: the
// result is io.EOF before the first byte and io.ErrUnexpectedEOF after it,
// and every byte received is counted.
func TestReadReplyTruncated(t *testing.T) {
	input := "*5\r\n+OK\r\n-ERR e\r\n:12\r\n$3\r\nabc\r\n*1\r\n$-1\r\n"
	for i := 0; i < len(input); i++ {
		got, wire, _, err := NewReader(strings.NewReader(input[:i])).ReadReply()
		want := io.ErrUnexpectedEOF
		if i == 0 {
			want = io.EOF
		}
		if err != want || got != nil || wire != i {
			t.Errorf("prefix %q: %#v, wire %d, err %v; want nil, %d, %v", input[:i], got, wire, err, i, want)
		}
	}
}

func TestReadReplyLongLines(t *testing.T) {
	long := strings.Repeat("s", 3*readBufferSize)
	got, wire, _, err := NewReader(strings.NewReader("+" + long + "\r\n")).ReadReply()
	if err != nil || got != long || wire != len(long)+3 {
		t.Errorf("long status: wire %d, err %v", wire, err)
	}
	atLimit := strings.Repeat("e", MaxLineLength)
	got, _, _, err = NewReader(strings.NewReader("-" + atLimit[1:] + "\r\n")).ReadReply()
	if err != nil || got != Error(atLimit[1:]) {
		t.Errorf("error line at the limit: %v", err)
	}

	tooLong := []string{
		"-" + atLimit + "\r\n",
		"+" + atLimit + "x", // no end in sight: rejected without waiting for more
		":" + strings.Repeat("1", maxHeaderLength+1) + "\r\n",
		"$" + strings.Repeat(" ", maxHeaderLength+10),
	}
	for _, input := range tooLong {
		_, wire, _, err := NewReader(strings.NewReader(input)).ReadReply()
		var perr *ProtocolError
		if !errors.As(err, &perr) || wire > len(input) {
			t.Errorf("line of %d bytes: err %v, wire %d", len(input), err, wire)
		}
	}
}

func TestReadReplyBulkBoundaries(t *testing.T) {
	// Sizes around the read buffer, where the chunked path takes over, and
	// around the allocation chunk.
	for _, n := range []int{readBufferSize - 3, readBufferSize - 2, readBufferSize - 1, readBufferSize, bulkChunk - 1, bulkChunk, bulkChunk + 1, 3*bulkChunk + 7} {
		payload := bytes.Repeat([]byte{0xa5}, n)
		payload[0], payload[n-1] = '\r', '\n'
		input := "$" + strconv.Itoa(n) + "\r\n" + string(payload) + "\r\n:1\r\n"
		for name, src := range map[string]io.Reader{
			"whole":    strings.NewReader(input),
			"one byte": iotest.OneByteReader(strings.NewReader(input)),
		} {
			r := NewReader(src)
			got, wire, size, err := r.ReadReply()
			if err != nil || !bytes.Equal(got.([]byte), payload) || size != n || wire != len(input)-4 {
				t.Errorf("%s bulk of %d: wire %d payload %d err %v", name, n, wire, size, err)
				continue
			}
			if next, _, _, err := r.ReadReply(); next != int64(1) || err != nil {
				t.Errorf("%s after bulk of %d: %#v, %v", name, n, next, err)
			}
		}
		bad := "$" + strconv.Itoa(n) + "\r\n" + string(payload) + "\r\r"
		if _, _, _, err := NewReader(strings.NewReader(bad)).ReadReply(); !isProtocolError(err) {
			t.Errorf("bulk of %d with bad terminator: %v", n, err)
		}
	}
}

func TestReadReplyHostile(t *testing.T) {
	tests := []string{
		"$+3\r\nabc\r\n", "*+1\r\n:1\r\n", ":+5\r\n", "$-01\r\n", "*-01\r\n", "$-2\r\n", "*-5\r\n",
		"$536870913\r\n", "$99999999999999999999999\r\n", "*2147483648\r\n", "*99999999999999999999\r\n",
		":9223372036854775808\r\n", ":-9223372036854775809\r\n", ":99999999999999999999\r\n",
		strings.Repeat("*1\r\n", MaxNesting+1) + ":1\r\n",
		strings.Repeat("*1\r\n", 1_000_000),
		"*1\r\n$3\r\nabc\n", "$3\r\nabc", "+OK\n", "\n",
	}
	for _, input := range tests {
		got, wire, _, err := NewReader(strings.NewReader(input)).ReadReply()
		if err == nil || got != nil || wire > len(input) {
			t.Errorf("ReadReply(%q) = %#v, wire %d, %v; want an error", abbreviate(input), got, wire, err)
		}
		if !isProtocolError(err) && err != io.ErrUnexpectedEOF {
			t.Errorf("ReadReply(%q): %T %v", abbreviate(input), err, err)
		}
	}

	// The deepest nesting accepted.
	deep := strings.Repeat("*1\r\n", MaxNesting) + ":1\r\n"
	got, wire, _, err := NewReader(strings.NewReader(deep)).ReadReply()
	if err != nil || wire != len(deep) {
		t.Fatalf("nesting %d: %v", MaxNesting, err)
	}
	for i := 0; i < MaxNesting; i++ {
		got = got.([]interface{})[0]
	}
	if got != int64(1) {
		t.Errorf("innermost value %#v", got)
	}

	// The largest bulk length is accepted (and then truncated here).
	_, _, _, err = NewReader(strings.NewReader("$536870912\r\nabc")).ReadReply()
	if err != io.ErrUnexpectedEOF {
		t.Errorf("bulk of MaxBulkLength: %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestReadReplyAllocatesWhatArrives checks that advertised sizes are not
// allocated ahead of the data.
func TestReadReplyAllocatesWhatArrives(t *testing.T) {
	tests := []struct {
		input    string
		maxBytes uint64
	}{
		{"$400000000\r\n", 1 << 20},
		{"$400000000\r\n" + strings.Repeat("x", 100_000), 1 << 20},
		{"*2147483647\r\n", 1 << 20},
		{"*2147483647\r\n" + strings.Repeat(":1\r\n", 10_000), 2 << 20},
		{strings.Repeat("*2000000000\r\n", MaxNesting), 1 << 20},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.input))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, _, err := r.ReadReply()
		runtime.ReadMemStats(&after)
		if err != io.ErrUnexpectedEOF {
			t.Errorf("ReadReply(%q): %v, want io.ErrUnexpectedEOF", abbreviate(tt.input), err)
		}
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > tt.maxBytes {
			t.Errorf("ReadReply(%q) allocated %d bytes, want at most %d", abbreviate(tt.input), allocated, tt.maxBytes)
		}
	}
}

// stallingReader returns (0, nil) forever.
type stallingReader struct{}

func (stallingReader) Read(p []byte) (int, error) { return 0, nil }

// badCountReader claims to have read more than it was given.
type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestReadReplyBrokenSource(t *testing.T) {
	if _, _, _, err := NewReader(stallingReader{}).ReadReply(); err != io.ErrNoProgress {
		t.Errorf("stalling source: %v, want io.ErrNoProgress", err)
	}
	if _, _, _, err := NewReader(badCountReader{}).ReadReply(); err != errInvalidRead {
		t.Errorf("bad count: %v, want errInvalidRead", err)
	}
	src := io.MultiReader(strings.NewReader("$70000\r\nab"), stallingReader{})
	if _, _, _, err := NewReader(src).ReadReply(); err != io.ErrNoProgress {
		t.Errorf("stalling large bulk: %v, want io.ErrNoProgress", err)
	}
	boom := errors.New("boom")
	src = io.MultiReader(strings.NewReader("+OK\r\n:1"), iotest.ErrReader(boom))
	r := NewReader(src)
	if got, _, _, err := r.ReadReply(); got != "OK" || err != nil {
		t.Errorf("first reply %#v, %v", got, err)
	}
	if _, wire, _, err := r.ReadReply(); err != boom || wire != 2 {
		t.Errorf("second reply: wire %d, %v; want 2, boom", wire, err)
	}
}

func TestReaderBufferedAndReset(t *testing.T) {
	r := NewReader(strings.NewReader("+OK\r\n:1\r\n"))
	if _, _, _, err := r.ReadReply(); err != nil {
		t.Fatal(err)
	}
	if r.Buffered() != 4 {
		t.Errorf("Buffered() = %d, want 4", r.Buffered())
	}
	r.Reset(strings.NewReader("$1\r\nx\r\n"))
	if r.Buffered() != 0 {
		t.Errorf("Buffered() after Reset = %d", r.Buffered())
	}
	got, wire, _, err := r.ReadReply()
	if err != nil || !bytes.Equal(got.([]byte), []byte("x")) || wire != 7 {
		t.Errorf("after Reset: %#v, %d, %v", got, wire, err)
	}
}

func TestReadReplyAllocations(t *testing.T) {
	tests := []struct {
		reply  string
		allocs float64
	}{
		{"+OK\r\n", 0},
		{"+PONG\r\n", 0},
		{":7\r\n", 0}, // small integers are boxed without allocating
		{"$-1\r\n", 0},
		{"$16\r\n0123456789abcdef\r\n", 2}, // the payload and its interface box, as upstream
	}
	for _, tt := range tests {
		r := NewReader(&cyclicReader{data: []byte(tt.reply)})
		got := testing.AllocsPerRun(100, func() {
			if _, _, _, err := r.ReadReply(); err != nil {
				t.Fatal(err)
			}
		})
		if got != tt.allocs {
			t.Errorf("ReadReply(%q): %v allocations, want %v", tt.reply, got, tt.allocs)
		}
	}
}

func TestProtocolErrorText(t *testing.T) {
	err := (&ProtocolError{Msg: "bad thing"}).Error()
	want := "redigo: bad thing (possible server error or unsupported concurrent read by application)"
	if err != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if Error("ERR x").Error() != "ERR x" {
		t.Errorf("Error.Error() = %q", Error("ERR x").Error())
	}
}

func isProtocolError(err error) bool {
	var perr *ProtocolError
	return errors.As(err, &perr)
}
