package redis_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDoReplyTypes(t *testing.T) {
	c := dial(t)
	k := key(t, "k")
	_, err := c.Do("DEL", k)
	require.NoError(t, err)
	tests := []struct {
		args []interface{}
		want interface{}
	}{
		{[]interface{}{"DEL", k}, int64(0)},
		{[]interface{}{"SET", k, "hello"}, "OK"},
		{[]interface{}{"GET", k}, []byte("hello")},
		{[]interface{}{"GET", k + "missing"}, nil},
		{[]interface{}{"APPEND", k, []byte(" world")}, int64(11)},
		{[]interface{}{"DEL", k}, int64(1)},
		{[]interface{}{"RPUSH", k, 1, int64(-2), 3.5, true, nil}, int64(5)},
		{[]interface{}{"LRANGE", k, 0, -1}, []interface{}{[]byte("1"), []byte("-2"), []byte("3.5"), []byte("1"), []byte("")}},
		{[]interface{}{"PING"}, "PONG"},
		{[]interface{}{"ECHO", ""}, []byte("")},
	}
	for _, tt := range tests {
		got, err := c.Do(tt.args[0].(string), tt.args[1:]...)
		require.NoError(t, err, "%v", tt.args)
		assert.Equal(t, tt.want, got, "%v", tt.args)
	}
}

func TestDoErrorReply(t *testing.T) {
	c := dial(t)
	k := key(t, "list")
	_, err := c.Do("RPUSH", k, "a")
	require.NoError(t, err)
	reply, err := c.Do("INCR", k)
	var rerr redis.Error
	require.ErrorAs(t, err, &rerr)
	assert.True(t, strings.HasPrefix(string(rerr), "WRONGTYPE"), string(rerr))
	assert.Equal(t, rerr, reply, "Do returns the error reply as the reply too, as upstream does")
	assert.NoError(t, c.Err())

	_, err = c.Do("NOSUCHCOMMAND")
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "ERR unknown command"), err.Error())
}

func TestExecRepliesKeepNestedErrors(t *testing.T) {
	c := dial(t)
	k := key(t, "k")
	require.NoError(t, c.Send("MULTI"))
	require.NoError(t, c.Send("SET", k, "x"))
	require.NoError(t, c.Send("INCR", k))
	require.NoError(t, c.Send("GET", k))
	reply, err := c.Do("EXEC")
	require.NoError(t, err)
	replies := reply.([]interface{})
	require.Len(t, replies, 3)
	assert.Equal(t, "OK", replies[0])
	assert.IsType(t, redis.Error(""), replies[1])
	assert.Equal(t, []byte("x"), replies[2])
}

func TestPipeline(t *testing.T) {
	c := dial(t)
	k := key(t, "counter")
	require.NoError(t, c.Send("DEL", k))
	for i := 0; i < 100; i++ {
		require.NoError(t, c.Send("INCR", k))
	}
	require.NoError(t, c.Flush())
	_, err := c.Receive()
	require.NoError(t, err)
	for i := 1; i <= 100; i++ {
		n, err := redis.Int(c.Receive())
		require.NoError(t, err)
		require.Equal(t, i, n)
	}
}

func TestReceiveErrorReply(t *testing.T) {
	c := dial(t)
	require.NoError(t, c.Send("NOSUCHCOMMAND"))
	require.NoError(t, c.Send("PING"))
	require.NoError(t, c.Flush())
	reply, err := c.Receive()
	assert.Nil(t, reply, "Receive returns no reply with an error reply")
	var rerr redis.Error
	require.ErrorAs(t, err, &rerr)
	pong, err := c.Receive()
	require.NoError(t, err)
	assert.Equal(t, "PONG", pong)
}

func TestDoEmptyReturnsPendingReplies(t *testing.T) {
	c := dial(t)
	reply, err := c.Do("")
	require.NoError(t, err)
	assert.Nil(t, reply, "nothing pending")

	k := key(t, "k")
	require.NoError(t, c.Send("SET", k, "v"))
	require.NoError(t, c.Send("GET", k))
	require.NoError(t, c.Send("NOSUCHCOMMAND"))
	reply, err = c.Do("")
	require.NoError(t, err, "error replies are returned among the values")
	replies := reply.([]interface{})
	require.Len(t, replies, 3)
	assert.Equal(t, "OK", replies[0])
	assert.Equal(t, []byte("v"), replies[1])
	assert.IsType(t, redis.Error(""), replies[2])

	reply, err = c.Do("")
	require.NoError(t, err)
	assert.Nil(t, reply, "the replies were drained")
}

