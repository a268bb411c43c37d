package redis_test

// Differential tests that do not fit the command tables: typed arguments,
// DUMP/RESTORE, Script, pub/sub, and the server-wide SLOWLOG, LATENCY and
// maxmemory on a server of their own.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
)

// diffArgument is an Argument of both packages.
type diffArgument struct{ v interface{} }

func (a diffArgument) RedisArg() interface{} { return a.v }

type diffStringer struct{}

func (diffStringer) String() string { return "stringer" }

// TestDiffTypedArgs sends arguments of every Go type; ECHO returns them as
// the connection encoded them.
func TestDiffTypedArgs(t *testing.T) {
	s := newDiffSides(t, plainServer.Addr(), nil, nil)
	args := []interface{}{
		"", "str", []byte(nil), []byte{}, []byte("\x00\xff"), nil, true, false,
		0, -5, int8(-8), int16(16), int32(-32), int64(math.MinInt64), int64(math.MaxInt64),
		uint(7), uint8(255), uint16(16), uint32(math.MaxUint32), uint64(math.MaxUint64), uintptr(9),
		float32(1.5), float32(0.1), 1.0 / 3, math.Copysign(0, -1), 1e21, 1e-7, 100.0, math.Inf(1), math.Inf(-1), math.NaN(),
		complex(1, 2), time.Duration(5), time.Second, errors.New("an error"), diffStringer{},
		diffArgument{"via RedisArg"}, diffArgument{42}, diffArgument{nil}, diffArgument{[]byte("b")}, diffArgument{1.5},
		struct{ A, B int }{1, 2}, []string{"a", "b"}, []interface{}{1, "x"}, map[string]int{"b": 2, "a": 1},
		upstream.Args{"x", 1}, redis.Args{"x", 1}, redis.Error("E err"), [2]int{1, 2},
	}
	for _, arg := range args {
		up, our := s.do("ECHO", arg)
		compareOutcomes(t, fmt.Sprintf("ECHO %T(%v)", arg, arg), up, our, nil)
	}
	// Many arguments, and keys and values from Args.
	flat := redis.Args{}.Add("k").AddFlat(map[string]int{"f": 1}).AddFlat(struct {
		A string `redis:"a"`
		B []byte `redis:"b,omitempty"`
	}{A: "x"})
	up, our := s.do("HSET", flat...)
	compareOutcomes(t, "HSET from Args", up, our, nil)
	var many []interface{}
	for i := 0; i < 300; i++ {
		many = append(many, i, fmt.Sprint(i*i))
	}
	up, our = s.do("HSET", append([]interface{}{"big"}, many...)...)
	compareOutcomes(t, "HSET 600 args", up, our, nil)
	up, our = s.do("HGETALL", "big")
	compareOutcomes(t, "HGETALL big", up, our, nil)
}

// TestDiffDumpRestore restores each side's DUMP payload.
func TestDiffDumpRestore(t *testing.T) {
	s := newDiffSides(t, plainServer.Addr(), nil, nil)
	for _, setup := range []string{
		"SET str value", "SET int 42", "RPUSH list a b c", "HSET hash f v g w", "SADD set x y 3",
		"ZADD zset 1 a 2.5 b", "XADD stream 1-0 f v", "PFADD hll a b",
	} {
		s.run(t, setup)
	}
	for _, k := range []string{"str", "int", "list", "hash", "set", "zset", "stream", "hll"} {
		up, our := s.do("DUMP", k)
		compareOutcomes(t, "DUMP "+k, up, our, nil)
		upPayload, ourPayload := up.reply, our.reply
		for _, extra := range [][]interface{}{nil, nil, {"REPLACE"}, {"REPLACE", "ABSTTL"}} {
			var u, o outcome
			u.reply, u.err = s.up.Do("RESTORE", append([]interface{}{"copy:" + k, 0, upPayload}, extra...)...)
			o.reply, o.err = s.our.Do("RESTORE", append([]interface{}{"copy:" + k, 0, ourPayload}, extra...)...)
			compareOutcomes(t, fmt.Sprintf("RESTORE copy:%s %v", k, extra), u, o, nil)
		}
		s.run(t, "TYPE copy:"+k)
		s.run(t, "OBJECT ENCODING copy:"+k)
	}
}

