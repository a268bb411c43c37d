package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ocredigo/redigo/redis"
)

// RedirError is a MOVED or ASK error reply: the node asked does not serve
// the slot (MOVED: for good; ASK: for this one command, during a
// resharding) and names the node that does.
type RedirError struct {
	// Type is "MOVED" or "ASK".
	Type string
	// NewSlot is the slot of the command's key.
	NewSlot int
	// Addr is the address of the node to ask, "host:port".
	Addr string

	reply string // the error reply as the server sent it
}

// Error returns the reply as the server sent it, e.g.
// "MOVED 3999 127.0.0.1:6381".
func (e *RedirError) Error() string { return e.reply }

// ParseRedir returns the redirection err holds, or nil when err is nil or
// not a MOVED or ASK error reply.
func ParseRedir(err error) *RedirError {
	var re redis.Error
	if !errors.As(err, &re) {
		return nil
	}
	return parseRedirText(string(re))
}

func parseRedirText(s string) *RedirError {
	kind, rest, ok := strings.Cut(s, " ")
	if !ok || (kind != "MOVED" && kind != "ASK") {
		return nil
	}
	slotText, addr, ok := strings.Cut(rest, " ")
	if !ok {
		return nil
	}
	slot, err := strconv.Atoi(slotText)
	if err != nil || slot < 0 || slot >= HashSlots {
		return nil
	}
	addr = strings.TrimSpace(addr)
	if addr == "" || strings.ContainsAny(addr, " \r\n") {
		return nil
	}
	return &RedirError{Type: kind, NewSlot: slot, Addr: addr, reply: s}
}

// IsCrossSlot reports whether err is a CROSSSLOT error reply: the keys of
// one command (or of one transaction) hash to different slots.
func IsCrossSlot(err error) bool { return hasPrefix(err, "CROSSSLOT") }

// IsTryAgain reports whether err is a TRYAGAIN error reply: during a
// resharding, the keys of a multi-key command are split between the two
// nodes for now.
func IsTryAgain(err error) bool { return hasPrefix(err, "TRYAGAIN") }

// IsClusterDown reports whether err is a CLUSTERDOWN error reply: the
// cluster cannot serve the slot at the moment (a master failed and no
// replica has taken over yet).
func IsClusterDown(err error) bool { return hasPrefix(err, "CLUSTERDOWN") }

func hasPrefix(err error, prefix string) bool {
	var re redis.Error
	if !errors.As(err, &re) {
		return false
	}
	s := string(re)
	return strings.HasPrefix(s, prefix) && (len(s) == len(prefix) || s[len(prefix)] == ' ')
}

// NodeError is a failure to reach or talk to one node (dial, write, read
// or timeout); error replies of the server are redis.Error values and
// never wrapped.
type NodeError struct {
	// Addr is the node's address.
	Addr string
	// Err is the error of the underlying connection or pool.
	Err error
}

func (e *NodeError) Error() string { return fmt.Sprintf("cluster: node %s: %v", e.Addr, e.Err) }

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *NodeError) Unwrap() error { return e.Err }

// nodeError wraps a failure of the connection to addr; error replies and
// nil pass unchanged.
func nodeError(addr string, err error) error {
	if err == nil {
		return nil
	}
	var re redis.Error
	if errors.As(err, &re) {
		return err
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		return err
	}
	return &NodeError{Addr: addr, Err: err}
}

var (
	errConnClosed    = errors.New("cluster: connection closed")
	errClusterClosed = errors.New("cluster: closed")
	errNoStartup     = errors.New("cluster: no StartupNodes, and no node known")
)