func TestDoAfterSendReadsPendingReplies(t *testing.T) {
	c := dial(t)
	k := key(t, "k")
	require.NoError(t, c.Send("SET", k, "1"))
	require.NoError(t, c.Send("NOSUCHCOMMAND"))
	require.NoError(t, c.Send("INCR", k))
	reply, err := c.Do("GET", k)
	assert.Equal(t, []byte("2"), reply, "the reply of the last command")
	require.Error(t, err, "the first error reply among the pending ones")
	assert.True(t, strings.HasPrefix(err.Error(), "ERR unknown command"), err.Error())
	assert.NoError(t, c.Err())
}

func TestCloseAndErr(t *testing.T) {
	c, err := redis.Dial("tcp", plainServer.Addr())
	require.NoError(t, err)
	require.NoError(t, c.Err())
	require.NoError(t, c.Close())
	assert.EqualError(t, c.Err(), "redigo: closed")
	// As upstream: the errors of I/O on the closed network connection.
	_, err = c.Do("PING")
	assert.ErrorIs(t, err, net.ErrClosed)
	assert.ErrorIs(t, c.Send("PING"), net.ErrClosed)
	assert.ErrorIs(t, c.Flush(), net.ErrClosed)
	_, err = c.Receive()
	assert.ErrorIs(t, err, net.ErrClosed)
	assert.EqualError(t, c.Close(), "redigo: closed", "a second Close reports the connection's error")
}

func TestNewConn(t *testing.T) {
	nc, err := net.Dial("tcp", plainServer.Addr())
	require.NoError(t, err)
	c := redis.NewConn(nc, time.Second, time.Second)
	defer c.Close()
	pong, err := c.Do("PING")
	require.NoError(t, err)
	assert.Equal(t, "PONG", pong)
}

func TestReadTimeoutBreaksConnection(t *testing.T) {
	c := dial(t, redis.DialReadTimeout(50*time.Millisecond))
	_, err := c.Do("BLPOP", key(t, "empty"), 0)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Error(t, c.Err(), "a timed-out connection is broken")
	_, err = c.Do("PING")
	assert.Error(t, err, "the late reply is never read")
}

func TestDoWithTimeout(t *testing.T) {
	c := dial(t, redis.DialReadTimeout(time.Minute))
	_, err := redis.DoWithTimeout(c, 50*time.Millisecond, "BLPOP", key(t, "empty"), 0)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Error(t, c.Err())

	c2 := dial(t, redis.DialReadTimeout(50*time.Millisecond))
	k := key(t, "list")
	_, err = c2.Do("RPUSH", k, "x")
	require.NoError(t, err)
	reply, err := redis.Strings(redis.DoWithTimeout(c2, 5*time.Second, "BLPOP", k, 0))
	require.NoError(t, err)
	assert.Equal(t, []string{k, "x"}, reply)
}

func TestReceiveWithTimeout(t *testing.T) {
	c := dial(t)
	require.NoError(t, c.Send("BLPOP", key(t, "empty"), 0))
	require.NoError(t, c.Flush())
	_, err := redis.ReceiveWithTimeout(c, 50*time.Millisecond)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Error(t, c.Err())
}

func TestWriteTimeout(t *testing.T) {
	// While the server sleeps it reads nothing: a large enough command
	// fills the socket buffers and the write times out.
	sleeper := dial(t)
	done := make(chan struct{})
	go func() { sleeper.Do("DEBUG", "SLEEP", "1"); close(done) }()
	defer func() { <-done }()
	time.Sleep(50 * time.Millisecond)

	c := dial(t, redis.DialWriteTimeout(100*time.Millisecond))
	big := make([]byte, 64<<20)
	_, err := c.Do("SET", key(t, "big"), big)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Error(t, c.Err())
}

func TestDoContextDeadlineDuringSlowCommand(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.DoContext(ctx, "DEBUG", "SLEEP", "0.3")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Error(t, c.Err(), "an interrupted command breaks the connection")
	_, err = c.Do("PING")
	require.Error(t, err)
}

