package redis

// Differential tests: Scan, ScanStruct, ScanSlice and Args against upstream
// redigo v1.9.3, on the same inputs. Dest values, remainders, appended args,
// error texts and panics must be identical, except where upstream panics and
// ours returns (compareOrFixed lists those cases).

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
)

// Scanner and Argument twins, one type per side with the same behaviour.

// recorderOurs records what it scans, and fails on "fail".
type recorderOurs struct{ Got []interface{} }

func (r *recorderOurs) RedisScan(src interface{}) error {
	r.Got = append(r.Got, src)
	return failOn(src)
}

type recorderUpstream struct{ Got []interface{} }

func (r *recorderUpstream) RedisScan(src interface{}) error {
	r.Got = append(r.Got, src)
	return failOn(src)
}

func failOn(src interface{}) error {
	if src == "fail" {
		return errors.New("recorder: fail")
	}
	return nil
}

// lengthOurs is a non-struct Scanner: it stores the length of a bulk string.
type lengthOurs int

func (n *lengthOurs) RedisScan(src interface{}) error {
	*n = lengthOurs(bulkLength(src))
	return failOn(src)
}

type lengthUpstream int

func (n *lengthUpstream) RedisScan(src interface{}) error {
	*n = lengthUpstream(bulkLength(src))
	return failOn(src)
}

func bulkLength(src interface{}) int {
	b, _ := src.([]byte)
	return len(b)
}

type scannerFieldsOurs struct {
	R  recorderOurs
	PR *recorderOurs
	N  lengthOurs
	PN *lengthOurs
}

type scannerFieldsUpstream struct {
	R  recorderUpstream
	PR *recorderUpstream
	N  lengthUpstream
	PN *lengthUpstream
}

type argOurs struct{ v string }

func (a argOurs) RedisArg() interface{} { return "arg:" + a.v }

type argUpstream struct{ v string }

func (a argUpstream) RedisArg() interface{} { return "arg:" + a.v }

type pointerArgOurs struct{ v string }

func (a *pointerArgOurs) RedisArg() interface{} { return "parg:" + a.v }

type pointerArgUpstream struct{ v string }

func (a *pointerArgUpstream) RedisArg() interface{} { return "parg:" + a.v }

type argFieldsOurs struct {
	A   argOurs
	PA  *argOurs
	PAO *argOurs `redis:"pao,omitempty"`
	P   pointerArgOurs
	PP  *pointerArgOurs
	PPO *pointerArgOurs `redis:"ppo,omitempty"`
	E   argOurs         `redis:"e,omitempty"`
	argOurs
}

type argFieldsUpstream struct {
	A   argUpstream
	PA  *argUpstream
	PAO *argUpstream `redis:"pao,omitempty"`
	P   pointerArgUpstream
	PP  *pointerArgUpstream
	PPO *pointerArgUpstream `redis:"ppo,omitempty"`
	E   argUpstream         `redis:"e,omitempty"`
	argUpstream
}

// shapes are struct values of every form; each test uses them its way.
var shapes = func() []interface{} {
	n := 3
	return []interface{}{innerFields{1, "b"}, DiffInner{1, "b"}, otherInner{1, 2}, unexportedInner{1, 2},
		embedded{innerFields{1, "b"}, 2}, embeddedPointer{&DiffInner{1, "b"}, 2}, embeddedPointer{X: 2},
		deepEmbedded{embeddedPointer{&DiffInner{1, "b"}, 2}, 3}, deepEmbedded{},
		hiddenFields{1, 2, 3, 4, 5, innerFields{6, "7"}, unexportedInner{8, 9}, nil}, hiddenFields{},
		pointerFields{&n, &n, &innerFields{1, "b"}, &n, [2]int{1, 2}}, pointerFields{PO: new(int)},
		emptyFields{}, emptyFields{B: []byte{}, M: map[int]int{}, F: math.Copysign(0, -1), E: 0,
			St: innerFields{A: 1}, Ch: make(chan int), Fn: func() {}, P: new(int), Arg: Args{}},
		shallowerWins{innerFields{1, "b"}, 2}, sameDepthHides{innerFields{1, "b"}, otherInner{3, 4}},
		shallowThenDeeper{innerFields{1, "b"}, 2, otherInner{3, 4}}, sameTagsHide{1, 2, 3},
		sameDepthAfterShallower{innerFields{1, "b"}, 2, 3}, embeddedTwice{}, recursiveField{1, &recursiveField{2, nil}},
		recursiveEmbed{}, recursiveViaOther{}, recursiveInside{}, badTag{}, badTagEmbedded{},
		struct{ error }{}, struct{}{}, struct{ A, a int }{1, 2}}
}()

