package resp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestWriteCommandCounts(t *testing.T) {
	tests := []struct {
		name     string
		args     []interface{}
		keyIndex int
		want     string
		keyLen   int
	}{
		{"PING", nil, -1, "*1\r\n$4\r\nPING\r\n", 0},
		{"SET", []interface{}{"k", "v"}, 0, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 1},
		{"GET", []interface{}{"user:1000"}, 0, "*2\r\n$3\r\nGET\r\n$9\r\nuser:1000\r\n", 9},
		{"GET", []interface{}{"k"}, -1, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 0},
		{"GET", []interface{}{"k"}, 1, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 0},
		{"EXPIRE", []interface{}{[]byte("key"), 12345}, 1, "*3\r\n$6\r\nEXPIRE\r\n$3\r\nkey\r\n$5\r\n12345\r\n", 5},
		{"X", []interface{}{"", nil, true, false, int64(-7), 2.5}, 0,
			"*7\r\n$1\r\nX\r\n$0\r\n\r\n$0\r\n\r\n$1\r\n1\r\n$1\r\n0\r\n$2\r\n-7\r\n$3\r\n2.5\r\n", 0},
		{"DEL", []interface{}{"x", "x", "x", "x", "x", "x", "x", "x", "x", "x"}, 9,
			"*11\r\n$3\r\nDEL\r\n" + strings.Repeat("$1\r\nx\r\n", 10), 1},
		{"SET", []interface{}{"k", strings.Repeat("v", 1234)}, 1,
			"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1234\r\n" + strings.Repeat("v", 1234) + "\r\n", 1234},
	}
	for _, tt := range tests {
		got, n, keyLen := oursSend(t, tt.name, tt.args, tt.keyIndex)
		want := tt.want
		if string(got) != want {
			t.Errorf("WriteCommand(%s %v) wrote %q, want %q", tt.name, tt.args, got, want)
		}
		if n != len(want) || keyLen != tt.keyLen {
			t.Errorf("WriteCommand(%s %v) = n %d keyLen %d, want %d and %d", tt.name, tt.args, n, keyLen, len(want), tt.keyLen)
		}
	}
}

// recordingWriter records each Write call separately.
type recordingWriter struct{ writes [][]byte }

func (r *recordingWriter) Write(p []byte) (int, error) {
	r.writes = append(r.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (r *recordingWriter) all() []byte { return bytes.Join(r.writes, nil) }

func TestWriterBuffering(t *testing.T) {
	dst := &recordingWriter{}
	w := NewWriter(dst)
	if _, _, err := w.WriteCommand("SET", []interface{}{"k", "v"}, 0); err != nil {
		t.Fatal(err)
	}
	if len(dst.writes) != 0 || w.Buffered() != 27 {
		t.Fatalf("small command: %d writes, %d buffered; want 0 and 27", len(dst.writes), w.Buffered())
	}
	if err := w.Flush(); err != nil || len(dst.writes) != 1 || w.Buffered() != 0 {
		t.Fatalf("Flush: %v, %d writes, %d buffered", err, len(dst.writes), w.Buffered())
	}
	if err := w.Flush(); err != nil || len(dst.writes) != 1 {
		t.Fatalf("empty Flush wrote: %v, %d writes", err, len(dst.writes))
	}

	// A pipeline is written out as the buffer fills, never past its size.
	dst = &recordingWriter{}
	w = NewWriter(dst)
	var want []byte
	for i := 0; i < 2000; i++ {
		args := []interface{}{"key", i, []byte("value")}
		_, _, err := w.WriteCommand("SET", args, 0)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, upstreamSend(t, "SET", args...)...)
	}
	if len(dst.writes) == 0 {
		t.Error("a pipeline larger than the buffer was not written before Flush")
	}
	w.Flush()
	for _, p := range dst.writes {
		if len(p) > writeBufferSize {
			t.Errorf("a write of %d bytes exceeds the buffer size", len(p))
		}
	}
	if !bytes.Equal(dst.all(), want) {
		t.Error("pipeline bytes differ from upstream")
	}
}

func TestWriterLargeArguments(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10_000)
	for _, arg := range []interface{}{big, string(big), argOf{big}} {
		dst := &recordingWriter{}
		w := NewWriter(dst)
		n, keyLen, err := w.WriteCommand("SET", []interface{}{"k", arg}, 1)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			t.Fatal(err)
		}
		got := dst.all()
		if want := upstreamSend(t, "SET", "k", arg); !bytes.Equal(got, want) {
			t.Errorf("%T of %d bytes: output differs from upstream", arg, len(big))
		}
		if n != len(got) || keyLen != len(big) {
			t.Errorf("%T: n %d keyLen %d, wrote %d", arg, n, keyLen, len(got))
		}
		// The payload goes to the destination in one write, not copied.
		found := false
		for _, p := range dst.writes {
			found = found || len(p) == len(big)
		}
		if !found {
			t.Errorf("%T: payload not written directly; write sizes %v", arg, writeSizes(dst.writes))
		}
	}

	// Many empty arguments do not grow the buffer past its size.
	dst := &recordingWriter{}
	w := NewWriter(dst)
	args := make([]interface{}, 20_000)
	n, _, err := w.WriteCommand("MSET", args, -1)
	if err == nil {
		err = w.Flush()
	}
	if err != nil || n != len(dst.all()) || n != 8+10+20_000*6 {
		t.Errorf("20000 empty args: n %d, wrote %d, %v", n, len(dst.all()), err)
	}
	for _, p := range dst.writes {
		if len(p) > writeBufferSize {
			t.Errorf("a write of %d bytes exceeds the buffer size", len(p))
		}
	}
}

