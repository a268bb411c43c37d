package redis_test

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
)

func TestScalarHelpers(t *testing.T) {
	tests := []struct {
		name    string
		got     func() (interface{}, error)
		want    interface{}
		wantErr string
	}{
		{"Int integer", func() (interface{}, error) { return redis.Int(int64(-42), nil) }, -42, ""},
		{"Int bulk", func() (interface{}, error) { return redis.Int([]byte("123"), nil) }, 123, ""},
		{"Int bulk float", func() (interface{}, error) { return redis.Int([]byte("1.5"), nil) }, 0, `strconv.ParseInt: parsing "1.5": invalid syntax`},
		{"Int status", func() (interface{}, error) { return redis.Int("OK", nil) }, 0, "redigo: unexpected type for Int, got type string"},
		{"Int64 bulk", func() (interface{}, error) { return redis.Int64([]byte("-9223372036854775808"), nil) }, int64(math.MinInt64), ""},
		// The clamped value comes back with the range error, as upstream.
		{"Int64 overflow", func() (interface{}, error) { return redis.Int64([]byte("9223372036854775808"), nil) }, int64(math.MaxInt64), `strconv.ParseInt: parsing "9223372036854775808": value out of range`},
		{"Uint64 integer", func() (interface{}, error) { return redis.Uint64(int64(7), nil) }, uint64(7), ""},
		{"Uint64 negative", func() (interface{}, error) { return redis.Uint64(int64(-7), nil) }, uint64(0), "redigo: unexpected negative value -7 for Uint64"},
		{"Uint64 bulk max", func() (interface{}, error) { return redis.Uint64([]byte("18446744073709551615"), nil) }, uint64(math.MaxUint64), ""},
		{"Float64 bulk", func() (interface{}, error) { return redis.Float64([]byte("3.25"), nil) }, 3.25, ""},
		{"Float64 inf", func() (interface{}, error) { return redis.Float64([]byte("inf"), nil) }, math.Inf(1), ""},
		{"Float64 integer", func() (interface{}, error) { return redis.Float64(int64(1), nil) }, 0.0, "redigo: unexpected type for Float64, got type int64"},
		{"String bulk", func() (interface{}, error) { return redis.String([]byte("hello"), nil) }, "hello", ""},
		{"String status", func() (interface{}, error) { return redis.String("OK", nil) }, "OK", ""},
		{"String integer", func() (interface{}, error) { return redis.String(int64(1), nil) }, "", "redigo: unexpected type for String, got type int64"},
		{"Bytes status", func() (interface{}, error) { return redis.Bytes("OK", nil) }, []byte("OK"), ""},
		{"Bytes array", func() (interface{}, error) { return redis.Bytes([]interface{}{}, nil) }, []byte(nil), "redigo: unexpected type for Bytes, got type []interface {}"},
		{"Bool integer", func() (interface{}, error) { return redis.Bool(int64(2), nil) }, true, ""},
		{"Bool zero", func() (interface{}, error) { return redis.Bool(int64(0), nil) }, false, ""},
		{"Bool bulk", func() (interface{}, error) { return redis.Bool([]byte("t"), nil) }, true, ""},
		{"Bool bad bulk", func() (interface{}, error) { return redis.Bool([]byte("yes"), nil) }, false, `strconv.ParseBool: parsing "yes": invalid syntax`},
		{"Bool status", func() (interface{}, error) { return redis.Bool("1", nil) }, false, "redigo: unexpected type for Bool, got type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("value %#v, want %#v", got, tt.want)
			}
			if tt.wantErr == "" && err != nil {
				t.Errorf("error %v, want none", err)
			}
			if tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// everyHelper calls each helper, discarding its value.
var everyHelper = map[string]func(interface{}, error) error{
	"Int":              func(r interface{}, err error) error { _, err = redis.Int(r, err); return err },
	"Int64":            func(r interface{}, err error) error { _, err = redis.Int64(r, err); return err },
	"Uint64":           func(r interface{}, err error) error { _, err = redis.Uint64(r, err); return err },
	"Float64":          func(r interface{}, err error) error { _, err = redis.Float64(r, err); return err },
	"String":           func(r interface{}, err error) error { _, err = redis.String(r, err); return err },
	"Bytes":            func(r interface{}, err error) error { _, err = redis.Bytes(r, err); return err },
	"Bool":             func(r interface{}, err error) error { _, err = redis.Bool(r, err); return err },
	"MultiBulk":        func(r interface{}, err error) error { _, err = redis.MultiBulk(r, err); return err },
	"Values":           func(r interface{}, err error) error { _, err = redis.Values(r, err); return err },
	"Float64s":         func(r interface{}, err error) error { _, err = redis.Float64s(r, err); return err },
	"Strings":          func(r interface{}, err error) error { _, err = redis.Strings(r, err); return err },
	"ByteSlices":       func(r interface{}, err error) error { _, err = redis.ByteSlices(r, err); return err },
	"Int64s":           func(r interface{}, err error) error { _, err = redis.Int64s(r, err); return err },
	"Ints":             func(r interface{}, err error) error { _, err = redis.Ints(r, err); return err },
	"Uint64s":          func(r interface{}, err error) error { _, err = redis.Uint64s(r, err); return err },
	"StringMap":        func(r interface{}, err error) error { _, err = redis.StringMap(r, err); return err },
	"IntMap":           func(r interface{}, err error) error { _, err = redis.IntMap(r, err); return err },
	"Int64Map":         func(r interface{}, err error) error { _, err = redis.Int64Map(r, err); return err },
	"Uint64Map":        func(r interface{}, err error) error { _, err = redis.Uint64Map(r, err); return err },
	"Float64Map":       func(r interface{}, err error) error { _, err = redis.Float64Map(r, err); return err },
	"Positions":        func(r interface{}, err error) error { _, err = redis.Positions(r, err); return err },
	"SlowLogs":         func(r interface{}, err error) error { _, err = redis.SlowLogs(r, err); return err },
	"Latencies":        func(r interface{}, err error) error { _, err = redis.Latencies(r, err); return err },
	"LatencyHistories": func(r interface{}, err error) error { _, err = redis.LatencyHistories(r, err); return err },
}

func TestHelpersPassThroughCallError(t *testing.T) {
	callErr := errors.New("read: connection reset")
	for name, helper := range everyHelper {
		// Even a reply that would convert fine is ignored.
		for _, reply := range []interface{}{[]byte("1"), []interface{}{}} {
			if err := helper(reply, callErr); err != callErr {
				t.Errorf("%s(%q, callErr) error = %v, want callErr itself", name, reply, err)
			}
		}
	}
}

func TestHelpersNilReplyIsErrNil(t *testing.T) {
	for name, helper := range everyHelper {
		if err := helper(nil, nil); err != redis.ErrNil {
			t.Errorf("%s(nil, nil) error = %v, want ErrNil", name, err)
		}
	}
}

func TestHelpersReturnErrorReply(t *testing.T) {
	reply := redis.Error("WRONGTYPE Operation against a key holding the wrong kind of value")
	for name, helper := range everyHelper {
		if err := helper(reply, nil); err != reply {
			t.Errorf("%s(Error, nil) error = %#v, want the Error reply itself", name, err)
		}
	}
}

func TestBytesAndValuesReturnReplyAsIs(t *testing.T) {
	b := []byte("payload")
	got, err := redis.Bytes(b, nil)
	if err != nil || &got[0] != &b[0] {
		t.Errorf("Bytes copied the bulk string (err %v)", err)
	}
	a := []interface{}{b, int64(1)}
	values, err := redis.Values(a, nil)
	if err != nil || &values[0] != &a[0] {
		t.Errorf("Values copied the array (err %v)", err)
	}
	values, err = redis.MultiBulk(a, nil)
	if err != nil || &values[0] != &a[0] {
		t.Errorf("MultiBulk copied the array (err %v)", err)
	}
	if _, err := redis.Values("OK", nil); err == nil || err.Error() != "redigo: unexpected type for Values, got type string" {
		t.Errorf("Values(status) error = %v", err)
	}
}

func TestSliceHelpers(t *testing.T) {
	// An MGET-style reply: a nil for a missing key.
	mget := []interface{}{[]byte("1"), nil, []byte("-3")}
	if got, err := redis.Strings(mget, nil); err != nil || !reflect.DeepEqual(got, []string{"1", "", "-3"}) {
		t.Errorf("Strings = %q, %v", got, err)
	}
	if got, err := redis.ByteSlices(mget, nil); err != nil || !reflect.DeepEqual(got, [][]byte{[]byte("1"), nil, []byte("-3")}) {
		t.Errorf("ByteSlices = %q, %v", got, err)
	}
	if got, err := redis.Ints(mget, nil); err != nil || !reflect.DeepEqual(got, []int{1, 0, -3}) {
		t.Errorf("Ints = %v, %v", got, err)
	}
	if got, err := redis.Int64s([]interface{}{int64(5), []byte("6")}, nil); err != nil || !reflect.DeepEqual(got, []int64{5, 6}) {
		t.Errorf("Int64s = %v, %v", got, err)
	}
	if got, err := redis.Float64s([]interface{}{[]byte("1.5"), nil}, nil); err != nil || !reflect.DeepEqual(got, []float64{1.5, 0}) {
		t.Errorf("Float64s = %v, %v", got, err)
	}
	if got, err := redis.Uint64s([]interface{}{[]byte("18446744073709551615")}, nil); err != nil || !reflect.DeepEqual(got, []uint64{math.MaxUint64}) {
		t.Errorf("Uint64s = %v, %v", got, err)
	}
	if got, err := redis.Strings([]interface{}{}, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Strings(empty array) = %#v, %v; want an empty, non-nil slice", got, err)
	}

	// A bad element stops the conversion; what was converted comes back.
	got, err := redis.Int64s([]interface{}{[]byte("1"), []byte("x"), []byte("3")}, nil)
	if !reflect.DeepEqual(got, []int64{1, 0, 0}) {
		t.Errorf("Int64s with a bad element = %v, want [1 0 0]", got)
	}
	var numErr *strconv.NumError
	if !errors.As(err, &numErr) || numErr.Num != "x" {
		t.Errorf("Int64s with a bad element: error %v, want a *strconv.NumError for %q", err, "x")
	}
	if _, err := redis.Uint64s([]interface{}{int64(1)}, nil); err == nil || err.Error() != "redigo: unexpected element type for Uint64s, got type int64" {
		t.Errorf("Uint64s(integer element) error = %v", err)
	}
	elemErr := redis.Error("ERR inside")
	if _, err := redis.Strings([]interface{}{[]byte("a"), elemErr}, nil); err != elemErr {
		t.Errorf("Strings with an Error element: error %v, want the element", err)
	}
	if _, err := redis.Float64s(int64(1), nil); err == nil || err.Error() != "redigo: unexpected type for Float64s, got type int64" {
		t.Errorf("Float64s(integer) error = %v", err)
	}
}

func TestMapHelpers(t *testing.T) {
	hgetall := []interface{}{[]byte("a"), []byte("1"), []byte("b"), []byte("22")}
	if got, err := redis.StringMap(hgetall, nil); err != nil || !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "22"}) {
		t.Errorf("StringMap = %v, %v", got, err)
	}
	if got, err := redis.IntMap(hgetall, nil); err != nil || !reflect.DeepEqual(got, map[string]int{"a": 1, "b": 22}) {
		t.Errorf("IntMap = %v, %v", got, err)
	}
	if got, err := redis.Int64Map(hgetall, nil); err != nil || !reflect.DeepEqual(got, map[string]int64{"a": 1, "b": 22}) {
		t.Errorf("Int64Map = %v, %v", got, err)
	}
	if got, err := redis.Uint64Map(hgetall, nil); err != nil || !reflect.DeepEqual(got, map[string]uint64{"a": 1, "b": 22}) {
		t.Errorf("Uint64Map = %v, %v", got, err)
	}
	if got, err := redis.Float64Map(hgetall, nil); err != nil || !reflect.DeepEqual(got, map[string]float64{"a": 1, "b": 22}) {
		t.Errorf("Float64Map = %v, %v", got, err)
	}
	// Integer values are taken by the numeric maps only.
	withInt := []interface{}{[]byte("n"), int64(-4)}
	if got, err := redis.IntMap(withInt, nil); err != nil || got["n"] != -4 {
		t.Errorf("IntMap(integer value) = %v, %v", got, err)
	}
	if _, err := redis.StringMap(withInt, nil); err == nil || err.Error() != `redigo: StringMap for "n" not a bulk string value, got int64` {
		t.Errorf("StringMap(integer value) error = %v", err)
	}

	if got, err := redis.StringMap(hgetall[:3], nil); got != nil || err == nil || err.Error() != "redigo: StringMap expects even number of values result, got 3" {
		t.Errorf("StringMap(odd count) = %v, %v", got, err)
	}
	badKey := []interface{}{[]byte("a"), []byte("1"), "status", []byte("2")}
	got, err := redis.IntMap(badKey, nil)
	if err == nil || err.Error() != "redigo: IntMap key[2] not a bulk string value, got string" {
		t.Errorf("IntMap(status key) error = %v", err)
	}
	if !reflect.DeepEqual(got, map[string]int{"a": 1}) {
		t.Errorf("IntMap(status key) = %v; want the entries before the bad key", got)
	}
	if _, err := redis.Float64Map([]interface{}{[]byte("k"), nil}, nil); err != redis.ErrNil {
		t.Errorf("Float64Map(nil value) error = %v, want ErrNil", err)
	}
}

