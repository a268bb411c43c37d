package redis

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrNil is the error a reply helper returns for a nil reply: GET of a
// missing key, BLPOP whose timeout ran out, EXEC of a transaction that a
// WATCH aborted. It is returned as is, never wrapped, so err == ErrNil works.
//
// All reply helpers (Int, String, Values, StringMap, SlowLogs, ...) take the
// two results of Do or Receive and follow the same rules, in this order:
//
//  1. A non-nil err is returned unchanged, with the zero value.
//  2. A nil reply gives ErrNil.
//  3. An error reply (the server's "-ERR ..." line) is returned as the
//     error, of type Error.
//  4. A reply of a type the helper takes is converted. A conversion that
//     fails (strconv cannot parse a bulk string, say) returns the value the
//     parser produced together with the parser's error.
//  5. Any other type is the error "redigo: unexpected type for NAME, got
//     type T", NAME being the helper and T the reply's Go type.
var ErrNil = errors.New("redigo: nil returned")

// decoder and convert implement the rules of ErrNil's comment; each helper
// only says which reply types it takes and how.

// decoder tells how one helper turns each kind of reply value into a T. A
// nil func means the helper does not take that kind.
type decoder[T any] struct {
	integer func(int64) (T, error)         // ":" replies
	bulk    func([]byte) (T, error)        // "$" replies
	status  func(string) (T, error)        // "+" replies
	array   func([]interface{}) (T, error) // "*" replies
	// goUint64 takes a Go uint64, which no server reply is but a value
	// built by hand can be: upstream's Uint64s accepts one as an element.
	goUint64 func(uint64) (T, error)
}

// decode converts v with d. ok is false when d does not take v's type.
func (d decoder[T]) decode(v interface{}) (t T, ok bool, err error) {
	switch v := v.(type) {
	case int64:
		return apply(d.integer, v)
	case []byte:
		return apply(d.bulk, v)
	case string:
		return apply(d.status, v)
	case []interface{}:
		return apply(d.array, v)
	case uint64:
		return apply(d.goUint64, v)
	}
	return t, false, nil
}

// apply runs f on v, or reports ok=false when there is no f.
func apply[V, T any](f func(V) (T, error), v V) (t T, ok bool, err error) {
	if f == nil {
		return t, false, nil
	}
	t, err = f(v)
	return t, true, err
}

// convert applies ErrNil's rules to one reply, for the helper called name.
func convert[T any](name string, reply interface{}, err error, d decoder[T]) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	switch r := reply.(type) {
	case nil:
		return zero, ErrNil
	case Error:
		return zero, r
	}
	t, ok, err := d.decode(reply)
	if !ok {
		return zero, fmt.Errorf("redigo: unexpected type for %s, got type %T", name, reply)
	}
	return t, err
}

