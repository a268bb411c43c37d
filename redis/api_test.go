package redis_test

// Proof of "drop-in": every exported identifier of upstream redigo v1.9.3
// exists here with upstream's exact signature. The declarations below fail
// to compile when one is missing or differs. api_upstream_test.go checks the
// same mechanically against upstream's compiled package, so that a name the
// hand list forgot is still caught; the test below checks that every Conn
// this package hands out has the optional interfaces.

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"testing"
	"time"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// Package-level funcs, as upstream declares them (55).
var (
	// Dialing and connections.
	_ func(network, address string, options ...redis.DialOption) (redis.Conn, error)                             = redis.Dial
	_ func(ctx context.Context, network, address string, options ...redis.DialOption) (redis.Conn, error)        = redis.DialContext
	_ func(network, address string, connectTimeout, readTimeout, writeTimeout time.Duration) (redis.Conn, error) = redis.DialTimeout
	_ func(rawurl string, options ...redis.DialOption) (redis.Conn, error)                                       = redis.DialURL
	_ func(ctx context.Context, rawurl string, options ...redis.DialOption) (redis.Conn, error)                  = redis.DialURLContext
	_ func(netConn net.Conn, readTimeout, writeTimeout time.Duration) redis.Conn                                 = redis.NewConn

	// Dial options.
	_ func(name string) redis.DialOption                                                              = redis.DialClientName
	_ func(d time.Duration) redis.DialOption                                                          = redis.DialConnectTimeout
	_ func(f func(ctx context.Context, network, addr string) (net.Conn, error)) redis.DialOption      = redis.DialContextFunc
	_ func(db int) redis.DialOption                                                                   = redis.DialDatabase
	_ func(d time.Duration) redis.DialOption                                                          = redis.DialKeepAlive
	_ func(dial func(network, addr string) (net.Conn, error)) redis.DialOption                        = redis.DialNetDial
	_ func(password string) redis.DialOption                                                          = redis.DialPassword
	_ func(d time.Duration) redis.DialOption                                                          = redis.DialReadTimeout
	_ func(d time.Duration) redis.DialOption                                                          = redis.DialWriteTimeout
	_ func(c *tls.Config) redis.DialOption                                                            = redis.DialTLSConfig
	_ func(skip bool) redis.DialOption                                                                = redis.DialTLSSkipVerify
	_ func(useTLS bool) redis.DialOption                                                              = redis.DialUseTLS
	_ func(d time.Duration) redis.DialOption                                                          = redis.DialTLSHandshakeTimeout
	_ func(username string) redis.DialOption                                                          = redis.DialUsername
	_ func(c redis.Conn, timeout time.Duration, cmd string, args ...interface{}) (interface{}, error) = redis.DoWithTimeout
	_ func(c redis.Conn, timeout time.Duration) (interface{}, error)                                  = redis.ReceiveWithTimeout
	_ func(c redis.Conn, ctx context.Context, cmd string, args ...interface{}) (interface{}, error)   = redis.DoContext
	_ func(c redis.Conn, ctx context.Context) (interface{}, error)                                    = redis.ReceiveContext

	// Logging, pool, script.
	_ func(conn redis.Conn, logger *log.Logger, prefix string) redis.Conn                                 = redis.NewLoggingConn
	_ func(conn redis.Conn, logger *log.Logger, prefix string, skip func(cmdName string) bool) redis.Conn = redis.NewLoggingConnFilter
	_ func(newFn func() (redis.Conn, error), maxIdle int) *redis.Pool                                     = redis.NewPool
	_ func(keyCount int, src string) *redis.Script                                                        = redis.NewScript
	_ func(src []interface{}, dest ...interface{}) ([]interface{}, error)                                 = redis.Scan
	_ func(src []interface{}, dest interface{}) error                                                     = redis.ScanStruct
	_ func(src []interface{}, dest interface{}, fieldNames ...string) error                               = redis.ScanSlice
	_ func(result interface{}, err error) ([]*[2]float64, error)                                          = redis.Positions
	_ func(result interface{}, err error) ([]redis.SlowLog, error)                                        = redis.SlowLogs
	_ func(result interface{}, err error) ([]redis.Latency, error)                                        = redis.Latencies
	_ func(result interface{}, err error) ([]redis.LatencyHistory, error)                                 = redis.LatencyHistories
	_ func(reply interface{}, err error) (int, error)                                                     = redis.Int
	_ func(reply interface{}, err error) (int64, error)                                                   = redis.Int64
	_ func(reply interface{}, err error) (uint64, error)                                                  = redis.Uint64
	_ func(reply interface{}, err error) (float64, error)                                                 = redis.Float64
	_ func(reply interface{}, err error) (string, error)                                                  = redis.String
	_ func(reply interface{}, err error) ([]byte, error)                                                  = redis.Bytes
	_ func(reply interface{}, err error) (bool, error)                                                    = redis.Bool
	_ func(reply interface{}, err error) ([]interface{}, error)                                           = redis.Values
	_ func(reply interface{}, err error) ([]interface{}, error)                                           = redis.MultiBulk
	_ func(reply interface{}, err error) ([]float64, error)                                               = redis.Float64s
	_ func(reply interface{}, err error) ([]string, error)                                                = redis.Strings
	_ func(reply interface{}, err error) ([][]byte, error)                                                = redis.ByteSlices
	_ func(reply interface{}, err error) ([]int64, error)                                                 = redis.Int64s
	_ func(reply interface{}, err error) ([]int, error)                                                   = redis.Ints
	_ func(reply interface{}, err error) ([]uint64, error)                                                = redis.Uint64s
	_ func(reply interface{}, err error) (map[string]string, error)                                       = redis.StringMap
	_ func(result interface{}, err error) (map[string]int, error)                                         = redis.IntMap
	_ func(result interface{}, err error) (map[string]int64, error)                                       = redis.Int64Map
	_ func(result interface{}, err error) (map[string]uint64, error)                                      = redis.Uint64Map
	_ func(result interface{}, err error) (map[string]float64, error)                                     = redis.Float64Map
)

