package redis_test

// Differential tests against a real server: upstream redigo and ours run the
// same calls side by side, each on its own database of the shared server, and
// every outcome must be the same: the reply of Do, Receive and Do(""), the
// error, every reply helper applied to that reply (wrong-type conversions
// included), and Scan, ScanStruct and ScanSlice on every array reply.
//
// Deliberate differences of ours, not exercised here: replies carrying
// integers out of range are rejected (a real server sends none);
// LatencyHistories returns an error where upstream panics (compareHelpers
// accepts exactly that); the logging conn redacts secrets.

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/redis"
)

// The databases of the two sides, used by no other test.
const (
	upstreamDB = 9
	ourDB      = 10
)

// diffSides are one upstream and one of our connections.
type diffSides struct {
	up  upstream.Conn
	our redis.Conn
}

// newDiffSides dials both sides to their databases of addr and empties them.
func newDiffSides(t *testing.T, addr string, upOpts []upstream.DialOption, ourOpts []redis.DialOption) *diffSides {
	t.Helper()
	up, err := upstream.Dial("tcp", addr, append(upOpts, upstream.DialDatabase(upstreamDB))...)
	if err != nil {
		t.Fatalf("upstream dial: %v", err)
	}
	t.Cleanup(func() { up.Close() })
	our, err := redis.Dial("tcp", addr, append(ourOpts, redis.DialDatabase(ourDB))...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { our.Close() })
	s := &diffSides{up: up, our: our}
	s.flushDB(t)
	return s
}

func (s *diffSides) flushDB(t *testing.T) {
	t.Helper()
	if _, err := s.up.Do("FLUSHDB"); err != nil {
		t.Fatalf("upstream FLUSHDB: %v", err)
	}
	if _, err := s.our.Do("FLUSHDB"); err != nil {
		t.Fatalf("FLUSHDB: %v", err)
	}
}

// reporter is the part of testing.T the comparisons use.
type reporter interface {
	Helper()
	Errorf(format string, args ...interface{})
}

// outcome is the result of one call on one side.
type outcome struct {
	reply interface{}
	err   error
}

// run runs one step on both sides and compares the outcomes. A step is a
// command line (see parseLine) or one of:
//
//	> CMD ARGS   Send
//	!flush       Flush
//	!recv        Receive
//	!do          Do("")
//	~CMD ARGS    Do, comparing the replies with their arrays of strings
//	             sorted (the order of KEYS and SCAN depends on the state
//	             of the server's hash tables, which may differ between
//	             the two databases).
func (s *diffSides) run(t *testing.T, step string) {
	t.Helper()
	up, our := s.call(t, step)
	var mask func(interface{}) interface{}
	if strings.HasPrefix(step, "~") {
		mask = sortStrings
	}
	compareOutcomes(t, step, up, our, mask)
}

func (s *diffSides) call(t *testing.T, step string) (up, our outcome) {
	t.Helper()
	switch {
	case step == "!flush":
		return outcome{err: s.up.Flush()}, outcome{err: s.our.Flush()}
	case step == "!recv":
		up.reply, up.err = s.up.Receive()
		our.reply, our.err = s.our.Receive()
		return up, our
	case step == "!do":
		up.reply, up.err = s.up.Do("")
		our.reply, our.err = s.our.Do("")
		return up, our
	case strings.HasPrefix(step, "> "):
		args := parseLine(t, step[2:])
		return outcome{err: s.up.Send(args[0].(string), args[1:]...)},
			outcome{err: s.our.Send(args[0].(string), args[1:]...)}
	}
	args := parseLine(t, strings.TrimPrefix(step, "~"))
	return s.do(args[0].(string), args[1:]...)
}

func (s *diffSides) do(cmd string, args ...interface{}) (up, our outcome) {
	up.reply, up.err = s.up.Do(cmd, args...)
	our.reply, our.err = s.our.Do(cmd, args...)
	return up, our
}

