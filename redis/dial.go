package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// DialOption is one setting of Dial, DialContext, DialURL and
// DialURLContext; the Dial* functions below make them. Options apply in
// the order given, so a later option of the same kind wins.
type DialOption struct {
	f func(*dialOptions)
}

// dialOptions is what the options of one dial set, grouped by the step
// of the dial they concern.
type dialOptions struct {
	// Reaching the server.
	dialer              *net.Dialer
	dialContext         func(ctx context.Context, network, addr string) (net.Conn, error)
	useTLS              bool
	tlsConfig           *tls.Config
	skipVerify          bool
	tlsHandshakeTimeout time.Duration

	// The commands sent once connected.
	username, password string
	clientName         string
	db                 int

	// The connection's behaviour afterwards.
	readTimeout, writeTimeout time.Duration
	traceOptions              TraceOptions
}

// Defaults of a dial without the corresponding option; they are upstream
// redigo's.
const (
	defaultConnectTimeout      = 30 * time.Second
	defaultKeepAlive           = 5 * time.Minute
	defaultTLSHandshakeTimeout = 10 * time.Second
)

// newDialOptions applies options over the defaults.
func newDialOptions(options []DialOption) *dialOptions {
	do := &dialOptions{
		dialer: &net.Dialer{
			Timeout:   defaultConnectTimeout,
			KeepAlive: defaultKeepAlive,
		},
		tlsHandshakeTimeout: defaultTLSHandshakeTimeout,
	}
	for _, option := range options {
		option.f(do)
	}
	if do.dialContext == nil {
		do.dialContext = do.dialer.DialContext
	}
	return do
}

// DialTLSHandshakeTimeout limits the time the TLS handshake may take,
// certificate checks (VerifyPeerCertificate, VerifyConnection) included;
// past it the dial fails with an error whose Timeout method reports true.
// The default is 10 seconds; 0 leaves the handshake bounded only by the
// context of DialContext.
func DialTLSHandshakeTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.tlsHandshakeTimeout = d }}
}

// DialReadTimeout limits the wait for each reply (Do, Receive) to d; an
// expired wait fails with a net.Error whose Timeout is true and leaves the
// connection unusable. The default, 0, waits as long as the call's context
// allows.
func DialReadTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.readTimeout = d }}
}

// DialWriteTimeout limits each write of commands to the network (Do, Flush)
// to d, with the same consequences as DialReadTimeout. The default, 0, is
// no limit.
func DialWriteTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.writeTimeout = d }}
}

// DialConnectTimeout limits the time the TCP (or unix socket) connect may
// take. The default is 30 seconds; 0 means no limit other than the context
// of DialContext and the operating system's own. A DialNetDial or
// DialContextFunc function replaces the dialer this applies to, so with one
// of those it has no effect.
func DialConnectTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.dialer.Timeout = d }}
}

// DialKeepAlive sets the TCP keep-alive period: the idle time before the
// first probe and the time between probes. The default is 5 minutes, so
// that a peer that vanished without closing the connection is noticed. As
// with net.Dialer, 0 stands for Go's default period (15 seconds) and a
// negative value turns keep-alive probes off. Like DialConnectTimeout, it
// has no effect with DialNetDial or DialContextFunc.
func DialKeepAlive(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.dialer.KeepAlive = d }}
}

// DialNetDial makes dial open the network connection instead of the
// built-in dialer, which DialConnectTimeout and DialKeepAlive configure.
// The dial's context does not reach dial: use DialContextFunc for that. A
// dial that returns neither a connection nor an error fails the dial.
func DialNetDial(dial func(network, addr string) (net.Conn, error)) DialOption {
	return DialOption{func(do *dialOptions) {
		do.dialContext = func(_ context.Context, network, addr string) (net.Conn, error) {
			return dial(network, addr)
		}
	}}
}

// DialContextFunc is DialNetDial for a function that takes the dial's
// context (the one given to DialContext, or context.Background for Dial).
func DialContextFunc(f func(ctx context.Context, network, addr string) (net.Conn, error)) DialOption {
	return DialOption{func(do *dialOptions) { do.dialContext = f }}
}

// DialDatabase makes the dial send SELECT db, after AUTH and CLIENT SETNAME,
// when db is not 0. A refused SELECT fails the dial with the server's Error.
func DialDatabase(db int) DialOption {
	return DialOption{func(do *dialOptions) { do.db = db }}
}

