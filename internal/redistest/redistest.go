// Package redistest starts real redis-server processes for tests of the
// driver. Servers listen on free loopback ports (plain or TLS, optionally a
// unix socket), are configured through a generated config file, and are
// always stopped: Start registers t.Cleanup, StartShared servers are
// stopped by StopAll (or Main), and on Linux every server is killed by the
// kernel when the test binary dies.
//
// The package imports only the standard library so that the driver's own
// tests can use it without an import cycle.
package redistest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// readyTimeout bounds how long a server may take to answer PING.
	readyTimeout = 10 * time.Second
	// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
	stopGrace = 5 * time.Second
	// startAttempts bounds retries when the chosen port was taken between
	// picking it and redis-server binding it.
	startAttempts = 5
)

// User is an extra ACL user.
type User struct {
	Name     string
	Password string
	// Rules are ACL rules appended after "on" and ">"+Password ("nopass"
	// when Password is empty), so later rules may override them. When
	// empty, the user gets full access: "~*", "&*", "+@all".
	Rules []string
}

// Options configure a server.
type Options struct {
	Password string // requirepass for the default user ("" = none)
	Users    []User // extra ACL users
	TLS      bool   // serve TLS only; the plain port is disabled
	Unix     bool   // also listen on a unix socket in the server's temp dir
	Debug    bool   // enable-debug-command local (needed for DEBUG SLEEP)
	// Args are extra config directives, one per entry, e.g. "maxmemory
	// 10mb". They come last and so override the generated ones, except
	// that loglevel must stay notice or lower: readiness is read from the
	// log.
	Args []string
}

// Server is a running (or stopped) redis-server process.
type Server struct {
	opts     Options
	bin      string
	dir      string
	confPath string
	logPath  string
	socket   string
	certs    *certBundle // nil unless opts.TLS

	mu   sync.Mutex // serializes Stop, Kill and Restart
	port int        // fixed once the first start succeeds
	proc *process   // nil when not running
}

// process is one started redis-server and its reaper.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd.Wait has returned
	err  error         // cmd.Wait's result, valid after done is closed
}

// Start starts a server and registers t.Cleanup to stop it and remove its
// files. It fails the test with the server log when the server does not
// answer within about 10 seconds or exits during start.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := newServer(opts)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(s.destroy)
	s.mu.Lock()
	err = s.launch(true)
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

var shared struct {
	mu      sync.Mutex
	servers []*Server
}

// StartShared starts a server that outlives individual tests, for use from
// TestMain. Stop it with StopAll (Main does this).
func StartShared(opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s.mu.Lock()
	err = s.launch(true)
	s.mu.Unlock()
	if err != nil {
		s.destroy()
		return nil, fmt.Errorf("redistest: %w", err)
	}
	shared.mu.Lock()
	shared.servers = append(shared.servers, s)
	shared.mu.Unlock()
	return s, nil
}

// StopAll stops every server started by StartShared and removes its files.
func StopAll() {
	shared.mu.Lock()
	servers := shared.servers
	shared.servers = nil
	shared.mu.Unlock()
	for _, s := range servers {
		s.destroy()
	}
}

// Main runs the tests, stops the shared servers and exits with the tests'
// exit code. Use it as the body of TestMain:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	StopAll()
	os.Exit(code)
}

// Addr returns "127.0.0.1:port"; the TLS port when the server serves TLS.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.port)) }

// Host returns the loopback address the server binds.
func (s *Server) Host() string { return "127.0.0.1" }

// Port returns the TCP port (the TLS port when the server serves TLS).
func (s *Server) Port() int { return s.port }

// SocketPath returns the unix socket path, or "" unless Options.Unix.
func (s *Server) SocketPath() string { return s.socket }

// URL returns "redis://127.0.0.1:port", or "rediss://..." for TLS. It holds
// no credentials.
func (s *Server) URL() string {
	if s.opts.TLS {
		return "rediss://" + s.Addr()
	}
	return "redis://" + s.Addr()
}

// TLSConfig returns a new client config trusting the generated CA, with
// ServerName "localhost"; nil unless Options.TLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.certs == nil {
		return nil
	}
	return &tls.Config{
		RootCAs:    s.certs.pool.Clone(),
		ServerName: "localhost",
		MinVersion: tls.VersionTLS12,
	}
}

// CAPool returns a pool holding the generated CA; nil unless Options.TLS.
func (s *Server) CAPool() *x509.CertPool {
	if s.certs == nil {
		return nil
	}
	return s.certs.pool.Clone()
}

// Log returns the server's log so far, including its stdout and stderr.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Stop stops the server gracefully: SIGTERM, then SIGKILL if it has not
// exited after a few seconds. It returns once the process is reaped.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(stopGrace)
		s.proc = nil
	}
}

// Kill kills the server with SIGKILL, as a crash would, and reaps it.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(0)
		s.proc = nil
	}
}

