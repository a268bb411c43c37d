package commandinfo

import (
	"fmt"
	"testing"
)

// args builds an argument list; "b:" prefixed strings become []byte.
func args(ss ...interface{}) []interface{} {
	out := make([]interface{}, len(ss))
	for i, s := range ss {
		if str, ok := s.(string); ok && len(str) > 2 && str[:2] == "b:" {
			out[i] = []byte(str[2:])
			continue
		}
		out[i] = s
	}
	return out
}

func TestEffect(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
		want Effect
	}{
		{"GET", args("k"), EffectNone},
		{"SET", args("k", "v"), EffectNone},
		{"UNSUBSCRIBE", nil, EffectNone},
		{"PUNSUBSCRIBE", args("p*"), EffectNone},
		{"SUNSUBSCRIBE", nil, EffectNone},
		{"READONLY", nil, EffectNone},
		{"READWRITE", nil, EffectNone},
		{"NOSUCHCOMMAND", args("x"), EffectNone},

		{"MULTI", nil, EnterMulti},
		{"multi", nil, EnterMulti},
		{"EXEC", nil, LeaveMulti | Unwatching},
		{"DISCARD", nil, LeaveMulti | Unwatching},
		{"WATCH", args("a", "b"), Watching},
		{"UNWATCH", nil, Unwatching},
		{"SUBSCRIBE", args("c"), EnterPubSub},
		{"PSUBSCRIBE", args("c*"), EnterPubSub},
		{"ssubscribe", args("c"), EnterPubSub},
		{"SELECT", args("3"), SelectDB},
		{"SELECT", args(3), SelectDB},

		{"MONITOR", nil, Unrestorable},
		{"RESET", nil, Unrestorable},
		{"AUTH", args("pass"), Unrestorable},
		{"AUTH", args("user", "pass"), Unrestorable},
		{"QUIT", nil, Unrestorable},
		{"SYNC", nil, Unrestorable},
		{"PSYNC", args("?", "-1"), Unrestorable},

		{"HELLO", nil, EffectNone},
		{"HELLO", args("2"), EffectNone},
		{"HELLO", args("b:2"), EffectNone},
		{"HELLO", args("3"), Unrestorable},
		{"HELLO", args("b:3"), Unrestorable},
		{"HELLO", args(2), EffectNone}, // sent as "2"
		{"HELLO", args("02"), Unrestorable},
		{"HELLO", args("2", "SETNAME", "x"), Unrestorable},
		{"HELLO", args("2", "AUTH", "u", "p"), Unrestorable},
		{"HELLO", args("3", "auth", "u", "p"), Unrestorable},

		{"CLIENT", args("REPLY", "OFF"), Unrestorable},
		{"CLIENT", args("reply", "skip"), Unrestorable},
		{"client", args("b:Reply", "b:Off"), Unrestorable},
		{"CLIENT", args("REPLY", "ON"), EffectNone},
		{"CLIENT", args("REPLY"), EffectNone},
		{"CLIENT", args("TRACKING", "ON"), Unrestorable},
		{"CLIENT", args("tracking", "b:on", "BCAST"), Unrestorable},
		{"CLIENT", args("TRACKING", "OFF"), EffectNone},
		{"CLIENT", args("NO-TOUCH", "ON"), Unrestorable},
		{"CLIENT", args("NO-TOUCH", "OFF"), EffectNone},
		{"CLIENT", args("SETNAME", "OFF"), EffectNone},
		{"CLIENT", args("ID"), EffectNone},
		{"CLIENT", nil, EffectNone},
		{"CLIENT", args(1, "OFF"), EffectNone},
		{"CLIENT", args("REPLY", 0), EffectNone},
		{"CLIENT", args("REPLYX", "OFF"), EffectNone},
	} {
		t.Run(fmt.Sprintf("%s%v", tc.cmd, tc.args), func(t *testing.T) {
			if got := Lookup(tc.cmd).Effect(tc.args); got != tc.want {
				t.Errorf("Effect = %#x, want %#x", got, tc.want)
			}
		})
	}
}

func TestEffectNilCommand(t *testing.T) {
	var c *Command
	if got := c.Effect(args("x")); got != EffectNone {
		t.Errorf("nil Command: Effect = %#x", got)
	}
}

func TestEffectsAreDistinctBits(t *testing.T) {
	all := []Effect{EnterMulti, LeaveMulti, Watching, Unwatching, EnterPubSub, Unrestorable, SelectDB}
	var seen Effect
	for _, e := range all {
		if e == 0 || e&(e-1) != 0 || seen&e != 0 {
			t.Errorf("effect %#x is not a fresh single bit", e)
		}
		seen |= e
	}
}

func TestEffectDoesNotAllocate(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
	}{
		{"GET", args("k")},
		{"CLIENT", args("b:reply", "b:off")},
		{"CLIENT", args("tracking", "on")},
		{"HELLO", args("b:2")},
		{"EXEC", nil},
	} {
		c := Lookup(tc.cmd)
		if n := testing.AllocsPerRun(100, func() { c.Effect(tc.args) }); n != 0 {
			t.Errorf("%s%v: Effect allocates %v times", tc.cmd, tc.args, n)
		}
	}
}