func TestPositions(t *testing.T) {
	reply := []interface{}{
		[]interface{}{[]byte("13.361389"), []byte("38.115556")},
		nil, // a member that does not exist
	}
	got, err := redis.Positions(reply, nil)
	if err != nil || len(got) != 2 || got[0] == nil || *got[0] != [2]float64{13.361389, 38.115556} || got[1] != nil {
		t.Fatalf("Positions = %v, %v", got, err)
	}
	_, err = redis.Positions([]interface{}{[]interface{}{[]byte("1")}}, nil)
	if err == nil || err.Error() != "redigo: unexpected number of values for a member position, got 1" {
		t.Errorf("Positions(one coordinate) error = %v", err)
	}
	_, err = redis.Positions([]interface{}{[]byte("1")}, nil)
	if err == nil || err.Error() != "redigo: unexpected element type for interface slice, got type []uint8" {
		t.Errorf("Positions(bulk element) error = %v", err)
	}
}

func TestSlowLogs(t *testing.T) {
	reply := []interface{}{
		// Redis 4.0 and later: client address and name.
		[]interface{}{int64(14), int64(1700000000), int64(1500), []interface{}{[]byte("KEYS"), []byte("*")}, []byte("127.0.0.1:58217"), []byte("worker")},
		// Older servers stop after the arguments.
		[]interface{}{int64(13), int64(1699999999), int64(20), []interface{}{[]byte("PING")}},
	}
	got, err := redis.SlowLogs(reply, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []redis.SlowLog{
		{ID: 14, Time: time.Unix(1700000000, 0), ExecutionTime: 1500 * time.Microsecond, Args: []string{"KEYS", "*"}, ClientAddr: "127.0.0.1:58217", ClientName: "worker"},
		{ID: 13, Time: time.Unix(1699999999, 0), ExecutionTime: 20 * time.Microsecond, Args: []string{"PING"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SlowLogs =\n%+v\nwant\n%+v", got, want)
	}

	short := []interface{}{[]interface{}{int64(1), int64(2), int64(3)}}
	if _, err := redis.SlowLogs(short, nil); err == nil || err.Error() != "redigo: slowlog element has 3 elements, expected at least 4" {
		t.Errorf("SlowLogs(3 fields) error = %v", err)
	}
	// Field errors wrap the cause.
	nilName := []interface{}{[]interface{}{int64(1), int64(2), int64(3), []interface{}{}, []byte("addr"), nil}}
	_, err = redis.SlowLogs(nilName, nil)
	if !errors.Is(err, redis.ErrNil) || err.Error() != "redigo: slowlog element[5] is not a string: redigo: nil returned" {
		t.Errorf("SlowLogs(nil client name) error = %v, want one wrapping ErrNil", err)
	}
	errArg := []interface{}{[]interface{}{int64(1), int64(2), int64(3), []interface{}{redis.Error("ERR arg")}}}
	var replyErr redis.Error
	if _, err := redis.SlowLogs(errArg, nil); !errors.As(err, &replyErr) || replyErr != "ERR arg" {
		t.Errorf("SlowLogs(Error argument) error = %v, want one wrapping the Error", err)
	}
	badID := []interface{}{[]interface{}{[]byte("1"), int64(2), int64(3), []interface{}{}}}
	if _, err := redis.SlowLogs(badID, nil); err == nil || err.Error() != "redigo: slowlog element[0] not an int64, got []uint8" {
		t.Errorf("SlowLogs(bulk ID) error = %v", err)
	}
}

func TestLatencies(t *testing.T) {
	reply := []interface{}{[]interface{}{[]byte("command"), int64(1700000000), int64(15), int64(250)}}
	got, err := redis.Latencies(reply, nil)
	want := []redis.Latency{{Name: "command", Time: time.Unix(1700000000, 0), Latest: 15 * time.Millisecond, Max: 250 * time.Millisecond}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Latencies = %+v, %v; want %+v", got, err, want)
	}
	if got, err := redis.Latencies([]interface{}{}, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Latencies(no events) = %#v, %v; want an empty, non-nil slice", got, err)
	}
	long := []interface{}{[]interface{}{[]byte("command"), int64(1), int64(2), int64(3), int64(4)}}
	if _, err := redis.Latencies(long, nil); err == nil || err.Error() != "redigo: latencies element has 5 elements, expected 4" {
		t.Errorf("Latencies(5 fields) error = %v", err)
	}
	nilName := []interface{}{[]interface{}{nil, int64(1), int64(2), int64(3)}}
	if _, err := redis.Latencies(nilName, nil); !errors.Is(err, redis.ErrNil) {
		t.Errorf("Latencies(nil name) error = %v, want one wrapping ErrNil", err)
	}
}

func TestLatencyHistories(t *testing.T) {
	reply := []interface{}{
		[]interface{}{int64(1700000000), int64(15)},
		[]interface{}{int64(1700000005), int64(3)},
	}
	got, err := redis.LatencyHistories(reply, nil)
	want := []redis.LatencyHistory{
		{Time: time.Unix(1700000000, 0), ExecutionTime: 15 * time.Millisecond},
		{Time: time.Unix(1700000005, 0), ExecutionTime: 3 * time.Millisecond},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LatencyHistories = %+v, %v; want %+v", got, err, want)
	}
	// Upstream panics on these; ours reports them.
	for _, entry := range [][]interface{}{{}, {int64(1)}} {
		_, err := redis.LatencyHistories([]interface{}{entry}, nil)
		if err == nil {
			t.Errorf("LatencyHistories(%v) returned no error", entry)
		}
	}
	if _, err := redis.LatencyHistories([]interface{}{[]byte("x")}, nil); err == nil || err.Error() != "redigo: latency history element is not an slice, got []uint8" {
		t.Errorf("LatencyHistories(bulk element) error = %v", err)
	}
}
