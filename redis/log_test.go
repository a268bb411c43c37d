package redis_test

import (
	"bytes"
	"context"
	"errors"
	"log"
	"strings"
	"testing"
	"time"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logConn is the method set shared by the logging conns of both packages.
type logConn interface {
	Do(cmd string, args ...interface{}) (interface{}, error)
	Send(cmd string, args ...interface{}) error
	Flush() error
	Receive() (interface{}, error)
	Close() error
	DoWithTimeout(timeout time.Duration, cmd string, args ...interface{}) (interface{}, error)
	ReceiveWithTimeout(timeout time.Duration) (interface{}, error)
	DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error)
	ReceiveContext(ctx context.Context) (interface{}, error)
}

// logPair makes a logging conn of each package, each logging into its own
// buffer; wrap gets the logger and returns the logging conn.
type logPair struct {
	up, our       logConn
	upBuf, ourBuf bytes.Buffer
}

func newLogPair(t *testing.T, flags int, upWrap func(*log.Logger) upstream.Conn, ourWrap func(*log.Logger) redis.Conn) *logPair {
	t.Helper()
	p := &logPair{}
	var ok bool
	p.up, ok = upWrap(log.New(&p.upBuf, "", flags)).(logConn)
	require.True(t, ok)
	p.our, ok = ourWrap(log.New(&p.ourBuf, "", flags)).(logConn)
	require.True(t, ok)
	return p
}

// requireSameLog requires identical, non-trivial logs.
func (p *logPair) requireSameLog(t *testing.T, minLines int) {
	t.Helper()
	require.GreaterOrEqual(t, strings.Count(p.ourBuf.String(), "\n"), minLines, p.ourBuf.String())
	require.Equal(t, p.upBuf.String(), p.ourBuf.String())
}

// logSequence runs commands that cover every logged method and the reply
// types of a real server, on keys that start with prefix (short, so that the
// log does not cut them). pub publishes to the channel c subscribes to.
func logSequence(t *testing.T, c logConn, pub redis.Conn, prefix string) {
	k, list, hash, ch := prefix+"k", prefix+"list", prefix+"hash", prefix+"ch"
	ctx := context.Background()
	must := func(_ interface{}, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	must(pub.Do("DEL", k, k+":n", list, hash)) // left by the other package's run
	must(c.Do("DEL", k, k+":n", list, hash))
	must(c.Do("SET", k, "hello world"))
	must(c.Do("GET", k))
	must(c.Do("GET", k+":missing"))
	must(c.Do("SET", k, []byte("a value longer than thirty-two bytes\x00\xff")))
	must(c.Do("GET", k))
	must(c.Do("RPUSH", list, 1, int64(-2), 3.5, true, []byte("bytes"), "ünïcode \"quoted\"\n", ""))
	must(c.Do("LRANGE", list, 0, -1))
	_, err := c.Do("INCR", list)
	require.Error(t, err)
	_, err = c.Do("NOSUCHCOMMAND", "a")
	require.Error(t, err)
	must(c.Do("HSET", hash, "f1", "v1", "f2", 2))
	must(c.Do("HGETALL", hash))

	require.NoError(t, c.Send("INCR", k+":n"))
	require.NoError(t, c.Send("GET", k+":missing"))
	require.NoError(t, c.Flush())
	must(c.Receive())
	must(c.Receive())
	require.NoError(t, c.Send("PING"))
	must(c.Do(""))
	require.NoError(t, c.Send("ECHO", "x"))
	must(c.Do("ECHO", "y"))

	require.NoError(t, c.Send("MULTI"))
	require.NoError(t, c.Send("SET", k, "x"))
	require.NoError(t, c.Send("INCR", k))
	must(c.Do("EXEC"))

	must(c.DoWithTimeout(time.Minute, "PING", "timeout"))
	require.NoError(t, c.Send("PING"))
	require.NoError(t, c.Flush())
	must(c.ReceiveWithTimeout(time.Minute))
	must(c.DoContext(ctx, "ECHO", "context"))
	require.NoError(t, c.Send("PING"))
	require.NoError(t, c.Flush())
	must(c.ReceiveContext(ctx))

	require.NoError(t, c.Send("SUBSCRIBE", ch))
	require.NoError(t, c.Flush())
	must(c.Receive())
	must(pub.Do("PUBLISH", ch, "message"))
	must(c.Receive())
	require.NoError(t, c.Send("UNSUBSCRIBE"))
	require.NoError(t, c.Flush())
	must(c.Receive())
	require.NoError(t, c.Close())
}

func TestLoggingConnMatchesUpstream(t *testing.T) {
	pub := dial(t)
	upDial := func() upstream.Conn {
		c, err := upstream.Dial("tcp", plainServer.Addr())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	var upSkipped, ourSkipped []string
	skip := func(names *[]string) func(string) bool {
		return func(name string) bool {
			*names = append(*names, name)
			return name == "GET" || name == "" || name == "SUBSCRIBE"
		}
	}
	tests := []struct {
		name     string
		up       func(*log.Logger) upstream.Conn
		our      func(*log.Logger) redis.Conn
		minLines int
	}{
		{
			"prefix",
			func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConn(upDial(), l, "cache") },
			func(l *log.Logger) redis.Conn { return redis.NewLoggingConn(dial(t), l, "cache") },
			36,
		},
		{
			"no prefix",
			func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConn(upDial(), l, "") },
			func(l *log.Logger) redis.Conn { return redis.NewLoggingConn(dial(t), l, "") },
			36,
		},
		{
			"filter",
			func(l *log.Logger) upstream.Conn {
				return upstream.NewLoggingConnFilter(upDial(), l, "f", skip(&upSkipped))
			},
			func(l *log.Logger) redis.Conn { return redis.NewLoggingConnFilter(dial(t), l, "f", skip(&ourSkipped)) },
			20,
		},
		{
			"nil filter",
			func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConnFilter(upDial(), l, "f", nil) },
			func(l *log.Logger) redis.Conn { return redis.NewLoggingConnFilter(dial(t), l, "f", nil) },
			36,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newLogPair(t, 0, tt.up, tt.our)
			prefix := "log:" + tt.name + ":"
			logSequence(t, p.up, pub, prefix)
			logSequence(t, p.our, pub, prefix)
			p.requireSameLog(t, tt.minLines)
		})
	}
	assert.Equal(t, upSkipped, ourSkipped, "the names the filter is asked about")
	assert.Contains(t, ourSkipped, "", "Receive asks about the empty name")
}

