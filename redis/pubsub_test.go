package redis_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPubSubRoundTrip(t *testing.T) {
	psc := redis.PubSubConn{Conn: dial(t)}
	pub := dial(t)
	news, sport := key(t, "news"), key(t, "sport")
	pattern, match := key(t, "p:*"), key(t, "p:one")

	require.NoError(t, psc.Subscribe(news, sport))
	assert.Equal(t, redis.Subscription{Kind: "subscribe", Channel: news, Count: 1}, psc.Receive())
	assert.Equal(t, redis.Subscription{Kind: "subscribe", Channel: sport, Count: 2}, psc.Receive())
	require.NoError(t, psc.PSubscribe(pattern))
	assert.Equal(t, redis.Subscription{Kind: "psubscribe", Channel: pattern, Count: 3}, psc.Receive())

	n, err := redis.Int(pub.Do("PUBLISH", news, "hello"))
	require.NoError(t, err)
	require.Equal(t, 1, n, "one subscriber")
	assert.Equal(t, redis.Message{Channel: news, Data: []byte("hello")}, psc.Receive())

	_, err = pub.Do("PUBLISH", match, []byte{0, 0xff})
	require.NoError(t, err)
	assert.Equal(t, redis.Message{Channel: match, Pattern: pattern, Data: []byte{0, 0xff}}, psc.Receive())

	require.NoError(t, psc.Ping("are you there"))
	assert.Equal(t, redis.Pong{Data: "are you there"}, psc.Receive())
	require.NoError(t, psc.Ping(""))
	assert.Equal(t, redis.Pong{Data: ""}, psc.Receive())

	require.NoError(t, psc.Unsubscribe(news))
	assert.Equal(t, redis.Subscription{Kind: "unsubscribe", Channel: news, Count: 2}, psc.Receive())
	require.NoError(t, psc.PUnsubscribe())
	assert.Equal(t, redis.Subscription{Kind: "punsubscribe", Channel: pattern, Count: 1}, psc.Receive())
	require.NoError(t, psc.Unsubscribe())
	assert.Equal(t, redis.Subscription{Kind: "unsubscribe", Channel: sport, Count: 0}, psc.Receive())

	// Out of subscribed mode the connection runs commands again.
	pong, err := psc.Conn.Do("PING")
	require.NoError(t, err)
	assert.Equal(t, "PONG", pong)
	require.NoError(t, psc.Close())
	assert.Error(t, psc.Conn.Err(), "Close closes the connection")
}

func TestPubSubReceiveWithTimeout(t *testing.T) {
	psc := redis.PubSubConn{Conn: dial(t)}
	pub := dial(t)
	ch := key(t, "ch")
	require.NoError(t, psc.Subscribe(ch))
	assert.Equal(t, redis.Subscription{Kind: "subscribe", Channel: ch, Count: 1}, psc.ReceiveWithTimeout(time.Second))

	_, err := pub.Do("PUBLISH", ch, "m")
	require.NoError(t, err)
	assert.Equal(t, redis.Message{Channel: ch, Data: []byte("m")}, psc.ReceiveWithTimeout(time.Minute))

	// Nothing more is published: the read times out.
	v := psc.ReceiveWithTimeout(10 * time.Millisecond)
	err, ok := v.(error)
	require.True(t, ok, "got %T %v", v, v)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), err.Error())
	assert.Error(t, psc.Conn.Err(), "a timed-out read leaves the connection unusable")
}

// pubsubHookConn runs onRead, when set, as a read starts.
type pubsubHookConn struct {
	net.Conn
	onRead atomic.Pointer[context.CancelFunc]
}

func (c *pubsubHookConn) Read(p []byte) (int, error) {
	if f := c.onRead.Swap(nil); f != nil {
		(*f)()
	}
	return c.Conn.Read(p)
}

func TestPubSubReceiveContext(t *testing.T) {
	var hook *pubsubHookConn
	psc := redis.PubSubConn{Conn: dial(t, redis.DialNetDial(func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		hook = &pubsubHookConn{Conn: c}
		return hook, err
	}))}
	pub := dial(t)
	ch := key(t, "ch")
	require.NoError(t, psc.Subscribe(ch))
	assert.Equal(t, redis.Subscription{Kind: "subscribe", Channel: ch, Count: 1}, psc.ReceiveContext(context.Background()))
	_, err := pub.Do("PUBLISH", ch, "m")
	require.NoError(t, err)
	assert.Equal(t, redis.Message{Channel: ch, Data: []byte("m")}, psc.ReceiveContext(context.Background()))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v := psc.ReceiveContext(ctx)
	err, ok := v.(error)
	require.True(t, ok, "got %T %v", v, v)
	assert.ErrorIs(t, err, context.Canceled)

	// A cancel while the receive waits for a message ends it and closes the
	// connection.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	hook.onRead.Store(&cancel)
	v = psc.ReceiveContext(ctx)
	err, ok = v.(error)
	require.True(t, ok, "got %T %v", v, v)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Error(t, psc.Conn.Err())
}

// pubsubFake is a Conn of both packages (the method sets are the same) that
// returns one canned reply and records the commands it is sent.
type pubsubFake struct {
	reply   interface{}
	err     error
	sendErr error
	calls   []string
}

func (f *pubsubFake) Close() error { f.calls = append(f.calls, "Close"); return nil }
func (f *pubsubFake) Err() error   { return nil }
func (f *pubsubFake) Do(cmd string, args ...interface{}) (interface{}, error) {
	return nil, errors.New("unexpected Do")
}