// DialPassword makes the dial authenticate first, with AUTH password (or
// AUTH username password after DialUsername). A refused AUTH fails the
// dial with the server's Error, which does not contain the password. The
// password never appears in logs, spans or query texts. The default, "",
// sends no AUTH.
func DialPassword(password string) DialOption {
	return DialOption{func(do *dialOptions) { do.password = password }}
}

// DialUsername names the ACL user (Redis 6 and later) that DialPassword
// authenticates; without a password it sends nothing.
func DialUsername(username string) DialOption {
	return DialOption{func(do *dialOptions) { do.username = username }}
}

// DialClientName makes the dial send CLIENT SETNAME name after AUTH, so that
// CLIENT LIST shows which program holds the connection. It does not set the
// name tag of the metrics: that is TraceOptions.Name.
func DialClientName(name string) DialOption {
	return DialOption{func(do *dialOptions) { do.clientName = name }}
}

// DialTLSConfig gives the TLS settings for a dial that uses TLS (DialUseTLS,
// or a rediss or valkeys URL); it does nothing otherwise. The dial works on
// a copy, setting ServerName to the address's host when it is empty. The
// configuration's own verification settings apply: DialTLSSkipVerify does
// not change them.
func DialTLSConfig(c *tls.Config) DialOption {
	return DialOption{func(do *dialOptions) { do.tlsConfig = c }}
}

// DialTLSSkipVerify, with skip true, accepts any server certificate, for a
// dial using TLS without DialTLSConfig. With a DialTLSConfig it is ignored:
// set InsecureSkipVerify in that configuration instead.
func DialTLSSkipVerify(skip bool) DialOption {
	return DialOption{func(do *dialOptions) { do.skipVerify = skip }}
}

// DialUseTLS, with useTLS true, runs the connection over TLS (see
// DialTLSConfig, DialTLSSkipVerify, DialTLSHandshakeTimeout). The default
// is plain text. DialURL overrides it with the URL's scheme.
func DialUseTLS(useTLS bool) DialOption {
	return DialOption{func(do *dialOptions) { do.useTLS = useTLS }}
}

// DialTraceOptions sets the observability options of the connection: the
// name tag of its metrics, the default attributes of its spans, and which
// spans and query texts it records.
func DialTraceOptions(options TraceOptions) DialOption {
	return DialOption{func(do *dialOptions) { do.traceOptions = options }}
}

// Dial opens a connection to the Redis server at address on network
// ("tcp", "tcp4", "tcp6" or "unix"), then sends the AUTH, CLIENT SETNAME and
// SELECT that the options ask for. Without DialConnectTimeout the connect
// is limited to 30 seconds. It returns the network's or the server's error
// when any step fails, and closes what it opened.
func Dial(network, address string, options ...DialOption) (Conn, error) {
	return DialContext(context.Background(), network, address, options...)
}

// DialWithContext is the original OpenCensus fork's Dial: ctx carries the
// parent span of the dial and its commands but does not bound the dial.
func DialWithContext(ctx context.Context, network, address string, options ...DialOption) (Conn, error) {
	return DialContext(context.WithoutCancel(ctx), network, address, options...)
}

// DialTimeout is Dial with DialConnectTimeout(connectTimeout),
// DialReadTimeout(readTimeout) and DialWriteTimeout(writeTimeout).
//
// Deprecated: Use Dial with the options DialConnectTimeout, DialReadTimeout
// and DialWriteTimeout.
func DialTimeout(network, address string, connectTimeout, readTimeout, writeTimeout time.Duration) (Conn, error) {
	return Dial(network, address,
		DialConnectTimeout(connectTimeout),
		DialReadTimeout(readTimeout),
		DialWriteTimeout(writeTimeout))
}

// DialContext is Dial within ctx: ctx limits all of the dial (connect, TLS
// handshake, and the AUTH, CLIENT SETNAME and SELECT replies) on top of the
// options' timeouts, and its cancellation or deadline makes the dial fail
// with ctx's error. ctx's span, if any, is the parent of the dial's span.
// The connection, once returned, does not depend on ctx.
func DialContext(ctx context.Context, network, address string, options ...DialOption) (Conn, error) {
	do := newDialOptions(options)

	obsOptions := do.traceOptions.observability()
	if obsOptions.Name == "" {
		obsOptions.Name = observability.PoolName(ctx) // dialed by a pool with a name
	}
	client := observability.NewClient(obsOptions)
	ctx, record := client.BeginDial(ctx)
	c, err := dial(ctx, network, address, do, client, record)
	if err != nil {
		var replyErr string
		if e, ok := err.(Error); ok {
			replyErr = string(e)
		}
		var recorder *observability.Conn
		if c != nil {
			recorder = c.obs
		}
		record.End(recorder, err, replyErr)
		return nil, err
	}
	record.End(c.obs, nil, "")
	c.opened = true
	return c, nil
}