// Restart starts the server again on the same port and socket with the same
// options and waits until it answers. A running server is stopped first.
// The restarted server holds no data: persistence is off.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(stopGrace)
		s.proc = nil
	}
	if err := s.launch(false); err != nil {
		t.Fatalf("redistest: restart: %v", err)
	}
}

// destroy stops the server and removes its directory.
func (s *Server) destroy() {
	s.Stop()
	os.RemoveAll(s.dir)
}

// newServer validates opts and prepares the server's directory; it starts
// nothing.
func newServer(opts Options) (*Server, error) {
	if err := validate(opts); err != nil {
		return nil, err
	}
	bin, err := serverPath()
	if err != nil {
		return nil, err
	}
	// A short directory under os.TempDir rather than t.TempDir: unix socket
	// paths are limited to about 100 bytes and test names can be long.
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		bin:      bin,
		dir:      dir,
		confPath: filepath.Join(dir, "redis.conf"),
		logPath:  filepath.Join(dir, "redis.log"),
	}
	if opts.Unix {
		s.socket = filepath.Join(dir, "redis.sock")
		if len(s.socket) > 100 {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("unix socket path %q is too long; set TMPDIR to a shorter directory", s.socket)
		}
	}
	if opts.TLS {
		if s.certs, err = testCerts(); err == nil {
			err = s.certs.write(dir)
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("TLS certificates: %w", err)
		}
	}
	return s, nil
}

// serverPath finds the redis-server binary: $REDIS_SERVER, else $PATH.
func serverPath() (string, error) {
	if p := os.Getenv("REDIS_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$REDIS_SERVER: %w", err)
		}
		return p, nil
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("redis-server not found in $PATH and $REDIS_SERVER is unset; " +
			"install it (apt-get install redis-server; `make test` does this)")
	}
	return p, nil
}

var errAddrInUse = errors.New("address already in use")

// launch starts the process and waits until it answers. With pickPort it
// chooses a new free port for every attempt; otherwise it reuses s.port.
// The caller holds s.mu.
func (s *Server) launch(pickPort bool) error {
	for attempt := 1; ; attempt++ {
		if pickPort {
			port, err := freePort()
			if err != nil {
				return err
			}
			s.port = port
		}
		if err := os.WriteFile(s.confPath, []byte(s.config()), 0o600); err != nil {
			return err
		}
		p, err := s.startOnce()
		if err == nil {
			s.proc = p
			return nil
		}
		if !errors.Is(err, errAddrInUse) || attempt == startAttempts {
			return err
		}
		if !pickPort {
			// The same port is wanted; give whoever holds it a moment.
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// freePort returns a loopback port that was free a moment ago. Another
// process may take it before redis-server binds it; launch retries then.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startOnce runs redis-server once and waits for it to answer. On failure
// the process is killed and reaped before returning.
func (s *Server) startOnce() (*process, error) {
	// Redis appends to the log; remember where this run's output begins so
	// failures report (and port clashes are detected in) this run only.
	var offset int64
	if fi, err := os.Stat(s.logPath); err == nil {
		offset = fi.Size()
	}
	// Config errors go to stderr before redis opens its logfile, so
	// stdout and stderr are appended to the same file.
	out, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(s.bin, s.confPath)
	cmd.Dir = s.dir
	cmd.Stdout = out
	cmd.Stderr = out
	setProcAttr(cmd)
	err = cmd.Start()
	out.Close()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", s.bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := s.waitReady(p, offset); err != nil {
		p.stop(0)
		return nil, err
	}
	return p, nil
}

// readyLine is what redis-server logs once all its listeners are bound.
const readyLine = "Ready to accept connections"

// waitReady polls until the server answers PING, the process exits or
// readyTimeout passes. It pings only after this run's log reports ready:
// until then the port may belong to another process (the free-port race),
// whose answer would prove nothing.
func (s *Server) waitReady(p *process, offset int64) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		err := errors.New("redis-server has not logged " + strconv.Quote(readyLine))
		if strings.Contains(s.logSince(offset), readyLine) {
			err = s.ping()
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s not ready after %v (last error: %v); log:\n%s",
				s.Addr(), readyTimeout, err, s.logSince(offset))
		}
		select {
		case <-p.done:
			log := s.logSince(offset)
			if containsAddrInUse(log) {
				return fmt.Errorf("%w: port %d; log:\n%s", errAddrInUse, s.port, log)
			}
			return fmt.Errorf("redis-server exited during start (%v); log:\n%s", p.err, log)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *Server) logSince(offset int64) string {
	log := s.Log()
	if int64(len(log)) >= offset {
		return log[offset:]
	}
	return log
}

// stop ends the process: SIGTERM with a grace period, then SIGKILL (at once
// when grace is 0). Signals go to the process group so that forked children
// (BGSAVE) die too. It returns once the process is reaped.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	if grace > 0 {
		signalGroup(p.cmd.Process, syscall.SIGTERM)
		select {
		case <-p.done:
			return
		case <-time.After(grace):
		}
	}
	signalGroup(p.cmd.Process, syscall.SIGKILL)
	<-p.done
}