// sameType compiles only when ours and theirs have identical types: for the
// API whose signatures use no type of the package, ours is checked against
// upstream's own declaration, not the hand-written one.
func sameType[T any](ours, theirs T) {}

func _() {
	sameType(redis.Scan, upstream.Scan)
	sameType(redis.ScanStruct, upstream.ScanStruct)
	sameType(redis.ScanSlice, upstream.ScanSlice)
	sameType(redis.Positions, upstream.Positions)
	sameType(redis.Int, upstream.Int)
	sameType(redis.Int64, upstream.Int64)
	sameType(redis.Uint64, upstream.Uint64)
	sameType(redis.Float64, upstream.Float64)
	sameType(redis.String, upstream.String)
	sameType(redis.Bytes, upstream.Bytes)
	sameType(redis.Bool, upstream.Bool)
	sameType(redis.Values, upstream.Values)
	//lint:ignore SA1019 the deprecated helper is part of the API too
	sameType(redis.MultiBulk, upstream.MultiBulk)
	sameType(redis.Float64s, upstream.Float64s)
	sameType(redis.Strings, upstream.Strings)
	sameType(redis.ByteSlices, upstream.ByteSlices)
	sameType(redis.Int64s, upstream.Int64s)
	sameType(redis.Ints, upstream.Ints)
	sameType(redis.Uint64s, upstream.Uint64s)
	sameType(redis.StringMap, upstream.StringMap)
	sameType(redis.IntMap, upstream.IntMap)
	sameType(redis.Int64Map, upstream.Int64Map)
	sameType(redis.Uint64Map, upstream.Uint64Map)
	sameType(redis.Float64Map, upstream.Float64Map)
}

// Vars (2).
var (
	_ error = redis.ErrNil
	_ error = redis.ErrPoolExhausted
)

// Methods of the exported types (24), by method expression: a value
// receiver where upstream has one, so that the method sets of T and *T are
// upstream's.
var (
	_ func(redis.Error) string = redis.Error.Error

	_ func(*redis.Pool) redis.Conn                                                          = (*redis.Pool).Get
	_ func(*redis.Pool, context.Context) (redis.Conn, error)                                = (*redis.Pool).GetContext
	_ func(*redis.Pool) int                                                                 = (*redis.Pool).ActiveCount
	_ func(*redis.Pool) int                                                                 = (*redis.Pool).IdleCount
	_ func(*redis.Pool) redis.PoolStats                                                     = (*redis.Pool).Stats
	_ func(*redis.Pool) error                                                               = (*redis.Pool).Close
	_ func(redis.PubSubConn) error                                                          = redis.PubSubConn.Close
	_ func(redis.PubSubConn, ...interface{}) error                                          = redis.PubSubConn.Subscribe
	_ func(redis.PubSubConn, ...interface{}) error                                          = redis.PubSubConn.PSubscribe
	_ func(redis.PubSubConn, ...interface{}) error                                          = redis.PubSubConn.Unsubscribe
	_ func(redis.PubSubConn, ...interface{}) error                                          = redis.PubSubConn.PUnsubscribe
	_ func(redis.PubSubConn, string) error                                                  = redis.PubSubConn.Ping
	_ func(redis.PubSubConn) interface{}                                                    = redis.PubSubConn.Receive
	_ func(redis.PubSubConn, time.Duration) interface{}                                     = redis.PubSubConn.ReceiveWithTimeout
	_ func(redis.PubSubConn, context.Context) interface{}                                   = redis.PubSubConn.ReceiveContext
	_ func(*redis.Script, redis.Conn, ...interface{}) (interface{}, error)                  = (*redis.Script).Do
	_ func(*redis.Script, context.Context, redis.Conn, ...interface{}) (interface{}, error) = (*redis.Script).DoContext
	_ func(*redis.Script) string                                                            = (*redis.Script).Hash
	_ func(*redis.Script, redis.Conn) error                                                 = (*redis.Script).Load
	_ func(*redis.Script, redis.Conn, ...interface{}) error                                 = (*redis.Script).Send
	_ func(*redis.Script, redis.Conn, ...interface{}) error                                 = (*redis.Script).SendHash
	_ func(redis.Args, ...interface{}) redis.Args                                           = redis.Args.Add
	_ func(redis.Args, interface{}) redis.Args                                              = redis.Args.AddFlat
)