// shapeSources are name-value lists for ScanStruct; their values also feed
// ScanSlice.
var shapeSources = [][]interface{}{nil, {}, {"A"}, {"A", bulk("1")}, {bulk("A"), bulk("1"), "bee", "b"},
	{"A", bulk("1"), "bee", bulk("b"), "B", bulk("2"), "X", bulk("3"), "why", bulk("4"), "Y", bulk("5"),
		"-", bulk("6"), "c", bulk("7"), "dee", bulk("8"), "D", bulk("9"), "myInt", bulk("10"),
		"in", bulk("11"), "Q", bulk("12"), "r", bulk("13"), "C", bulk("14"), "x", bulk("15"),
		"Next", bulk("16"), "P", bulk("17"), "PO", int64(18), "PS", bulk("19"), "I", bulk("20"),
		"innerFields", bulk("21"), "DiffInner", bulk("22"), "a", bulk("23")},
	{"A", bulk("1"), "bee", nil, "A", nil}, {"bee", bulk("b"), "X", bulk("x")}, {"A", Error("e"), "bee", Error("e")},
	{"A", int64(1), "bee", int64(2)}, {"A", bulk("1"), int64(2), bulk("2")}, {nil, bulk("1")},
	{Error("A"), bulk("1")}, {[]interface{}{}, bulk("1")}, {int64(1), nil, "A", bulk("1")},
	{"A", bulk("1"), "A", bulk("x"), "bee", bulk("b")}, {"A", bulk("1"), "A", int64(2)},
	{"P", nil, "PS", []interface{}{}}, {"I", int64(1)}, {"Arr", bulk("1")},
	{bulk("1"), bulk("2"), bulk("3"), bulk("4"), bulk("5"), bulk("6")}}

// scanSources are reply values of every kind, and a few non-reply values.
var scanSources = func() []interface{} {
	var srcs []interface{}
	for _, s := range []string{"1", "0", "true", "false", "t", "F", "-1", "127", "128", "255", "256", "-129",
		"300", "65536", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "1.5", "-0", "1e300", "1e400", "NaN", "inf",
		"0x10", "1_000", " 1", "", "x", "fail"} {
		srcs = append(srcs, bulk(s))
	}
	for _, n := range []int64{0, 1, 2, -1, 127, 128, 255, 256, -129, 1 << 31, 1 << 32, math.MinInt64, math.MaxInt64} {
		srcs = append(srcs, n)
	}
	return append(srcs, "1", "x", "OK", "", "fail", nil, []byte(nil), Error("e"), Error(""),
		[]interface{}{}, []interface{}{bulk("1"), nil}, []interface{}{int64(1), bulk("2")}, []interface{}{"1"},
		[]interface{}{[]interface{}{bulk("1")}}, []interface{}{nil}, []interface{}{nil, nil}, []interface{}{bulk("x")},
		[]interface{}{Error("e")}, []interface{}{int64(-1)}, []interface{}{bulk("300")}, []interface{}{bulk("1.5")},
		[]interface{}{int64(1), "x", bulk("y")}, []interface{}{bulk("true"), int64(0)}, []interface{}{"fail"},
		[]interface{}{int64(300)}, []interface{}{[]interface{}{}}, []interface{}{1.5}, []interface{}{int(1)},
		[]interface{}{true}, []interface{}{uint64(1)}, []interface{}{Error("1")}, []interface{}{Error("")},
		[]interface{}{[]byte(nil)}, int(1), 1.5, true, int32(1), uint64(1), []string{"a"}, struct{}{})
}()

