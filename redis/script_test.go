package redis_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptRecorder forwards to a connection and records the names of the
// commands it runs.
type scriptRecorder struct {
	redis.Conn
	cmds []string
}

func (r *scriptRecorder) Do(cmd string, args ...interface{}) (interface{}, error) {
	r.cmds = append(r.cmds, cmd)
	return r.Conn.Do(cmd, args...)
}

func (r *scriptRecorder) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	r.cmds = append(r.cmds, "ctx "+cmd)
	return redis.DoContext(r.Conn, ctx, cmd, args...)
}

// scriptSource returns a script unique to the test: the server's script
// cache is shared by every test.
func scriptSource(t *testing.T, body string) string {
	return "-- " + t.Name() + "\n" + body
}

func scriptExists(t *testing.T, c redis.Conn, s *redis.Script) bool {
	t.Helper()
	exists, err := redis.Ints(c.Do("SCRIPT", "EXISTS", s.Hash()))
	require.NoError(t, err)
	return exists[0] == 1
}

func TestScriptHash(t *testing.T) {
	src := "return 1"
	sum := sha1.Sum([]byte(src))
	s := redis.NewScript(0, src)
	assert.Equal(t, hex.EncodeToString(sum[:]), s.Hash())
	assert.Equal(t, upstream.NewScript(0, src).Hash(), s.Hash())

	c := dial(t)
	hash, err := redis.String(c.Do("SCRIPT", "LOAD", src))
	require.NoError(t, err)
	assert.Equal(t, hash, s.Hash(), "the server's hash")
}

func TestScriptDoLoadsScript(t *testing.T) {
	c := dial(t)
	_, err := c.Do("SCRIPT", "FLUSH")
	require.NoError(t, err)
	s := redis.NewScript(1, scriptSource(t, "return {KEYS[1], ARGV[1], ARGV[2]}"))
	require.False(t, scriptExists(t, c, s))

	rec := &scriptRecorder{Conn: c}
	want := []interface{}{[]byte("k"), []byte("a"), []byte("2")}
	reply, err := s.Do(rec, "k", "a", 2)
	require.NoError(t, err)
	assert.Equal(t, want, reply)
	assert.Equal(t, []string{"EVALSHA", "EVAL"}, rec.cmds, "NOSCRIPT, then the source")
	assert.True(t, scriptExists(t, c, s), "EVAL loaded the script")

	rec.cmds = nil
	reply, err = s.Do(rec, "k", "a", 2)
	require.NoError(t, err)
	assert.Equal(t, want, reply)
	assert.Equal(t, []string{"EVALSHA"}, rec.cmds)
}

func TestScriptDoErrors(t *testing.T) {
	c := dial(t)
	_, err := redis.NewScript(0, scriptSource(t, "this is not lua")).Do(c)
	var rerr redis.Error
	require.ErrorAs(t, err, &rerr)
	assert.True(t, strings.HasPrefix(string(rerr), "ERR Error compiling script"), string(rerr))

	_, err = redis.NewScript(0, scriptSource(t, "return redis.error_reply('MYERR no')")).Do(c)
	assert.Equal(t, redis.Error("MYERR no"), err)
}

func TestScriptLoadSendHash(t *testing.T) {
	c := dial(t)
	k := key(t, "counter")
	s := redis.NewScript(1, scriptSource(t, "return redis.call('INCRBY', KEYS[1], ARGV[1])"))
	_, err := c.Do("DEL", k)
	require.NoError(t, err)

	require.NoError(t, s.Load(c))
	assert.True(t, scriptExists(t, c, s))
	require.NoError(t, s.SendHash(c, k, 2))
	require.NoError(t, s.Send(c, k, 3))
	require.NoError(t, c.Flush())
	n, err := redis.Int(c.Receive())
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = redis.Int(c.Receive())
	require.NoError(t, err)
	assert.Equal(t, 5, n)

	bad := redis.NewScript(0, scriptSource(t, "not lua"))
	assert.Error(t, bad.Load(c))
}

func TestScriptKeyCountFromArgs(t *testing.T) {
	c := dial(t)
	s := redis.NewScript(-1, scriptSource(t, "return {#KEYS, #ARGV}"))
	for _, tt := range []struct {
		keysAndArgs []interface{}
		want        []int
	}{
		{[]interface{}{0}, []int{0, 0}},
		{[]interface{}{1, "k", "a", "b"}, []int{1, 2}},
		{[]interface{}{3, "k1", "k2", "k3"}, []int{3, 0}},
	} {
		got, err := redis.Ints(s.Do(c, tt.keysAndArgs...))
		require.NoError(t, err, "%v", tt.keysAndArgs)
		assert.Equal(t, tt.want, got, "%v", tt.keysAndArgs)
	}
	_, err := s.Do(c)
	assert.Error(t, err, "no key count: the server refuses EVALSHA hash")
}

func TestScriptDoContext(t *testing.T) {
	c := dial(t)
	_, err := c.Do("SCRIPT", "FLUSH")
	require.NoError(t, err)
	s := redis.NewScript(2, scriptSource(t, "return KEYS[2] .. ARGV[1]"))

	rec := &scriptRecorder{Conn: c}
	reply, err := redis.String(s.DoContext(context.Background(), rec, "k1", "k2", "!"))
	require.NoError(t, err)
	assert.Equal(t, "k2!", reply)
	assert.Equal(t, []string{"ctx EVALSHA", "ctx EVAL"}, rec.cmds)
	rec.cmds = nil
	_, err = s.DoContext(context.Background(), rec, "k1", "k2", "!")
	require.NoError(t, err)
	assert.Equal(t, []string{"ctx EVALSHA"}, rec.cmds)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.DoContext(ctx, c, "k1", "k2", "!")
	assert.ErrorIs(t, err, context.Canceled)

	_, err = s.DoContext(context.Background(), scriptNoContext{c}, "k1", "k2", "!")
	assert.EqualError(t, err, "redis: connection does not support ConnWithContext")
}