// convertEach applies ErrNil's rules to an array reply as a whole, then
// converts its elements one by one with d. A nil element is left as T's zero
// value. The first element that fails stops the conversion: an Error element
// is returned as the error, an element of a type d does not take gives
// "redigo: unexpected element type for NAME, got type T", and a parse error
// is returned as is. The slice converted so far (the failing element
// included, when it parsed to something) comes back with that error.
func convertEach[T any](name string, reply interface{}, err error, d decoder[T]) ([]T, error) {
	items, err := convert(name, reply, err, asArray)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, item := range items {
		if item == nil {
			continue
		}
		if e, isErr := item.(Error); isErr {
			return out, e
		}
		t, ok, err := d.decode(item)
		if !ok {
			return out, fmt.Errorf("redigo: unexpected element type for %s, got type %T", name, item)
		}
		out[i] = t
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Conversions shared by the decoders.

func same[T any](v T) (T, error) { return v, nil }

func bulkToString(b []byte) (string, error) { return string(b), nil }

func parseInt64(b []byte) (int64, error) { return strconv.ParseInt(string(b), 10, 64) }

func parseUint64(b []byte) (uint64, error) { return strconv.ParseUint(string(b), 10, 64) }

func parseFloat64(b []byte) (float64, error) { return strconv.ParseFloat(string(b), 64) }

// integerToInt is n as an int: 0 and strconv.ErrRange where int has 32 bits
// and n does not fit.
func integerToInt(n int64) (int, error) {
	if int64(int(n)) != n {
		return 0, strconv.ErrRange
	}
	return int(n), nil
}

// The decoders of the helpers; a slice helper shares its scalar's decoder
// where upstream converts the elements the same way.
var (
	asInt = decoder[int]{
		integer: integerToInt,
		bulk: func(b []byte) (int, error) {
			n, err := strconv.ParseInt(string(b), 10, 0) // clamped on overflow
			return int(n), err
		},
	}
	asInt64  = decoder[int64]{integer: same[int64], bulk: parseInt64}
	asUint64 = decoder[uint64]{
		integer: func(n int64) (uint64, error) {
			if n < 0 {
				return 0, fmt.Errorf("redigo: unexpected negative value %v for Uint64", n)
			}
			return uint64(n), nil
		},
		bulk: parseUint64,
	}
	asFloat64 = decoder[float64]{bulk: parseFloat64}
	asString  = decoder[string]{bulk: bulkToString, status: same[string]}
	asBytes   = decoder[[]byte]{bulk: same[[]byte], status: func(s string) ([]byte, error) { return []byte(s), nil }}
	asBool    = decoder[bool]{
		integer: func(n int64) (bool, error) { return n != 0, nil },
		bulk:    func(b []byte) (bool, error) { return strconv.ParseBool(string(b)) },
	}
	asArray = decoder[[]interface{}]{array: same[[]interface{}]}

	// Element decoders that differ from their scalar's.
	bulkOnly  = decoder[[]byte]{bulk: same[[]byte]}
	intsElems = decoder[int]{
		integer: integerToInt,
		bulk:    func(b []byte) (int, error) { return strconv.Atoi(string(b)) },
	}
	uint64sElems = decoder[uint64]{goUint64: same[uint64], bulk: parseUint64}
)

// Int converts an integer reply to an int, or parses a bulk string as a
// base-10 integer with strconv.ParseInt. An integer reply too large for an
// int (possible only where int has 32 bits) gives 0 and strconv.ErrRange; a
// bulk string too large gives the clamped value with strconv's range error.
// Nil, error replies and other types follow ErrNil's rules.
func Int(reply interface{}, err error) (int, error) { return convert("Int", reply, err, asInt) }

// Int64 returns an integer reply as is, or parses a bulk string as a base-10
// integer; a string out of range gives the clamped value with strconv's
// range error. Nil, error replies and other types follow ErrNil's rules.
func Int64(reply interface{}, err error) (int64, error) {
	return convert("Int64", reply, err, asInt64)
}

// Uint64 converts a non-negative integer reply to a uint64, or parses a bulk
// string as an unsigned base-10 integer. A negative integer gives 0 and the
// error "redigo: unexpected negative value N for Uint64". Nil, error
// replies and other types follow ErrNil's rules.
func Uint64(reply interface{}, err error) (uint64, error) {
	return convert("Uint64", reply, err, asUint64)
}

// Float64 parses a bulk string (the form of INCRBYFLOAT and ZSCORE replies)
// with strconv.ParseFloat; "inf" and "-inf" are the infinities. An integer
// reply is not accepted. Nil, error replies and other types follow ErrNil's
// rules.
func Float64(reply interface{}, err error) (float64, error) {
	return convert("Float64", reply, err, asFloat64)
}

// String returns a bulk string or a status reply ("OK", "PONG") as a
// string. Integer replies are not converted. Nil, error replies and other
// types follow ErrNil's rules.
func String(reply interface{}, err error) (string, error) {
	return convert("String", reply, err, asString)
}

// Bytes returns a bulk string as is (the reply's own bytes, not a copy) and
// a status reply as a new []byte. Nil, error replies and other types follow
// ErrNil's rules.
func Bytes(reply interface{}, err error) ([]byte, error) {
	return convert("Bytes", reply, err, asBytes)
}

// Bool converts an integer reply to true unless it is 0 (EXISTS,
// SISMEMBER), or parses a bulk string with strconv.ParseBool ("1", "t",
// "true", "0", "f", "false", ...). Nil, error replies and other types
// follow ErrNil's rules.
func Bool(reply interface{}, err error) (bool, error) { return convert("Bool", reply, err, asBool) }

// MultiBulk is Values under its old name.
//
// Deprecated: Use Values instead.
func MultiBulk(reply interface{}, err error) ([]interface{}, error) { return Values(reply, err) }

// Values returns an array reply as is: its elements keep their reply types,
// for Scan or the other helpers to convert. Nil, error replies and other
// types follow ErrNil's rules.
func Values(reply interface{}, err error) ([]interface{}, error) {
	return convert("Values", reply, err, asArray)
}

// The slice helpers below take the array reply as a whole by ErrNil's rules
// (a nil array is ErrNil), then convert its elements in order. A nil
// element gives the element type's zero value. The first element that does
// not convert ends the conversion, and the slice converted so far comes
// back with the error: an error reply element is returned as the error, an
// element of a type the helper does not take gives "redigo: unexpected
// element type for NAME, got type T", and a parse error is strconv's (the
// element then holds what strconv returned).

// Float64s converts an array of bulk strings, each parsed with
// strconv.ParseFloat, to a []float64: the scores of ZRANGE ... WITHSCORES,
// say. Nil elements give 0; other element types are errors.
func Float64s(reply interface{}, err error) ([]float64, error) {
	return convertEach("Float64s", reply, err, asFloat64)
}

// Strings converts an array of bulk strings or status replies to a
// []string (KEYS, SMEMBERS, LRANGE). Nil elements give ""; other element
// types, integers included, are errors.
func Strings(reply interface{}, err error) ([]string, error) {
	return convertEach("Strings", reply, err, asString)
}

// ByteSlices converts an array of bulk strings to a [][]byte, each element
// the reply's own bytes. Nil elements stay nil; other element types, status
// replies included, are errors.
func ByteSlices(reply interface{}, err error) ([][]byte, error) {
	return convertEach("ByteSlices", reply, err, bulkOnly)
}

// Int64s converts an array of integers, or of bulk strings parsed as
// base-10 integers, to a []int64. Nil elements give 0; other element types
// are errors.
func Int64s(reply interface{}, err error) ([]int64, error) {
	return convertEach("Int64s", reply, err, asInt64)
}

// Ints converts an array of integers, or of bulk strings parsed with
// strconv.Atoi, to a []int. An integer too large for an int (where int has
// 32 bits) is strconv.ErrRange. Nil elements give 0; other element types
// are errors.
func Ints(reply interface{}, err error) ([]int, error) {
	return convertEach("Ints", reply, err, intsElems)
}

// Uint64s converts an array of bulk strings, parsed as unsigned base-10
// integers, to a []uint64. Nil elements give 0. As upstream, integer
// replies are not accepted as elements (they could be negative), nor are
// other types.
func Uint64s(reply interface{}, err error) ([]uint64, error) {
	return convertEach("Uint64s", reply, err, uint64sElems)
}

// The map helpers below convert an array of alternating keys and values
// (HGETALL, CONFIG GET) to a map. The array is taken as Values takes it (so
// a reply of another type is "redigo: unexpected type for Values, ..."). An
// odd number of elements is an error, with a nil map. Every key must be a
// bulk string; a later duplicate key overwrites the earlier value. On the
// first bad key or value the map filled so far comes back with the error.

// convertPairs is the map helpers' loop; value converts the value of key.
func convertPairs[T any](name string, reply interface{}, err error, value func(key string, v interface{}) (T, error)) (map[string]T, error) {
	items, err := Values(reply, err)
	if err != nil {
		return nil, err
	}
	if len(items)%2 != 0 {
		return nil, fmt.Errorf("redigo: %s expects even number of values result, got %d", name, len(items))
	}
	m := make(map[string]T, len(items)/2)
	for k := 0; k+1 < len(items); k += 2 {
		key, ok := items[k].([]byte)
		if !ok {
			return m, fmt.Errorf("redigo: %s key[%d] not a bulk string value, got %T", name, k, items[k])
		}
		v, err := value(string(key), items[k+1])
		if err != nil {
			return m, err
		}
		m[string(key)] = v
	}
	return m, nil
}

// byValue adapts a scalar helper to convertPairs.
func byValue[T any](helper func(interface{}, error) (T, error)) func(string, interface{}) (T, error) {
	return func(_ string, v interface{}) (T, error) { return helper(v, nil) }
}

// StringMap converts alternating keys and values, all bulk strings, to a
// map[string]string. A value that is not a bulk string (nil included) is
// the error "redigo: StringMap for KEY not a bulk string value, ...".
func StringMap(reply interface{}, err error) (map[string]string, error) {
	return convertPairs("StringMap", reply, err, func(key string, v interface{}) (string, error) {
		b, ok := v.([]byte)
		if !ok {
			return "", fmt.Errorf("redigo: StringMap for %q not a bulk string value, got %T", key, v)
		}
		return string(b), nil
	})
}

// IntMap converts alternating keys and values to a map[string]int, each
// value as Int converts it (a nil value is ErrNil).
func IntMap(result interface{}, err error) (map[string]int, error) {
	return convertPairs("IntMap", result, err, byValue(Int))
}

// Int64Map converts alternating keys and values to a map[string]int64, each
// value as Int64 converts it.
func Int64Map(result interface{}, err error) (map[string]int64, error) {
	return convertPairs("Int64Map", result, err, byValue(Int64))
}

// Uint64Map converts alternating keys and values to a map[string]uint64,
// each value as Uint64 converts it.
func Uint64Map(result interface{}, err error) (map[string]uint64, error) {
	return convertPairs("Uint64Map", result, err, byValue(Uint64))
}

// Float64Map converts alternating keys and values to a map[string]float64,
// each value as Float64 converts it (the values of ZRANGE ... WITHSCORES
// with the members as keys, say).
func Float64Map(result interface{}, err error) (map[string]float64, error) {
	return convertPairs("Float64Map", result, err, byValue(Float64))
}

// convertRecords converts an array reply whose elements are arrays, one
// record each (a slow log entry, a position), with parse. A nil element is
// T's zero value when nilOK, else it is not an array. An element that is
// not an array gives the error notArray (a format with one %T verb, for the
// element). Any error discards the records parsed so far.
func convertRecords[T any](reply interface{}, err error, notArray string, nilOK bool, parse func(fields []interface{}) (T, error)) ([]T, error) {
	items, err := Values(reply, err)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, item := range items {
		if item == nil && nilOK {
			continue
		}
		fields, ok := item.([]interface{})
		if !ok {
			return nil, fmt.Errorf(notArray, item)
		}
		if out[i], err = parse(fields); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Positions converts a GEOPOS reply to one *[2]float64 per member:
// [0] is the longitude and [1] the latitude, in degrees. A member that is
// not in the set (a nil element) gives a nil pointer. Each position must be
// two bulk strings that parse as floats; the first that is not ends the
// conversion with an error and no positions.
func Positions(result interface{}, err error) ([]*[2]float64, error) {
	return convertRecords(result, err, "redigo: unexpected element type for interface slice, got type %T", true,
		func(f []interface{}) (*[2]float64, error) {
			if len(f) != 2 {
				return nil, fmt.Errorf("redigo: unexpected number of values for a member position, got %d", len(f))
			}
			var pos [2]float64
			for i := range pos {
				var err error
				if pos[i], err = Float64(f[i], nil); err != nil {
					return nil, err
				}
			}
			return &pos, nil
		})
}

// fieldReader reads the fields of one diagnostics record. The first failed
// read is kept in err and makes the later reads no-ops returning zero
// values, so that a record can be read field by field and checked once.
type fieldReader struct {
	kind   string // "slowlog", "latencies", "latency history": for error texts
	fields []interface{}
	short  string // format of the error for a missing field (%d: the length)
	err    error
}

// field returns field i, or nil after an error or when there is no field i.
func (r *fieldReader) field(i int) (interface{}, bool) {
	if r.err != nil {
		return nil, false
	}
	if i >= len(r.fields) {
		r.err = fmt.Errorf(r.short, len(r.fields))
		return nil, false
	}
	return r.fields[i], true
}

// int64 reads an integer field.
func (r *fieldReader) int64(i int) int64 {
	v, ok := r.field(i)
	if !ok {
		return 0
	}
	n, ok := v.(int64)
	if !ok {
		r.err = fmt.Errorf("redigo: %s element[%d] not an int64, got %T", r.kind, i, v)
	}
	return n
}

// unix reads an integer field holding a Unix time in seconds.
func (r *fieldReader) unix(i int) time.Time { return time.Unix(r.int64(i), 0) }

// duration reads an integer field holding a count of unit.
func (r *fieldReader) duration(i int, unit time.Duration) time.Duration {
	return time.Duration(r.int64(i)) * unit
}

// string reads a bulk or status string field.
func (r *fieldReader) string(i int) string {
	v, ok := r.field(i)
	if !ok {
		return ""
	}
	s, err := String(v, nil)
	if err != nil {
		r.err = fmt.Errorf("redigo: %s element[%d] is not a string: %w", r.kind, i, err)
	}
	return s
}

// SlowLog is one entry of a SLOWLOG GET reply: a command that ran longer
// than the server's slowlog-log-slower-than setting.
type SlowLog struct {
	// ID is the entry's unique number; it grows with each logged command
	// and starts again from 0 when the server restarts.
	ID int64

	// Time is when the command was processed, to the second.
	Time time.Time

	// ExecutionTime is how long the command ran, in microsecond steps, not
	// counting I/O such as reading the request and sending the reply.
	ExecutionTime time.Duration

	// Args are the command name and its arguments, as the server logged
	// them (it cuts long arguments and long argument lists).
	Args []string

	// ClientAddr is the client's ip:port. Servers before Redis 4.0 do not
	// send it; it is "" then.
	ClientAddr string

	// ClientName is the name the client set with CLIENT SETNAME, or "".
	// Servers before Redis 4.0 do not send it.
	ClientName string
}

// SlowLogs converts a SLOWLOG GET reply to its entries, newest first as the
// server sends them. An entry must be an array of at least 4 fields (ID,
// time, execution time, arguments), with 2 more (client address and name)
// read when there are at least 6. A malformed entry ends the conversion
// with an error and no entries.
func SlowLogs(result interface{}, err error) ([]SlowLog, error) {
	return convertRecords(result, err, "redigo: slowlog element is not an array, got %T", false,
		func(f []interface{}) (SlowLog, error) {
			if len(f) < 4 {
				return SlowLog{}, fmt.Errorf("redigo: slowlog element has %d elements, expected at least 4", len(f))
			}
			r := fieldReader{kind: "slowlog", fields: f}
			sl := SlowLog{ID: r.int64(0), Time: r.unix(1), ExecutionTime: r.duration(2, time.Microsecond)}
			if r.err != nil {
				return SlowLog{}, r.err
			}
			var err error
			if sl.Args, err = Strings(f[3], nil); err != nil {
				return SlowLog{}, fmt.Errorf("redigo: slowlog element[3] is not array of strings: %w", err)
			}
			if len(f) >= 6 {
				sl.ClientAddr, sl.ClientName = r.string(4), r.string(5)
			}
			return sl, r.err
		})
}

// Latency is one event of a LATENCY LATEST reply (the server's latency
// monitor must be on: latency-monitor-threshold above 0).
type Latency struct {
	// Name is the event's name: "command", "fast-command", "fork", ...
	Name string

	// Time is when the event's latest spike happened, to the second.
	Time time.Time

	// Latest is the latency of that latest spike, in millisecond steps.
	Latest time.Duration

	// Max is the highest latency recorded for the event since the server
	// started or the event was reset, in millisecond steps.
	Max time.Duration
}

// Latencies converts a LATENCY LATEST reply to its events. Each must be an
// array of exactly 4 fields: name, time, latest and maximum latency. A
// malformed event ends the conversion with an error and no events.
func Latencies(result interface{}, err error) ([]Latency, error) {
	return convertRecords(result, err, "redigo: latencies element is not slice, got %T", false,
		func(f []interface{}) (Latency, error) {
			if len(f) != 4 {
				return Latency{}, fmt.Errorf("redigo: latencies element has %d elements, expected 4", len(f))
			}
			r := fieldReader{kind: "latencies", fields: f}
			l := Latency{Name: r.string(0), Time: r.unix(1),
				Latest: r.duration(2, time.Millisecond), Max: r.duration(3, time.Millisecond)}
			if r.err != nil {
				return Latency{}, r.err
			}
			return l, nil
		})
}

// LatencyHistory is one sample of a LATENCY HISTORY reply.
type LatencyHistory struct {
	// Time is when the sample was taken, to the second.
	Time time.Time

	// ExecutionTime is the latency measured, in millisecond steps.
	ExecutionTime time.Duration
}

// LatencyHistories converts a LATENCY HISTORY reply to its samples, oldest
// first. Each must be an array of a time and a latency, both integers (more
// fields are ignored). A malformed sample ends the conversion with an error
// and no samples; upstream panics on a sample shorter than 2 fields, where
// this returns an error.
func LatencyHistories(result interface{}, err error) ([]LatencyHistory, error) {
	return convertRecords(result, err, "redigo: latency history element is not an slice, got %T", false,
		func(f []interface{}) (LatencyHistory, error) {
			r := fieldReader{kind: "latency history", fields: f,
				short: "redigo: latency history element has %d elements, expected at least 2"}
			h := LatencyHistory{Time: r.unix(0), ExecutionTime: r.duration(1, time.Millisecond)}
			if r.err != nil {
				return LatencyHistory{}, r.err
			}
			return h, nil
		})
}