// errNilNetConn is the error of a dial whose DialNetDial or DialContextFunc
// function returned neither a connection nor an error.
var errNilNetConn = errors.New("redigo: dial function returned a nil net.Conn and a nil error")

// isNilConn reports whether c is nil or a nil pointer in a net.Conn.
func isNilConn(c net.Conn) bool {
	if c == nil {
		return true
	}
	v := reflect.ValueOf(c)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// dial connects and sets the connection up. When a set-up command fails,
// it returns the (closed) connection with the error, for its recorder.
func dial(ctx context.Context, network, address string, do *dialOptions, client *observability.Client, record observability.Dial) (*conn, error) {
	netConn, err := do.dialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if isNilConn(netConn) {
		return nil, errNilNetConn
	}
	if do.useTLS {
		if netConn, err = clientTLS(ctx, netConn, address, do); err != nil {
			return nil, err
		}
	}

	c := newConn(netConn, do.readTimeout, do.writeTimeout, client, peerOf(netConn, address, do.db))
	c.db = do.db
	record.Dialing(c.obs)
	if err := c.setup(ctx, do); err != nil {
		c.netConn.Close()
		return c, err
	}
	return c, nil
}

// setup sends the commands that bring a new connection to the state the
// options ask for.
func (c *conn) setup(ctx context.Context, do *dialOptions) error {
	if do.password != "" {
		args := make([]interface{}, 0, 2)
		if do.username != "" {
			args = append(args, do.username)
		}
		args = append(args, do.password)
		if _, err := c.DoContext(ctx, "AUTH", args...); err != nil {
			return err
		}
	}
	if do.clientName != "" {
		if _, err := c.DoContext(ctx, "CLIENT", "SETNAME", do.clientName); err != nil {
			return err
		}
	}
	if do.db != 0 {
		if _, err := c.DoContext(ctx, "SELECT", do.db); err != nil {
			return err
		}
	}
	return nil
}

// tlsHandshakeTimeoutError is the error of a handshake that outlasted
// DialTLSHandshakeTimeout; its text is upstream's.
type tlsHandshakeTimeoutError struct{}

func (tlsHandshakeTimeoutError) Timeout() bool   { return true }
func (tlsHandshakeTimeoutError) Temporary() bool { return true }
func (tlsHandshakeTimeoutError) Error() string   { return "TLS handshake timeout" }

// clientTLS runs the TLS handshake over netConn, within ctx and the
// handshake timeout. On failure it closes netConn.
func clientTLS(ctx context.Context, netConn net.Conn, address string, do *dialOptions) (net.Conn, error) {
	var cfg *tls.Config
	if do.tlsConfig == nil {
		cfg = &tls.Config{InsecureSkipVerify: do.skipVerify}
	} else {
		// The caller's configuration decides verification, as upstream's
		// does: the skip flag only applies without one.
		cfg = do.tlsConfig.Clone()
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			netConn.Close()
			return nil, err
		}
		cfg.ServerName = host
	}
	tlsConn := tls.Client(netConn, cfg)
	hctx, cancel := ctx, context.CancelFunc(func() {})
	if d := do.tlsHandshakeTimeout; d != 0 {
		hctx, cancel = context.WithTimeoutCause(ctx, d, tlsHandshakeTimeoutError{})
	}
	defer cancel()

	// HandshakeContext stops the network I/O when hctx ends, but not a
	// certificate callback (VerifyPeerCertificate, VerifyConnection) that
	// blocks, say on an OCSP query: the handshake runs in a goroutine of
	// its own, which ends when the callback returns.
	done := make(chan error, 1)
	go func() { done <- tlsConn.HandshakeContext(hctx) }()
	var err error
	select {
	case err = <-done:
	case <-hctx.Done():
		err = hctx.Err()
	}
	if err != nil {
		netConn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(context.Cause(hctx), tlsHandshakeTimeoutError{}) {
			return nil, tlsHandshakeTimeoutError{}
		}
		return nil, err
	}
	return tlsConn, nil
}