func (f *pubsubFake) Send(cmd string, args ...interface{}) error {
	f.calls = append(f.calls, fmt.Sprintf("Send %s %#v", cmd, args))
	return f.sendErr
}

func (f *pubsubFake) Flush() error {
	f.calls = append(f.calls, "Flush")
	return nil
}

func (f *pubsubFake) Receive() (interface{}, error) { return f.reply, f.err }

// pubsubCanon describes what Receive returned so that the values of the two
// packages compare: both name their types redis.X, errors compare by text.
func pubsubCanon(v interface{}) string {
	if err, ok := v.(error); ok {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%T %+v", v, v)
}

func TestPubSubReceiveMatchesUpstream(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	type arr = []interface{}
	replies := []interface{}{
		nil, "OK", int64(3), b("x"), arr{}, arr{b("message")},
		arr{b("message"), b("ch"), b("data")},
		arr{b("message"), b("ch"), nil},
		arr{b("message"), b("ch"), b("d"), b("extra")},
		arr{b("message"), b("ch")},
		arr{"message", "ch", "data"},
		arr{b("message"), b("ch"), int64(5)},
		arr{b("message"), int64(1), b("data")},
		arr{b("pmessage"), b("p*"), b("ch"), b("data")},
		arr{b("pmessage"), b("p*"), b("ch")},
		arr{b("subscribe"), b("ch"), int64(1)},
		arr{b("subscribe"), nil, int64(0)},
		arr{b("subscribe"), b("ch"), b("1")},
		arr{b("subscribe"), b("ch"), "1"},
		arr{b("subscribe"), b("ch"), b("x")},
		arr{b("subscribe"), b("ch")},
		arr{b("unsubscribe"), b("ch"), int64(0)},
		arr{b("psubscribe"), b("p*"), int64(2)},
		arr{b("punsubscribe"), b("p*"), int64(1)},
		// Sharded pub/sub is not one of PubSubConn's notifications.
		arr{b("ssubscribe"), b("ch"), int64(1)},
		arr{b("sunsubscribe"), b("ch"), int64(0)},
		arr{b("smessage"), b("ch"), b("data")},
		arr{b("pong"), b("data")},
		arr{b("pong"), b("")},
		arr{"pong", b("a")},
		arr{b("pong")},
		arr{b("pong"), int64(3)},
		arr{b("PONG"), b("a")},
		arr{b("other"), b("a")},
		arr{int64(1), b("a")},
		arr{nil, b("a")},
	}
	for _, reply := range replies {
		up := upstream.PubSubConn{Conn: &pubsubFake{reply: reply}}.Receive()
		our := redis.PubSubConn{Conn: &pubsubFake{reply: reply}}.Receive()
		assert.Equal(t, pubsubCanon(up), pubsubCanon(our), "reply %#v", reply)
	}

	errs := []struct{ up, our error }{
		{errors.New("read failed"), errors.New("read failed")},
		{upstream.Error("ERR bad"), redis.Error("ERR bad")},
	}
	for _, e := range errs {
		reply := []interface{}{[]byte("message"), []byte("ch"), []byte("data")}
		up := upstream.PubSubConn{Conn: &pubsubFake{reply: reply, err: e.up}}.Receive()
		our := redis.PubSubConn{Conn: &pubsubFake{reply: reply, err: e.our}}.Receive()
		assert.Equal(t, e.our, our)
		assert.Equal(t, pubsubCanon(up), pubsubCanon(our))
		up = upstream.PubSubConn{Conn: &pubsubFake{reply: e.up}}.Receive()
		our = redis.PubSubConn{Conn: &pubsubFake{reply: e.our}}.Receive()
		assert.Equal(t, pubsubCanon(up), pubsubCanon(our), "error reply as the reply")
	}

	// The fake has neither ReceiveWithTimeout nor ReceiveContext.
	up := upstream.PubSubConn{Conn: &pubsubFake{}}
	our := redis.PubSubConn{Conn: &pubsubFake{}}
	assert.Equal(t, pubsubCanon(up.ReceiveWithTimeout(time.Second)), pubsubCanon(our.ReceiveWithTimeout(time.Second)))
	assert.Equal(t, pubsubCanon(up.ReceiveContext(context.Background())), pubsubCanon(our.ReceiveContext(context.Background())))
}

func TestPubSubCommandsMatchUpstream(t *testing.T) {
	run := func(f *pubsubFake, subscribe, psubscribe, unsubscribe, punsubscribe func(...interface{}) error, ping func(string) error, closeConn func() error) []string {
		var errs []string
		for _, err := range []error{
			subscribe("a", 1, []byte("b")), subscribe(),
			psubscribe("p*"), psubscribe(),
			unsubscribe("a"), unsubscribe(),
			punsubscribe("p*"), punsubscribe(),
			ping("data"), ping(""), closeConn(),
		} {
			errs = append(errs, fmt.Sprint(err))
		}
		return append(f.calls, errs...)
	}
	for _, sendErr := range []error{nil, errors.New("send failed")} {
		uf, of := &pubsubFake{sendErr: sendErr}, &pubsubFake{sendErr: sendErr}
		up, our := upstream.PubSubConn{Conn: uf}, redis.PubSubConn{Conn: of}
		want := run(uf, up.Subscribe, up.PSubscribe, up.Unsubscribe, up.PUnsubscribe, up.Ping, up.Close)
		got := run(of, our.Subscribe, our.PSubscribe, our.Unsubscribe, our.PUnsubscribe, our.Ping, our.Close)
		require.NotEmpty(t, want)
		assert.Equal(t, want, got, "send error %v", sendErr)
	}
}
