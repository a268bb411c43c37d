package redis

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// Struct types of every shape, for these tests and the differential ones.

type (
	myString string
	myBytes  []byte
	myInt    int
)

type innerFields struct {
	A int
	B string `redis:"bee"`
}

// DiffInner is exported: reflect can allocate it as an embedded pointer.
type DiffInner struct {
	A int
	B string `redis:"bee"`
}

type otherInner struct{ A, C int }

type unexportedInner struct{ Q, r int }

type embedded struct {
	innerFields
	X int
}

type embeddedPointer struct {
	*DiffInner
	X int
}

type deepEmbedded struct {
	embeddedPointer
	Y int `redis:"why"`
}

type hiddenFields struct {
	A int
	B int `redis:"-"`
	c int
	D int `redis:"dee,omitempty"`
	myInt
	innerFields `redis:"in"` // embedded: flattened whatever the tag
	unexportedInner
	E error
}

type pointerFields struct {
	P   *int
	PO  *int `redis:"po,omitempty"`
	PS  *innerFields
	I   interface{}
	Arr [2]int
}

type emptyFields struct {
	B   []byte      `redis:"b,omitempty"`
	S   string      `redis:"s,omitempty"`
	M   map[int]int `redis:"m,omitempty"`
	F   float64     `redis:"f,omitempty"`
	C   complex128  `redis:"c,omitempty"`
	Bo  bool        `redis:"bo,omitempty"`
	U   uint        `redis:"u,omitempty"`
	I   int         `redis:"i,omitempty"`
	E   interface{} `redis:"e,omitempty"`
	St  innerFields `redis:"st,omitempty"`
	A0  [0]int      `redis:"a0,omitempty"`
	A1  [1]int      `redis:"a1,omitempty"`
	Ch  chan int    `redis:"ch,omitempty"`
	Fn  func()      `redis:"fn,omitempty"`
	P   *int        `redis:"p,omitempty"`
	MS  myString    `redis:"ms,omitempty"`
	Arg Args        `redis:"args,omitempty"`
}

type shallowerWins struct {
	innerFields
	A int
}

type sameDepthHides struct {
	innerFields
	otherInner
}

type shallowThenDeeper struct {
	innerFields
	A int
	otherInner
}

type sameTagsHide struct {
	A int `redis:"x"`
	B int `redis:"x"`
	C int `redis:"x"`
}

type sameDepthAfterShallower struct {
	innerFields
	A int
	B int `redis:"A"`
}

// embeddedTwice is not recursive, but upstream calls it so.
type embeddedTwice struct {
	embedded
	embeddedPointer
	innerFields
}

type recursiveField struct {
	A    int
	Next *recursiveField
}

type recursiveEmbed struct {
	A int
	//lint:ignore U1000 the recursion itself is under test, through reflection
	*recursiveEmbed
}

type recursiveViaOther struct {
	A int
	//lint:ignore U1000 the recursion itself is under test, through reflection
	recursiveHop
}

//lint:ignore U1000 the recursion itself is under test, through reflection
type recursiveHop struct{ *recursiveViaOther }

type recursiveInside struct {
	X int
	recursiveEmbed
}

type badTag struct {
	A int `redis:"a,bogus"`
}

type badTagEmbedded struct {
	X int
	badTag
}

// upperScanner stores a bulk string in upper case.
type upperScanner string

func (u *upperScanner) RedisScan(src interface{}) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("upperScanner: cannot scan %T", src)
	}
	*u = upperScanner(strings.ToUpper(string(b)))
	return nil
}

// celsius is sent as its value with a unit.
type celsius float64

func (c celsius) RedisArg() interface{} { return fmt.Sprintf("%gC", float64(c)) }

