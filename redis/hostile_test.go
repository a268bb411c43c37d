package redis_test

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/resp"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostilePeer is a listener that answers every command with what its
// script writes: not a Redis mock but a peer that lies about lengths,
// nests without end or never stops talking.
type hostilePeer struct {
	ln     net.Listener
	script func(w io.Writer) error
	wg     sync.WaitGroup
}

func startHostilePeer(t *testing.T, script func(w io.Writer) error) *hostilePeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := &hostilePeer{ln: ln, script: script}
	h.wg.Add(1)
	go h.serve()
	t.Cleanup(func() {
		ln.Close()
		h.wg.Wait()
	})
	return h
}

func (h *hostilePeer) serve() {
	defer h.wg.Done()
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			defer c.Close()
			// Read the command, answer, then wait for the client to hang up
			// (an endless script stops when its writes fail).
			if _, err := c.Read(make([]byte, 4096)); err != nil {
				return
			}
			if h.script(c) == nil {
				io.Copy(io.Discard, c)
			}
		}()
	}
}

// writeString returns a script writing s once.
func writeString(s string) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// writeForever returns a script writing head once and then unit until the
// client goes away.
func writeForever(head, unit string) func(w io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, head); err != nil {
			return err
		}
		chunk := []byte(strings.Repeat(unit, (16<<10)/len(unit)))
		for {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
	}
}

// Expected outcomes of a hostile reply.
const (
	wantProtocol = "protocol other"  // a *resp.ProtocolError
	wantTimeout  = "timeout timeout" // the read timeout: the input never completes
	wantEOF      = "read eof"        // the peer hung up mid-reply
)

func TestHostileServer(t *testing.T) {
	useMetricViews(t)
	for _, tc := range []struct {
		name   string
		script func(w io.Writer) error
		want   string
		// maxAlloc bounds the bytes the client allocates reading the reply.
		maxAlloc uint64
	}{
		{"huge-bulk-then-stall", writeString("$536870912\r\nonly a few bytes"), wantTimeout, 1 << 20},
		{"huge-bulk-then-hang-up", func(w io.Writer) error {
			io.WriteString(w, "$536870912\r\nonly a few bytes")
			return errors.New("hang up")
		}, wantEOF, 1 << 20},
		{"bulk-over-limit", writeString("$536870913\r\n"), wantProtocol, 1 << 20},
		{"bulk-length-overflow", writeString("$99999999999999999999999\r\n"), wantProtocol, 1 << 20},
		{"negative-bulk-length", writeString("$-2\r\n"), wantProtocol, 1 << 20},
		{"huge-array-then-stall", writeString("*2147483647\r\n:1\r\n:2\r\n"), wantTimeout, 1 << 20},
		{"array-over-limit", writeString("*2147483648\r\n"), wantProtocol, 1 << 20},
		{"nested-huge-arrays", writeString(strings.Repeat("*2147483647\r\n", 1000)), wantTimeout, 4 << 20},
		{"deep-nesting", writeString(strings.Repeat("*1\r\n", 5000) + ":1\r\n"), wantProtocol, 4 << 20},
		{"endless-nesting", writeForever("", "*1\r\n"), wantProtocol, 4 << 20},
		{"endless-status-line", writeForever("+", "a"), wantProtocol, 8 << 20},
		{"endless-error-line", writeForever("-ERR ", "a"), wantProtocol, 8 << 20},
		{"endless-length-line", writeForever("$", "1"), wantProtocol, 1 << 20},
		{"line-without-crlf-then-stall", writeString("+OK"), wantTimeout, 1 << 20},
		{"lf-without-cr", writeString("+OK\n"), wantProtocol, 1 << 20},
		{"bulk-without-crlf", writeString("$3\r\nabcXY"), wantProtocol, 1 << 20},
		{"integer-overflow", writeString(":99999999999999999999999\r\n"), wantProtocol, 1 << 20},
		{"garbage-text", writeString("HTTP/1.1 400 Bad Request\r\n\r\n"), wantProtocol, 1 << 20},
		{"garbage-binary", writeString("\x00\xff\xfe\x01\r\n"), wantProtocol, 1 << 20},
		{"empty-line", writeString("\r\n"), wantProtocol, 1 << 20},
		{"endless-garbage", writeForever("", "\x00\x01\x02\x03"), wantProtocol, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "hostile-" + tc.name
			peer := startHostilePeer(t, tc.script)
			errs := errorsSince(t, name)
			p := newTestPool(t, &redis.Pool{MaxIdle: 1, Dial: func() (redis.Conn, error) {
				return redis.Dial("tcp", peer.ln.Addr().String(),
					redis.DialReadTimeout(500*time.Millisecond),
					redis.DialTraceOptions(redis.TraceOptions{Name: name}))
			}})
			c := p.Get()
			require.NoError(t, c.Err())

			var err error
			alloc := allocatedBy(func() {
				// A hang is a failure of its own, not a test timeout.
				done := make(chan error, 1)
				go func() { _, err := c.Do("GET", "k"); done <- err }()
				select {
				case err = <-done:
				case <-time.After(30 * time.Second):
					t.Fatal("the client hangs on hostile input")
				}
			})

			require.Error(t, err)
			switch tc.want {
			case wantProtocol:
				var protoErr *resp.ProtocolError
				assert.ErrorAs(t, err, &protoErr)
			case wantTimeout:
				assert.True(t, isNetTimeout(err), "a net.Error timeout: %v", err)
			case wantEOF:
				assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "EOF: %v", err)
			}
			assert.Error(t, c.Err(), "the connection is broken")
			assert.Equal(t, map[string]int64{"GET " + tc.want: 1}, errs())
			assert.LessOrEqual(t, alloc, tc.maxAlloc, "bytes allocated reading the reply")
			t.Logf("%v; %d KiB allocated", err, alloc>>10)

			c.Close()
			requireDiscarded(t, p)
		})
	}
}

// allocatedBy returns the bytes the process allocated while f ran; the
// test's other goroutines are idle meanwhile.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