func writeSizes(writes [][]byte) []int {
	sizes := make([]int, len(writes))
	for i, p := range writes {
		sizes[i] = len(p)
	}
	return sizes
}

// failingWriter accepts limit bytes, then fails.
type failingWriter struct {
	limit int
	err   error
	got   []byte
}

func (f *failingWriter) Write(p []byte) (int, error) {
	n := min(len(p), f.limit-len(f.got))
	f.got = append(f.got, p[:n]...)
	if n < len(p) {
		return n, f.err
	}
	return n, nil
}

// shortWriter reports fewer bytes than it was given, without an error.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriterErrors(t *testing.T) {
	boom := errors.New("boom")
	dst := &failingWriter{limit: 10, err: boom}
	w := NewWriter(dst)
	if _, _, err := w.WriteCommand("SET", []interface{}{"k", "v"}, 0); err != nil {
		t.Fatalf("buffered command failed early: %v", err)
	}
	if err := w.Flush(); err != boom {
		t.Fatalf("Flush: %v, want boom", err)
	}
	// The error sticks until Reset.
	if _, _, err := w.WriteCommand("PING", nil, -1); err != boom {
		t.Errorf("WriteCommand after failure: %v", err)
	}
	if err := w.Flush(); err != boom {
		t.Errorf("second Flush: %v", err)
	}
	if len(dst.got) != 10 {
		t.Errorf("destination got %d bytes, want 10", len(dst.got))
	}

	// A large payload fails in WriteCommand itself.
	w = NewWriter(&failingWriter{limit: 100, err: boom})
	if _, _, err := w.WriteCommand("SET", []interface{}{"k", make([]byte, 100_000)}, 0); err != boom {
		t.Errorf("large WriteCommand: %v, want boom", err)
	}

	w = NewWriter(shortWriter{})
	w.WriteCommand("PING", nil, -1)
	if err := w.Flush(); err != io.ErrShortWrite {
		t.Errorf("short write: %v, want io.ErrShortWrite", err)
	}

	var out bytes.Buffer
	w.Reset(&out)
	if w.Buffered() != 0 {
		t.Errorf("Buffered after Reset = %d", w.Buffered())
	}
	if _, _, err := w.WriteCommand("PING", nil, -1); err != nil {
		t.Fatalf("after Reset: %v", err)
	}
	if err := w.Flush(); err != nil || out.String() != "*1\r\n$4\r\nPING\r\n" {
		t.Errorf("after Reset: %q, %v", out.String(), err)
	}
}

func TestWriterResetDropsBuffered(t *testing.T) {
	var first, second bytes.Buffer
	w := NewWriter(&first)
	w.WriteCommand("GET", []interface{}{"a"}, 0)
	w.Reset(&second)
	w.WriteCommand("GET", []interface{}{"b"}, 0)
	w.Flush()
	if first.Len() != 0 || second.String() != "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n" {
		t.Errorf("first %q, second %q", first.String(), second.String())
	}
}

func TestWriteCommandAllocations(t *testing.T) {
	w := NewWriter(io.Discard)
	value := []byte("0123456789abcdef")
	commands := [][]interface{}{
		{"key", value},
		{"key", "value"},
		{"key", 12345, int64(-9), 3.25, true, false, nil},
		{"key", int32(7), uint64(1 << 60), uint8(3), float32(0.5)},
	}
	for _, args := range commands {
		allocs := testing.AllocsPerRun(1000, func() {
			if _, _, err := w.WriteCommand("SET", args, 0); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("WriteCommand(%v): %v allocations, want 0", args, allocs)
		}
	}
}

func TestClientDo(t *testing.T) {
	var sent bytes.Buffer
	rw := struct {
		io.Reader
		io.Writer
	}{strings.NewReader("+OK\r\n-ERR no\r\n$1\r\nv\r\n"), &sent}
	c := NewClient(rw)
	if reply, err := c.Do("SET", "k", "v"); reply != "OK" || err != nil {
		t.Fatalf("SET: %v, %v", reply, err)
	}
	if _, err := c.Do("INCR", "k"); err != Error("ERR no") {
		t.Fatalf("INCR: error %v, want the error reply", err)
	}
	if reply, err := c.Do("GET", "k"); string(reply.([]byte)) != "v" || err != nil {
		t.Fatalf("GET: %v, %v", reply, err)
	}
	if want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"; sent.String() != want {
		t.Fatalf("sent %q, want %q", sent.String(), want)
	}
}