func TestScanConvertsReplyValues(t *testing.T) {
	for _, c := range []struct {
		src     interface{}
		dest    interface{} // pointer to a zero value
		want    interface{}
		wantErr string
	}{
		{[]byte("hello"), new(string), "hello", ""},
		{"OK", new(string), "OK", ""},
		{[]byte("-42"), new(int), -42, ""},
		{int64(42), new(int), 42, ""},
		{[]byte("x"), new(int), 0, `strconv.Atoi: parsing "x": invalid syntax`},
		{[]byte("200"), new(int8), int8(127), `strconv.ParseInt: parsing "200": value out of range`},
		{int64(200), new(int8), int8(0), "value out of range"},
		{int64(-1), new(uint), uint(0), "value out of range"},
		{[]byte("1.5"), new(float64), 1.5, ""},
		{int64(1), new(float64), 0.0, "cannot convert from Redis integer to float64"},
		{[]byte("true"), new(bool), true, ""},
		{[]byte("0"), new(bool), false, ""},
		{int64(2), new(bool), true, ""},
		{"1", new(int), 0, "cannot convert from Redis simple string to *int"},
		{[]byte("v"), new([]byte), []byte("v"), ""},
		{[]byte("v"), new(interface{}), []byte("v"), ""},
		{int64(7), new(interface{}), int64(7), ""},
		{Error("ERR oops"), new(string), "", "ERR oops"},
		{[]interface{}{[]byte("a"), "b"}, new([]string), []string{"a", "b"}, ""},
		{[]interface{}{[]byte("1"), int64(2)}, new([]int), []int{1, 2}, ""},
		{[]interface{}{[]byte("1"), nil}, new([]int), []int{1, 0}, "cannot convert from Redis nil to int"},
		{[]interface{}{[]byte("a"), nil}, new([][]byte), [][]byte{[]byte("a"), nil}, ""},
		{[]interface{}{int64(1), nil}, new([]interface{}), []interface{}{int64(1), nil}, ""},
		{[]interface{}{[]byte("x")}, new(string), "", "cannot convert from Redis array to string"},
		{[]byte("x"), new(upperScanner), upperScanner("X"), ""},
		{int64(1), new(upperScanner), upperScanner(""), "upperScanner: cannot scan int64"},
		{1.5, new(float64), 0.0, "cannot convert from float64 to *float64"},
	} {
		name := fmt.Sprintf("%#v into %T", c.src, c.dest)
		_, err := Scan([]interface{}{c.src}, c.dest)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", name, err)
		case c.wantErr != "" && (err == nil || err.Error() != "redigo.Scan: cannot assign to dest 0: "+c.wantErr):
			t.Errorf("%s: got error %v, want %q", name, err, c.wantErr)
		}
		if got := reflect.ValueOf(c.dest).Elem().Interface(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", name, got, c.want)
		}
	}
}

func TestScanWalksTheReply(t *testing.T) {
	reply := []interface{}{[]byte("alice"), int64(30), nil, []byte("rest")}
	name, age := "", 0
	city := "unchanged"
	rest, err := Scan(reply, &name, &age, &city)
	if err != nil {
		t.Fatal(err)
	}
	if name != "alice" || age != 30 || city != "unchanged" {
		t.Errorf("got %q %d %q", name, age, city)
	}
	if len(rest) != 1 || string(rest[0].([]byte)) != "rest" {
		t.Errorf("rest = %q, want the last value", rest)
	}

	// A nil dest skips its value.
	rest, err = Scan(reply, nil, &age)
	if err != nil || age != 30 || len(rest) != 2 {
		t.Errorf("skipping: rest=%q age=%d err=%v", rest, age, err)
	}

	if _, err := Scan(reply[:1], &name, &age); err == nil || err.Error() != "redigo.Scan: array short" {
		t.Errorf("short reply: err = %v", err)
	}

	// The error names the dest, and rest is returned anyway.
	rest, err = Scan(reply, &name, &name)
	if err == nil || err.Error() != "redigo.Scan: cannot assign to dest 1: cannot convert from Redis integer to string" {
		t.Errorf("bad dest: err = %v", err)
	}
	if len(rest) != 2 {
		t.Errorf("bad dest: rest = %q", rest)
	}
}