// logFake is a Conn of both packages with the timeout and context methods,
// returning canned results.
type logFake struct {
	logFakeBasic
}

func (f *logFake) DoWithTimeout(time.Duration, string, ...interface{}) (interface{}, error) {
	return f.reply, f.err
}

func (f *logFake) ReceiveWithTimeout(time.Duration) (interface{}, error) { return f.reply, f.err }

func (f *logFake) DoContext(context.Context, string, ...interface{}) (interface{}, error) {
	return f.reply, f.err
}

func (f *logFake) ReceiveContext(context.Context) (interface{}, error) { return f.reply, f.err }

// logFakeBasic has only the methods of Conn.
type logFakeBasic struct {
	reply interface{}
	err   error
}

func (f *logFakeBasic) Close() error                                   { return f.err }
func (f *logFakeBasic) Err() error                                     { return nil }
func (f *logFakeBasic) Flush() error                                   { return f.err }
func (f *logFakeBasic) Send(string, ...interface{}) error              { return f.err }
func (f *logFakeBasic) Receive() (interface{}, error)                  { return f.reply, f.err }
func (f *logFakeBasic) Do(string, ...interface{}) (interface{}, error) { return f.reply, f.err }

type logStruct struct {
	A int
	B string
}

type logNamedString string

type logArgument struct{}

func (logArgument) RedisArg() interface{} { return "from RedisArg" }

