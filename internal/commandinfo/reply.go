package commandinfo

// ReplyMode is whether the server answers the commands of a connection:
// CLIENT REPLY turns replies off, on, or off for the next command only.
type ReplyMode uint8

const (
	RepliesOn   ReplyMode = iota // every command gets a reply
	RepliesOff                   // no command gets one until CLIENT REPLY ON
	RepliesSkip                  // the next command gets none, then replies are on
)

// Replies tells whether the server answers c sent with args while replies
// are in mode, and the mode that follows. CLIENT REPLY ON is answered even
// while replies are off; OFF and SKIP are never answered.
func (c *Command) Replies(args []interface{}, mode ReplyMode) (answered bool, next ReplyMode) {
	if c != nil && c.Flags&Client != 0 && len(args) == 2 && argIs(args[0], "REPLY") {
		switch {
		case argIs(args[1], "ON"):
			return true, RepliesOn
		case argIs(args[1], "OFF"):
			return false, RepliesOff
		case argIs(args[1], "SKIP"):
			if mode == RepliesOff {
				return false, RepliesOff
			}
			return false, RepliesSkip
		}
	}
	switch mode {
	case RepliesOff:
		return false, RepliesOff
	case RepliesSkip:
		return false, RepliesOn
	}
	return true, RepliesOn
}