// parseLine splits a command line at spaces; a token in single quotes may
// hold spaces (and is empty for ”). There is no escaping: Lua code in a
// line uses double quotes.
func parseLine(t *testing.T, line string) []interface{} {
	t.Helper()
	var args []interface{}
	for line = strings.TrimLeft(line, " "); line != ""; line = strings.TrimLeft(line, " ") {
		var arg string
		if line[0] == '\'' {
			end := strings.IndexByte(line[1:], '\'')
			if end < 0 {
				t.Fatalf("unterminated quote in %q", line)
			}
			arg, line = line[1:1+end], line[2+end:]
		} else {
			arg, line, _ = strings.Cut(line, " ")
		}
		args = append(args, arg)
	}
	if len(args) == 0 {
		t.Fatal("empty command line")
	}
	return args
}

// sortStrings sorts, in every array of the reply, runs of strings.
func sortStrings(v interface{}) interface{} {
	a, ok := v.([]interface{})
	if !ok || a == nil {
		return v
	}
	out := make([]interface{}, len(a))
	allBytes := true
	for i, e := range a {
		out[i] = sortStrings(e)
		_, isBytes := e.([]byte)
		allBytes = allBytes && isBytes
	}
	if allBytes {
		sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].([]byte), out[j].([]byte)) < 0 })
	}
	return out
}

// compareOutcomes reports every difference between upstream's outcome and
// ours: the reply (after mask, when set), the error, the reply helpers and
// the Scan functions. With a mask, the replies may legitimately differ, so
// the helpers and scans of both sides get our reply.
func compareOutcomes(t reporter, label string, up, our outcome, mask func(interface{}) interface{}) {
	t.Helper()
	upReply, ourReply := fromUpstream(up.reply), our.reply
	if mask != nil {
		upReply, ourReply = mask(upReply), mask(ourReply)
	}
	if !reflect.DeepEqual(upReply, ourReply) {
		t.Errorf("%s: reply\n upstream %s\n ours     %s", label, show(upReply), show(ourReply))
	}
	if d := errorDiff(up.err, our.err, nil); d != "" {
		t.Errorf("%s: %s", label, d)
	}
	if mask != nil {
		up = outcome{reply: toUpstream(our.reply), err: up.err}
	}
	compareHelpers(t, label, up, our)
	if src, ok := our.reply.([]interface{}); ok {
		if upSrc, ok := up.reply.([]interface{}); ok {
			compareScans(t, label, upSrc, src)
		}
	}
}

// compareHelpers applies every reply helper to both outcomes.
func compareHelpers(t reporter, label string, up, our outcome) {
	t.Helper()
	for _, h := range diffHelpers() {
		upV, upErr, upPanic := callRecovering(h.up, up.reply, up.err)
		ourV, ourErr, ourPanic := callRecovering(h.our, our.reply, our.err)
		switch {
		case ourPanic:
			t.Errorf("%s: %s panicked on %s", label, h.name, show(our.reply))
		case upPanic:
			// Ours returns an error where upstream panics (documented).
			if !upstreamPanics[h.name] || ourErr == nil {
				t.Errorf("%s: %s: upstream panicked, ours returned %s, %v", label, h.name, show(ourV), ourErr)
			}
		default:
			if !reflect.DeepEqual(upV, ourV) {
				t.Errorf("%s: %s\n upstream %s\n ours     %s", label, h.name, show(upV), show(ourV))
			}
			if d := errorDiff(upErr, ourErr, our.err); d != "" {
				t.Errorf("%s: %s %s", label, h.name, d)
			}
		}
	}
}

// show formats a reply or result for a failure message.
func show(v interface{}) string { return fmt.Sprintf("%#v", fromUpstream(v)) }

// diffScanner is a Scanner of both packages (the method is the same); it
// records what it was given.
type diffScanner struct{ got interface{} }

func (s *diffScanner) RedisScan(src interface{}) error {
	s.got = fromUpstream(src)
	return nil
}