// scanTypes are the types of the Scan dests and the ScanStruct fields.
var scanTypes = func() []reflect.Type {
	var types []reflect.Type
	for _, v := range []interface{}{"", []byte(nil), 0, int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0),
		uint16(0), uint32(0), uint64(0), uintptr(0), float32(0), float64(0), true, complex128(0), Error(""),
		myString(""), myBytes(nil), myInt(0), []string(nil), [][]byte(nil), []int(nil), []int8(nil),
		[]int64(nil), []uint64(nil), []float32(nil), []float64(nil), []bool(nil), []interface{}(nil), Args(nil),
		[]myString(nil), [][]int(nil), []*int(nil), []*string(nil), []*innerFields(nil), []innerFields(nil),
		[][]interface{}(nil), []map[string]int(nil), []Error(nil), []myBytes(nil), []complex64(nil), []rune(nil),
		[][]rune(nil), []myInt(nil), [2]int{}, map[string]int(nil), innerFields{}, (*int)(nil), (*string)(nil),
		(*[]byte)(nil), (*innerFields)(nil), (*[]int)(nil), (chan int)(nil), (func())(nil)} {
		types = append(types, reflect.TypeOf(v))
	}
	return append(types, reflect.TypeOf((*interface{})(nil)).Elem(), reflect.TypeOf((*error)(nil)).Elem())
}()

// twin makes the dest of one case for each side.
type twin struct {
	name         string
	ours, theirs func() interface{}
}

func sameTwin(name string, mk func() interface{}) twin { return twin{name, mk, mk} }

