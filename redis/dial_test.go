package redis_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientInfo returns the server's CLIENT INFO fields of c's connection.
func clientInfo(t *testing.T, c redis.Conn) map[string]string {
	t.Helper()
	line, err := redis.String(c.Do("CLIENT", "INFO"))
	require.NoError(t, err)
	fields := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	return fields
}

func TestDialDatabaseAndClientName(t *testing.T) {
	c := dial(t, redis.DialDatabase(3), redis.DialClientName("dial-test"))
	info := clientInfo(t, c)
	assert.Equal(t, "3", info["db"])
	assert.Equal(t, "dial-test", info["name"])

	list, err := redis.String(c.Do("CLIENT", "LIST"))
	require.NoError(t, err)
	assert.Contains(t, list, "name=dial-test")
}

func TestDialDatabaseOutOfRange(t *testing.T) {
	_, err := redis.Dial("tcp", plainServer.Addr(), redis.DialDatabase(100000))
	var rerr redis.Error
	require.ErrorAs(t, err, &rerr, "the server's error is returned")
	assert.Contains(t, err.Error(), "DB index is out of range")
}

func TestDialPassword(t *testing.T) {
	_, err := redis.Dial("tcp", aclServer.Addr())
	require.NoError(t, err, "dial without AUTH succeeds; commands fail")

	c, err := redis.Dial("tcp", aclServer.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do("PING")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "NOAUTH"), err.Error())

	c2, err := redis.Dial("tcp", aclServer.Addr(), redis.DialPassword(aclPassword))
	require.NoError(t, err)
	defer c2.Close()
	pong, err := redis.String(c2.Do("PING"))
	require.NoError(t, err)
	assert.Equal(t, "PONG", pong)
}

func TestDialWrongPassword(t *testing.T) {
	c, err := redis.Dial("tcp", aclServer.Addr(), redis.DialPassword("wrong"))
	require.Error(t, err)
	assert.Nil(t, c)
	var rerr redis.Error
	require.ErrorAs(t, err, &rerr)
	assert.True(t, strings.HasPrefix(err.Error(), "WRONGPASS"), err.Error())
	assert.NotContains(t, err.Error(), "wrong", "the password is not echoed")
}

func TestDialUsername(t *testing.T) {
	c, err := redis.Dial("tcp", aclServer.Addr(), redis.DialUsername(aclUser), redis.DialPassword(aclUserPassword))
	require.NoError(t, err)
	defer c.Close()
	who, err := redis.String(c.Do("ACL", "WHOAMI"))
	require.NoError(t, err)
	assert.Equal(t, aclUser, who)

	_, err = redis.Dial("tcp", aclServer.Addr(), redis.DialUsername(aclUser), redis.DialPassword("nope"))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "WRONGPASS"), err.Error())
}

func TestDialACLNoPerm(t *testing.T) {
	c, err := redis.Dial("tcp", aclServer.Addr(), redis.DialUsername("reader"), redis.DialPassword("reader-pass"))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do("SET", key(t, "k"), "v")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "NOPERM"), err.Error())
	assert.NoError(t, c.Err(), "an error reply leaves the connection usable")
	_, err = c.Do("GET", key(t, "k"))
	assert.NoError(t, err)
}

func TestDialTLSVerified(t *testing.T) {
	c, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true), redis.DialTLSConfig(tlsServer.TLSConfig()))
	require.NoError(t, err)
	defer c.Close()
	pong, err := redis.String(c.Do("PING"))
	require.NoError(t, err)
	assert.Equal(t, "PONG", pong)
}

func TestDialTLSUnverifiedFails(t *testing.T) {
	// No CA given: the generated certificate is not trusted.
	_, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true))
	require.Error(t, err)
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)
}

func TestDialTLSSkipVerify(t *testing.T) {
	c, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true), redis.DialTLSSkipVerify(true))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do("PING")
	require.NoError(t, err)
}

func TestDialTLSWrongServerName(t *testing.T) {
	cfg := tlsServer.TLSConfig()
	cfg.ServerName = "not-the-server.example"
	_, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true), redis.DialTLSConfig(cfg))
	require.Error(t, err)
	var hostErr x509.HostnameError
	assert.ErrorAs(t, err, &hostErr)
}