// DialURL dials the server a Redis URL names, following the IANA
// provisional redis and rediss schemes (valkey and valkeys are accepted as
// synonyms):
//
//	redis://[[user]:password@]host[:port][/db]
//
// rediss and valkeys turn TLS on, redis and valkey turn it off, whatever
// DialUseTLS says. The host defaults to localhost and the port to 6379.
// user:password authenticates as an ACL user; :password, or a user with
// no password (as redis-cli reads it), authenticates with that password.
// A /db path selects the database. The options given apply before those of
// the URL. An invalid URL is an error that shows neither the user nor the
// password.
func DialURL(rawurl string, options ...DialOption) (Conn, error) {
	return DialURLContext(context.Background(), rawurl, options...)
}

// DialURLContext is DialURL within ctx, as DialContext is Dial within ctx.
func DialURLContext(ctx context.Context, rawurl string, options ...DialOption) (Conn, error) {
	address, urlOptions, err := parseURL(rawurl)
	if err != nil {
		return nil, err
	}
	all := make([]DialOption, 0, len(options)+len(urlOptions))
	all = append(append(all, options...), urlOptions...)
	return DialContext(ctx, "tcp", address, all...)
}

// parseURL returns the address and the dial options a Redis URL stands for.
func parseURL(rawurl string) (string, []DialOption, error) {
	u, err := url.Parse(rawurl)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		if _, redactedErr := url.Parse(redactUserinfo(rawurl)); redactedErr != nil {
			return "", nil, redactedErr
		}
		return "", nil, errors.New("invalid redis URL: malformed user information")
	}
	var useTLS bool
	switch u.Scheme {
	case "redis", "valkey":
	case "rediss", "valkeys":
		useTLS = true
	default:
		return "", nil, fmt.Errorf("invalid redis URL scheme: %s", u.Scheme)
	}
	if u.Opaque != "" {
		return "", nil, fmt.Errorf("invalid redis URL, url is opaque: %s", redactUserinfo(rawurl))
	}

	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "" // no port given
	}
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "6379"
	}

	var options []DialOption
	if u.User != nil {
		username := u.User.Username()
		if password, ok := u.User.Password(); ok {
			if username != "" {
				options = append(options, DialUsername(username))
			}
			options = append(options, DialPassword(password))
		} else if username != "" {
			options = append(options, DialPassword(username))
		}
	}

	switch path := strings.TrimPrefix(u.Path, "/"); {
	case u.Path == "" || path == "":
	case strings.Trim(path, "0123456789") != "":
		return "", nil, fmt.Errorf("invalid database: %s", redactPathUserinfo(path, u.Fragment))
	default:
		db, err := strconv.Atoi(path)
		if err != nil {
			return "", nil, fmt.Errorf("invalid database: %s", path)
		}
		if db != 0 {
			options = append(options, DialDatabase(db))
		}
	}
	options = append(options, DialUseTLS(useTLS))
	return net.JoinHostPort(host, port), options, nil
}

// redactUserinfo replaces what stands between the scheme and the last '@'
// of a URL, which may hold a password, with "xxxxx".
func redactUserinfo(rawurl string) string {
	at := strings.LastIndexByte(rawurl, '@')
	if at < 0 {
		return rawurl
	}
	start := strings.Index(rawurl, "://")
	if start >= 0 && start < at {
		start += len("://")
	} else if start = strings.IndexByte(rawurl, ':'); start >= 0 && start < at {
		start++
	} else {
		start = 0
	}
	return rawurl[:start] + "xxxxx" + rawurl[at:]
}

// redactPathUserinfo hides what may be user information in the path of a
// URL. A URL written with one slash (redis:/user:password@host) has no host
// for url.Parse: its user information ends up in the path (up to a '#' in
// the password, after which it is the fragment), which the database error
// would otherwise quote. A database path has digits only, so a ':' or '@'
// in it, or an '@' in the fragment, gives the user information away.
func redactPathUserinfo(path, fragment string) string {
	if at := strings.LastIndexByte(path, '@'); at >= 0 {
		return "xxxxx" + path[at:]
	}
	if strings.ContainsRune(path, ':') || strings.ContainsRune(fragment, '@') {
		return "xxxxx"
	}
	return path
}
