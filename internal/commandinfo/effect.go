package commandinfo

import "github.com/ocredigo/redigo/internal/resp"

// Effect tells how running a command changes connection state that a
// connection pool must undo before reusing the connection, or cannot undo.
// Effects combine: EXEC is LeaveMulti|Unwatching.
type Effect uint16

const (
	// EffectNone: the command leaves the connection as a pool expects it.
	EffectNone Effect = 0

	// EnterMulti: MULTI starts a transaction (undo: DISCARD).
	EnterMulti Effect = 1 << (iota - 1)

	// LeaveMulti: EXEC and DISCARD end the transaction.
	LeaveMulti

	// Watching: WATCH watches keys (undo: UNWATCH).
	Watching

	// Unwatching: UNWATCH, EXEC and DISCARD drop all watched keys.
	Unwatching

	// EnterPubSub: SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE put the connection
	// in subscribed mode (undo: unsubscribe from everything and read
	// replies until the subscription count is 0). The unsubscribe commands
	// have no effect of their own: the connection stays subscribed until
	// the server says the count is 0.
	EnterPubSub

	// Unrestorable: the pool must close the connection instead of reusing
	// it. MONITOR (the connection only streams MONITOR lines); RESET (it
	// resets the database, protocol and user); AUTH (the connection may now
	// be another user); HELLO with anything but no argument or exactly
	// protocol 2 (RESP3 replies, another user, another client name);
	// CLIENT REPLY OFF|SKIP (replies would go missing); CLIENT TRACKING ON
	// (invalidation pushes); CLIENT NO-TOUCH ON (later commands stop
	// updating LRU/LFU); QUIT, SYNC and PSYNC (the server closes the
	// connection or turns it into a replication stream).
	//
	// READONLY and READWRITE are deliberately not effects: they only
	// decide whether a cluster replica serves reads or redirects them;
	// cluster clients send READONLY on every connection to a replica they
	// read from, and closing those connections would defeat pooling.
	Unrestorable

	// SelectDB: SELECT changed the database; the new one is in args[0].
	SelectDB
)

// effectFlags are the flags of the commands that have effects.
const effectFlags = Watch | Unwatch | Multi | Exec | Discard | Subscribe |
	Monitor | Select | Reset | Auth | Hello | Client | EndsSession

// Effect reports how running c with args (the command name excluded)
// changes connection state. Subcommands and options are matched
// case-insensitively, as the encoder sends them (see argIs). It does not
// allocate for the argument types argIs lists.
func (c *Command) Effect(args []interface{}) Effect {
	if c == nil || c.Flags&effectFlags == 0 {
		return EffectNone
	}
	f := c.Flags
	switch {
	case f&Multi != 0:
		return EnterMulti
	case f&(Exec|Discard) != 0:
		return LeaveMulti | Unwatching
	case f&Watch != 0:
		return Watching
	case f&Unwatch != 0:
		return Unwatching
	case f&Subscribe != 0:
		return EnterPubSub
	case f&Select != 0:
		return SelectDB
	case f&(Monitor|Reset|Auth|EndsSession) != 0:
		return Unrestorable
	case f&Hello != 0:
		if len(args) == 0 || (len(args) == 1 && argIs(args[0], "2")) {
			return EffectNone
		}
		return Unrestorable
	case f&Client != 0:
		if len(args) >= 2 && (argIs(args[0], "REPLY") && (argIs(args[1], "OFF") || argIs(args[1], "SKIP")) ||
			argIs(args[0], "TRACKING") && argIs(args[1], "ON") ||
			argIs(args[0], "NO-TOUCH") && argIs(args[1], "ON")) {
			return Unrestorable
		}
	}
	return EffectNone
}

// argIs reports whether arg, as the encoder sends it, equals upper under
// ASCII case folding, the comparison the server uses. upper must be upper
// case. The words are compared as sent whatever their Go type: a string,
// a []byte, a named string type, an Argument, a number (HELLO 2). It does
// not allocate for strings, []byte, numbers, named string types and
// Arguments that return one of those.
func argIs(arg interface{}, upper string) bool {
	switch a := arg.(type) {
	case string:
		return equalFold(a, upper)
	case []byte:
		return equalFold(a, upper)
	}
	var scratch [64]byte
	return equalFold(resp.AppendArg(scratch[:0], arg), upper)
}

func equalFold[T string | []byte](s T, upper string) bool {
	if len(s) != len(upper) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		if b != upper[i] {
			return false
		}
	}
	return true
}