// Named non-struct types (2): the underlying types.
var (
	_ []interface{} = redis.Args{}
	_ string        = string(redis.Error(""))
	_               = redis.Args(upstream.Args{})
	_               = redis.Error(upstream.Error(""))
)

// Interfaces (5, 12 methods). Upstream's interfaces use no type of their
// package in their methods, so assignability both ways proves the method
// sets equal. ConnWithContext is the fork's superset: ours satisfies
// upstream's, and has the fork's five methods.
var (
	_ redis.Conn                  = upstream.Conn(nil)
	_ upstream.Conn               = redis.Conn(nil)
	_ redis.ConnWithTimeout       = upstream.ConnWithTimeout(nil)
	_ upstream.ConnWithTimeout    = redis.ConnWithTimeout(nil)
	_ upstream.ConnWithContext    = redis.ConnWithContext(nil)
	_ redis.ConnWithContext       = forkConnWithContext(nil)
	_ forkConnWithContext         = redis.ConnWithContext(nil)
	_ redis.Argument              = upstream.Argument(nil)
	_ upstream.Argument           = redis.Argument(nil)
	_ redis.Scanner               = upstream.Scanner(nil)
	_ upstream.Scanner            = redis.Scanner(nil)
	_ interface{ Error() string } = redis.Error("")
)

// forkConnWithContext is the OpenCensus fork's ConnWithContext.
type forkConnWithContext interface {
	Close() error
	Err() error
	Do(commandName string, args ...interface{}) (reply interface{}, err error)
	Send(commandName string, args ...interface{}) error
	Flush() error
	Receive() (reply interface{}, err error)
	CloseContext(ctx context.Context) error
	DoContext(ctx context.Context, commandName string, args ...interface{}) (reply interface{}, err error)
	SendContext(ctx context.Context, commandName string, args ...interface{}) error
	FlushContext(ctx context.Context) error
	ReceiveContext(ctx context.Context) (reply interface{}, err error)
}