// TestDiffScript runs Script's methods on both sides. Each side has its own
// source, new to the server, so that both take the NOSCRIPT fallback first.
func TestDiffScript(t *testing.T) {
	s := newDiffSides(t, plainServer.Addr(), nil, nil)
	ctx := context.Background()
	nonce := time.Now().UnixNano()
	const body = `return {KEYS[1], ARGV[1], redis.call("INCR", KEYS[1]), #KEYS, #ARGV}`
	for _, keyCount := range []int{1, 2, -1} {
		upSrc := fmt.Sprintf("%s -- upstream %d %d", body, keyCount, nonce)
		ourSrc := fmt.Sprintf("%s -- ours %d %d", body, keyCount, nonce)
		upScript, ourScript := upstream.NewScript(keyCount, upSrc), redis.NewScript(keyCount, ourSrc)
		if same := redis.NewScript(keyCount, upSrc); same.Hash() != upScript.Hash() {
			t.Errorf("Hash() = %s; upstream %s", same.Hash(), upScript.Hash())
		}
		args := []interface{}{"k", "v"}
		if keyCount < 0 {
			args = []interface{}{1, "k", "v"}
		}
		label := fmt.Sprintf("keyCount %d: ", keyCount)
		var up, our outcome
		up.reply, up.err = upScript.Do(s.up, args...) // EVALSHA fails, EVAL
		our.reply, our.err = ourScript.Do(s.our, args...)
		compareOutcomes(t, label+"Do", up, our, nil)
		up.reply, up.err = upScript.Do(s.up, args...) // EVALSHA
		our.reply, our.err = ourScript.Do(s.our, args...)
		compareOutcomes(t, label+"Do again", up, our, nil)
		up.reply, up.err = upScript.DoContext(ctx, s.up, args...)
		our.reply, our.err = ourScript.DoContext(ctx, s.our, args...)
		compareOutcomes(t, label+"DoContext", up, our, nil)
		up.reply, up.err = upScript.Do(s.up)
		our.reply, our.err = ourScript.Do(s.our)
		compareOutcomes(t, label+"Do without args", up, our, nil)
		compareOutcomes(t, label+"Load", outcome{err: upScript.Load(s.up)}, outcome{err: ourScript.Load(s.our)}, nil)
		compareOutcomes(t, label+"Send", outcome{err: upScript.Send(s.up, args...)}, outcome{err: ourScript.Send(s.our, args...)}, nil)
		compareOutcomes(t, label+"SendHash", outcome{err: upScript.SendHash(s.up, args...)}, outcome{err: ourScript.SendHash(s.our, args...)}, nil)
		s.run(t, "!flush")
		s.run(t, "!recv")
		s.run(t, "!recv")
	}
	// Errors: of the script, and of EVALSHA and EVAL both.
	for _, src := range []string{`return redis.error_reply("MINE failed")`, "syntax error", `return redis.call("NOSUCH")`} {
		src = fmt.Sprintf("%s -- %d", src, nonce)
		upScript, ourScript := upstream.NewScript(0, src), redis.NewScript(0, src)
		for _, what := range []string{"Do", "Do again"} {
			var up, our outcome
			up.reply, up.err = upScript.Do(s.up)
			our.reply, our.err = ourScript.Do(s.our)
			compareOutcomes(t, what+" "+src, up, our, nil)
		}
		compareOutcomes(t, "Load "+src, outcome{err: upScript.Load(s.up)}, outcome{err: ourScript.Load(s.our)}, nil)
	}
}

// pubsubResult maps a PubSubConn notification of upstream to ours.
func pubsubResult(v interface{}) interface{} {
	switch v := v.(type) {
	case upstream.Message:
		return redis.Message(v)
	case upstream.Subscription:
		return redis.Subscription(v)
	case upstream.Pong:
		return redis.Pong(v)
	case upstream.Error:
		return redis.Error(v)
	}
	return v
}