// scriptNoContext hides every method but Conn's.
type scriptNoContext struct{ redis.Conn }

// scriptFake is a Conn of both packages with DoContext (and ReceiveContext,
// which upstream's DoContext helper also requires). EVALSHA gets the canned
// reply; any other command succeeds.
type scriptFake struct {
	reply interface{}
	err   error
	calls []string
}

func (f *scriptFake) Close() error { return nil }
func (f *scriptFake) Err() error   { return nil }
func (f *scriptFake) Flush() error { return nil }

func (f *scriptFake) Receive() (interface{}, error) { return nil, nil }

func (f *scriptFake) ReceiveContext(context.Context) (interface{}, error) { return nil, nil }

func (f *scriptFake) Send(cmd string, args ...interface{}) error {
	f.calls = append(f.calls, fmt.Sprintf("Send %s %#v", cmd, args))
	return nil
}

func (f *scriptFake) Do(cmd string, args ...interface{}) (interface{}, error) {
	return f.run("Do", cmd, args)
}

func (f *scriptFake) DoContext(_ context.Context, cmd string, args ...interface{}) (interface{}, error) {
	return f.run("DoContext", cmd, args)
}

func (f *scriptFake) run(method, cmd string, args []interface{}) (interface{}, error) {
	f.calls = append(f.calls, fmt.Sprintf("%s %s %#v", method, cmd, args))
	if cmd == "EVALSHA" {
		return f.reply, f.err
	}
	return "eval reply", nil
}

func TestScriptCommandsMatchUpstream(t *testing.T) {
	ctx := context.Background()
	for _, keyCount := range []int{-1, 0, 2} {
		for _, keysAndArgs := range [][]interface{}{nil, {1}, {2, "k1", "k2", []byte("a"), 3.5, nil}} {
			up, our := upstream.NewScript(keyCount, "return 1"), redis.NewScript(keyCount, "return 1")
			uf, of := &scriptFake{}, &scriptFake{}
			upResults := fmt.Sprint(
				fmt.Sprint(up.Do(uf, keysAndArgs...)), up.Send(uf, keysAndArgs...), up.SendHash(uf, keysAndArgs...),
				up.Load(uf), fmt.Sprint(up.DoContext(ctx, uf, keysAndArgs...)))
			ourResults := fmt.Sprint(
				fmt.Sprint(our.Do(of, keysAndArgs...)), our.Send(of, keysAndArgs...), our.SendHash(of, keysAndArgs...),
				our.Load(of), fmt.Sprint(our.DoContext(ctx, of, keysAndArgs...)))
			require.Len(t, uf.calls, 5)
			assert.Equal(t, uf.calls, of.calls, "keyCount %d, %#v", keyCount, keysAndArgs)
			assert.Equal(t, upResults, ourResults)
		}
	}
}

// TestScriptFallbackMatchesUpstream checks which failures of EVALSHA make Do
// and DoContext send the source with EVAL.
func TestScriptFallbackMatchesUpstream(t *testing.T) {
	type sides struct{ up, our interface{} }
	replyErr := func(s string) sides { return sides{upstream.Error(s), redis.Error(s)} }
	same := func(v interface{}) sides { return sides{v, v} }
	noscript := replyErr("NOSCRIPT No matching script. Please use EVAL.")
	tests := []struct {
		name       string
		reply, err sides
	}{
		{"error reply", same(nil), noscript},
		{"error reply as reply too", noscript, noscript},
		{"error reply with other reply", same("r"), noscript},
		{"error reply, no space", same(nil), replyErr("NOSCRIPT")},
		{"lower case", same(nil), replyErr("noscript x")},
		{"other error reply", same(nil), replyErr("ERR x")},
		{"plain error", same(nil), same(errors.New("NOSCRIPT plain"))},
		{"wrapped error reply", same(nil), sides{fmt.Errorf("w: %w", upstream.Error("NOSCRIPT x")), fmt.Errorf("w: %w", redis.Error("NOSCRIPT x"))}},
		{"reply only", noscript, same(nil)},
		{"success", same("ok"), same(nil)},
	}
	asErr := func(v interface{}) error {
		err, _ := v.(error)
		return err
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := upstream.NewScript(0, "return 1")
			our := redis.NewScript(0, "return 1")
			uf := &scriptFake{reply: tt.reply.up, err: asErr(tt.err.up)}
			of := &scriptFake{reply: tt.reply.our, err: asErr(tt.err.our)}
			upReply, upErr := s.Do(uf)
			ourReply, ourErr := our.Do(of)
			assert.Equal(t, fmt.Sprint(upReply, upErr), fmt.Sprint(ourReply, ourErr), "Do")
			upReply, upErr = s.DoContext(context.Background(), uf)
			ourReply, ourErr = our.DoContext(context.Background(), of)
			assert.Equal(t, fmt.Sprint(upReply, upErr), fmt.Sprint(ourReply, ourErr), "DoContext")
			require.NotEmpty(t, uf.calls)
			assert.Equal(t, uf.calls, of.calls)
		})
	}
}
