package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
)

// DialOption specifies an option for dialing a Redis server.
type DialOption struct {
	f func(*dialOptions)
}

type dialOptions struct {
	readTimeout         time.Duration
	writeTimeout        time.Duration
	tlsHandshakeTimeout time.Duration
	dialer              *net.Dialer
	dialContext         func(ctx context.Context, network, addr string) (net.Conn, error)
	db                  int
	username            string
	password            string
	clientName          string
	useTLS              bool
	skipVerify          bool
	tlsConfig           *tls.Config
	traceOptions        TraceOptions
}

// DialTLSHandshakeTimeout bounds the TLS handshake (default 10 s; 0 means
// no bound other than the dial context).
func DialTLSHandshakeTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.tlsHandshakeTimeout = d }}
}

// DialReadTimeout sets the timeout for reading a single reply.
func DialReadTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.readTimeout = d }}
}

// DialWriteTimeout sets the timeout for writing a single command.
func DialWriteTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.writeTimeout = d }}
}

// DialConnectTimeout sets the timeout for connecting to the server; it does
// not apply when a custom dial function is given.
func DialConnectTimeout(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.dialer.Timeout = d }}
}

// DialKeepAlive sets the TCP keep-alive period (default 5 minutes); 0
// disables keep-alives. It does not apply to a custom dial function.
func DialKeepAlive(d time.Duration) DialOption {
	return DialOption{func(do *dialOptions) { do.dialer.KeepAlive = d }}
}

// DialNetDial sets the function that creates the network connection. It
// takes precedence over DialConnectTimeout and DialKeepAlive.
func DialNetDial(dial func(network, addr string) (net.Conn, error)) DialOption {
	return DialOption{func(do *dialOptions) {
		do.dialContext = func(_ context.Context, network, addr string) (net.Conn, error) {
			return dial(network, addr)
		}
	}}
}

// DialContextFunc sets the context-aware function that creates the network
// connection. It takes precedence over DialConnectTimeout and DialKeepAlive.
func DialContextFunc(f func(ctx context.Context, network, addr string) (net.Conn, error)) DialOption {
	return DialOption{func(do *dialOptions) { do.dialContext = f }}
}

// DialDatabase selects the database when connecting (SELECT db).
func DialDatabase(db int) DialOption {
	return DialOption{func(do *dialOptions) { do.db = db }}
}

// DialPassword authenticates with this password when connecting (AUTH).
func DialPassword(password string) DialOption {
	return DialOption{func(do *dialOptions) { do.password = password }}
}

// DialUsername authenticates as this ACL user (AUTH username password);
// it applies only together with DialPassword.
func DialUsername(username string) DialOption {
	return DialOption{func(do *dialOptions) { do.username = username }}
}

// DialClientName names the connection (CLIENT SETNAME) when connecting.
func DialClientName(name string) DialOption {
	return DialOption{func(do *dialOptions) { do.clientName = name }}
}

// DialTLSConfig sets the TLS configuration used when DialUseTLS is true.
// The configuration is cloned before use.
func DialTLSConfig(c *tls.Config) DialOption {
	return DialOption{func(do *dialOptions) { do.tlsConfig = c }}
}

// DialTLSSkipVerify disables verification of the server's certificate when
// TLS is used.
func DialTLSSkipVerify(skip bool) DialOption {
	return DialOption{func(do *dialOptions) { do.skipVerify = skip }}
}

// DialUseTLS turns TLS on or off for the connection.
func DialUseTLS(useTLS bool) DialOption {
	return DialOption{func(do *dialOptions) { do.useTLS = useTLS }}
}

// DialTraceOptions sets the observability options of the connection: the
// metric name tag, default span attributes and span policy.
func DialTraceOptions(options TraceOptions) DialOption {
	return DialOption{func(do *dialOptions) { do.traceOptions = options }}
}

// Dial connects to the Redis server at address on the named network.
func Dial(network, address string, options ...DialOption) (Conn, error) {
	return DialContext(context.Background(), network, address, options...)
}

// DialWithContext is the original OpenCensus fork's Dial: ctx carries the
// parent span of the dial and its commands but does not bound the dial.
func DialWithContext(ctx context.Context, network, address string, options ...DialOption) (Conn, error) {
	return DialContext(context.WithoutCancel(ctx), network, address, options...)
}

