package redis_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Option words of a type of the caller's: the encoder sends them as their
// text, so the server reads them as the words they spell.
type (
	// wordType is a named string type.
	wordType string
	// wordArg is an Argument whose RedisArg is the word.
	wordArg struct{ v interface{} }
	// wordStringer prints the word through its String method, as fmt (and
	// so the encoder) does.
	wordStringer struct{ w string }
)

func (a wordArg) RedisArg() interface{} { return a.v }
func (s wordStringer) String() string   { return s.w }

// TestPoolSeesOptionWordsAsSent: a connection that turned on client
// tracking (or skipped replies) with option words of other Go types is not
// pooled again; a HELLO 2 given as a number keeps it pooled.
func TestPoolSeesOptionWordsAsSent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		use    func(t *testing.T, c redis.Conn)
		reused bool
	}{
		{"CLIENT TRACKING named type", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("CLIENT", wordType("TRACKING"), wordType("on"))
			require.NoError(t, err)
		}, false},
		{"CLIENT TRACKING Argument", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("CLIENT", "tracking", wordArg{wordType("ON")})
			require.NoError(t, err)
		}, false},
		{"CLIENT TRACKING Stringer", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("CLIENT", wordStringer{"Tracking"}, []byte("on"))
			require.NoError(t, err)
		}, false},
		{"CLIENT REPLY SKIP Argument of bytes", func(t *testing.T, c redis.Conn) {
			require.NoError(t, c.Send("CLIENT", wordArg{[]byte("REPLY")}, wordArg{"skip"}))
			require.NoError(t, c.Send("PING"))
			require.NoError(t, c.Flush())
		}, false},
		{"HELLO 2 as an int", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("HELLO", 2)
			require.NoError(t, err)
		}, true},
		{"CLIENT TRACKING OFF named type", func(t *testing.T, c redis.Conn) {
			_, err := c.Do("CLIENT", wordType("TRACKING"), wordType("off"))
			require.NoError(t, err)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := statePool(t)
			next, reused := borrowAfter(t, p, func(c redis.Conn) { tc.use(t, c) })
			assert.Equal(t, tc.reused, reused, "reused")
			// Whatever the pool decided, the next borrower does not track.
			assert.NotContains(t, clientInfo(t, next)["flags"], "t", "the next borrower's connection tracks keys")
		})
	}
}

// TestSecretsOfOptionWordsAsSent: secrets introduced by option words of
// other Go types (HELLO ... AUTH, CONFIG SET requirepass, ACL SETUSER,
// MIGRATE ... AUTH/AUTH2) are redacted in the logging conn's output and in
// full query texts.
func TestSecretsOfOptionWordsAsSent(t *testing.T) {
	const (
		first   = "words-1f3a-secret" // requirepass of the server
		second  = "words-9c2e-secret" // set by CONFIG SET
		setuser = "words-47d0-secret" // ACL SETUSER
		migrate = "words-b85c-secret" // MIGRATE AUTH and AUTH2
	)
	spans := tracetest.Record(t, true)
	server := redistest.Start(t, redistest.Options{Password: first})
	raw, err := redis.Dial("tcp", server.Addr(), redis.DialPassword(first),
		redis.DialTraceOptions(redis.TraceOptions{Name: "words", QueryText: redis.QueryTextFull, RootSpans: true}))
	require.NoError(t, err)
	var logged bytes.Buffer
	c := redis.NewLoggingConn(raw, log.New(&logged, "", 0), "words")
	defer c.Close()

	do := func(cmd string, args ...interface{}) {
		t.Helper()
		_, err := c.Do(cmd, args...)
		require.NoError(t, err, cmd)
	}
	do("HELLO", 2, wordType("auth"), "default", first)
	do("HELLO", wordArg{2}, wordArg{"AUTH"}, "default", first, wordType("SETNAME"), "words")
	do("CONFIG", wordType("set"), wordArg{wordType("requirepass")}, second)
	do("AUTH", second)
	do("ACL", wordArg{"SETUSER"}, "bob", "on", ">"+setuser, "~*", "+@all")
	do("ACL", wordStringer{"setuser"}, "bob", ">"+setuser)
	for _, auth := range [][]interface{}{
		{wordType("AUTH"), migrate},
		{wordArg{[]byte("auth2")}, "bob", migrate},
	} {
		args := append([]interface{}{server.Host(), server.Port(), "", 0, 1000}, auth...)
		reply, err := c.Do("MIGRATE", append(args, wordType("KEYS"), "missing")...)
		require.NoError(t, err)
		assert.Equal(t, "NOKEY", reply)
	}

	texts := []string{logged.String()}
	for _, name := range []string{"HELLO", "CONFIG", "ACL", "MIGRATE", "AUTH"} {
		texts = append(texts, queryTexts(spans.Spans(), name)...)
	}
	require.Greater(t, len(texts), 8, "the spans' query texts were recorded")
	for _, text := range texts {
		for _, secret := range []string{first, second, setuser, migrate} {
			assert.NotContains(t, text, secret)
		}
	}
	// The words themselves are still shown: only the secrets are hidden.
	assert.Contains(t, queryTexts(spans.Spans(), "CONFIG"), "CONFIG set requirepass [redacted]")
	assert.Contains(t, queryTexts(spans.Spans(), "HELLO"), "HELLO 2 auth [redacted] [redacted]")
	assert.Contains(t, logged.String(),
		fmt.Sprintf(`words.Do(MIGRATE, %q, %d, "", 0, 1000, AUTH, "[redacted]", KEYS, "missing")`, server.Host(), server.Port()))
	assert.True(t, strings.Contains(logged.String(), `"[redacted]"`))
}