// TestDiffPubSub drives a PubSubConn of each package through the same
// subscriptions and messages.
func TestDiffPubSub(t *testing.T) {
	up, err := upstream.Dial("tcp", plainServer.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ups, ours := upstream.PubSubConn{Conn: up}, redis.PubSubConn{Conn: dial(t)}
	defer ups.Close()
	pub := dial(t)
	ch, ch2, pattern := key(t, "ch"), key(t, "ch2"), key(t, "c*")
	notifications := 0
	receive := func(label string, upV, ourV interface{}) {
		t.Helper()
		notifications++
		upV = pubsubResult(upV)
		upErr, upIsErr := upV.(error)
		ourErr, ourIsErr := ourV.(error)
		switch {
		case upIsErr || ourIsErr:
			if !upIsErr || !ourIsErr || upErr.Error() != ourErr.Error() {
				t.Errorf("%s: upstream %#v, ours %#v", label, upV, ourV)
			}
		case fmt.Sprintf("%#v", upV) != fmt.Sprintf("%#v", ourV):
			t.Errorf("%s:\n upstream %#v\n ours     %#v", label, upV, ourV)
		}
	}
	recv := func(label string) { t.Helper(); receive(label, ups.Receive(), ours.Receive()) }
	both := func(label string, upErr, ourErr error) {
		t.Helper()
		compareOutcomes(t, label, outcome{err: upErr}, outcome{err: ourErr}, nil)
	}
	publish := func(channel string, data interface{}) {
		t.Helper()
		if _, err := pub.Do("PUBLISH", channel, data); err != nil {
			t.Fatal(err)
		}
	}

	both("Subscribe", ups.Subscribe(ch, ch2), ours.Subscribe(ch, ch2))
	recv("subscribe ch")
	recv("subscribe ch2")
	both("PSubscribe", ups.PSubscribe(pattern), ours.PSubscribe(pattern))
	recv("psubscribe")
	publish(ch, "hello")
	recv("message")
	recv("pmessage")
	publish(ch2, []byte{})
	recv("empty message")
	recv("empty pmessage")
	both("Ping", ups.Ping("p"), ours.Ping("p"))
	recv("pong")
	both("Ping empty", ups.Ping(""), ours.Ping(""))
	recv("empty pong")
	both("Subscribe again", ups.Subscribe(ch), ours.Subscribe(ch))
	recv("subscribe again")
	// A command not allowed in subscribed mode gets an error reply.
	both("Send GET", ups.Conn.Send("GET", "k"), ours.Conn.Send("GET", "k"))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("error reply")
	// Sharded notifications are unknown to PubSubConn.
	both("Send SSUBSCRIBE", ups.Conn.Send("SSUBSCRIBE", ch), ours.Conn.Send("SSUBSCRIBE", ch))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("ssubscribe")
	both("Send SUNSUBSCRIBE", ups.Conn.Send("SUNSUBSCRIBE"), ours.Conn.Send("SUNSUBSCRIBE"))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("sunsubscribe")
	both("Unsubscribe ch", ups.Unsubscribe(ch), ours.Unsubscribe(ch))
	recv("unsubscribe ch")
	both("PUnsubscribe all", ups.PUnsubscribe(), ours.PUnsubscribe())
	recv("punsubscribe")
	both("Unsubscribe all", ups.Unsubscribe(), ours.Unsubscribe())
	recv("unsubscribe ch2")
	both("Unsubscribe none", ups.Unsubscribe(), ours.Unsubscribe())
	recv("unsubscribe when none")
	both("PUnsubscribe none", ups.PUnsubscribe(), ours.PUnsubscribe())
	recv("punsubscribe when none")
	// Out of subscribed mode, replies are no notifications.
	both("Send PING", ups.Conn.Send("PING"), ours.Conn.Send("PING"))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("plain PONG")
	both("Send ECHO", ups.Conn.Send("ECHO", "x"), ours.Conn.Send("ECHO", "x"))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("bulk reply")
	both("Send LRANGE", ups.Conn.Send("LRANGE", key(t, "missing"), 0, -1), ours.Conn.Send("LRANGE", key(t, "missing"), 0, -1))
	both("Flush", ups.Conn.Flush(), ours.Conn.Flush())
	recv("empty array")

	// Timeouts and canceled contexts end with an error (whose text names
	// the addresses of each connection, so only its kind is compared).
	both("Subscribe", ups.Subscribe(ch), ours.Subscribe(ch))
	recv("subscribe")
	upV, ourV := ups.ReceiveWithTimeout(time.Millisecond), ours.ReceiveWithTimeout(time.Millisecond)
	for _, v := range []interface{}{upV, ourV} {
		var ne net.Error
		if err, ok := v.(error); !ok || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("ReceiveWithTimeout with nothing to receive = %#v; want a timeout", v)
		}
	}
	if notifications < 22 {
		t.Errorf("only %d notifications compared", notifications)
	}
}