// Struct fields (33). A conversion between struct types compiles only when
// their fields are identical in names, types and order; Pool and PubSubConn
// hold the package's Conn, so their fields are checked one by one, by a
// composite literal (the field takes a value of upstream's type) and by a
// read (the field's value has upstream's type).
var (
	_ = redis.PoolStats(upstream.PoolStats{})
	_ = redis.Message(upstream.Message{})
	_ = redis.Subscription(upstream.Subscription{})
	_ = redis.Pong(upstream.Pong{})
	_ = redis.SlowLog(upstream.SlowLog{})
	_ = redis.Latency(upstream.Latency{})
	_ = redis.LatencyHistory(upstream.LatencyHistory{})

	_ = redis.PoolStats{ActiveCount: int(0), IdleCount: int(0), WaitCount: int64(0), WaitDuration: time.Duration(0)}
	_ = redis.Message{Channel: "", Pattern: "", Data: []byte(nil)}
	_ = redis.Subscription{Kind: "", Channel: "", Count: int(0)}
	_ = redis.Pong{Data: ""}
	_ = redis.SlowLog{ID: int64(0), Time: time.Time{}, ExecutionTime: time.Duration(0), Args: []string(nil), ClientAddr: "", ClientName: ""}
	_ = redis.Latency{Name: "", Time: time.Time{}, Latest: time.Duration(0), Max: time.Duration(0)}
	_ = redis.LatencyHistory{Time: time.Time{}, ExecutionTime: time.Duration(0)}

	_ = redis.PubSubConn{Conn: redis.Conn(nil)}
	_ = redis.Pool{
		Dial:                (func() (redis.Conn, error))(nil),
		DialContext:         (func(ctx context.Context) (redis.Conn, error))(nil),
		TestOnBorrow:        (func(c redis.Conn, lastUsed time.Time) error)(nil),
		TestOnBorrowContext: (func(ctx context.Context, c redis.Conn, lastUsed time.Time) error)(nil),
		MaxIdle:             int(0),
		MaxActive:           int(0),
		IdleTimeout:         time.Duration(0),
		Wait:                false,
		MaxConnLifetime:     time.Duration(0),
		TraceOptions:        redis.TraceOptions{}, // fork addition
	}
	_ redis.Conn                                                        = redis.PubSubConn{}.Conn
	_ func() (redis.Conn, error)                                        = (&redis.Pool{}).Dial
	_ func(ctx context.Context) (redis.Conn, error)                     = (&redis.Pool{}).DialContext
	_ func(c redis.Conn, lastUsed time.Time) error                      = (&redis.Pool{}).TestOnBorrow
	_ func(ctx context.Context, c redis.Conn, lastUsed time.Time) error = (&redis.Pool{}).TestOnBorrowContext
	_ int                                                               = (&redis.Pool{}).MaxIdle
	_ int                                                               = (&redis.Pool{}).MaxActive
	_ time.Duration                                                     = (&redis.Pool{}).IdleTimeout
	_ bool                                                              = (&redis.Pool{}).Wait
	_ time.Duration                                                     = (&redis.Pool{}).MaxConnLifetime
)

// Fork additions.
var (
	_ func(ctx context.Context, network, address string, options ...redis.DialOption) (redis.Conn, error) = redis.DialWithContext
	_ func(options redis.TraceOptions) redis.DialOption                                                   = redis.DialTraceOptions
	_ func(attrs ...trace.Attribute) redis.TraceOption                                                    = redis.WithDefaultAttributes
	_ func(o *redis.TraceOptions)                                                                         = redis.TraceOption(nil)
	_ []trace.Attribute                                                                                   = redis.TraceOptions{}.DefaultAttributes
	_ redis.TraceOptions                                                                                  = (&redis.Pool{}).TraceOptions
	_ func(*redis.Pool, context.Context) redis.Conn                                                       = (*redis.Pool).GetWithContext
	_ []*view.View                                                                                        = redis.ObservabilityMetricViews
)

// TestAPIConnsHaveOptionalInterfaces checks every kind of Conn the package
// hands out: each has ConnWithTimeout and ConnWithContext (ours and
// upstream's), and the helpers, ours and upstream's, use them.
func TestAPIConnsHaveOptionalInterfaces(t *testing.T) {
	ctx := context.Background()
	addr := plainServer.Addr()
	logger := log.New(io.Discard, "", 0)
	live := map[string]redis.Conn{}
	add := func(name string, c redis.Conn, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { c.Close() })
		live[name] = c
	}
	dialers := []struct {
		name string
		dial func() (redis.Conn, error)
	}{
		{"Dial", func() (redis.Conn, error) { return redis.Dial("tcp", addr) }},
		{"DialContext", func() (redis.Conn, error) { return redis.DialContext(ctx, "tcp", addr) }},
		{"DialWithContext", func() (redis.Conn, error) { return redis.DialWithContext(ctx, "tcp", addr) }},
		{"DialTimeout", func() (redis.Conn, error) {
			return redis.DialTimeout("tcp", addr, time.Second, time.Second, time.Second)
		}},
		{"DialURL", func() (redis.Conn, error) { return redis.DialURL(plainServer.URL()) }},
		{"DialURLContext", func() (redis.Conn, error) { return redis.DialURLContext(ctx, plainServer.URL()) }},
	}
	for _, d := range dialers {
		c, err := d.dial()
		add(d.name, c, err)
	}
	netConn, err := net.Dial("tcp", addr)
	add("NewConn", redis.NewConn(netConn, time.Second, time.Second), err)

	pool := &redis.Pool{Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr) }, MaxIdle: 3}
	t.Cleanup(func() { pool.Close() })
	add("Pool.Get", pool.Get(), nil)
	pooled, err := pool.GetContext(ctx)
	add("Pool.GetContext", pooled, err)
	add("Pool.GetWithContext", pool.GetWithContext(ctx), nil)
	add("NewLoggingConn(dialed)", redis.NewLoggingConn(live["Dial"], logger, "x"), nil)
	add("NewLoggingConnFilter(pooled)", redis.NewLoggingConnFilter(pool.Get(), logger, "x", func(string) bool { return false }), nil)

	dialErr := errors.New("dial refused by the test")
	failing := &redis.Pool{Dial: func() (redis.Conn, error) { return nil, dialErr }}
	exhausted := &redis.Pool{Dial: pool.Dial, MaxActive: 1}
	t.Cleanup(func() { exhausted.Close() })
	held := exhausted.Get()
	t.Cleanup(func() { held.Close() })
	closed := &redis.Pool{Dial: pool.Dial}
	closed.Close()
	broken := map[string]redis.Conn{
		"Pool.Get(dial fails)":            failing.Get(),
		"Pool.GetWithContext(dial fails)": failing.GetWithContext(ctx),
		"Pool.Get(exhausted)":             exhausted.Get(),
		"Pool.Get(closed pool)":           closed.Get(),
		"NewLoggingConn(error conn)":      redis.NewLoggingConn(failing.Get(), logger, ""),
	}

	for name, c := range live {
		checkOptionalInterfaces(t, name, c)
		for _, do := range doVariants(ctx) {
			if reply, err := do.fn(c); reply != "PONG" || err != nil {
				t.Errorf("%s: %s = %v, %v; want PONG", name, do.name, reply, err)
			}
		}
	}
	for name, c := range broken {
		checkOptionalInterfaces(t, name, c)
		want := c.Err()
		if want == nil {
			t.Errorf("%s: Err() = nil", name)
		}
		for _, do := range doVariants(ctx) {
			if _, err := do.fn(c); err == nil || err.Error() != want.Error() {
				t.Errorf("%s: %s error = %v; want the conn's %v", name, do.name, err, want)
			}
		}
	}
}