// TestLoggingConnFormatsLikeUpstream covers values that a server does not
// return and that the wire does not carry.
func TestLoggingConnFormatsLikeUpstream(t *testing.T) {
	s := "pointed to"
	long := strings.Repeat("é", 16) + "z"
	values := []interface{}{
		nil, "", "plain", "with \"quote\"\n\t\x00", "ünï", "\xff\xfe",
		strings.Repeat("a", 32), strings.Repeat("a", 33), long, "a" + long,
		[]byte(nil), []byte{}, []byte("bytes"), []byte{0, 1, 0xff}, []byte(strings.Repeat("b", 40)),
		1, int8(-2), int64(3), uint64(4), 1.5, float32(2.5), true, false, 'r', byte(7),
		logStruct{1, "x"}, &logStruct{2, "y"}, &s, logArgument{}, logNamedString(strings.Repeat("n", 40)),
		[]interface{}{}, []interface{}(nil), []interface{}{"a", 1, nil, []interface{}{[]byte("n"), strings.Repeat("c", 40)}},
		[]string{"x", "y"}, [][]byte{[]byte("q")}, map[string]int{"a": 1}, [2]int{1, 2},
		redis.Error("ERR reply"), errors.New("an error"), time.Second,
	}
	f := &logFake{}
	fb := &logFakeBasic{}
	var upNames, ourNames []string
	record := func(names *[]string) func(string) bool {
		return func(name string) bool { *names = append(*names, name); return false }
	}
	p := newLogPair(t, 0,
		func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConnFilter(f, l, "p", record(&upNames)) },
		func(l *log.Logger) redis.Conn { return redis.NewLoggingConnFilter(f, l, "p", record(&ourNames)) })
	basic := newLogPair(t, 0,
		func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConn(fb, l, "basic") },
		func(l *log.Logger) redis.Conn { return redis.NewLoggingConn(fb, l, "basic") })
	ctx := context.Background()
	for _, c := range []logConn{p.up, p.our} {
		for _, v := range values {
			f.reply, f.err = v, nil
			c.Do("CMD", v, "next")
			c.Receive()
		}
		for _, err := range []error{nil, errors.New("boom"), redis.Error("ERR x"), context.Canceled} {
			f.reply, f.err = "reply", err
			c.Do("GET", "k")
			c.Do("")
			c.Do("", "a")
			c.Send("SET", "k", 1)
			c.Send("")
			c.Flush()
			c.Receive()
			c.DoWithTimeout(time.Second, "GET", "k")
			c.ReceiveWithTimeout(time.Second)
			c.DoContext(ctx, "GET", "k")
			c.ReceiveContext(ctx)
			c.Close()
		}
	}
	for _, c := range []logConn{basic.up, basic.our} {
		// The wrapped conn has no timeout or context methods.
		c.DoWithTimeout(time.Second, "GET", "k")
		c.ReceiveWithTimeout(time.Second)
		c.DoContext(ctx, "GET", "k")
		c.ReceiveContext(ctx)
	}
	p.requireSameLog(t, 2*len(values)+4*11)
	basic.requireSameLog(t, 4)
	assert.Equal(t, upNames, ourNames)
}

func TestLoggingConnSkipNeverSkipsClose(t *testing.T) {
	f := &logFake{}
	p := newLogPair(t, 0,
		func(l *log.Logger) upstream.Conn {
			return upstream.NewLoggingConnFilter(f, l, "p", func(string) bool { return true })
		},
		func(l *log.Logger) redis.Conn {
			return redis.NewLoggingConnFilter(f, l, "p", func(string) bool { return true })
		})
	for _, c := range []logConn{p.up, p.our} {
		c.Do("GET", "k")
		c.Send("GET", "k")
		c.Receive()
		c.Close()
	}
	p.requireSameLog(t, 1)
	assert.Equal(t, "p.Close() -> (<nil>)\n", p.ourBuf.String())
}

// TestLoggingConnCallerLine checks that, as upstream's, a log line names the
// caller's file and line (log.Lshortfile).
func TestLoggingConnCallerLine(t *testing.T) {
	f := &logFake{}
	p := newLogPair(t, log.Lshortfile,
		func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConn(f, l, "p") },
		func(l *log.Logger) redis.Conn { return redis.NewLoggingConn(f, l, "p") })
	ctx := context.Background()
	for _, c := range []logConn{p.up, p.our} {
		c.Do("GET", "k")
		c.Send("GET", "k")
		c.Receive()
		c.DoWithTimeout(time.Second, "GET", "k")
		c.ReceiveWithTimeout(time.Second)
		c.DoContext(ctx, "GET", "k")
		c.ReceiveContext(ctx)
		c.Close()
	}
	p.requireSameLog(t, 8)
	for _, line := range strings.Split(strings.TrimSpace(p.ourBuf.String()), "\n") {
		assert.True(t, strings.HasPrefix(line, "log_test.go:"), line)
	}
}

