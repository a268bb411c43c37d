package faultproxy_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/faultproxy"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func startProxy(t *testing.T, target string) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func connect(t *testing.T, p *faultproxy.Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes msg and reads it back within a generous deadline.
func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if string(got) != msg {
		t.Fatalf("got %q, want %q", got, msg)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestForwards(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c := connect(t, p)
	roundTrip(t, c, "hello")
	big := bytes.Repeat([]byte("x"), 1<<20)
	roundTrip(t, c, string(big))
	if p.Accepted() != 1 || p.Conns() != 1 {
		t.Fatalf("accepted %d, open %d; want 1, 1", p.Accepted(), p.Conns())
	}
}

func TestResetAll(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c := connect(t, p)
	roundTrip(t, c, "before")
	p.ResetAll()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after reset: %v, want ECONNRESET", err)
	}
	if p.Conns() != 0 {
		t.Fatalf("%d connections open after ResetAll", p.Conns())
	}
	roundTrip(t, connect(t, p), "a new connection works")
}

func TestResetOne(t *testing.T) {
	p := startProxy(t, echoServer(t))
	if p.ResetOne(func(int) int { return 0 }) {
		t.Fatal("ResetOne reset a connection when none was open")
	}
	c := connect(t, p)
	roundTrip(t, c, "x")
	if !p.ResetOne(func(n int) int { return n - 1 }) {
		t.Fatal("ResetOne found no connection")
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after reset: %v, want ECONNRESET", err)
	}
}

func TestPauseResume(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c := connect(t, p)
	roundTrip(t, c, "before")
	p.Pause()
	if _, err := c.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 4)); !isTimeout(err) {
		t.Fatalf("read while paused: %v, want a timeout", err)
	}
	p.Resume()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "held" {
		t.Fatalf("after resume: %q, %v", got, err)
	}
}

func TestLatency(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c := connect(t, p)
	p.SetLatency(faultproxy.Downstream, time.Hour)
	c.Write([]byte("slow"))
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 4)); !isTimeout(err) {
		t.Fatalf("read under latency: %v, want a timeout", err)
	}
	p.SetLatency(faultproxy.Downstream, 0)
	// The chunk already waiting keeps its hour: a new connection is fast.
	roundTrip(t, connect(t, p), "fast")
}

func TestRateBlocksWriter(t *testing.T) {
	p := startProxy(t, echoServer(t))
	c := connect(t, p)
	roundTrip(t, c, "x")
	p.SetRate(faultproxy.Upstream, 1024)
	// More than the socket buffers of both ends can hold.
	c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	_, err := c.Write(make([]byte, 64<<20))
	if !isTimeout(err) {
		t.Fatalf("write under a 1 KiB/s rate: %v, want a timeout", err)
	}
}

func TestResetAfter(t *testing.T) {
	p := startProxy(t, echoServer(t))
	p.ResetAfter(faultproxy.Downstream, 10)
	c := connect(t, p)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("0123456789abcdef"))
	got, err := io.ReadAll(c)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read past the limit: %v, want ECONNRESET", err)
	}
	// The bytes before the limit may be dropped with the RST; none after.
	if len(got) > 10 || string(got) != "0123456789"[:len(got)] {
		t.Fatalf("got %q before the reset", got)
	}
}

func TestTargetDownResetsClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := startProxy(t, target)
	// The RST may come before the client's connect returns, or after.
	c, err := net.Dial("tcp", p.Addr())
	if err == nil {
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Read(make([]byte, 1))
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %v, want a reset", err)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, p)
	roundTrip(t, c, "x")
	p.Pause()
	c.Write([]byte("held"))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("read after Close: %v, want the connection closed", err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Fatal("the proxy still accepts after Close")
	}
	// goleak in TestMain checks that every goroutine has returned.
}
