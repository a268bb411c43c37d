package resp

import (
	"io"
	"strings"
	"testing"

	"github.com/gomodule/redigo/redis"
)

// cyclicReader serves the same bytes over and over, so that a benchmark can
// read as many replies as it likes from a constant stream.
type cyclicReader struct {
	data []byte
	off  int
}

func (c *cyclicReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.data[c.off:])
		n += k
		c.off = (c.off + k) % len(c.data)
	}
	return n, nil
}

// discardConn is a sinkConn whose writes go nowhere.
type discardConn struct{ sinkConn }

func (c *discardConn) Write(p []byte) (int, error) { return len(p), nil }

var benchValue = []byte("0123456789abcdef") // 16 bytes

var benchReplies = []struct {
	name  string
	reply string
}{
	{"bulk16", "$16\r\n0123456789abcdef\r\n"},
	{"statusOK", "+OK\r\n"},
	{"array100", "*100\r\n" + strings.Repeat("$16\r\n0123456789abcdef\r\n", 100)},
}

func BenchmarkWriteCommand(b *testing.B) {
	w := NewWriter(io.Discard)
	args := []interface{}{"key:1", benchValue}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := w.WriteCommand("SET", args, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpstreamSend(b *testing.B) {
	c := redis.NewConn(&discardConn{}, 0, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Send("SET", "key:1", benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadReply(b *testing.B) {
	for _, bench := range benchReplies {
		b.Run(bench.name, func(b *testing.B) {
			r := NewReader(&cyclicReader{data: []byte(bench.reply)})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, _, err := r.ReadReply(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpstreamReceive(b *testing.B) {
	for _, bench := range benchReplies {
		b.Run(bench.name, func(b *testing.B) {
			c := redis.NewConn(&sinkConn{src: &cyclicReader{data: []byte(bench.reply)}}, 0, 0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Receive(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