func TestDialTLSHandshakeTimeout(t *testing.T) {
	// A listener that accepts and never answers the ClientHello.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	_, err = redis.Dial("tcp", ln.Addr().String(), redis.DialUseTLS(true),
		redis.DialTLSSkipVerify(true), redis.DialTLSHandshakeTimeout(50*time.Millisecond))
	require.Error(t, err)
	var te interface{ Timeout() bool }
	require.ErrorAs(t, err, &te)
	assert.True(t, te.Timeout())
	if c := <-accepted; c != nil {
		c.Close()
	}
}

func TestDialUnixSocket(t *testing.T) {
	c, err := redis.Dial("unix", plainServer.SocketPath())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do("SET", key(t, "k"), "v")
	require.NoError(t, err)
	v, err := redis.String(c.Do("GET", key(t, "k")))
	require.NoError(t, err)
	assert.Equal(t, "v", v)
}

func TestDialNetDialAndContextFunc(t *testing.T) {
	var calls []string
	c := dial(t, redis.DialNetDial(func(network, addr string) (net.Conn, error) {
		calls = append(calls, "netdial "+network+" "+addr)
		return net.Dial(network, addr)
	}))
	_, err := c.Do("PING")
	require.NoError(t, err)

	type ctxKey struct{}
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	c2, err := redis.DialContext(ctx, "tcp", plainServer.Addr(), redis.DialContextFunc(
		func(ctx context.Context, network, addr string) (net.Conn, error) {
			calls = append(calls, "contextfunc "+ctx.Value(ctxKey{}).(string))
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}))
	require.NoError(t, err)
	defer c2.Close()
	assert.Equal(t, []string{"netdial tcp " + plainServer.Addr(), "contextfunc v"}, calls)
}

func TestDialConnectTimeout(t *testing.T) {
	// A timeout too short for any connect shows the option reaches the dialer.
	_, err := redis.Dial("tcp", plainServer.Addr(), redis.DialConnectTimeout(time.Nanosecond))
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

// TestDialKeepAlive reads the keep-alive setting from the kernel, for the
// default and for DialKeepAlive's values, which go to net.Dialer as they
// are (as upstream's do): 0 is Go's default period, negative turns probes off.
func TestDialKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options []redis.DialOption
		on      bool
		idle    time.Duration
	}{
		{"default", nil, true, 5 * time.Minute},
		{"one minute", []redis.DialOption{redis.DialKeepAlive(time.Minute)}, true, time.Minute},
		{"zero", []redis.DialOption{redis.DialKeepAlive(0)}, true, 15 * time.Second},
		{"negative", []redis.DialOption{redis.DialKeepAlive(-1)}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.options...)
			on, idle := keepAliveOf(t, c)
			assert.Equal(t, tc.on, on, "keep-alive on")
			if tc.on {
				assert.Equal(t, tc.idle, idle, "keep-alive idle time")
			}
		})
	}
}

func TestDialContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := redis.DialContext(ctx, "tcp", plainServer.Addr())
	require.ErrorIs(t, err, context.Canceled)
}

func TestDialContextBoundsSetupCommands(t *testing.T) {
	// The server is asleep: connecting succeeds (the kernel accepts) but
	// AUTH never gets its reply before the context's deadline.
	sleeper := dial(t)
	go sleeper.Do("DEBUG", "SLEEP", "0.5")
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := redis.DialContext(ctx, "tcp", plainServer.Addr(), redis.DialClientName("late"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDialWithContextIgnoresCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := redis.DialWithContext(ctx, "tcp", plainServer.Addr())
	require.NoError(t, err, "the fork's DialWithContext uses ctx for spans only")
	c.Close()
}

func TestDialTimeoutDeprecated(t *testing.T) {
	c, err := redis.DialTimeout("tcp", plainServer.Addr(), time.Second, 50*time.Millisecond, time.Second)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Do("BLPOP", key(t, "empty"), 0)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "the read timeout applies")
}

func TestDialURL(t *testing.T) {
	plainHost, plainPort := plainServer.Host(), strconv.Itoa(plainServer.Port())
	aclHost := aclServer.Host() + ":" + strconv.Itoa(aclServer.Port())
	tlsHost := tlsServer.Host() + ":" + strconv.Itoa(tlsServer.Port())
	tests := []struct {
		url      string
		options  []redis.DialOption
		wantDB   string
		wantUser string
	}{
		{url: "redis://" + plainHost + ":" + plainPort, wantDB: "0", wantUser: "default"},
		{url: "redis://" + plainHost + ":" + plainPort + "/", wantDB: "0", wantUser: "default"},
		{url: "redis://" + plainHost + ":" + plainPort + "/0", wantDB: "0", wantUser: "default"},
		{url: "redis://" + plainHost + ":" + plainPort + "/5", wantDB: "5", wantUser: "default"},
		{url: "valkey://" + plainHost + ":" + plainPort + "/2", wantDB: "2", wantUser: "default"},
		{url: "redis://" + aclUser + ":" + "alice%27s%20secret@" + aclHost + "/1", wantDB: "1", wantUser: aclUser},
		{url: "redis://:default%20pass@" + aclHost, wantDB: "0", wantUser: "default"},
		{url: "redis://default%20pass@" + aclHost, wantDB: "0", wantUser: "default"},
		{url: "rediss://" + tlsHost + "/4", options: []redis.DialOption{redis.DialTLSConfig(tlsServer.TLSConfig())}, wantDB: "4", wantUser: "default"},
		{url: "valkeys://" + tlsHost, options: []redis.DialOption{redis.DialTLSSkipVerify(true)}, wantDB: "0", wantUser: "default"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := redis.DialURL(tt.url, tt.options...)
			require.NoError(t, err)
			defer c.Close()
			info := clientInfo(t, c)
			assert.Equal(t, tt.wantDB, info["db"])
			assert.Equal(t, tt.wantUser, info["user"])
		})
	}
}

func TestDialURLErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://localhost", "invalid redis URL scheme: http"},
		{"redis:localhost:6379", "invalid redis URL, url is opaque: redis:localhost:6379"},
		{"redis://localhost/x", "invalid database: x"},
		{"redis://localhost/1/2", "invalid database: 1/2"},
		{"redis://localhost/-1", "invalid database: -1"},
		{"redis://localhost/99999999999999999999999", "invalid database: 99999999999999999999999"},
		{"redis://[::1", "missing ']' in host"},
	}
	for _, tt := range tests {
		_, err := redis.DialURL(tt.url)
		require.Error(t, err, tt.url)
		assert.Contains(t, err.Error(), tt.want, tt.url)
	}
}

func TestDialURLDefaultsToLocalhost6379(t *testing.T) {
	var got string
	_, err := redis.DialURL("redis://", redis.DialNetDial(func(network, addr string) (net.Conn, error) {
		got = network + " " + addr
		return nil, errors.New("stop here")
	}))
	require.EqualError(t, err, "stop here")
	assert.Equal(t, "tcp localhost:6379", got)

	_, err = redis.DialURL("redis://example.test", redis.DialNetDial(func(network, addr string) (net.Conn, error) {
		got = addr
		return nil, errors.New("stop here")
	}))
	require.Error(t, err)
	assert.Equal(t, "example.test:6379", got)
}

func TestDialURLContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := redis.DialURLContext(ctx, plainServer.URL())
	require.ErrorIs(t, err, context.Canceled)
}

// TestDialNilNetConn: a dial function that returns neither a connection
// nor an error fails the dial with an error, and does not panic, whether
// the nil is untyped or a nil pointer, with or without TLS and setup
// commands.
func TestDialNilNetConn(t *testing.T) {
	nilConn := func(_ context.Context, _, _ string) (net.Conn, error) { return nil, nil }
	typedNil := func(_ context.Context, _, _ string) (net.Conn, error) { return (*net.TCPConn)(nil), nil }
	netDialNil := redis.DialNetDial(func(_, _ string) (net.Conn, error) { return nil, nil })
	for _, tc := range []struct {
		name    string
		options []redis.DialOption
	}{
		{"DialNetDial", []redis.DialOption{netDialNil}},
		{"DialContextFunc", []redis.DialOption{redis.DialContextFunc(nilConn)}},
		{"typed nil", []redis.DialOption{redis.DialContextFunc(typedNil)}},
		{"with setup", []redis.DialOption{netDialNil, redis.DialPassword("p"), redis.DialDatabase(2)}},
		{"with TLS", []redis.DialOption{redis.DialContextFunc(typedNil), redis.DialUseTLS(true)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c redis.Conn
			var err error
			require.NotPanics(t, func() { c, err = redis.Dial("tcp", plainServer.Addr(), tc.options...) })
			require.EqualError(t, err, "redigo: dial function returned a nil net.Conn and a nil error")
			assert.Nil(t, c)
		})
	}
}