func checkOptionalInterfaces(t *testing.T, name string, c redis.Conn) {
	t.Helper()
	if _, ok := c.(redis.ConnWithTimeout); !ok {
		t.Errorf("%s (%T) is no ConnWithTimeout", name, c)
	}
	if _, ok := c.(redis.ConnWithContext); !ok {
		t.Errorf("%s (%T) is no ConnWithContext", name, c)
	}
	if _, ok := c.(upstream.ConnWithTimeout); !ok {
		t.Errorf("%s (%T) is no upstream ConnWithTimeout", name, c)
	}
	if _, ok := c.(upstream.ConnWithContext); !ok {
		t.Errorf("%s (%T) is no upstream ConnWithContext", name, c)
	}
}

type doVariant struct {
	name string
	fn   func(c redis.Conn) (interface{}, error)
}

// doVariants send PING through every optional-interface helper, ours and
// upstream's, and through the Send + Receive variants.
func doVariants(ctx context.Context) []doVariant {
	receive := func(recv func(c redis.Conn) (interface{}, error)) func(c redis.Conn) (interface{}, error) {
		return func(c redis.Conn) (interface{}, error) {
			if err := c.Send("PING"); err != nil {
				return nil, err
			}
			if err := c.Flush(); err != nil {
				return nil, err
			}
			return recv(c)
		}
	}
	return []doVariant{
		{"redis.DoWithTimeout", func(c redis.Conn) (interface{}, error) { return redis.DoWithTimeout(c, time.Minute, "PING") }},
		{"redis.DoContext", func(c redis.Conn) (interface{}, error) { return redis.DoContext(c, ctx, "PING") }},
		{"upstream.DoWithTimeout", func(c redis.Conn) (interface{}, error) { return upstream.DoWithTimeout(c, time.Minute, "PING") }},
		{"upstream.DoContext", func(c redis.Conn) (interface{}, error) { return upstream.DoContext(c, ctx, "PING") }},
		{"ConnWithContext.SendContext+FlushContext+ReceiveContext", func(c redis.Conn) (interface{}, error) {
			cc := c.(redis.ConnWithContext)
			if err := cc.SendContext(ctx, "PING"); err != nil {
				return nil, err
			}
			if err := cc.FlushContext(ctx); err != nil {
				return nil, err
			}
			return cc.ReceiveContext(ctx)
		}},
		{"redis.ReceiveWithTimeout", receive(func(c redis.Conn) (interface{}, error) { return redis.ReceiveWithTimeout(c, time.Minute) })},
		{"redis.ReceiveContext", receive(func(c redis.Conn) (interface{}, error) { return redis.ReceiveContext(c, ctx) })},
		{"upstream.ReceiveWithTimeout", receive(func(c redis.Conn) (interface{}, error) { return upstream.ReceiveWithTimeout(c, time.Minute) })},
		{"upstream.ReceiveContext", receive(func(c redis.Conn) (interface{}, error) { return upstream.ReceiveContext(c, ctx) })},
	}
}