func TestScanRejectsNilPointerDest(t *testing.T) {
	for _, dest := range []interface{}{(*string)(nil), (*int)(nil), (*int8)(nil), (*[]int)(nil), (*interface{})(nil)} {
		for _, src := range []interface{}{[]byte("1"), int64(1), "1", []interface{}{}} {
			_, err := Scan([]interface{}{src}, dest)
			if err == nil {
				t.Errorf("%T <- %#v: no error", dest, src)
			}
		}
	}
	if _, err := Scan([]interface{}{[]byte("1")}, (*int)(nil)); err == nil ||
		err.Error() != "redigo.Scan: cannot assign to dest 0: dest is a nil *int" {
		t.Errorf("err = %v", err)
	}
}

func TestScanStruct(t *testing.T) {
	var user struct {
		Name    string
		Age     int    `redis:"age"`
		Email   []byte `redis:"email,omitempty"`
		Ignored string `redis:"-"`
		Nick    upperScanner
		*DiffInner
	}
	user.Name = "kept when nil"
	reply := []interface{}{
		[]byte("Name"), nil,
		[]byte("age"), []byte("30"),
		"email", []byte("a@b.c"),
		[]byte("Ignored"), []byte("x"),
		[]byte("unknown"), []byte("y"),
		[]byte("Nick"), []byte("al"),
		[]byte("bee"), []byte("in embedded pointer"),
	}
	if err := ScanStruct(reply, &user); err != nil {
		t.Fatal(err)
	}
	if user.Name != "kept when nil" || user.Age != 30 || string(user.Email) != "a@b.c" || user.Ignored != "" ||
		user.Nick != "AL" || user.DiffInner == nil || user.B != "in embedded pointer" {
		t.Errorf("got %+v, %+v", user, user.DiffInner)
	}

	for _, c := range []struct {
		src     []interface{}
		dest    interface{}
		wantErr string
	}{
		{nil, innerFields{}, "redigo.ScanStruct: value must be non-nil pointer to a struct"},
		{nil, (*innerFields)(nil), "redigo.ScanStruct: value must be non-nil pointer to a struct"},
		{[]interface{}{"A"}, &innerFields{}, "redigo.ScanStruct: number of values not a multiple of 2"},
		{[]interface{}{"A", []byte("1"), int64(1), []byte("2")}, &innerFields{},
			"redigo.ScanStruct: key 2 not a bulk string value got type: int64"},
		{[]interface{}{"A", []byte("x")}, &innerFields{},
			`redigo.ScanStruct: cannot assign field A: strconv.ParseInt: parsing "x": invalid syntax`},
		{[]interface{}{"bee", int64(1)}, &innerFields{},
			"redigo.ScanStruct: cannot assign field bee: cannot convert from Redis integer to string"},
		{nil, &recursiveEmbed{},
			"redigo.ScanStruct: compile struct: redis.recursiveEmbed: recursive struct definition for redis.recursiveEmbed"},
		{nil, &badTagEmbedded{}, "redigo.ScanStruct: unknown field tag bogus for type badTag"},
		{[]interface{}{"Q", []byte("1")}, &struct{ *unexportedInner }{},
			"redigo.ScanStruct: cannot set embedded pointer to unexported struct redis.unexportedInner"},
	} {
		if err := ScanStruct(c.src, c.dest); err == nil || err.Error() != c.wantErr {
			t.Errorf("ScanStruct(%q, %T): err = %v, want %q", c.src, c.dest, err, c.wantErr)
		}
	}
}