// DialTimeout acts like Dial with connect, read and write timeouts.
//
// Deprecated: Use Dial with the DialConnectTimeout, DialReadTimeout and
// DialWriteTimeout options.
func DialTimeout(network, address string, connectTimeout, readTimeout, writeTimeout time.Duration) (Conn, error) {
	return Dial(network, address,
		DialConnectTimeout(connectTimeout),
		DialReadTimeout(readTimeout),
		DialWriteTimeout(writeTimeout))
}

// DialContext connects to the Redis server at address on the named network.
// ctx bounds the whole dial: the connection, the TLS handshake and the AUTH,
// CLIENT SETNAME and SELECT commands sent before the connection is returned.
func DialContext(ctx context.Context, network, address string, options ...DialOption) (Conn, error) {
	do := dialOptions{
		dialer:              &net.Dialer{KeepAlive: 5 * time.Minute},
		tlsHandshakeTimeout: 10 * time.Second,
	}
	for _, option := range options {
		option.f(&do)
	}
	if do.dialContext == nil {
		do.dialContext = do.dialer.DialContext
	}

	client := observability.NewClient(do.traceOptions.observability())
	ctx, record := client.BeginDial(ctx)
	c, err := dial(ctx, network, address, &do, client)
	if err != nil {
		var replyErr string
		if e, ok := err.(Error); ok {
			replyErr = string(e)
		}
		record.End(observability.Peer{}, err, replyErr)
		return nil, err
	}
	record.End(c.obs.Peer(), nil, "")
	c.opened = true
	return c, nil
}

func dial(ctx context.Context, network, address string, do *dialOptions, client *observability.Client) (*conn, error) {
	netConn, err := do.dialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if do.useTLS {
		if netConn, err = clientTLS(ctx, netConn, address, do); err != nil {
			return nil, err
		}
	}

	c := newConn(netConn, do.readTimeout, do.writeTimeout, client, peerOf(netConn, address, do.db))
	c.db = do.db
	if err := c.setup(ctx, do); err != nil {
		c.netConn.Close()
		return nil, err
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

// tlsHandshakeTimeoutError is returned when DialTLSHandshakeTimeout expires.
type tlsHandshakeTimeoutError struct{}

func (tlsHandshakeTimeoutError) Timeout() bool   { return true }
func (tlsHandshakeTimeoutError) Temporary() bool { return true }
func (tlsHandshakeTimeoutError) Error() string   { return "TLS handshake timeout" }

func clientTLS(ctx context.Context, netConn net.Conn, address string, do *dialOptions) (net.Conn, error) {
	var cfg *tls.Config
	if do.tlsConfig == nil {
		cfg = &tls.Config{InsecureSkipVerify: do.skipVerify}
	} else {
		cfg = do.tlsConfig.Clone()
		if do.skipVerify {
			cfg.InsecureSkipVerify = true
		}
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
	hctx := ctx
	if d := do.tlsHandshakeTimeout; d != 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeoutCause(ctx, d, tlsHandshakeTimeoutError{})
		defer cancel()
	}
	if err := tlsConn.HandshakeContext(hctx); err != nil {
		netConn.Close()
		if ctx.Err() == nil && errors.Is(context.Cause(hctx), tlsHandshakeTimeoutError{}) {
			return nil, tlsHandshakeTimeoutError{}
		}
		return nil, err
	}
	return tlsConn, nil
}

// DialURL connects to a Redis server given a URL of the form
// redis://[user[:password]@]host[:port][/db] (also rediss, valkey and
// valkeys; the "s" schemes use TLS). A user with no password is taken as the
// password, as redis-cli does.
func DialURL(rawurl string, options ...DialOption) (Conn, error) {
	return DialURLContext(context.Background(), rawurl, options...)
}

// DialURLContext is DialURL bounded by ctx.
func DialURLContext(ctx context.Context, rawurl string, options ...DialOption) (Conn, error) {
	address, urlOptions, err := parseURL(rawurl)
	if err != nil {
		return nil, err
	}
	return DialContext(ctx, "tcp", address, append(options, urlOptions...)...)
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
		return "", nil, fmt.Errorf("invalid database: %s", path)
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