func TestDiffScan(t *testing.T) {
	dests := []twin{
		sameTwin("untyped nil", func() interface{} { return nil }),
		sameTwin("string value", func() interface{} { return "v" }),
		sameTwin("int value", func() interface{} { return 5 }),
		sameTwin("prefilled *string", func() interface{} { s := "keep"; return &s }),
		sameTwin("prefilled *int", func() interface{} { n := 5; return &n }),
		sameTwin("prefilled *interface{}", func() interface{} { var v interface{} = "keep"; return &v }),
		sameTwin("prefilled *[]int", func() interface{} { s := []int{9, 9, 9}; return &s }),
		sameTwin("prefilled *[]int with capacity", func() interface{} { s := make([]int, 1, 5); return &s }),
		sameTwin("prefilled *[][]byte", func() interface{} { s := [][]byte{bulk("a"), bulk("b")}; return &s }),
		sameTwin("prefilled *[]*int", func() interface{} { n := 9; s := []*int{&n, &n}; return &s }),
		sameTwin("prefilled *Args", func() interface{} { s := Args{1, 2}; return &s }),
		sameTwin("prefilled **int", func() interface{} { n := 7; p := &n; return &p }),
		sameTwin("prefilled *[]string", func() interface{} { s := []string{"p", "q", "r", "s"}; return &s }),
		{"*recorder", func() interface{} { return &recorderOurs{} }, func() interface{} { return &recorderUpstream{} }},
		{"*length", func() interface{} { return new(lengthOurs) }, func() interface{} { return new(lengthUpstream) }},
		{"*[]recorder", func() interface{} { return new([]recorderOurs) }, func() interface{} { return new([]recorderUpstream) }},
		{"*[]*recorder", func() interface{} { return new([]*recorderOurs) }, func() interface{} { return new([]*recorderUpstream) }},
		{"*[]length", func() interface{} { return new([]lengthOurs) }, func() interface{} { return new([]lengthUpstream) }},
		// A nil *Scanner behind the dest is allocated for a bulk string.
		{"**recorder", func() interface{} { return new(*recorderOurs) }, func() interface{} { return new(*recorderUpstream) }},
		{"**length", func() interface{} { return new(*lengthOurs) }, func() interface{} { return new(*lengthUpstream) }},
		{"prefilled **recorder", func() interface{} { p := &recorderOurs{Got: []interface{}{"old"}}; return &p },
			func() interface{} { p := &recorderUpstream{Got: []interface{}{"old"}}; return &p }},
	}
	// Integers out of range store 0, except negative ones into unsigned
	// dests, which keep the old value.
	for _, v := range []interface{}{int8(5), int16(5), int32(5), int64(5), 5, uint8(5), uint16(5), uint32(5), uint64(5), uint(5)} {
		v := v
		dests = append(dests, sameTwin(fmt.Sprintf("prefilled *%T", v), func() interface{} {
			p := reflect.New(reflect.TypeOf(v))
			p.Elem().Set(reflect.ValueOf(v))
			return p.Interface()
		}))
	}
	for _, typ := range scanTypes {
		typ := typ
		dests = append(dests, sameTwin("*"+typ.String(), func() interface{} { return reflect.New(typ).Interface() }))
	}
	for _, d := range dests {
		for _, s := range scanSources {
			src := []interface{}{s, "rest"}
			compareOrFixed(t, fmt.Sprintf("Scan(%s <- %s)", d.name, deepDump(s)),
				scanOutcome(Scan, replyCopies(src, false), d.ours()),
				scanOutcome(upstreamScan, replyCopies(src, true), d.theirs()), upstreamPanicsReflect, "err=<nil>")
		}
	}

	var s1, s2 string
	var n int
	for _, c := range []struct {
		src   []interface{}
		dests []interface{}
	}{
		{[]interface{}{bulk("a")}, nil}, {nil, nil}, {[]interface{}{}, nil}, {nil, []interface{}{&s1}},
		{[]interface{}{bulk("a")}, []interface{}{&s1, &s2}}, {[]interface{}{bulk("a"), int64(2)}, []interface{}{&s1, &n}},
		{[]interface{}{bulk("a"), int64(2), bulk("c")}, []interface{}{&s1, &n}},
		{[]interface{}{bulk("a"), bulk("b")}, []interface{}{nil, &s2}},
		{[]interface{}{int64(1), bulk("b"), bulk("c")}, []interface{}{&s1, &s2}},
		{[]interface{}{bulk("a"), bulk("x"), bulk("c")}, []interface{}{&s1, &n}},
		{[]interface{}{bulk("a"), Error("ERR x"), bulk("c")}, []interface{}{&s1, &s2}},
		{[]interface{}{Error("ERR x")}, []interface{}{nil}},
	} {
		s1, s2, n = "", "", 0
		ours := scanOutcome(Scan, replyCopies(c.src, false), c.dests...)
		s1, s2, n = "", "", 0
		compareSides(t, fmt.Sprintf("Scan(%s into %d dests)", deepDump(c.src), len(c.dests)), ours,
			scanOutcome(upstreamScan, replyCopies(c.src, true), c.dests...))
	}
}

