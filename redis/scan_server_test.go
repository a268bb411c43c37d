package redis_test

// Scanning replies read from a real server, next to upstream redigo on the
// same replies: Scanners behind a pointer to a pointer, and integers out of
// the destination's range.

import (
	"fmt"
	"strings"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shout is a Scanner (for both packages: the interfaces have the same
// method) that keeps a bulk string in upper case and counts its calls.
type shout struct {
	text  string
	calls int
}

func (s *shout) RedisScan(src interface{}) error {
	s.calls++
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("shout: cannot scan %T", src)
	}
	s.text = strings.ToUpper(string(b))
	return nil
}

// copyReply copies v deeply, so that each package scans its own bytes.
func copyReply(v interface{}) interface{} {
	switch v := v.(type) {
	case []byte:
		return append([]byte(nil), v...)
	case []interface{}:
		out := make([]interface{}, len(v))
		for i := range v {
			out[i] = copyReply(v[i])
		}
		return out
	}
	return v
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Issue 12 item 13: a nil *Scanner behind the dest is allocated and given
// the bulk string.
func TestScanIntoPointerToScannerOnServer(t *testing.T) {
	c := dial(t)
	k, h, l := key(t, "s"), key(t, "h"), key(t, "l")
	_, err := c.Do("DEL", k, h, l)
	require.NoError(t, err)
	_, err = c.Do("SET", k, "hello")
	require.NoError(t, err)
	_, err = c.Do("HSET", h, "name", "alice", "nick", "al")
	require.NoError(t, err)
	_, err = c.Do("RPUSH", l, "a", "b")
	require.NoError(t, err)

	t.Run("Scan", func(t *testing.T) {
		reply, err := c.Do("GET", k)
		require.NoError(t, err)
		var ours, theirs *shout
		_, err = redis.Scan([]interface{}{reply}, &ours)
		require.NoError(t, err)
		require.NotNil(t, ours)
		assert.Equal(t, shout{text: "HELLO", calls: 1}, *ours)

		_, upErr := upstream.Scan([]interface{}{copyReply(reply)}, &theirs)
		require.NoError(t, upErr)
		assert.Equal(t, *theirs, *ours, "as upstream")
	})

	t.Run("ScanStruct", func(t *testing.T) {
		reply, err := redis.Values(c.Do("HGETALL", h))
		require.NoError(t, err)
		var v struct {
			Name **shout `redis:"name"`
			Nick *shout  `redis:"nick"`
		}
		require.NoError(t, redis.ScanStruct(reply, &v))
		require.True(t, v.Name != nil && *v.Name != nil, "the field and what it points at are allocated")
		assert.Equal(t, shout{text: "ALICE", calls: 1}, **v.Name)
		require.NotNil(t, v.Nick)
		assert.Equal(t, shout{text: "AL", calls: 1}, *v.Nick)
	})

	t.Run("ScanSlice", func(t *testing.T) {
		reply, err := redis.Values(c.Do("LRANGE", l, 0, -1))
		require.NoError(t, err)
		var got []**shout
		require.NoError(t, redis.ScanSlice(reply, &got))
		require.Len(t, got, 2)
		for i, want := range []string{"A", "B"} {
			require.True(t, got[i] != nil && *got[i] != nil, "element %d allocated", i)
			assert.Equal(t, shout{text: want, calls: 1}, **got[i])
		}
	})
}

// Issue 12 item 14: an integer reply out of the destination's range stores
// 0 with "value out of range" (a negative one into an unsigned destination
// leaves it as it was), as upstream.
func TestScanIntegerOutOfRangeOnServer(t *testing.T) {
	c := dial(t)
	reply, err := redis.Values(c.Do("EVAL", "return {300, -1, 70000, 7}", 0))
	require.NoError(t, err)
	require.Equal(t, []interface{}{int64(300), int64(-1), int64(70000), int64(7)}, reply)

	t.Run("Scan", func(t *testing.T) {
		for _, c := range []struct {
			at         int
			ours, them interface{} // pointers to a value prefilled with 5
			want       interface{}
		}{
			{0, ptrTo(int8(5)), ptrTo(int8(5)), int8(0)},
			{0, ptrTo(uint8(5)), ptrTo(uint8(5)), uint8(0)},
			{1, ptrTo(uint8(5)), ptrTo(uint8(5)), uint8(5)},
			{1, ptrTo(uint(5)), ptrTo(uint(5)), uint(5)},
			{2, ptrTo(int16(5)), ptrTo(int16(5)), int16(0)},
			{2, ptrTo(uint16(5)), ptrTo(uint16(5)), uint16(0)},
		} {
			name := fmt.Sprintf("%v into %T", reply[c.at], c.want)
			_, err := redis.Scan(reply[c.at:c.at+1], c.ours)
			_, upErr := upstream.Scan(reply[c.at:c.at+1], c.them)
			assert.Equal(t, "redigo.Scan: cannot assign to dest 0: value out of range", errText(err), name)
			assert.Equal(t, errText(upErr), errText(err), name)
			assert.Equal(t, c.want, deref(c.ours), name)
			assert.Equal(t, deref(c.them), deref(c.ours), name+": as upstream")
		}
	})

	t.Run("ScanStruct", func(t *testing.T) {
		type small struct {
			A int8  `redis:"a"`
			B uint8 `redis:"b"`
		}
		src := []interface{}{"a", reply[0], "b", reply[1]}
		for _, src := range [][]interface{}{src[:2], src[2:]} {
			ours, theirs := small{5, 5}, small{5, 5}
			err := redis.ScanStruct(src, &ours)
			upErr := upstream.ScanStruct(src, &theirs)
			assert.Contains(t, errText(err), ": value out of range")
			assert.Equal(t, errText(upErr), errText(err))
			assert.Equal(t, theirs, ours, "as upstream")
		}
	})

	t.Run("ScanSlice", func(t *testing.T) {
		ours, theirs := []int8{5, 5, 5, 5}, []int8{5, 5, 5, 5}
		err := redis.ScanSlice(reply, &ours)
		upErr := upstream.ScanSlice(reply, &theirs)
		assert.Equal(t, "redigo.ScanSlice: cannot assign element 0: value out of range", errText(err))
		assert.Equal(t, errText(upErr), errText(err))
		assert.Equal(t, []int8{0, 5, 5, 5}, ours, "the first element is 0, the rest untouched")
		assert.Equal(t, theirs, ours, "as upstream")
	})
}

func ptrTo[T any](v T) *T { return &v }

func deref(p interface{}) interface{} {
	switch p := p.(type) {
	case *int8:
		return *p
	case *uint8:
		return *p
	case *int16:
		return *p
	case *uint16:
		return *p
	case *uint:
		return *p
	}
	panic(fmt.Sprintf("deref: %T", p))
}