func TestLoggingConnNilLoggerIsStandardLogger(t *testing.T) {
	var buf bytes.Buffer
	out, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(&buf)
	log.SetFlags(0)
	log.SetPrefix("std: ")
	defer func() {
		log.SetOutput(out)
		log.SetFlags(flags)
		log.SetPrefix(prefix)
	}()
	c := redis.NewLoggingConn(&logFake{logFakeBasic{reply: "OK"}}, nil, "p")
	_, err := c.Do("SET", "k", "v")
	require.NoError(t, err)
	assert.Equal(t, "std: p.Do(SET, \"k\", \"v\") -> (\"OK\", <nil>)\n", buf.String())
}

// logNoContext hides every method but Conn's.
type logNoContext struct{ redis.Conn }

func TestLoggingConnWithContext(t *testing.T) {
	var buf bytes.Buffer
	logger := log.New(&buf, "", 0)
	k := key(t, "k")
	c := redis.NewLoggingConn(dial(t), logger, "p")
	var _ redis.ConnWithTimeout = c.(redis.ConnWithTimeout)
	cwc, ok := c.(redis.ConnWithContext)
	require.True(t, ok, "a logging conn is a ConnWithContext")
	ctx := context.Background()
	require.NoError(t, cwc.SendContext(ctx, "SET", k, "v"))
	require.NoError(t, cwc.FlushContext(ctx))
	reply, err := cwc.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "OK", reply)
	require.NoError(t, cwc.CloseContext(ctx))
	assert.Error(t, cwc.Err(), "closed")
	assert.Equal(t, `p.SendContext(SET, "`+k+`", "v") -> (<nil>)
p.ReceiveContext() -> ("OK", <nil>)
p.CloseContext() -> (<nil>)
`, buf.String())

	// A wrapped conn without the context methods.
	buf.Reset()
	inner := dial(t)
	cwc = redis.NewLoggingConn(logNoContext{inner}, logger, "p").(redis.ConnWithContext)
	err = cwc.SendContext(ctx, "PING")
	assert.EqualError(t, err, "redis: connection does not support ConnWithContext")
	assert.EqualError(t, cwc.FlushContext(ctx), "redis: connection does not support ConnWithContext")
	_, err = cwc.DoContext(ctx, "PING")
	assert.EqualError(t, err, "redis: connection does not support ConnWithContext")
	require.NoError(t, cwc.CloseContext(ctx))
	assert.Error(t, inner.Err(), "CloseContext falls back to Close")
	assert.Equal(t, `p.SendContext(PING) -> (redis: connection does not support ConnWithContext)
p.DoContext(PING) -> (<nil>, redis: connection does not support ConnWithContext)
p.CloseContext() -> (<nil>)
`, buf.String())
}

func TestLoggingConnRedactsSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := log.New(&buf, "", 0)
	raw, err := redis.Dial("tcp", aclServer.Addr())
	require.NoError(t, err)
	c := redis.NewLoggingConn(raw, logger, "p")
	defer c.Close()
	ctx := context.Background()

	_, err = c.Do("AUTH", aclPassword)
	require.NoError(t, err)
	_, err = c.Do("AUTH", aclUser, []byte(aclUserPassword))
	require.NoError(t, err)
	_, err = c.Do("AUTH", "wrong password")
	require.Error(t, err)
	_, err = redis.DoContext(c, ctx, "HELLO", 2, "AUTH", aclUser, aclUserPassword, "SETNAME", "logged")
	require.NoError(t, err)
	user := strings.ReplaceAll(t.Name(), "/", "-")
	_, err = c.Do("AUTH", aclPassword)
	require.NoError(t, err)
	_, err = c.Do("ACL", "SETUSER", user, "on", ">a new password", "~*", "+get")
	require.NoError(t, err)
	_, err = c.Do("ACL", "DELUSER", user)
	require.NoError(t, err)

	// Commands that must not run on the shared server go to a fake.
	fake := redis.NewLoggingConn(&logFake{logFakeBasic{reply: "OK"}}, logger, "fake").(redis.ConnWithContext)
	fake.Do("CONFIG", "SET", "requirepass", "config password", "maxmemory", "1mb")
	fake.Send("MIGRATE", "host", 6379, "", 0, 5000, "AUTH", "migrate password", "KEYS", "k")
	fake.SendContext(ctx, "MIGRATE", "host", 6379, "", 0, 5000, "AUTH2", "migrate user", "migrate password", "KEYS", "k")
	redis.DoWithTimeout(fake, time.Second, "auth", "timeout password")

	logged := buf.String()
	for _, secret := range []string{aclPassword, aclUserPassword, aclUser, "wrong password", "a new password", "config password", "migrate user", "migrate password", "timeout password"} {
		assert.NotContains(t, logged, secret)
	}
	for _, line := range []string{
		`p.Do(AUTH, "[redacted]") -> ("OK", <nil>)`,
		`p.Do(AUTH, "[redacted]", "[redacted]") -> ("OK", <nil>)`,
		`p.Do(ACL, "SETUSER", "` + user + `", "[redacted]", "[redacted]", "[redacted]", "[redacted]") -> ("OK", <nil>)`,
		`p.Do(ACL, "DELUSER", "` + user + `") -> (1, <nil>)`,
		`fake.Do(CONFIG, "SET", "requirepass", "[redacted]", "maxmemory", "1mb") -> ("OK", <nil>)`,
		`fake.Send(MIGRATE, "host", 6379, "", 0, 5000, "AUTH", "[redacted]", "KEYS", "k") -> (<nil>)`,
		`fake.SendContext(MIGRATE, "host", 6379, "", 0, 5000, "AUTH2", "[redacted]", "[redacted]", "KEYS", "k") -> (redis: connection does not support ConnWithContext)`,
		`fake.DoWithTimeout(auth, "[redacted]") -> ("OK", <nil>)`,
	} {
		assert.Contains(t, logged, line+"\n")
	}
	assert.Contains(t, logged, `p.DoContext(HELLO, 2, "AUTH", "[redacted]", "[redacted]", "SETNAME", "logged") -> ([`)
}

// TestLoggingConnCutsLongArrays: an array reply is logged up to its 32nd
// element and then "...]", at every level, exactly as upstream logs it;
// 32 elements or fewer are logged whole.
func TestLoggingConnCutsLongArrays(t *testing.T) {
	up, err := upstream.Dial("tcp", plainServer.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { up.Close() })
	list := key(t, "list")
	nested := "local t = {} for i = 1, tonumber(ARGV[1]) do local s = {} " +
		"for j = 1, tonumber(ARGV[2]) do s[j] = j end t[i] = s end return t"
	plain := dial(t) // deletes the list of the previous run, unlogged
	run := func(c logConn) {
		must := func(_ interface{}, err error) {
			t.Helper()
			require.NoError(t, err)
		}
		must(plain.Do("DEL", list))
		args := []interface{}{list}
		for i := 0; i < 40; i++ {
			args = append(args, i)
		}
		must(c.Do("RPUSH", args...))
		for _, stop := range []int{30, 31, 32, 39} { // 31, 32, 33 and 40 elements
			must(c.Do("LRANGE", list, 0, stop))
		}
		must(c.Do("EVAL", nested, 0, 33, 33))
		must(c.Do("EVAL", nested, 0, 2, 40))
		must(c.Do("EVAL", nested, 0, 0, 0))
		require.NoError(t, c.Send("LRANGE", list, 0, -1))
		require.NoError(t, c.Flush())
		must(c.Receive())
	}
	p := newLogPair(t, 0,
		func(l *log.Logger) upstream.Conn { return upstream.NewLoggingConn(up, l, "p") },
		func(l *log.Logger) redis.Conn { return redis.NewLoggingConn(dial(t), l, "p") })
	run(p.up)
	run(p.our)
	p.requireSameLog(t, 10)
	assert.Contains(t, p.ourBuf.String(), `"30", "31"...]`, "a long array ends after its 32nd element")
	assert.NotContains(t, p.ourBuf.String(), `"32"`, "elements after the 32nd are not logged")
}