func TestDiffScanStruct(t *testing.T) {
	// A struct with a field F<i> of each type of scanTypes.
	var fields []reflect.StructField
	for i, typ := range scanTypes {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: typ})
	}
	allTypes := reflect.StructOf(fields)
	for i, f := range fields {
		for j, s := range scanSources {
			var key interface{} = f.Name // keys alternate between simple and bulk strings
			if j%2 == 0 {
				key = bulk(f.Name)
			}
			src := []interface{}{key, s}
			fieldOutcome := func(scanStruct func([]interface{}, interface{}) error, src []interface{}) string {
				return outcome(func() string {
					dest := reflect.New(allTypes)
					err := scanStruct(src, dest.Interface())
					scribble(src)
					// Dumping only the field keeps the test fast; the shapes
					// below check that names pick the right fields.
					return fmt.Sprintf("field=%s err=%s", deepDump(dest.Elem().Field(i).Interface()), describeErr(err))
				})
			}
			compareSides(t, fmt.Sprintf("ScanStruct(%s <- %s)", scanTypes[i], deepDump(s)),
				fieldOutcome(ScanStruct, replyCopies(src, false)), fieldOutcome(upstream.ScanStruct, replyCopies(src, true)))
		}
	}
	for _, name := range []string{"R", "PR", "N", "PN"} {
		for _, s := range scanSources {
			src := []interface{}{name, s, name, s}
			compareSides(t, fmt.Sprintf("ScanStruct(%s <- %s)", name, deepDump(s)),
				structOutcome(ScanStruct, replyCopies(src, false), &scannerFieldsOurs{}),
				structOutcome(upstream.ScanStruct, replyCopies(src, true), &scannerFieldsUpstream{}))
		}
	}
	for _, shape := range shapes {
		typ := reflect.TypeOf(shape)
		for _, src := range shapeSources {
			compareOrFixed(t, fmt.Sprintf("ScanStruct(%s into %s)", deepDump(src), typ),
				structOutcome(ScanStruct, replyCopies(src, false), reflect.New(typ).Interface()),
				structOutcome(upstream.ScanStruct, replyCopies(src, true), reflect.New(typ).Interface()),
				upstreamPanicsBadTag, "redigo.ScanStruct: unknown field tag bogus for type badTag")
		}
	}
	n := 5
	for _, dest := range []interface{}{nil, innerFields{}, (*innerFields)(nil), &n, &[]innerFields{}} {
		for _, src := range [][]interface{}{nil, {"A"}, {"A", bulk("1")}} {
			compareSides(t, fmt.Sprintf("ScanStruct(%s into %T)", deepDump(src), dest),
				structOutcome(ScanStruct, src, dest), structOutcome(upstream.ScanStruct, src, dest))
		}
	}
}