func TestScanStructNameResolution(t *testing.T) {
	src := []interface{}{"A", []byte("1"), "C", []byte("2"), "x", []byte("3")}

	var shallow shallowerWins
	var hidden sameDepthHides
	var tags sameTagsHide
	for _, dest := range []interface{}{&shallow, &hidden, &tags} {
		if err := ScanStruct(src, dest); err != nil {
			t.Fatal(err)
		}
	}
	if shallow.A != 1 || shallow.innerFields.A != 0 {
		t.Errorf("the shallower field should win: %+v", shallow)
	}
	if hidden.innerFields.A != 0 || hidden.otherInner.A != 0 || hidden.C != 2 {
		t.Errorf("fields of the same name and depth should hide each other: %+v", hidden)
	}
	if tags != (sameTagsHide{}) {
		t.Errorf("fields of the same tag should hide each other: %+v", tags)
	}
}

func TestScanSlice(t *testing.T) {
	var ints []int
	if err := ScanSlice([]interface{}{[]byte("1"), int64(2), nil}, &ints); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ints, []int{1, 2, 0}) {
		t.Errorf("ints = %v", ints)
	}

	src := []interface{}{[]byte("1"), []byte("one"), []byte("2"), nil}
	var values []innerFields
	if err := ScanSlice(src, &values); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(values, []innerFields{{1, "one"}, {2, ""}}) {
		t.Errorf("values = %+v", values)
	}

	var pointers []*innerFields
	if err := ScanSlice(src, &pointers, "bee", "A"); err == nil ||
		err.Error() != `redigo.ScanSlice: cannot assign element 1 to field A: strconv.ParseInt: parsing "one": invalid syntax` {
		t.Errorf("fields in the wrong order: err = %v", err)
	}
	pointers = nil
	if err := ScanSlice([]interface{}{[]byte("x"), []byte("1")}, &pointers, "bee", "A"); err != nil {
		t.Fatal(err)
	}
	if len(pointers) != 1 || *pointers[0] != (innerFields{1, "x"}) {
		t.Errorf("pointers = %+v", pointers)
	}

	// Unlike upstream, ScanSlice allocates embedded pointers, as ScanStruct.
	var embeds []embeddedPointer
	if err := ScanSlice([]interface{}{[]byte("1"), []byte("b"), []byte("2")}, &embeds); err != nil {
		t.Fatal(err)
	}
	if len(embeds) != 1 || embeds[0].DiffInner == nil || *embeds[0].DiffInner != (DiffInner{1, "b"}) || embeds[0].X != 2 {
		t.Errorf("embeds = %+v", embeds)
	}

	var scanners []upperScanner
	if err := ScanSlice([]interface{}{[]byte("a"), []byte("b")}, &scanners); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(scanners, []upperScanner{"A", "B"}) {
		t.Errorf("scanners = %v", scanners)
	}

	for _, c := range []struct {
		src     []interface{}
		dest    interface{}
		fields  []string
		wantErr string
	}{
		{nil, []int{}, nil, "redigo.ScanSlice: dest must be non-nil pointer to a struct"},
		{nil, &innerFields{}, nil, "redigo.ScanSlice: dest must be non-nil pointer to a struct"},
		{[]interface{}{[]byte("1")}, &[]innerFields{}, nil, "redigo.ScanSlice: length not a multiple of struct field count"},
		{nil, &[]innerFields{}, []string{"B"}, "redigo.ScanSlice: ScanSlice bad field name B"},
		{nil, &[]struct{ a int }{}, nil, "redigo.ScanSlice: no struct fields"},
		{[]interface{}{[]byte("x")}, &[]int{}, nil,
			`redigo.ScanSlice: cannot assign element 0: strconv.ParseInt: parsing "x": invalid syntax`},
		{nil, &[]badTag{}, nil, "redigo.ScanSlice: unknown field tag bogus for type badTag"},
	} {
		if err := ScanSlice(c.src, c.dest, c.fields...); err == nil || err.Error() != c.wantErr {
			t.Errorf("ScanSlice(%q, %T, %q): err = %v, want %q", c.src, c.dest, c.fields, err, c.wantErr)
		}
	}
}

