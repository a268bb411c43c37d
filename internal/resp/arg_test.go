package resp

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

type (
	argWord       string
	argBytes      []byte
	argInt        int
	argStringer   string
	argFormatter  struct{}
	argArgument   struct{ v interface{} }
	argPtrStringW struct{ s string }
)

func (s argStringer) String() string            { return "stringer:" + string(s) }
func (argFormatter) Format(f fmt.State, _ rune) { fmt.Fprint(f, "formatted") }
func (a argArgument) RedisArg() interface{}     { return a.v }
func (p *argPtrStringW) String() string         { return "ptr:" + p.s }

// argCases are values of every conversion rule of WriteCommand.
var argCases = []interface{}{
	"word", "", []byte("bytes"), []byte{}, []byte(nil),
	0, -1, math.MaxInt64, int64(math.MinInt64), int32(-32), int16(16), int8(-8),
	uint(7), uint64(math.MaxUint64), uint32(32), uint16(16), uint8(255), uintptr(9),
	1.5, math.Inf(-1), math.NaN(), 1e21, float32(0.1), float32(3),
	true, false, nil,
	argWord("on"), argWord(""), argBytes("named bytes"), argInt(42),
	argStringer("x"), argFormatter{}, &argPtrStringW{"y"}, (*argPtrStringW)(nil),
	errors.New("an error"), time.Second, struct{ A, B int }{1, 2}, []string{"a", "b"},
	map[string]int{"k": 1}, [2]int{1, 2}, &struct{}{},
	argArgument{"from RedisArg"}, argArgument{argWord("ON")}, argArgument{[]byte("b")},
	argArgument{7}, argArgument{nil}, argArgument{argArgument{"twice"}},
}

// TestAppendArgIsWhatWriteCommandSends compares AppendArg with the payload
// that WriteCommand puts on the wire, for each conversion rule.
func TestAppendArgIsWhatWriteCommandSends(t *testing.T) {
	for _, arg := range argCases {
		var wire bytes.Buffer
		w := NewWriter(&wire)
		if _, _, err := w.WriteCommand("X", []interface{}{arg}, -1); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		reply, _, _, err := NewReader(&wire).ReadReply()
		if err != nil {
			t.Fatalf("%#v: reading back the command: %v", arg, err)
		}
		sent := reply.([]interface{})[1].([]byte)
		if got := AppendArg([]byte("prefix:"), arg); string(got) != "prefix:"+string(sent) {
			t.Errorf("%T %#v: AppendArg gives %q, WriteCommand sends %q", arg, arg, got[len("prefix:"):], sent)
		}
	}
}

func TestAppendArgAllocations(t *testing.T) {
	scratch := make([]byte, 0, 64)
	for _, arg := range []interface{}{"word", []byte("word"), 42, argWord("word"), argArgument{"word"}} {
		if n := testing.AllocsPerRun(100, func() { AppendArg(scratch[:0], arg) }); n != 0 {
			t.Errorf("%T: %v allocations", arg, n)
		}
	}
}
