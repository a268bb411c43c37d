package commandinfo

import (
	"fmt"
	"testing"
)

// Option words of Go types other than string and []byte, which the encoder
// sends as the text they spell.
type (
	namedWord string
	argWord   struct{ v interface{} }
	strWord   struct{ w string }
	bytesWord []byte // sent as fmt prints it: "[79 78]", never a word
)

func (a argWord) RedisArg() interface{} { return a.v }
func (s strWord) String() string        { return s.w }

func TestEffectComparesWordsAsSent(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
		want Effect
	}{
		{"CLIENT", args(namedWord("TRACKING"), namedWord("on")), Unrestorable},
		{"CLIENT", args("tracking", argWord{"ON"}), Unrestorable},
		{"CLIENT", args(argWord{[]byte("tracking")}, argWord{namedWord("on")}), Unrestorable},
		{"CLIENT", args(strWord{"Reply"}, strWord{"off"}), Unrestorable},
		{"CLIENT", args("REPLY", namedWord("SKIP")), Unrestorable},
		{"CLIENT", args(namedWord("NO-TOUCH"), "ON"), Unrestorable},
		{"CLIENT", args(namedWord("TRACKING"), namedWord("off")), EffectNone},
		{"CLIENT", args("TRACKING", bytesWord("ON")), EffectNone},
		{"CLIENT", args("TRACKING", argWord{argWord{"ON"}}), EffectNone}, // sent as "{ON}"
		{"HELLO", args(2), EffectNone},
		{"HELLO", args(int64(2)), EffectNone},
		{"HELLO", args(argWord{2}), EffectNone},
		{"HELLO", args(namedWord("2")), EffectNone},
		{"HELLO", args(2.0), EffectNone}, // 'g' formatting: "2"
		{"HELLO", args(3), Unrestorable},
		{"HELLO", args(true), Unrestorable}, // "1"
	} {
		t.Run(fmt.Sprintf("%s%v", tc.cmd, tc.args), func(t *testing.T) {
			if got := Lookup(tc.cmd).Effect(tc.args); got != tc.want {
				t.Errorf("Effect = %#x, want %#x", got, tc.want)
			}
		})
	}
}

func TestSecretComparesWordsAsSent(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
		want []int
	}{
		{"HELLO", args(3, namedWord("auth"), "u", "p"), []int{2, 3}},
		{"HELLO", args("3", argWord{"AUTH"}, "u", "p"), []int{2, 3}},
		{"HELLO", args("3", namedWord("SETNAME"), "AUTH", strWord{"AUTH"}, "u", "p"), []int{4, 5}},
		{"CONFIG", args(namedWord("set"), namedWord("requirepass"), "x"), []int{2}},
		{"CONFIG", args("SET", argWord{[]byte("MasterAuth")}, "x", "maxmemory", "1"), []int{2}},
		{"CONFIG", args(argWord{"SET"}, strWord{"tls-key-file-pass"}, "x"), []int{2}},
		{"ACL", args(namedWord("setuser"), "bob", "on", ">pw"), []int{2, 3}},
		{"ACL", args(argWord{"SETUSER"}, "bob", ">pw"), []int{2}},
		{"MIGRATE", args("h", 6379, "", 0, 1000, namedWord("AUTH"), "pw", "KEYS", "k"), []int{6}},
		{"MIGRATE", args("h", 6379, "", 0, 1000, argWord{"auth2"}, "u", "pw"), []int{6, 7}},
		{"MIGRATE", args("h", 6379, "", 0, 1000, namedWord("KEYS"), "AUTH", "k"), nil},
		{"SENTINEL", args(namedWord("SET"), "m", argWord{"auth-pass"}, "pw"), []int{3}},
		{"SENTINEL", args(namedWord("config"), namedWord("set"), "sentinel-pass", "pw"), []int{3}},
		{"CONFIG", args("SET", bytesWord("requirepass"), "x"), nil},
	} {
		t.Run(fmt.Sprintf("%s%v", tc.cmd, tc.args), func(t *testing.T) {
			if got := secretPositions(tc.cmd, tc.args); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("secret positions %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWordsOfOtherTypesDoNotAllocate(t *testing.T) {
	client := Lookup("CLIENT")
	tracking := args(namedWord("TRACKING"), argWord{namedWord("on")})
	hello := args(2)
	config := Lookup("CONFIG")
	set := args(namedWord("SET"), argWord{"maxmemory"}, "1", namedWord("requirepass"), "x")
	if n := testing.AllocsPerRun(100, func() {
		client.Effect(tracking)
		Lookup("HELLO").Effect(hello)
		for i := range set {
			config.Secret(set, i)
		}
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
