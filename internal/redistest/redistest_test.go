package redistest_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// client is a minimal RESP client: it sends commands as arrays of bulk
// strings and reads one reply, rendered as its first line (bulk strings
// as "$" + data, nil as "$-1").
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newClient(t *testing.T, conn net.Conn) *client {
	t.Helper()
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func dial(t *testing.T, network, addr string) *client {
	t.Helper()
	conn, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	return newClient(t, conn)
}

func (c *client) do(args ...string) string {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		c.t.Fatalf("write %q: %v", args, err)
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read reply to %q: %v", args, err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	if !strings.HasPrefix(line, "$") || line == "$-1" {
		return line
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil {
		c.t.Fatalf("bad bulk header %q", line)
	}
	data := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, data); err != nil {
		c.t.Fatalf("read bulk: %v", err)
	}
	return "$" + string(data[:n])
}

func expect(t *testing.T, c *client, want string, args ...string) {
	t.Helper()
	if got := c.do(args...); got != want {
		t.Fatalf("%q: got %q, want %q", args, got, want)
	}
}

func expectPrefix(t *testing.T, c *client, prefix string, args ...string) {
	t.Helper()
	if got := c.do(args...); !strings.HasPrefix(got, prefix) {
		t.Fatalf("%q: got %q, want prefix %q", args, got, prefix)
	}
}

func expectRefused(t *testing.T, network, addr string) {
	t.Helper()
	conn, err := net.DialTimeout(network, addr, 2*time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("dial %s %s succeeded; want the server gone", network, addr)
	}
}

func TestPlainServerAnswersPing(t *testing.T) {
	s := redistest.Start(t, redistest.Options{})
	expect(t, dial(t, "tcp", s.Addr()), "+PONG", "PING")

	if want := net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())); s.Addr() != want {
		t.Errorf("Addr() = %q, want %q", s.Addr(), want)
	}
	if s.Host() != "127.0.0.1" {
		t.Errorf("Host() = %q", s.Host())
	}
	if want := "redis://" + s.Addr(); s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}
	if s.SocketPath() != "" || s.TLSConfig() != nil || s.CAPool() != nil {
		t.Errorf("plain server has socket %q, TLS config %v, CA pool %v", s.SocketPath(), s.TLSConfig(), s.CAPool())
	}
	if log := s.Log(); !strings.Contains(log, "Ready to accept connections") {
		t.Errorf("Log() lacks the ready line:\n%s", log)
	}
}

func TestPasswordServerRequiresAuth(t *testing.T) {
	// Spaces, quotes, a backslash and a non-ASCII byte exercise the config
	// file's quoting.
	const password = `p a"s's\w` + "\xff"
	s := redistest.Start(t, redistest.Options{Password: password})
	c := dial(t, "tcp", s.Addr())
	expectPrefix(t, c, "-NOAUTH", "PING")
	expectPrefix(t, c, "-WRONGPASS", "AUTH", "wrong")
	expect(t, c, "+OK", "AUTH", password)
	expect(t, c, "+PONG", "PING")
}

func TestACLUsers(t *testing.T) {
	s := redistest.Start(t, redistest.Options{
		Password: "defaultpw",
		Users: []redistest.User{
			{Name: "alice", Password: "alice pw \"x\""},
			{Name: "bob", Password: "bobpw", Rules: []string{"~*", "+ping", "+get"}},
		},
	})
	c := dial(t, "tcp", s.Addr())
	expectPrefix(t, c, "-WRONGPASS", "AUTH", "alice", "wrong")
	expect(t, c, "+OK", "AUTH", "alice", "alice pw \"x\"")
	expect(t, c, "+OK", "SET", "k", "v")

	// Rules replace the default full access but keep the password.
	expect(t, c, "+OK", "AUTH", "bob", "bobpw")
	expect(t, c, "$v", "GET", "k")
	expectPrefix(t, c, "-NOPERM", "SET", "k", "w")

	expect(t, c, "+OK", "AUTH", "defaultpw")
}

func TestTLSServer(t *testing.T) {
	s := redistest.Start(t, redistest.Options{TLS: true})
	if want := "rediss://" + s.Addr(); s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}

	conn, err := tls.Dial("tcp", s.Addr(), s.TLSConfig())
	if err != nil {
		t.Fatalf("TLS dial with TLSConfig(): %v", err)
	}
	expect(t, newClient(t, conn), "+PONG", "PING")

	// The leaf also carries the IP address as a SAN.
	conn, err = tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: s.CAPool(), ServerName: s.Host()})
	if err != nil {
		t.Fatalf("TLS dial verifying %s: %v", s.Host(), err)
	}
	expect(t, newClient(t, conn), "+PONG", "PING")

	// Without the CA the certificate does not verify.
	conn, err = tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"})
	if err == nil {
		conn.Close()
		t.Fatal("TLS dial without the CA succeeded")
	}
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("TLS dial without the CA: got %v, want a certificate verification error", err)
	}
}

func TestUnixSocket(t *testing.T) {
	s := redistest.Start(t, redistest.Options{Unix: true})
	if s.SocketPath() == "" {
		t.Fatal("SocketPath() is empty")
	}
	expect(t, dial(t, "unix", s.SocketPath()), "+PONG", "PING")
	expect(t, dial(t, "tcp", s.Addr()), "+PONG", "PING")
}

func TestStopRefusesConnections(t *testing.T) {
	s := redistest.Start(t, redistest.Options{Unix: true})
	expect(t, dial(t, "tcp", s.Addr()), "+PONG", "PING")
	s.Stop()
	expectRefused(t, "tcp", s.Addr())
	expectRefused(t, "unix", s.SocketPath())
	s.Stop() // idempotent
	if log := s.Log(); !strings.Contains(log, "ready to exit") {
		t.Errorf("graceful stop not in the log:\n%s", log)
	}
}

func TestKillAndRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts redistest.Options
	}{
		{"plain", redistest.Options{Password: "pw", Unix: true}},
		{"tls", redistest.Options{TLS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := redistest.Start(t, tc.opts)
			addr := s.Addr()
			s.Kill()
			expectRefused(t, "tcp", addr)
			s.Restart(t)
			if s.Addr() != addr {
				t.Fatalf("restarted on %s, want %s", s.Addr(), addr)
			}
			var c *client
			if tc.opts.TLS {
				conn, err := tls.Dial("tcp", addr, s.TLSConfig())
				if err != nil {
					t.Fatalf("TLS dial after restart: %v", err)
				}
				c = newClient(t, conn)
			} else {
				// Same options: the password is still required.
				c = dial(t, "tcp", addr)
				expectPrefix(t, c, "-NOAUTH", "PING")
				expect(t, c, "+OK", "AUTH", "pw")
				expect(t, dial(t, "unix", s.SocketPath()), "-NOAUTH Authentication required.", "PING")
			}
			expect(t, c, "+PONG", "PING")
		})
	}
}

func TestRestartAfterStopIsFresh(t *testing.T) {
	s := redistest.Start(t, redistest.Options{})
	expect(t, dial(t, "tcp", s.Addr()), "+OK", "SET", "k", "v")
	s.Stop()
	s.Restart(t)
	// Persistence is off, so the restarted server is empty.
	expect(t, dial(t, "tcp", s.Addr()), "$-1", "GET", "k")
}

// fatalRecorder captures Fatalf instead of failing the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestRestartFailsWhenPortTaken(t *testing.T) {
	s := redistest.Start(t, redistest.Options{})
	s.Stop()
	l, err := net.Listen("tcp", s.Addr())
	if err != nil {
		t.Fatalf("taking the stopped server's port: %v", err)
	}
	defer l.Close()

	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Restart(rec)
	}()
	<-done
	if !strings.Contains(rec.msg, "Address already in use") {
		t.Fatalf("Restart on a taken port: got failure %q, want one quoting the log", rec.msg)
	}
}

func TestDebugCommand(t *testing.T) {
	s := redistest.Start(t, redistest.Options{Debug: true})
	expect(t, dial(t, "tcp", s.Addr()), "+OK", "DEBUG", "SLEEP", "0")

	plain := redistest.Start(t, redistest.Options{})
	expectPrefix(t, dial(t, "tcp", plain.Addr()), "-ERR", "DEBUG", "SLEEP", "0")
}

func TestArgs(t *testing.T) {
	s := redistest.Start(t, redistest.Options{Args: []string{"maxmemory 10mb", "databases 3"}})
	c := dial(t, "tcp", s.Addr())
	expect(t, c, "+OK", "SELECT", "2")
	expectPrefix(t, c, "-ERR", "SELECT", "3")
	if _, err := io.WriteString(c.conn, "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n"); err != nil {
		t.Fatal(err)
	}
	reply := make([]string, 5)
	for i := range reply {
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		reply[i] = strings.TrimSuffix(line, "\r\n")
	}
	if got := reply[4]; got != "10485760" {
		t.Fatalf("CONFIG GET maxmemory: got %q, want 10485760", reply)
	}
}

func TestBadOptionsAreErrors(t *testing.T) {
	_, err := redistest.StartShared(redistest.Options{Args: []string{"no-such-directive yes"}})
	if err == nil || !strings.Contains(err.Error(), "no-such-directive") {
		t.Fatalf("unknown directive: got %v, want an error quoting the log", err)
	}
	_, err = redistest.StartShared(redistest.Options{Args: []string{"maxmemory 1mb\nrequirepass x"}})
	if err == nil {
		t.Fatal("directive with a line break: got no error")
	}
	_, err = redistest.StartShared(redistest.Options{Users: []redistest.User{{Password: "x"}}})
	if err == nil {
		t.Fatal("user without a name: got no error")
	}
}

func TestMissingServerBinary(t *testing.T) {
	t.Setenv("REDIS_SERVER", "/nonexistent/redis-server")
	_, err := redistest.StartShared(redistest.Options{})
	if err == nil || !strings.Contains(err.Error(), "REDIS_SERVER") {
		t.Fatalf("got %v, want an error naming $REDIS_SERVER", err)
	}
	t.Setenv("REDIS_SERVER", "")
	t.Setenv("PATH", t.TempDir())
	_, err = redistest.StartShared(redistest.Options{})
	if err == nil || !strings.Contains(err.Error(), "apt-get install redis-server") {
		t.Fatalf("got %v, want an error telling how to install redis-server", err)
	}
}

func TestStopAllStopsSharedServers(t *testing.T) {
	a, err := redistest.StartShared(redistest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := redistest.StartShared(redistest.Options{Unix: true})
	if err != nil {
		a.Stop()
		t.Fatal(err)
	}
	expect(t, dial(t, "tcp", a.Addr()), "+PONG", "PING")
	expect(t, dial(t, "unix", b.SocketPath()), "+PONG", "PING")

	redistest.StopAll()
	expectRefused(t, "tcp", a.Addr())
	expectRefused(t, "tcp", b.Addr())
	if _, err := os.Stat(b.SocketPath()); !os.IsNotExist(err) {
		t.Errorf("socket %s still exists after StopAll (stat: %v)", b.SocketPath(), err)
	}
	redistest.StopAll() // nothing left to stop
}
