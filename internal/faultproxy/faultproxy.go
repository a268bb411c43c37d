// Package faultproxy is a TCP proxy for fault-injection tests: it listens
// on a free loopback port, forwards every connection to a target address,
// and on command resets connections, stops forwarding (a half-open peer),
// delays or throttles the bytes it forwards, or resets a connection once it
// has carried a number of bytes.
//
// Faults apply to the connections open when they are set and to later
// ones. Close stops the proxy and waits for all its goroutines, so tests
// that check for goroutine leaks can use it.
//
// The package imports only the standard library.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Direction is one way of a proxied connection.
type Direction int

const (
	// Upstream is from the client to the target (commands).
	Upstream Direction = iota
	// Downstream is from the target to the client (replies).
	Downstream
)

// chunkSize is the most a pump reads at once; throttled pumps read less.
const chunkSize = 32 << 10

// linkSettings are the faults of one direction.
type linkSettings struct {
	latency    time.Duration // before each chunk is forwarded
	rate       int           // bytes per second; 0 means unlimited
	resetAfter int64         // reset once a connection carried this many bytes; 0 means never
}

// Proxy forwards TCP connections to a target. Its methods are safe for
// concurrent use.
type Proxy struct {
	target   string
	listener net.Listener
	wg       sync.WaitGroup // the accept loop and every pump

	accepted atomic.Int64

	mu       sync.Mutex
	closed   bool
	links    map[*link]struct{}
	settings [2]linkSettings
	paused   bool
	resumed  chan struct{} // closed when forwarding resumes
}

// Start starts a proxy to target on 127.0.0.1 and a free port.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, listener: ln, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the address clients connect to.
func (p *Proxy) Addr() string { return p.listener.Addr().String() }

// Accepted returns how many client connections the proxy has accepted.
func (p *Proxy) Accepted() int64 { return p.accepted.Load() }

// Conns returns how many proxied connections are open.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// ResetAll resets every open connection: both its ends get a TCP RST.
func (p *Proxy) ResetAll() {
	for _, l := range p.snapshot() {
		l.teardown(true)
	}
}

// ResetOne resets one open connection, chosen by pick among the open ones
// (pick gets their number and returns an index); it reports whether there
// was one.
func (p *Proxy) ResetOne(pick func(n int) int) bool {
	links := p.snapshot()
	if len(links) == 0 {
		return false
	}
	links[pick(len(links))].teardown(true)
	return true
}

func (p *Proxy) snapshot() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	return links
}

// Pause stops forwarding in both directions. Connections stay open and
// new ones are accepted, but no byte goes through until Resume: to the
// client the server is alive at the TCP level and never answers.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.paused = true
		p.resumed = make(chan struct{})
	}
}

// Resume forwards again, starting with the bytes held while paused.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		p.paused = false
		close(p.resumed)
	}
}

// SetLatency delays every chunk forwarded in dir by d; 0 removes the delay.
func (p *Proxy) SetLatency(dir Direction, d time.Duration) {
	p.mu.Lock()
	p.settings[dir].latency = d
	p.mu.Unlock()
}

// SetRate throttles dir to about bytesPerSecond; 0 removes the limit. The
// proxy reads no faster than it forwards, so a client writing faster than
// the rate soon blocks on a full socket buffer.
func (p *Proxy) SetRate(dir Direction, bytesPerSecond int) {
	p.mu.Lock()
	p.settings[dir].rate = bytesPerSecond
	p.mu.Unlock()
}

// ResetAfter resets each connection once it has carried n bytes in dir,
// counted from its start: the first n bytes are forwarded, then both ends
// get a TCP RST. 0 turns this off.
func (p *Proxy) ResetAfter(dir Direction, n int64) {
	p.mu.Lock()
	p.settings[dir].resetAfter = n
	p.mu.Unlock()
}

// Close stops accepting, closes every connection and waits until all the
// proxy's goroutines have returned.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.listener.Close()
	for _, l := range p.snapshot() {
		l.teardown(false)
	}
	p.wg.Wait()
	return err
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		client, err := p.listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. too many open files: keep serving
		}
		p.accepted.Add(1)
		p.wg.Add(1)
		go p.connect(client)
	}
}

// connect dials the target for a client connection and starts forwarding.
// A target that cannot be reached resets the client, as a crashed server
// behind a load balancer would.
func (p *Proxy) connect(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		abort(client)
		return
	}
	l := &link{p: p, client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.links[l] = struct{}{}
	p.wg.Add(2)
	p.mu.Unlock()
	go l.pump(Upstream, client, server)
	go l.pump(Downstream, server, client)
}

// abort closes c with a TCP RST instead of a FIN.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// link is one proxied connection: the client's and the target's ends.
type link struct {
	p              *Proxy
	client, server net.Conn
	carried        [2]atomic.Int64
	once           sync.Once
	done           chan struct{} // closed by teardown
}

// teardown closes both ends, with a RST when reset is set.
func (l *link) teardown(reset bool) {
	l.once.Do(func() {
		if reset {
			abort(l.client)
			abort(l.server)
		} else {
			l.client.Close()
			l.server.Close()
		}
		close(l.done)
		l.p.mu.Lock()
		delete(l.p.links, l)
		l.p.mu.Unlock()
	})
}

// gate waits while the proxy is paused and returns dir's settings; false
// means the link was torn down meanwhile.
func (l *link) gate(dir Direction) (linkSettings, bool) {
	for {
		l.p.mu.Lock()
		s, paused, resumed := l.p.settings[dir], l.p.paused, l.p.resumed
		l.p.mu.Unlock()
		if !paused {
			return s, true
		}
		select {
		case <-resumed:
		case <-l.done:
			return s, false
		}
	}
}

// sleep waits d unless the link is torn down first.
func (l *link) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.done:
		return false
	}
}

// pump copies src to dst, applying the faults of dir, until either end
// fails; then it tears the link down gracefully (unless a fault already
// reset it), so that an end closed by one peer is closed for the other.
func (l *link) pump(dir Direction, src, dst net.Conn) {
	defer l.p.wg.Done()
	defer l.teardown(false)
	buf := make([]byte, chunkSize)
	for {
		l.p.mu.Lock()
		rate := l.p.settings[dir].rate
		l.p.mu.Unlock()
		chunk := buf
		if rate > 0 {
			// Read about a tenth of a second's worth at a time.
			chunk = buf[:max(1, min(len(buf), rate/10))]
		}
		n, err := src.Read(chunk)
		if n > 0 && !l.forward(dir, dst, chunk[:n]) {
			return
		}
		if err != nil {
			return // io.EOF or a closed or reset end
		}
	}
}

// forward writes one chunk to dst after the faults of dir; false means the
// link is gone.
func (l *link) forward(dir Direction, dst net.Conn, p []byte) bool {
	s, ok := l.gate(dir)
	if !ok || !l.sleep(s.latency) {
		return false
	}
	carried := l.carried[dir].Load()
	reset := false
	if s.resetAfter > 0 && carried+int64(len(p)) >= s.resetAfter {
		p = p[:max(0, s.resetAfter-carried)]
		reset = true
	}
	if len(p) > 0 {
		if _, err := dst.Write(p); err != nil {
			return false
		}
		l.carried[dir].Add(int64(len(p)))
	}
	if reset {
		l.teardown(true)
		return false
	}
	if s.rate > 0 {
		return l.sleep(time.Duration(len(p)) * time.Second / time.Duration(s.rate))
	}
	return true
}

var _ io.Closer = (*Proxy)(nil)