func TestArgsAddFlat(t *testing.T) {
	type reading struct {
		Sensor   string `redis:"sensor"`
		Temp     celsius
		Unit     string `redis:"unit,omitempty"`
		Note     *string
		Count    *int
		Internal int `redis:"-"`
		//lint:ignore U1000 unexported fields must be left alone by scanning
		private int
		*DiffInner
	}
	count := 3
	for _, c := range []struct {
		v    interface{}
		want Args
	}{
		{reading{Sensor: "s1", Temp: 21.5, Count: &count}, Args{"cmd", "sensor", "s1", "Temp", "21.5C", "Count", 3}},
		{&reading{Unit: "C", DiffInner: &DiffInner{1, "b"}},
			Args{"cmd", "sensor", "", "Temp", "0C", "unit", "C", "A", 1, "bee", "b"}},
		{(*reading)(nil), Args{"cmd"}},
		{map[string]int{"k": 1}, Args{"cmd", "k", 1}},
		{[]string{"a", "b"}, Args{"cmd", "a", "b"}},
		{[]byte("ab"), Args{"cmd", byte('a'), byte('b')}},
		{[2]int{1, 2}, Args{"cmd", [2]int{1, 2}}},
		{&count, Args{"cmd", &count}},
		{nil, Args{"cmd", nil}},
	} {
		if got := (Args{"cmd"}).AddFlat(c.v); !reflect.DeepEqual(got, c.want) {
			t.Errorf("AddFlat(%#v) = %#v, want %#v", c.v, got, c.want)
		}
	}

	if got := (Args{"cmd"}).Add(1, "two").Add(); !reflect.DeepEqual(got, Args{"cmd", 1, "two"}) {
		t.Errorf("Add = %#v", got)
	}
}

func TestArgsAddFlatPanicsOnBadStructs(t *testing.T) {
	for _, c := range []struct {
		v         interface{}
		wantPanic string
	}{
		{recursiveEmbed{}, "redigo.AddFlat: compile struct: redis.recursiveEmbed: recursive struct definition for redis.recursiveEmbed"},
		{recursiveInside{}, "redigo.AddFlat: compile struct: redis.recursiveInside: recursive struct definition for redis.recursiveEmbed"},
		{badTagEmbedded{}, "redigo: unknown field tag bogus for type badTag"},
	} {
		func() {
			defer func() {
				err, _ := recover().(error)
				if err == nil || err.Error() != c.wantPanic {
					t.Errorf("AddFlat(%T): recovered %v, want %q", c.v, err, c.wantPanic)
				}
			}()
			Args{}.AddFlat(c.v)
		}()
	}
	// A recursive type reached through a named field is fine.
	if got := (Args{}).AddFlat(recursiveField{A: 1}); !reflect.DeepEqual(got, Args{"A", 1}) {
		t.Errorf("AddFlat(recursiveField) = %#v", got)
	}
}

// The struct spec cache is shared: compiling and reading it from many
// goroutines at once must be race-free.
func TestStructSpecsConcurrently(t *testing.T) {
	type fresh struct {
		A int
		B string `redis:"b"`
		DiffInner
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var v fresh
			if err := ScanStruct([]interface{}{"A", []byte(fmt.Sprint(i)), "b", "x", "bee", "y"}, &v); err != nil {
				errs <- err
				return
			}
			if v.A != i || v.B != "x" || v.DiffInner.B != "y" {
				errs <- fmt.Errorf("goroutine %d: got %+v", i, v)
			}
			if got := len(Args{}.AddFlat(v)); got != 6 { // A, b, bee: DiffInner.A is hidden
				errs <- fmt.Errorf("goroutine %d: AddFlat gave %d args", i, got)
			}
			var vs []fresh
			if err := ScanSlice([]interface{}{[]byte("1"), "x", "y"}, &vs); err != nil {
				errs <- err
			}
			if err := ScanStruct(nil, &recursiveViaOther{}); err == nil {
				errs <- errors.New("recursive type accepted")
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