func TestDiffScanSlice(t *testing.T) {
	type sliceCase struct {
		twin
		src    []interface{}
		fields []string
	}
	var cases []sliceCase
	newSlice := func(elem reflect.Type) func() interface{} {
		return func() interface{} { return reflect.New(reflect.SliceOf(elem)).Interface() }
	}
	for _, src := range append(shapeSources, [][]interface{}{{bulk("1"), int64(2), "3"}, {bulk("1"), nil, bulk("x")},
		{Error("e")}, {[]interface{}{bulk("1")}, nil}, {1.5, true}, {nil, bulk("b"), bulk("3"), nil},
		{"fail", bulk("1"), nil}}...) {
		var values []interface{} // the values of a name-value list
		for i := 1; i < len(src); i += 2 {
			values = append(values, src[i])
		}
		for _, src := range [][]interface{}{src, values} {
			for _, typ := range scanTypes {
				cases = append(cases, sliceCase{sameTwin(typ.String(), newSlice(typ)), src, nil})
			}
			for _, shape := range shapes {
				typ := reflect.TypeOf(shape)
				cases = append(cases, sliceCase{sameTwin(typ.String(), newSlice(typ)), src, nil},
					sliceCase{sameTwin("*"+typ.String(), newSlice(reflect.PointerTo(typ))), src, nil})
			}
			for _, fields := range [][]string{{"bee"}, {"bee", "A"}, {"A", "A"}, {"B"}, {"bee", "Z"}, {"X", "bee"}} {
				for _, shape := range []interface{}{innerFields{}, &DiffInner{}, embeddedPointer{}, 0, shallowThenDeeper{}} {
					typ := reflect.TypeOf(shape)
					cases = append(cases, sliceCase{sameTwin(typ.String(), newSlice(typ)), src, fields})
				}
			}
			for _, pair := range [][2]interface{}{{recorderOurs{}, recorderUpstream{}}, {&recorderOurs{}, &recorderUpstream{}},
				{lengthOurs(0), lengthUpstream(0)}, {scannerFieldsOurs{}, scannerFieldsUpstream{}}} {
				ours, theirs := reflect.TypeOf(pair[0]), reflect.TypeOf(pair[1])
				c := sliceCase{twin{ours.String(), newSlice(ours), newSlice(theirs)}, src, nil}
				cases = append(cases, c)
				c.fields = []string{"PN", "R"}
				cases = append(cases, c)
			}
			cases = append(cases,
				sliceCase{sameTwin("prefilled []*DiffInner", func() interface{} { s := []*DiffInner{{A: 7, B: "p"}}; return &s }), src, nil},
				sliceCase{sameTwin("prefilled []int", func() interface{} { s := []int{9, 9, 9}; return &s }), src, nil},
				sliceCase{sameTwin("prefilled []innerFields", func() interface{} { s := []innerFields{{1, "a"}}; return &s }), src, nil})
		}
	}
	n := 9
	for _, dest := range []interface{}{nil, []int{}, (*[]int)(nil), &n, &[2]int{}, &innerFields{}} {
		dest := dest
		cases = append(cases, sliceCase{sameTwin(fmt.Sprintf("%T", dest), func() interface{} { return dest }), nil, nil})
	}
	for _, c := range cases {
		name := fmt.Sprintf("ScanSlice(%s into %s, fields %q)", deepDump(c.src), c.name, c.fields)
		ours := sliceOutcome(ScanSlice, replyCopies(c.src, false), c.ours(), c.fields)
		theirs := sliceOutcome(upstream.ScanSlice, replyCopies(c.src, true), c.theirs(), c.fields)
		if strings.Contains(theirs, upstreamPanicsBadTag) {
			compareOrFixed(t, name, ours, theirs, upstreamPanicsBadTag, "redigo.ScanSlice: unknown field tag bogus for type badTag")
		} else {
			// Ours allocates the nil embedded pointer, as ScanStruct does.
			compareOrFixed(t, name, ours, theirs, upstreamPanicsNilEmbedded, "")
		}
	}
}

func TestDiffAddFlat(t *testing.T) {
	n := 3
	inner := &innerFields{1, "b"}
	values := []interface{}{nil, 1, "s", []byte("ab"), [2]byte{1, 2}, []int{1, 2}, []int{}, []string(nil),
		Args{1, "b"}, [][]int{{1}, {2}}, []innerFields{{1, "x"}}, map[string]int{"a": 1}, map[int]string(nil),
		map[string]int{}, &n, (*int)(nil), &[]int{1}, (*[]int)(nil), &inner, (*innerFields)(nil), &struct{}{},
		Error("e"), []interface{}{nil, 1}, []argOurs{{"a"}}, map[string]argOurs{"k": {"a"}}, argOurs{"top"},
		&pointerArgOurs{"top"}}
	for _, shape := range shapes {
		p := reflect.New(reflect.TypeOf(shape))
		p.Elem().Set(reflect.ValueOf(shape))
		values = append(values, shape, p.Interface())
	}
	for _, v := range values {
		comparePanics(t, fmt.Sprintf("AddFlat(%s)", deepDump(v)), flatOutcome(oursAddFlat, v), flatOutcome(upstreamAddFlat, v))
	}

	// RedisArg runs even on a nil pointer field, and panics here as upstream.
	for _, c := range []struct {
		name         string
		ours, theirs interface{}
	}{
		{"arguments", argFieldsOurs{A: argOurs{"a"}, PA: &argOurs{"pa"}, PAO: &argOurs{"pao"}, P: pointerArgOurs{"p"},
			PP: &pointerArgOurs{"pp"}, PPO: &pointerArgOurs{"ppo"}, argOurs: argOurs{"embedded"}},
			argFieldsUpstream{A: argUpstream{"a"}, PA: &argUpstream{"pa"}, PAO: &argUpstream{"pao"}, P: pointerArgUpstream{"p"},
				PP: &pointerArgUpstream{"pp"}, PPO: &pointerArgUpstream{"ppo"}, argUpstream: argUpstream{"embedded"}}},
		{"nil value-receiver argument", argFieldsOurs{PP: &pointerArgOurs{}}, argFieldsUpstream{PP: &pointerArgUpstream{}}},
		{"nil pointer-receiver argument", argFieldsOurs{PA: &argOurs{}}, argFieldsUpstream{PA: &argUpstream{}}},
	} {
		comparePanics(t, "AddFlat "+c.name, flatOutcome(oursAddFlat, c.ours), flatOutcome(upstreamAddFlat, c.theirs))
	}

	for _, values := range [][]interface{}{nil, {}, {nil}, {1, "a", []byte("b")}, {[]int{1}, Args{2}}} {
		compareSides(t, fmt.Sprintf("Add(%s)", deepDump(values)), deepDump(Args(nil).Add(values...)),
			deepDump(upstream.Args(nil).Add(values...)))
		compareSides(t, fmt.Sprintf("Add(%s)", deepDump(values)), deepDump(Args{"k"}.Add(values...).Add()),
			deepDump(upstream.Args{"k"}.Add(values...).Add()))
	}
}

