package redis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// Script is a Lua script for EVAL and EVALSHA, with its SHA-1 digest and the
// number of keys it takes. The server keeps the scripts it has run in a
// cache by digest (until SCRIPT FLUSH or a restart), so that later calls can
// send the 40-character digest instead of the source: Do does that, and
// falls back to the source when the server has forgotten it. A Script is
// immutable and safe for concurrent use.
type Script struct {
	keyCount int
	src      string
	hash     string
}

// NewScript returns the script src, which takes keyCount keys. The key
// arguments come first in keysAndArgs, then the other arguments; the
// methods send the count before them. With a negative keyCount the caller
// gives the count as the first element of keysAndArgs instead, for scripts
// whose number of keys varies.
func NewScript(keyCount int, src string) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{keyCount: keyCount, src: src, hash: hex.EncodeToString(sum[:])}
}

// args returns the arguments of EVAL (body is the source) or EVALSHA (body
// is the digest): body, the key count unless the caller gives it, then
// keysAndArgs, in a new slice.
func (s *Script) args(body string, keysAndArgs []interface{}) []interface{} {
	args := make([]interface{}, 0, 2+len(keysAndArgs))
	args = append(args, body)
	if s.keyCount >= 0 {
		args = append(args, s.keyCount)
	}
	return append(args, keysAndArgs...)
}

// Hash returns the script's SHA-1 digest as 40 lower-case hex digits: the
// name EVALSHA and SCRIPT EXISTS know it by.
func (s *Script) Hash() string {
	return s.hash
}

// doFunc is Conn.Do or a call of DoContext bound to its context.
type doFunc func(commandName string, args ...interface{}) (interface{}, error)

// eval sends EVALSHA, and EVAL when missing says the server lacks the
// script.
func (s *Script) eval(do doFunc, missing func(error) bool, keysAndArgs []interface{}) (interface{}, error) {
	reply, err := do("EVALSHA", s.args(s.hash, keysAndArgs)...)
	if missing(err) {
		reply, err = do("EVAL", s.args(s.src, keysAndArgs)...)
	}
	return reply, err
}

const noScriptPrefix = "NOSCRIPT "

// noScript reports whether err says that the server does not have the
// script, whatever the error's type (as upstream's Do).
func noScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), noScriptPrefix)
}

// noScriptReply is noScript for an error reply only (as upstream's
// DoContext).
func noScriptReply(err error) bool {
	e, ok := err.(Error)
	return ok && strings.HasPrefix(string(e), noScriptPrefix)
}

// Do runs the script with EVALSHA and returns its reply. When the server
// answers that it does not have the script (a NOSCRIPT error: never run
// there, or its cache was flushed), Do sends the source with EVAL, which
// also caches it; so the first call costs a round trip more. Any other
// error, a script error included, is returned as is.
//
// Inside MULTI use Send (or SendHash after Load): there the server answers
// QUEUED and reports a missing script only at EXEC, too late for Do's
// fallback.
func (s *Script) Do(c Conn, keysAndArgs ...interface{}) (interface{}, error) {
	return s.eval(c.Do, noScript, keysAndArgs)
}

// DoContext is Do with each command run by c's DoContext, so bounded by ctx
// (see ConnWithContext). c needs only the DoContext method, which every
// Conn of this package has; without it the result is the error
// "redis: connection does not support ConnWithContext". As upstream, the
// EVAL fallback runs only for an error reply of type Error.
func (s *Script) DoContext(ctx context.Context, c Conn, keysAndArgs ...interface{}) (interface{}, error) {
	do := func(commandName string, args ...interface{}) (interface{}, error) {
		return DoContext(c, ctx, commandName, args...)
	}
	return s.eval(do, noScriptReply, keysAndArgs)
}

// SendHash queues EVALSHA on c without reading the reply (see Conn.Send).
// The server must have the script already (from Load, Do or Send): if not,
// the reply that Receive reads later is a NOSCRIPT error.
func (s *Script) SendHash(c Conn, keysAndArgs ...interface{}) error {
	return c.Send("EVALSHA", s.args(s.hash, keysAndArgs)...)
}

// Send queues EVAL with the whole source on c without reading the reply;
// it works whether or not the server has the script, and caches it there.
func (s *Script) Send(c Conn, keysAndArgs ...interface{}) error {
	return c.Send("EVAL", s.args(s.src, keysAndArgs)...)
}

// Load sends the source with SCRIPT LOAD, so that the server caches it
// without running it, and returns the error of that command, if any: a
// script that does not compile is refused here.
func (s *Script) Load(c Conn) error {
	_, err := c.Do("SCRIPT", "LOAD", s.src)
	return err
}
