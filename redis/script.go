package redis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// Script encapsulates the source, hash and key count for a Lua script. See
// http://redis.io/commands/eval for information on scripts in Redis.
type Script struct {
	keyCount int
	src      string
	hash     string
}

// NewScript returns a new script object. If keyCount is greater than or equal
// to zero, then the count is automatically inserted in the EVAL command
// argument list. If keyCount is less than zero, then the application supplies
// the count as the first value in the keysAndArgs argument to the Do, Send and
// SendHash methods.
func NewScript(keyCount int, src string) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{keyCount: keyCount, src: src, hash: hex.EncodeToString(sum[:])}
}

// args returns the arguments of EVAL (body is the source) or EVALSHA (body
// is the hash): body, the key count unless the caller gives it, then
// keysAndArgs.
func (s *Script) args(body string, keysAndArgs []interface{}) []interface{} {
	if s.keyCount < 0 {
		args := make([]interface{}, 1+len(keysAndArgs))
		args[0] = body
		copy(args[1:], keysAndArgs)
		return args
	}
	args := make([]interface{}, 2+len(keysAndArgs))
	args[0] = body
	args[1] = s.keyCount
	copy(args[2:], keysAndArgs)
	return args
}

// Hash returns the script hash.
func (s *Script) Hash() string {
	return s.hash
}

// noScript reports whether err says that the server does not have the script
// (yet), so that it is to be sent whole. Do accepts any error with the
// server's text, as upstream does.
func noScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT ")
}

// Do evaluates the script. Under the covers, Do optimistically evaluates the
// script using the EVALSHA command. If the command fails because the script
// is not loaded, then Do evaluates the script using the EVAL command (thus
// causing the script to load).
func (s *Script) Do(c Conn, keysAndArgs ...interface{}) (interface{}, error) {
	reply, err := c.Do("EVALSHA", s.args(s.hash, keysAndArgs)...)
	if noScript(err) {
		reply, err = c.Do("EVAL", s.args(s.src, keysAndArgs)...)
	}
	return reply, err
}

// DoContext is Do bounded by ctx. c must have a DoContext method, as every
// Conn of this package does.
func (s *Script) DoContext(ctx context.Context, c Conn, keysAndArgs ...interface{}) (interface{}, error) {
	reply, err := DoContext(c, ctx, "EVALSHA", s.args(s.hash, keysAndArgs)...)
	// Unlike Do, only an error reply from the server triggers the fallback,
	// as upstream's DoContext does.
	if e, ok := err.(Error); ok && strings.HasPrefix(string(e), "NOSCRIPT ") {
		reply, err = DoContext(c, ctx, "EVAL", s.args(s.src, keysAndArgs)...)
	}
	return reply, err
}

// SendHash evaluates the script without waiting for the reply. The script is
// evaluated with the EVALSHA command. The application must ensure that the
// script is loaded by a previous call to Send, Do or Load methods.
func (s *Script) SendHash(c Conn, keysAndArgs ...interface{}) error {
	return c.Send("EVALSHA", s.args(s.hash, keysAndArgs)...)
}

// Send evaluates the script without waiting for the reply.
func (s *Script) Send(c Conn, keysAndArgs ...interface{}) error {
	return c.Send("EVAL", s.args(s.src, keysAndArgs)...)
}

// Load loads the script without evaluating it.
func (s *Script) Load(c Conn) error {
	_, err := c.Do("SCRIPT", "LOAD", s.src)
	return err
}