// TestDiffServerDiagnostics compares SLOWLOG, LATENCY and maxmemory errors
// on a server of their own, as their settings and logs are server-wide.
// SLOWLOG and LATENCY record times, durations and client addresses, which
// differ between the sides: those fields are masked in the comparison of the
// replies, and the helpers of both packages get our reply.
func TestDiffServerDiagnostics(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Debug: true})
	s := newDiffSides(t, srv.Addr(), []upstream.DialOption{upstream.DialClientName("diff")}, []redis.DialOption{redis.DialClientName("diff")})
	// The latency threshold is high enough that only DEBUG SLEEP crosses it,
	// not a command slowed down by a busy machine.
	if _, err := s.our.Do("CONFIG", "SET", "slowlog-log-slower-than", "0", "latency-monitor-threshold", "40"); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("y", 200)
	manyArgs := "RPUSH list" + strings.Repeat(" a", 40)

	// Each side runs the whole sequence on its own, as the logs are shared.
	sequence := func(t *testing.T, steps []string, masks map[string]func(interface{}) interface{}) {
		t.Helper()
		var upOut, ourOut []outcome
		for _, side := range []bool{true, false} {
			for _, step := range steps {
				setup := strings.HasPrefix(step, "setup ")
				args := parseLine(t, strings.TrimPrefix(step, "setup "))
				var o outcome
				if side {
					o.reply, o.err = s.up.Do(args[0].(string), args[1:]...)
				} else {
					o.reply, o.err = s.our.Do(args[0].(string), args[1:]...)
				}
				if setup {
					continue
				}
				if side {
					upOut = append(upOut, o)
				} else {
					ourOut = append(ourOut, o)
				}
			}
		}
		i := 0
		for _, step := range steps {
			if !strings.HasPrefix(step, "setup ") {
				compareOutcomes(t, step, upOut[i], ourOut[i], masks[step])
				i++
			}
		}
	}

	t.Run("slowlog", func(t *testing.T) {
		mask := maskEntries(0, 1, 2, 4) // id, time, duration, client address
		sequence(t, []string{
			"SLOWLOG RESET", "SET k v", "GET k", "ECHO " + long, manyArgs, "SLOWLOG LEN", "SLOWLOG GET", "SLOWLOG GET 2",
			"SLOWLOG GET 0", "SLOWLOG GET x", "SLOWLOG NOSUCH",
		}, map[string]func(interface{}) interface{}{"SLOWLOG GET": mask, "SLOWLOG GET 2": mask})
	})
	t.Run("latency", func(t *testing.T) {
		sequence(t, []string{
			"setup LATENCY RESET", "LATENCY LATEST", "LATENCY HISTORY command", "DEBUG SLEEP 0.05", "LATENCY LATEST",
			"LATENCY HISTORY command", "LATENCY HISTORY nosuchevent", "LATENCY RESET command", "LATENCY LATEST",
			"LATENCY NOSUCH",
		}, map[string]func(interface{}) interface{}{
			"LATENCY LATEST":          maskEntries(1, 2, 3), // time, latest, max
			"LATENCY HISTORY command": maskEntries(0, 1),    // time, latency
		})
	})
	t.Run("maxmemory", func(t *testing.T) {
		s.run(t, "SET before v")
		if _, err := s.our.Do("CONFIG", "SET", "maxmemory", "1"); err != nil {
			t.Fatal(err)
		}
		defer s.our.Do("CONFIG", "SET", "maxmemory", "0")
		for _, step := range []string{
			"SET k v", "GET before", "APPEND before x", "DEL before", "EVAL 'return 1' 0",
			`EVAL 'return redis.call("SET", "k", "v")' 0`, "MULTI", "SET k v", "GET k", "EXEC",
			"> SET k v", "> GET k", "!do",
		} {
			s.run(t, step)
		}
	})
}