// diffStruct has fields for the names the tables' hashes and XINFO use.
type diffStruct struct {
	A       string  `redis:"a"`
	B       int     `redis:"b"`
	C       float64 `redis:"c"`
	D       []byte  `redis:"d"`
	F       bool    `redis:"f"`
	Length  int64   `redis:"length"`
	Groups  uint64  `redis:"groups"`
	Name    string  `redis:"name"`
	Skipped string  `redis:"-"`
	Any     interface{}
	Scanned diffScanner `redis:"e"`
}

type diffPair struct {
	K string
	V string
}

// scanDestKinds make a pointer to one value of each kind Scan supports.
var scanDestKinds = []func() interface{}{
	func() interface{} { return new(string) },
	func() interface{} { return new(int) },
	func() interface{} { return new(int64) },
	func() interface{} { return new(uint64) },
	func() interface{} { return new(float64) },
	func() interface{} { return new(bool) },
	func() interface{} { return new([]byte) },
	func() interface{} { return new(interface{}) },
	func() interface{} { return new([]interface{}) },
	func() interface{} { return new(diffScanner) },
}

// scanDestSlices make a pointer to one slice of each kind ScanSlice supports,
// with the field names to pass.
var scanDestSlices = []struct {
	make   func() interface{}
	fields []string
}{
	{func() interface{} { return new([]string) }, nil},
	{func() interface{} { return new([]int) }, nil},
	{func() interface{} { return new([]float64) }, nil},
	{func() interface{} { return new([][]byte) }, nil},
	{func() interface{} { return new([]diffPair) }, nil},
	{func() interface{} { return new([]*diffPair) }, []string{"V", "K"}},
	{func() interface{} { return new([]diffPair) }, []string{"K"}},
}

// compareScans runs Scan, ScanStruct and ScanSlice on both sides' array
// reply, into every kind of destination.
func compareScans(t reporter, label string, upSrc, ourSrc []interface{}) {
	t.Helper()
	check := func(what string, up, ours string) {
		t.Helper()
		switch {
		case strings.HasPrefix(ours, "PANIC"):
			t.Errorf("%s: %s: ours %s", label, what, ours)
		case up != ours:
			t.Errorf("%s: %s\n upstream %s\n ours     %s", label, what, up, ours)
		}
	}
	for i, kind := range scanDestKinds {
		for _, n := range []int{len(ourSrc), 1, len(ourSrc) + 1} {
			if n > len(ourSrc) && i > 0 {
				continue // one kind suffices for too many dests
			}
			up := scanResult(upstream.Scan, upSrc, kind, n)
			ours := scanResult(redis.Scan, ourSrc, kind, n)
			check(fmt.Sprintf("Scan into %d %T", n, kind()), up, ours)
		}
	}
	check("ScanStruct",
		recovered(func() string { var d diffStruct; err := upstream.ScanStruct(upSrc, &d); return showScanned(d, err) }),
		recovered(func() string { var d diffStruct; err := redis.ScanStruct(ourSrc, &d); return showScanned(d, err) }))
	for _, s := range scanDestSlices {
		up, ours := s.make(), s.make()
		check(fmt.Sprintf("ScanSlice into %T %q", up, s.fields),
			recovered(func() string { err := upstream.ScanSlice(upSrc, up, s.fields...); return showScanned(up, err) }),
			recovered(func() string { err := redis.ScanSlice(ourSrc, ours, s.fields...); return showScanned(ours, err) }))
	}
}

func scanResult(scan func([]interface{}, ...interface{}) ([]interface{}, error), src []interface{}, kind func() interface{}, n int) string {
	return recovered(func() string {
		dests := make([]interface{}, n)
		for i := range dests {
			dests[i] = kind()
		}
		rest, err := scan(src, dests...)
		values := make([]interface{}, n)
		for i, d := range dests {
			values[i] = reflect.ValueOf(d).Elem().Interface()
		}
		return fmt.Sprintf("rest=%s %s", show(rest), showScanned(values, err))
	})
}