// TestDialTLSConfigIgnoresSkipVerify: with a TLS configuration, the
// configuration decides verification, as upstream's does; the skip flag
// does not turn it off.
func TestDialTLSConfigIgnoresSkipVerify(t *testing.T) {
	// No RootCAs: the server's certificate, from the test's own CA, is not
	// trusted.
	_, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true),
		redis.DialTLSConfig(&tls.Config{}), redis.DialTLSSkipVerify(true))
	var unknown x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknown, "the certificate is verified")

	// The order of the options does not matter.
	_, err = redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true),
		redis.DialTLSSkipVerify(true), redis.DialTLSConfig(&tls.Config{}))
	require.ErrorAs(t, err, &unknown, "the certificate is verified")

	// The configuration's own InsecureSkipVerify is honoured, and a trusted
	// CA verifies with the skip flag set.
	c, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true),
		redis.DialTLSConfig(&tls.Config{InsecureSkipVerify: true}))
	require.NoError(t, err)
	c.Close()
	c, err = redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true),
		redis.DialTLSConfig(tlsServer.TLSConfig()), redis.DialTLSSkipVerify(true))
	require.NoError(t, err)
	c.Close()
}

// TestDialTLSBlockingVerifyIsBounded: a certificate callback that blocks
// (an OCSP check whose responder does not answer) is bounded by
// DialTLSHandshakeTimeout and by the dial's context.
func TestDialTLSBlockingVerifyIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration // DialTLSHandshakeTimeout
		cancel  bool          // cancel the dial's context once the callback blocks
		check   func(t *testing.T, err error)
	}{
		{
			name:    "handshake timeout",
			timeout: 500 * time.Millisecond, // ample for the handshake to reach the callback
			check: func(t *testing.T, err error) {
				var te interface{ Timeout() bool }
				require.ErrorAs(t, err, &te)
				assert.True(t, te.Timeout())
				assert.EqualError(t, err, "TLS handshake timeout")
			},
		},
		{
			name:   "context canceled, no handshake timeout",
			cancel: true,
			check:  func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			called := make(chan struct{}, 1)
			cfg := tlsServer.TLSConfig()
			cfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
				called <- struct{}{}
				<-release
				return nil
			}
			// The callback returns at the end of the test, so that its
			// goroutine ends before the leak check.
			t.Cleanup(func() { close(release) })

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				c, err := redis.DialContext(ctx, "tcp", tlsServer.Addr(), redis.DialUseTLS(true),
					redis.DialTLSConfig(cfg), redis.DialTLSHandshakeTimeout(tc.timeout))
				if c != nil {
					c.Close()
				}
				done <- err
			}()
			bound := time.After(10 * time.Second)
			select {
			case <-called:
			case err := <-done:
				t.Fatalf("the dial ended before the certificate callback: %v", err)
			case <-bound:
				t.Fatal("the certificate callback is never called")
			}
			if tc.cancel {
				cancel()
			}
			select {
			case err := <-done:
				tc.check(t, err)
			case <-bound:
				t.Fatal("the dial still waits for the certificate callback")
			}
		})
	}
}

// TestDialURLOneSlashHidesUserinfo: a URL written with one slash has its
// user information in the path; the "invalid database" error must not
// quote it (upstream's does).
func TestDialURLOneSlashHidesUserinfo(t *testing.T) {
	for _, rawurl := range []string{
		"redis:/alice:s3cret@example.test",
		"redis:/alice:s3cret@example.test:6380/2",
		"rediss:/:s3cret@example.test",
		"redis:/s3cret@example.test",
		"redis:/alice:s3%40cret@example.test", // an '@' in the password
		"redis:/alice:s3cret#x@example.test",  // a '#' in the password
		"valkey:/alice:s3cret",                // no host at all
		"redis:///alice:s3cret@example.test",  // three slashes: an empty host
	} {
		_, err := redis.DialURL(rawurl)
		require.Error(t, err, rawurl)
		assert.NotContains(t, err.Error(), "s3cret", rawurl)
		assert.NotContains(t, err.Error(), "s3@cret", rawurl)
		assert.NotContains(t, err.Error(), "alice", rawurl)
		assert.True(t, strings.HasPrefix(err.Error(), "invalid database: "), "%s: %v", rawurl, err)
	}
	// A one-slash URL that net/url rejects: its error, which quotes the
	// URL, is not returned.
	_, err := redis.DialURL("redis:/alice:s3%zzcret@example.test")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3")
	assert.NotContains(t, err.Error(), "alice")
}