func TestDiffTags(t *testing.T) {
	tags := []string{"", ",", ",,", ",omitempty", ",omitempty,", ",,omitempty", ",foo", "x", "x,", "x,,",
		"x,,omitempty", "x,omitempty", "x,omitempty,", "x,omitempty,,", "x,foo", "x,foo,", "x,omitempty,foo",
		"x,foo,omitempty", "-", "-,", "-,foo", "-,,", "omitempty", "omitempty,", "x,omitempty,omitempty",
		"x,OMITEMPTY", "x, omitempty", " x", "-x", "x y", "x,omitempty,omitempty,", "bee", "A",
		"x,-", "x,omitempty,-", "x,-,foo", "x,foo,-", ",-", "x,-,"}
	src := []interface{}{"I", bulk("1"), "x", bulk("2"), "omitempty", bulk("3"), " x", bulk("4"),
		"-x", bulk("5"), "-", bulk("6"), "", bulk("7"), "x y", bulk("8"), "A", bulk("9"), "bee", bulk("b")}
	for _, tag := range tags {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "I", Type: reflect.TypeOf(0), Tag: reflect.StructTag(`redis:"` + tag + `"`)},
			{Name: "A", Type: reflect.TypeOf(""), Tag: `redis:"bee"`},
		})
		for _, i := range []int64{0, 1} {
			v := reflect.New(typ).Elem()
			v.Field(0).SetInt(i)
			comparePanics(t, fmt.Sprintf("AddFlat(tag %q, I=%d)", tag, i),
				flatOutcome(oursAddFlat, v.Interface()), flatOutcome(upstreamAddFlat, v.Interface()))
		}
		compareOrFixed(t, fmt.Sprintf("ScanStruct(tag %q)", tag),
			structOutcome(ScanStruct, replyCopies(src, false), reflect.New(typ).Interface()),
			structOutcome(upstream.ScanStruct, replyCopies(src, true), reflect.New(typ).Interface()),
			upstreamPanicsBadTag, "redigo.ScanStruct: unknown field tag")
		compareOrFixed(t, fmt.Sprintf("ScanSlice(tag %q)", tag),
			sliceOutcome(ScanSlice, replyCopies(src[:4], false), reflect.New(reflect.SliceOf(typ)).Interface(), nil),
			sliceOutcome(upstream.ScanSlice, replyCopies(src[:4], true), reflect.New(reflect.SliceOf(typ)).Interface(), nil),
			upstreamPanicsBadTag, "redigo.ScanSlice: unknown field tag")
	}
}