// showScanned formats scanned values (with upstream's Errors as ours) and
// the error text.
func showScanned(v interface{}, err error) string {
	if vs, ok := v.([]interface{}); ok {
		for i := range vs {
			vs[i] = fromUpstream(vs[i])
		}
	}
	if ps, ok := v.(*[]*diffPair); ok && *ps != nil {
		derefs := make([]interface{}, len(*ps))
		for i, p := range *ps {
			if p != nil {
				derefs[i] = *p
			}
		}
		v = derefs // pointers would print as addresses
	}
	text := "<nil>"
	if err != nil {
		text = fmt.Sprintf("%q", err.Error())
	}
	return fmt.Sprintf("dest=%s err=%s", strings.ReplaceAll(fmt.Sprintf("%#v", v), "*redis_test.", ""), text)
}

// recovered runs f, turning a panic into a "PANIC" result.
func recovered(f func() string) (s string) {
	defer func() {
		if p := recover(); p != nil {
			s = fmt.Sprintf("PANIC %v", p)
		}
	}()
	return f()
}

// failureRecorder is a reporter that keeps the failures.
type failureRecorder struct{ failures []string }

func (r *failureRecorder) Helper() {}

func (r *failureRecorder) Errorf(format string, args ...interface{}) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// TestDiffHarnessSeesDifferences checks that the comparisons fail where they
// must, so that the passing differential tests mean something.
func TestDiffHarnessSeesDifferences(t *testing.T) {
	arr := func(v ...interface{}) []interface{} { return v }
	tests := []struct {
		name    string
		up, our outcome
		mask    func(interface{}) interface{}
		want    []string // each in some failure; none expected when empty
	}{
		{"same", outcome{reply: arr([]byte("1"), upstream.Error("E x"))}, outcome{reply: arr([]byte("1"), redis.Error("E x"))}, nil, nil},
		{"value", outcome{reply: []byte("1")}, outcome{reply: []byte("2")}, nil, []string{"reply", ": Int\n", ": String\n"}},
		{"type", outcome{reply: int64(1)}, outcome{reply: []byte("1")}, nil, []string{"reply", ": Bytes\n"}},
		{"error text", outcome{reply: upstream.Error("ERR a"), err: upstream.Error("ERR a")},
			outcome{reply: redis.Error("ERR b"), err: redis.Error("ERR b")}, nil, []string{"reply", "error text", ": Int error text"}},
		{"error type", outcome{err: upstream.Error("ERR a")}, outcome{err: errors.New("ERR a")}, nil, []string{"errors.As Error"}},
		{"element", outcome{reply: arr([]byte("1"), []byte("2"))}, outcome{reply: arr([]byte("1"), []byte("3"))}, nil,
			[]string{"reply", ": Ints\n", "Scan into 2 *int", "ScanSlice into *[]string", "StringMap"}},
		{"sorted away", outcome{reply: arr([]byte("b"), []byte("a"))}, outcome{reply: arr([]byte("a"), []byte("b"))}, sortStrings, nil},
		{"not sorted", outcome{reply: arr([]byte("b"), []byte("a"))}, outcome{reply: arr([]byte("a"), []byte("b"))}, nil, []string{"reply"}},
	}
	for _, tt := range tests {
		var r failureRecorder
		compareOutcomes(&r, tt.name, tt.up, tt.our, tt.mask)
		if len(tt.want) == 0 && len(r.failures) > 0 {
			t.Errorf("%s: unexpected failures %q", tt.name, r.failures)
		}
		for _, w := range tt.want {
			found := false
			for _, f := range r.failures {
				found = found || strings.Contains(f, w)
			}
			if !found {
				t.Errorf("%s: no failure mentions %q: %q", tt.name, w, r.failures)
			}
		}
	}
}
