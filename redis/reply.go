package redis

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrNil is what the reply helpers return for a nil reply (a missing key, a
// blocking command that timed out, ...).
var ErrNil = errors.New("redigo: nil returned")

// Int converts a reply to an int. When err is not nil it returns 0, err.
// An integer reply is converted, a bulk string is parsed as a base-10 number,
// nil gives ErrNil, an Error reply is returned as the error, and any other
// type is an error.
func Int(reply interface{}, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	switch reply := reply.(type) {
	case int64:
		return intFromInt64(reply, "Int")
	case []byte:
		// Like upstream, the clamped value comes back with a range error.
		n, err := strconv.ParseInt(string(reply), 10, 0)
		return int(n), err
	case nil:
		return 0, ErrNil
	case Error:
		return 0, reply
	}
	return 0, fmt.Errorf("redigo: unexpected type for Int, got type %T", reply)
}

// intFromInt64 is int(n), or an error where int is 32 bits and n does not
// fit (upstream truncates silently there; on 64-bit builds it is the same).
func intFromInt64(n int64, helper string) (int, error) {
	if strconv.IntSize == 32 && int64(int(n)) != n {
		return 0, fmt.Errorf("redigo: value %d out of int range for %s", n, helper)
	}
	return int(n), nil
}

// Int64 converts a reply to an int64. When err is not nil it returns 0, err.
// An integer reply is returned as is, a bulk string is parsed as a base-10
// number, nil gives ErrNil, an Error reply is returned as the error, and any
// other type is an error.
func Int64(reply interface{}, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	switch reply := reply.(type) {
	case int64:
		return reply, nil
	case []byte:
		return strconv.ParseInt(string(reply), 10, 64)
	case nil:
		return 0, ErrNil
	case Error:
		return 0, reply
	}
	return 0, fmt.Errorf("redigo: unexpected type for Int64, got type %T", reply)
}

// Uint64 converts a reply to a uint64. When err is not nil it returns 0, err.
// A non-negative integer reply is converted, a bulk string is parsed as a
// base-10 number, nil gives ErrNil, an Error reply is returned as the error,
// and a negative integer or any other type is an error.
func Uint64(reply interface{}, err error) (uint64, error) {
	if err != nil {
		return 0, err
	}
	switch reply := reply.(type) {
	case int64:
		if reply < 0 {
			return 0, fmt.Errorf("redigo: unexpected negative value %v for Uint64", reply)
		}
		return uint64(reply), nil
	case []byte:
		return strconv.ParseUint(string(reply), 10, 64)
	case nil:
		return 0, ErrNil
	case Error:
		return 0, reply
	}
	return 0, fmt.Errorf("redigo: unexpected type for Uint64, got type %T", reply)
}

// Float64 converts a reply to a float64. When err is not nil it returns 0,
// err. A bulk string is parsed with strconv.ParseFloat, nil gives ErrNil, an
// Error reply is returned as the error, and any other type (integers too) is
// an error.
func Float64(reply interface{}, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	switch reply := reply.(type) {
	case []byte:
		return strconv.ParseFloat(string(reply), 64)
	case nil:
		return 0, ErrNil
	case Error:
		return 0, reply
	}
	return 0, fmt.Errorf("redigo: unexpected type for Float64, got type %T", reply)
}

// String converts a reply to a string. When err is not nil it returns "",
// err. A bulk or simple (status) string is returned as a string, nil gives
// ErrNil, an Error reply is returned as the error, and any other type is an
// error.
func String(reply interface{}, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch reply := reply.(type) {
	case []byte:
		return string(reply), nil
	case string:
		return reply, nil
	case nil:
		return "", ErrNil
	case Error:
		return "", reply
	}
	return "", fmt.Errorf("redigo: unexpected type for String, got type %T", reply)
}

// Bytes converts a reply to a []byte. When err is not nil it returns nil, err.
// A bulk string is returned as is (not copied), a simple string is converted,
// nil gives ErrNil, an Error reply is returned as the error, and any other
// type is an error.
func Bytes(reply interface{}, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	switch reply := reply.(type) {
	case []byte:
		return reply, nil
	case string:
		return []byte(reply), nil
	case nil:
		return nil, ErrNil
	case Error:
		return nil, reply
	}
	return nil, fmt.Errorf("redigo: unexpected type for Bytes, got type %T", reply)
}

// Bool converts a reply to a bool. When err is not nil it returns false, err.
// An integer reply is true when it is not 0, a bulk string is parsed with
// strconv.ParseBool, nil gives ErrNil, an Error reply is returned as the
// error, and any other type is an error.
func Bool(reply interface{}, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	switch reply := reply.(type) {
	case int64:
		return reply != 0, nil
	case []byte:
		return strconv.ParseBool(string(reply))
	case nil:
		return false, ErrNil
	case Error:
		return false, reply
	}
	return false, fmt.Errorf("redigo: unexpected type for Bool, got type %T", reply)
}

// MultiBulk converts an array reply to a []interface{}.
//
// Deprecated: Use Values instead.
func MultiBulk(reply interface{}, err error) ([]interface{}, error) { return Values(reply, err) }

// Values converts an array reply to a []interface{}. When err is not nil it
// returns nil, err. An array is returned as is, nil gives ErrNil, an Error
// reply is returned as the error, and any other type is an error.
func Values(reply interface{}, err error) ([]interface{}, error) {
	if err != nil {
		return nil, err
	}
	switch reply := reply.(type) {
	case []interface{}:
		return reply, nil
	case nil:
		return nil, ErrNil
	case Error:
		return nil, reply
	}
	return nil, fmt.Errorf("redigo: unexpected type for Values, got type %T", reply)
}

// convertArray converts an array reply element by element. Nil elements stay
// the zero value and an Error element is returned as the error. convert
// reports ok=false for element types the helper does not accept. On an
// element error the slice converted so far comes back with the error, as
// upstream does.
func convertArray[T any](helper string, reply interface{}, err error, convert func(v interface{}) (x T, ok bool, err error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	switch reply := reply.(type) {
	case []interface{}:
		result := make([]T, len(reply))
		for i, v := range reply {
			switch v := v.(type) {
			case nil:
				continue
			case Error:
				return result, v
			}
			x, ok, err := convert(v)
			if !ok {
				return result, fmt.Errorf("redigo: unexpected element type for %s, got type %T", helper, v)
			}
			result[i] = x
			if err != nil {
				return result, err
			}
		}
		return result, nil
	case nil:
		return nil, ErrNil
	case Error:
		return nil, reply
	}
	return nil, fmt.Errorf("redigo: unexpected type for %s, got type %T", helper, reply)
}

// Float64s converts an array reply to a []float64, parsing each bulk string
// element. When err is not nil it returns nil, err. Nil elements become 0;
// other element types are an error.
func Float64s(reply interface{}, err error) ([]float64, error) {
	return convertArray("Float64s", reply, err, func(v interface{}) (float64, bool, error) {
		b, ok := v.([]byte)
		if !ok {
			return 0, false, nil
		}
		f, err := strconv.ParseFloat(string(b), 64)
		return f, true, err
	})
}

// Strings converts an array reply to a []string. When err is not nil it
// returns nil, err. Bulk and simple string elements are converted and nil
// elements become ""; other element types are an error.
func Strings(reply interface{}, err error) ([]string, error) {
	return convertArray("Strings", reply, err, func(v interface{}) (string, bool, error) {
		switch v := v.(type) {
		case []byte:
			return string(v), true, nil
		case string:
			return v, true, nil
		}
		return "", false, nil
	})
}

// ByteSlices converts an array reply to a [][]byte. When err is not nil it
// returns nil, err. Nil elements stay nil; elements other than bulk strings
// are an error.
func ByteSlices(reply interface{}, err error) ([][]byte, error) {
	return convertArray("ByteSlices", reply, err, func(v interface{}) ([]byte, bool, error) {
		b, ok := v.([]byte)
		return b, ok, nil
	})
}

// Int64s converts an array reply to a []int64. When err is not nil it returns
// nil, err. Integer elements are kept, bulk strings are parsed and nil
// elements become 0; other element types are an error.
func Int64s(reply interface{}, err error) ([]int64, error) {
	return convertArray("Int64s", reply, err, func(v interface{}) (int64, bool, error) {
		switch v := v.(type) {
		case int64:
			return v, true, nil
		case []byte:
			n, err := strconv.ParseInt(string(v), 10, 64)
			return n, true, err
		}
		return 0, false, nil
	})
}

// Ints converts an array reply to a []int. When err is not nil it returns nil,
// err. Integer elements are converted, bulk strings are parsed and nil
// elements become 0; other element types are an error.
func Ints(reply interface{}, err error) ([]int, error) {
	return convertArray("Ints", reply, err, func(v interface{}) (int, bool, error) {
		switch v := v.(type) {
		case int64:
			n, err := intFromInt64(v, "Ints")
			return n, true, err
		case []byte:
			n, err := strconv.Atoi(string(v))
			return n, true, err
		}
		return 0, false, nil
	})
}

// Uint64s converts an array reply to a []uint64. When err is not nil it
// returns nil, err. Bulk string elements are parsed and nil elements become
// 0; other element types, integer replies included, are an error.
func Uint64s(reply interface{}, err error) ([]uint64, error) {
	return convertArray("Uint64s", reply, err, func(v interface{}) (uint64, bool, error) {
		// Upstream takes a Go uint64 (no reply has one) but rejects integer
		// replies, which could be negative.
		switch v := v.(type) {
		case uint64:
			return v, true, nil
		case []byte:
			n, err := strconv.ParseUint(string(v), 10, 64)
			return n, true, err
		}
		return 0, false, nil
	})
}

// convertMap converts an array of alternating bulk-string keys and values.
// On a bad key or value the map built so far comes back with the error, as
// upstream does.
func convertMap[T any](helper string, result interface{}, err error, convert func(key []byte, v interface{}) (T, error)) (map[string]T, error) {
	values, err := Values(result, err)
	if err != nil {
		return nil, err
	}
	if len(values)%2 != 0 {
		return nil, fmt.Errorf("redigo: %s expects even number of values result, got %d", helper, len(values))
	}
	m := make(map[string]T, len(values)/2)
	for i := 0; i < len(values); i += 2 {
		key, ok := values[i].([]byte)
		if !ok {
			return m, fmt.Errorf("redigo: %s key[%d] not a bulk string value, got %T", helper, i, values[i])
		}
		v, err := convert(key, values[i+1])
		if err != nil {
			return m, err
		}
		m[string(key)] = v
	}
	return m, nil
}

// StringMap converts an array of alternating keys and values, all bulk
// strings, to a map[string]string: the reply shape of HGETALL and CONFIG GET.
// An odd number of elements is an error.
func StringMap(reply interface{}, err error) (map[string]string, error) {
	return convertMap("StringMap", reply, err, func(key []byte, v interface{}) (string, error) {
		b, ok := v.([]byte)
		if !ok {
			return "", fmt.Errorf("redigo: StringMap for %q not a bulk string value, got %T", key, v)
		}
		return string(b), nil
	})
}

// IntMap converts an array of alternating bulk-string keys and values to a
// map[string]int, converting each value as Int does (HGETALL replies). An odd
// number of elements is an error.
func IntMap(result interface{}, err error) (map[string]int, error) {
	return convertMap("IntMap", result, err, func(_ []byte, v interface{}) (int, error) {
		return Int(v, nil)
	})
}

// Int64Map converts an array of alternating bulk-string keys and values to a
// map[string]int64, converting each value as Int64 does (HGETALL replies). An
// odd number of elements is an error.
func Int64Map(result interface{}, err error) (map[string]int64, error) {
	return convertMap("Int64Map", result, err, func(_ []byte, v interface{}) (int64, error) {
		return Int64(v, nil)
	})
}

// Uint64Map converts an array of alternating bulk-string keys and values to a
// map[string]uint64, converting each value as Uint64 does (HGETALL replies).
// An odd number of elements is an error.
func Uint64Map(result interface{}, err error) (map[string]uint64, error) {
	return convertMap("Uint64Map", result, err, func(_ []byte, v interface{}) (uint64, error) {
		return Uint64(v, nil)
	})
}

// Float64Map converts an array of alternating bulk-string keys and values to
// a map[string]float64, converting each value as Float64 does (HGETALL
// replies). An odd number of elements is an error.
func Float64Map(result interface{}, err error) (map[string]float64, error) {
	return convertMap("Float64Map", result, err, func(_ []byte, v interface{}) (float64, error) {
		return Float64(v, nil)
	})
}

// Positions converts a GEOPOS reply, an array of [longitude, latitude] pairs,
// to a slice of *[2]float64. A member without a position (a nil element) is a
// nil pointer.
func Positions(result interface{}, err error) ([]*[2]float64, error) {
	values, err := Values(result, err)
	if err != nil {
		return nil, err
	}
	positions := make([]*[2]float64, len(values))
	for i, v := range values {
		if v == nil {
			// A member that does not exist.
			continue
		}
		p, ok := v.([]interface{})
		if !ok {
			return nil, fmt.Errorf("redigo: unexpected element type for interface slice, got type %T", v)
		}
		if len(p) != 2 {
			return nil, fmt.Errorf("redigo: unexpected number of values for a member position, got %d", len(p))
		}
		lon, err := Float64(p[0], nil)
		if err != nil {
			return nil, err
		}
		lat, err := Float64(p[1], nil)
		if err != nil {
			return nil, err
		}
		positions[i] = &[2]float64{lon, lat}
	}
	return positions, nil
}

// int64Element returns entry[i] of a diagnostics reply, which must be an
// integer.
func int64Element(kind string, entry []interface{}, i int) (int64, error) {
	n, ok := entry[i].(int64)
	if !ok {
		return 0, fmt.Errorf("redigo: %s element[%d] not an int64, got %T", kind, i, entry[i])
	}
	return n, nil
}

// SlowLog is one entry of the SLOWLOG GET reply.
type SlowLog struct {
	// ID identifies the entry; IDs grow with each logged command.
	ID int64

	// Time is when the command was processed (whole seconds).
	Time time.Time

	// ExecutionTime is how long the command ran.
	ExecutionTime time.Duration

	// Args holds the command name and its arguments.
	Args []string

	// ClientAddr is the client's address (sent by Redis 4.0 and later).
	ClientAddr string

	// ClientName is the name the client set with CLIENT SETNAME (sent by
	// Redis 4.0 and later).
	ClientName string
}

// SlowLogs parses a SLOWLOG GET reply.
func SlowLogs(result interface{}, err error) ([]SlowLog, error) {
	entries, err := Values(result, err)
	if err != nil {
		return nil, err
	}
	logs := make([]SlowLog, len(entries))
	for i, e := range entries {
		entry, ok := e.([]interface{})
		if !ok {
			return nil, fmt.Errorf("redigo: slowlog element is not an array, got %T", e)
		}
		if len(entry) < 4 {
			return nil, fmt.Errorf("redigo: slowlog element has %d elements, expected at least 4", len(entry))
		}
		sl := &logs[i]
		if sl.ID, err = int64Element("slowlog", entry, 0); err != nil {
			return nil, err
		}
		ts, err := int64Element("slowlog", entry, 1)
		if err != nil {
			return nil, err
		}
		sl.Time = time.Unix(ts, 0)
		us, err := int64Element("slowlog", entry, 2)
		if err != nil {
			return nil, err
		}
		sl.ExecutionTime = time.Duration(us) * time.Microsecond
		if sl.Args, err = Strings(entry[3], nil); err != nil {
			return nil, fmt.Errorf("redigo: slowlog element[3] is not array of strings: %w", err)
		}
		// Servers before 4.0 send neither client field; both or none are read.
		if len(entry) >= 6 {
			if sl.ClientAddr, err = String(entry[4], nil); err != nil {
				return nil, fmt.Errorf("redigo: slowlog element[4] is not a string: %w", err)
			}
			if sl.ClientName, err = String(entry[5], nil); err != nil {
				return nil, fmt.Errorf("redigo: slowlog element[5] is not a string: %w", err)
			}
		}
	}
	return logs, nil
}

// Latency is one event of the LATENCY LATEST reply.
type Latency struct {
	// Name is the event's name.
	Name string

	// Time is when the event's latest spike happened (whole seconds).
	Time time.Time

	// Latest is the latency of that latest spike.
	Latest time.Duration

	// Max is the highest latency recorded for the event.
	Max time.Duration
}

// Latencies parses a LATENCY LATEST reply.
func Latencies(result interface{}, err error) ([]Latency, error) {
	entries, err := Values(result, err)
	if err != nil {
		return nil, err
	}
	latencies := make([]Latency, len(entries))
	for i, e := range entries {
		entry, ok := e.([]interface{})
		if !ok {
			return nil, fmt.Errorf("redigo: latencies element is not slice, got %T", e)
		}
		if len(entry) != 4 {
			return nil, fmt.Errorf("redigo: latencies element has %d elements, expected 4", len(entry))
		}
		l := &latencies[i]
		if l.Name, err = String(entry[0], nil); err != nil {
			return nil, fmt.Errorf("redigo: latencies element[0] is not a string: %w", err)
		}
		ts, err := int64Element("latencies", entry, 1)
		if err != nil {
			return nil, err
		}
		l.Time = time.Unix(ts, 0)
		latest, err := int64Element("latencies", entry, 2)
		if err != nil {
			return nil, err
		}
		l.Latest = time.Duration(latest) * time.Millisecond
		maxMs, err := int64Element("latencies", entry, 3)
		if err != nil {
			return nil, err
		}
		l.Max = time.Duration(maxMs) * time.Millisecond
	}
	return latencies, nil
}

// LatencyHistory is one sample of the LATENCY HISTORY reply.
type LatencyHistory struct {
	// Time is when the sample was taken (whole seconds).
	Time time.Time

	// ExecutionTime is the latency of the sample.
	ExecutionTime time.Duration
}

// LatencyHistories parses a LATENCY HISTORY reply.
func LatencyHistories(result interface{}, err error) ([]LatencyHistory, error) {
	entries, err := Values(result, err)
	if err != nil {
		return nil, err
	}
	histories := make([]LatencyHistory, len(entries))
	for i, e := range entries {
		entry, ok := e.([]interface{})
		if !ok {
			return nil, fmt.Errorf("redigo: latency history element is not an slice, got %T", e)
		}
		// Upstream checks no length and panics on a short entry; we check
		// each index just before using it, so every entry upstream can
		// handle gets the same answer and a short one gets an error.
		var n [2]int64
		for j := range n {
			if j >= len(entry) {
				return nil, fmt.Errorf("redigo: latency history element has %d elements, expected at least 2", len(entry))
			}
			if n[j], err = int64Element("latency history", entry, j); err != nil {
				return nil, err
			}
		}
		histories[i] = LatencyHistory{
			Time:          time.Unix(n[0], 0),
			ExecutionTime: time.Duration(n[1]) * time.Millisecond,
		}
	}
	return histories, nil
}