// maskEntries replaces, in each entry of an array reply, the fields at the
// given positions.
func maskEntries(fields ...int) func(interface{}) interface{} {
	return func(v interface{}) interface{} {
		entries, ok := v.([]interface{})
		if !ok {
			return v
		}
		out := make([]interface{}, len(entries))
		for i, e := range entries {
			entry, ok := e.([]interface{})
			if !ok {
				out[i] = e
				continue
			}
			masked := append([]interface{}{}, entry...)
			for _, f := range fields {
				if f < len(masked) {
					masked[f] = "masked"
				}
			}
			out[i] = masked
		}
		return out
	}
}

// addrRE matches the addresses in network error texts, which differ between
// two connections.
var addrRE = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+`)

// compareConnErrors compares two errors of a connection: the text with the
// addresses masked, and what errors.Is and net.Error say of them.
func compareConnErrors(t *testing.T, label string, upErr, ourErr error) {
	t.Helper()
	describe := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		return fmt.Sprintf("%q timeout=%v closed=%v eof=%v", addrRE.ReplaceAllString(err.Error(), "ADDR"),
			timeout, errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF))
	}
	if u, o := describe(upErr), describe(ourErr); u != o {
		t.Errorf("%s:\n upstream %s\n ours     %s", label, u, o)
	}
}

// TestDiffConnFailures compares how a connection fails, and what it does
// after: a read timeout, Close, QUIT.
func TestDiffConnFailures(t *testing.T) {
	dialBoth := func(t *testing.T) (upstream.Conn, redis.Conn) {
		s := newDiffSides(t, plainServer.Addr(), nil, nil)
		return s.up, s.our
	}
	// doAll runs every call of a Conn and compares the errors.
	doAll := func(t *testing.T, up upstream.Conn, our redis.Conn) {
		t.Helper()
		_, upErr := up.Do("PING")
		_, ourErr := our.Do("PING")
		compareConnErrors(t, "Do", upErr, ourErr)
		compareConnErrors(t, "Send", up.Send("PING"), our.Send("PING"))
		compareConnErrors(t, "Flush", up.Flush(), our.Flush())
		_, upErr = up.Receive()
		_, ourErr = our.Receive()
		compareConnErrors(t, "Receive", upErr, ourErr)
		compareConnErrors(t, "Err", up.Err(), our.Err())
	}
	readTimeout := func(t *testing.T, up upstream.Conn, our redis.Conn) {
		t.Helper()
		_, upErr := upstream.ReceiveWithTimeout(up, time.Millisecond)
		_, ourErr := redis.ReceiveWithTimeout(our, time.Millisecond)
		compareConnErrors(t, "ReceiveWithTimeout with nothing pending", upErr, ourErr)
		compareConnErrors(t, "Err", up.Err(), our.Err())
	}
	closeBoth := func(t *testing.T, up upstream.Conn, our redis.Conn) {
		t.Helper()
		compareConnErrors(t, "Close", up.Close(), our.Close())
		compareConnErrors(t, "Close again", up.Close(), our.Close())
		compareConnErrors(t, "Err", up.Err(), our.Err())
	}

	t.Run("read timeout", func(t *testing.T) {
		up, our := dialBoth(t)
		readTimeout(t, up, our)
	})
	t.Run("calls after a read timeout", func(t *testing.T) {
		up, our := dialBoth(t)
		readTimeout(t, up, our)
		doAll(t, up, our)
	})
	t.Run("Close", func(t *testing.T) {
		up, our := dialBoth(t)
		closeBoth(t, up, our)
	})
	t.Run("calls after Close", func(t *testing.T) {
		up, our := dialBoth(t)
		closeBoth(t, up, our)
		doAll(t, up, our)
	})
	t.Run("QUIT", func(t *testing.T) {
		up, our := dialBoth(t)
		upReply, upErr := up.Do("QUIT")
		ourReply, ourErr := our.Do("QUIT")
		compareOutcomes(t, "QUIT", outcome{upReply, upErr}, outcome{ourReply, ourErr}, nil)
		// Receive, not Do: a write to the closed socket may draw a reset,
		// or not, depending on timing.
		_, upErr = up.Receive()
		_, ourErr = our.Receive()
		compareConnErrors(t, "Receive after QUIT", upErr, ourErr)
		compareConnErrors(t, "Err after QUIT", up.Err(), our.Err())
	})
}

// TestDiffPool compares the pools' errors, statistics and the state in
// which a connection comes back.
func TestDiffPool(t *testing.T) {
	addr := plainServer.Addr()
	up := &upstream.Pool{MaxIdle: 2, MaxActive: 2, Dial: func() (upstream.Conn, error) {
		return upstream.Dial("tcp", addr, upstream.DialDatabase(upstreamDB))
	}}
	our := &redis.Pool{MaxIdle: 2, MaxActive: 2, Dial: func() (redis.Conn, error) {
		return redis.Dial("tcp", addr, redis.DialDatabase(ourDB))
	}}
	defer up.Close()
	defer our.Close()
	stats := func(label string) {
		t.Helper()
		if u, o := redis.PoolStats(up.Stats()), our.Stats(); u != o {
			t.Errorf("%s: Stats upstream %+v, ours %+v", label, u, o)
		}
		if u, o := up.ActiveCount(), our.ActiveCount(); u != o {
			t.Errorf("%s: ActiveCount upstream %d, ours %d", label, u, o)
		}
		if u, o := up.IdleCount(), our.IdleCount(); u != o {
			t.Errorf("%s: IdleCount upstream %d, ours %d", label, u, o)
		}
	}
	do := func(label string, u upstream.Conn, o redis.Conn, cmd string, args ...interface{}) {
		t.Helper()
		var upOut, ourOut outcome
		upOut.reply, upOut.err = u.Do(cmd, args...)
		ourOut.reply, ourOut.err = o.Do(cmd, args...)
		compareOutcomes(t, label, upOut, ourOut, nil)
	}
	stats("new")
	u1, o1 := up.Get(), our.Get()
	do("SET on a pooled conn", u1, o1, "SET", "k", "v")
	stats("one in use")
	compareConnErrors(t, "Close", u1.Close(), o1.Close())
	compareConnErrors(t, "Close again", u1.Close(), o1.Close())
	do("Do after Close", u1, o1, "GET", "k")
	compareConnErrors(t, "Send after Close", u1.Send("PING"), o1.Send("PING"))
	compareConnErrors(t, "Flush after Close", u1.Flush(), o1.Flush())
	compareConnErrors(t, "Err after Close", u1.Err(), o1.Err())
	stats("one idle")

	// State left on a connection is undone before it is reused.
	u1, o1 = up.Get(), our.Get()
	do("MULTI", u1, o1, "MULTI")
	do("queued", u1, o1, "SET", "k", "w")
	u1.Close()
	o1.Close()
	u1, o1 = up.Get(), our.Get()
	do("EXEC on the reused conn", u1, o1, "EXEC")
	do("GET on the reused conn", u1, o1, "GET", "k")
	do("SUBSCRIBE", u1, o1, "SUBSCRIBE", "diff-pool-channel")
	u1.Close()
	o1.Close()
	u1, o1 = up.Get(), our.Get()
	do("PING on the reused conn", u1, o1, "PING")
	stats("reused")

	// Exhaustion.
	u2, o2 := up.Get(), our.Get()
	u3, o3 := up.Get(), our.Get()
	compareConnErrors(t, "Err when exhausted", u3.Err(), o3.Err())
	do("Do when exhausted", u3, o3, "PING")
	compareConnErrors(t, "Close when exhausted", u3.Close(), o3.Close())
	stats("exhausted")
	for _, c := range []interface{ Close() error }{u1, o1, u2, o2} {
		c.Close()
	}
	stats("all idle")

	// A closed pool, and one without Dial.
	compareConnErrors(t, "Pool.Close", up.Close(), our.Close())
	stats("closed")
	compareConnErrors(t, "Get on a closed pool", up.Get().Err(), our.Get().Err())
	_, upErr := up.GetContext(context.Background())
	_, ourErr := our.GetContext(context.Background())
	compareConnErrors(t, "GetContext on a closed pool", upErr, ourErr)
	compareConnErrors(t, "Close a closed pool", up.Close(), our.Close())
	compareConnErrors(t, "Get without Dial", (&upstream.Pool{}).Get().Err(), (&redis.Pool{}).Get().Err())
}
