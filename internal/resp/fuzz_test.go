package resp

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"testing"

	"github.com/gomodule/redigo/redis"
)

// FuzzReadReply reads every reply of arbitrary input. Nothing may panic or
// hang; errors are protocol or EOF errors; the counts stay within the input;
// and whatever is accepted, upstream reads the same way.
func FuzzReadReply(f *testing.F) {
	for _, input := range validReplies {
		f.Add([]byte(input))
	}
	for _, input := range malformedReplies {
		f.Add([]byte(input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		upstream := redis.NewConn(&sinkConn{src: bytes.NewReader(data)}, 0, 0)
		total := 0
		for {
			reply, wire, payload, err := r.ReadReply()
			total += wire
			if total > len(data) {
				t.Fatalf("consumed %d bytes of %d", total, len(data))
			}
			if err != nil {
				if !isProtocolError(err) && err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("unexpected error %T %v", err, err)
				}
				if reply != nil {
					t.Fatalf("reply %#v returned with error %v", reply, err)
				}
				return
			}
			if wire == 0 {
				t.Fatal("a reply consumed no bytes")
			}
			if got := checkReplyType(t, reply); got != payload {
				t.Fatalf("payload %d, bulk strings in reply hold %d", payload, got)
			}
			// Only a reply we accept is given to upstream: its size is then
			// backed by real bytes, so upstream cannot allocate wildly.
			want, err := upstreamReceive(upstream)
			if err != nil {
				t.Fatalf("upstream rejects %#v: %v", reply, err)
			}
			if !reflect.DeepEqual(normalize(reply), normalize(want)) {
				t.Fatalf("reply %#v, upstream %#v", reply, want)
			}
		}
	})
}

// checkReplyType fails unless v is a reply type, and returns the total
// length of the bulk strings in it.
func checkReplyType(t *testing.T, v interface{}) int {
	switch v := v.(type) {
	case nil, string, Error, int64:
		return 0
	case []byte:
		return len(v)
	case []interface{}:
		n := 0
		for _, e := range v {
			n += checkReplyType(t, e)
		}
		return n
	}
	t.Fatalf("reply of type %T", v)
	return 0
}

// FuzzRoundTrip encodes a command from fuzzed values, checks it against
// upstream's encoding, and decodes it back as an array of bulk strings.
func FuzzRoundTrip(f *testing.F) {
	f.Add("SET", "key", []byte("value"), int64(-5), uint64(7), 1.5, true)
	f.Add("", "", []byte{}, int64(0), uint64(0), 0.0, false)
	f.Fuzz(func(t *testing.T, name, key string, value []byte, i int64, u uint64, fl float64, b bool) {
		args := []interface{}{key, value, i, u, fl, b, nil, argOf{key}}
		var out bytes.Buffer
		w := NewWriter(&out)
		n, keyLen, err := w.WriteCommand(name, args, 0)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != out.Len() || keyLen != len(key) {
			t.Fatalf("n %d keyLen %d, wrote %d bytes, key %d bytes", n, keyLen, out.Len(), len(key))
		}
		if want := upstreamSend(t, name, args...); !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("wrote %q, upstream %q", out.Bytes(), want)
		}

		bool01 := "0"
		if b {
			bool01 = "1"
		}
		want := []interface{}{
			[]byte(name), []byte(key), append([]byte{}, value...),
			[]byte(strconv.FormatInt(i, 10)), []byte(strconv.FormatUint(u, 10)),
			[]byte(strconv.FormatFloat(fl, 'g', -1, 64)), []byte(bool01), []byte{}, []byte(key),
		}
		wantPayload := 0
		for _, p := range want {
			wantPayload += len(p.([]byte))
		}
		reply, wire, payload, err := NewReader(&out).ReadReply()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(reply, want) {
			t.Fatalf("decoded %#v, want %#v", reply, want)
		}
		if wire != n || payload != wantPayload {
			t.Fatalf("wire %d payload %d, want %d and %d", wire, payload, n, wantPayload)
		}
	})
}