// Where upstream panics on a dest it cannot write, ours returns an error or,
// for pointers it can allocate, writes the value.
func TestDiffWhereUpstreamPanics(t *testing.T) {
	for _, dest := range []interface{}{(*int)(nil), (*int8)(nil), (*string)(nil), (*[]byte)(nil), (*bool)(nil),
		(*interface{})(nil), (*[]interface{})(nil), (*[]int)(nil), (*float64)(nil)} {
		for _, s := range scanSources {
			compareOrFixed(t, fmt.Sprintf("Scan(%T(nil) <- %s)", dest, deepDump(s)),
				scanOutcome(Scan, replyCopies([]interface{}{s}, false), dest),
				scanOutcome(upstreamScan, replyCopies([]interface{}{s}, true), dest), "", fmt.Sprintf("dest is a nil %T", dest))
		}
	}

	var ppp ***int
	compareOrFixed(t, "Scan(***int)", scanOutcome(Scan, []interface{}{bulk("7")}, &ppp),
		scanOutcome(upstreamScan, []interface{}{bulk("7")}, new(***int)), upstreamPanicsReflect, "err=<nil>")
	if ppp == nil || *ppp == nil || **ppp == nil || ***ppp != 7 {
		t.Errorf("Scan(***int) did not store 7")
	}

	var deep struct{ PP **int }
	compareOrFixed(t, "ScanStruct(**int field)", structOutcome(ScanStruct, []interface{}{"PP", bulk("7")}, &deep),
		structOutcome(upstream.ScanStruct, []interface{}{"PP", bulk("7")}, &struct{ PP **int }{}),
		upstreamPanicsReflect, "err=<nil>")
	if deep.PP == nil || *deep.PP == nil || **deep.PP != 7 {
		t.Errorf("ScanStruct(**int field) did not store 7")
	}

	// Through a pointer to a nil pointer to a Scanner, upstream panics;
	// ours allocates both and calls RedisScan, as Scan does.
	type deepScanner struct{ PP **recorderOurs }
	var ds deepScanner
	compareOrFixed(t, "ScanStruct(**Scanner field)", structOutcome(ScanStruct, []interface{}{"PP", bulk("7")}, &ds),
		structOutcome(upstream.ScanStruct, []interface{}{"PP", bulk("7")}, &struct{ PP **recorderUpstream }{}),
		upstreamPanicsReflect, "err=<nil>")
	if ds.PP == nil || *ds.PP == nil || len((*ds.PP).Got) != 1 {
		t.Errorf("ScanStruct(**Scanner field) did not call RedisScan once: %s", deepDump(ds))
	}
	var dss []**recorderOurs
	compareOrFixed(t, "ScanSlice([]**Scanner)", sliceOutcome(ScanSlice, []interface{}{bulk("a"), nil, bulk("b")}, &dss, nil),
		sliceOutcome(upstream.ScanSlice, []interface{}{bulk("a"), nil, bulk("b")}, new([]**recorderUpstream), nil),
		upstreamPanicsReflect, "err=<nil>")
	if len(dss) != 3 || dss[0] == nil || *dss[0] == nil || len((*dss[0]).Got) != 1 || dss[1] != nil || dss[2] == nil {
		t.Errorf("ScanSlice([]**Scanner): %s", deepDump(dss))
	}

	type hiddenPointer struct{ *innerFields }
	src := []interface{}{"A", bulk("1")}
	wantErr := "cannot set embedded pointer to unexported struct redis.innerFields"
	compareOrFixed(t, "ScanStruct into a nil unexported embedded pointer", structOutcome(ScanStruct, src, &hiddenPointer{}),
		structOutcome(upstream.ScanStruct, src, &hiddenPointer{}), "", wantErr)
	compareOrFixed(t, "ScanSlice into a nil unexported embedded pointer",
		sliceOutcome(ScanSlice, src, &[]hiddenPointer{}, []string{"A", "A"}),
		sliceOutcome(upstream.ScanSlice, src, &[]hiddenPointer{}, []string{"A", "A"}), "", wantErr)
}