func TestDoContextCancelDuringBlockingCommand(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.DoContext(ctx, "BLPOP", key(t, "empty"), 0)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, c.Err(), context.Canceled)
}

func TestLateReplyNeverAnswersNextCommand(t *testing.T) {
	// DEBUG SLEEP holds the server for 200 ms. The call's context ends after
	// 50 ms, and the server writes the command's +OK some 150 ms later. The
	// connection must be broken at the cancel, so that no later call on it
	// takes that late +OK for its own reply.
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.DoContext(ctx, "DEBUG", "SLEEP", "0.2")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Error(t, c.Err(), "the interrupted call breaks the connection")

	// The server runs one command at a time: another connection's PING is
	// answered only once the sleep is over and the late +OK has been sent.
	other := dial(t)
	pong, err := other.Do("PING")
	require.NoError(t, err)
	require.Equal(t, "PONG", pong)

	for i := 0; i < 3; i++ {
		reply, err := c.Do("ECHO", "next")
		require.Error(t, err, "call %d", i)
		assert.Nil(t, reply, "call %d must not see the late reply", i)
	}
}

func TestDoContextAlreadyDone(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.DoContext(ctx, "PING")
	require.ErrorIs(t, err, context.Canceled)
	assert.NoError(t, c.Err(), "nothing was written: the connection is still usable")
	_, err = c.Do("PING")
	assert.NoError(t, err)

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = c.DoContext(ctx, "PING")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDoContextSucceedsAndLeavesNoDeadline(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	reply, err := c.DoContext(ctx, "PING")
	cancel()
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
	time.Sleep(150 * time.Millisecond)
	// The context's deadline must not outlive the call.
	_, err = c.Do("DEBUG", "SLEEP", "0")
	require.NoError(t, err)
	reply, err = c.Do("PING")
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
}

func TestSendFlushReceiveContext(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx := context.Background()
	k := key(t, "k")
	require.NoError(t, c.SendContext(ctx, "SET", k, "v"))
	require.NoError(t, c.SendContext(ctx, "GET", k))
	require.NoError(t, c.FlushContext(ctx))
	ok, err := c.ReceiveContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "OK", ok)
	v, err := redis.ReceiveContext(c, ctx)
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), v)

	ctx, cancel := context.WithCancel(ctx)
	require.NoError(t, c.SendContext(ctx, "BLPOP", key(t, "empty"), 0))
	require.NoError(t, c.FlushContext(ctx))
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err = c.ReceiveContext(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Error(t, c.Err())
	assert.ErrorIs(t, c.CloseContext(context.Background()), context.Canceled)
}

func TestReceiveContextDeadline(t *testing.T) {
	c := dial(t, redis.DialReadTimeout(time.Minute))
	require.NoError(t, c.Send("BLPOP", key(t, "empty"), 0))
	require.NoError(t, c.Flush())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := redis.ReceiveContext(c, ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPackageDoContext(t *testing.T) {
	c := dial(t)
	reply, err := redis.DoContext(c, context.Background(), "PING")
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
}

// minimalConn has only the Conn methods.
type minimalConn struct{ redis.Conn }

// doContextOnly has Conn plus upstream's single DoContext method.
type doContextOnly struct{ redis.Conn }

func (c doContextOnly) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	return "called", nil
}

func TestHelpersNeedTheirMethod(t *testing.T) {
	c := minimalConn{dial(t)}
	_, err := redis.DoWithTimeout(c, time.Second, "PING")
	assert.EqualError(t, err, "redis: connection does not support ConnWithTimeout")
	_, err = redis.ReceiveWithTimeout(c, time.Second)
	assert.EqualError(t, err, "redis: connection does not support ConnWithTimeout")
	_, err = redis.DoContext(c, context.Background(), "PING")
	assert.EqualError(t, err, "redis: connection does not support ConnWithContext")
	_, err = redis.ReceiveContext(c, context.Background())
	assert.EqualError(t, err, "redis: connection does not support ConnWithContext")

	reply, err := redis.DoContext(doContextOnly{c}, context.Background(), "PING")
	require.NoError(t, err, "a Conn with only DoContext is enough")
	assert.Equal(t, "called", reply)
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, err = redis.Dial("tcp", addr)
	require.Error(t, err)
	var oe *net.OpError
	assert.True(t, errors.As(err, &oe), "%v", err)
}
