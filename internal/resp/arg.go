package resp

import (
	"fmt"
	"reflect"
	"strconv"
)

// AppendArg appends to dst the bytes that Writer.WriteCommand sends for arg
// (the payload of its bulk string, without header) and returns the extended
// slice: the conversion rules of WriteCommand, including an Argument's
// RedisArg and fmt's formatting of other types. Code that looks at what a
// command says, such as an option word or a database number, must read the
// arguments through it, so that it sees what the server will see whatever
// Go type carried the word.
func AppendArg(dst []byte, arg interface{}) []byte {
	return appendArg(dst, arg, true)
}

func appendArg(dst []byte, arg interface{}, argumentOK bool) []byte {
	switch v := arg.(type) {
	case string:
		return append(dst, v...)
	case []byte:
		return append(dst, v...)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		return strconv.AppendFloat(dst, v, 'g', -1, 64)
	case bool:
		if v {
			return append(dst, '1')
		}
		return append(dst, '0')
	case nil:
		return dst
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case int16:
		return strconv.AppendInt(dst, int64(v), 10)
	case int8:
		return strconv.AppendInt(dst, int64(v), 10)
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uintptr:
		return strconv.AppendUint(dst, uint64(v), 10)
	case float32:
		return strconv.AppendFloat(dst, float64(v), 'g', -1, 32)
	case Argument:
		if argumentOK {
			return appendArg(dst, v.RedisArg(), false)
		}
		return fmt.Append(dst, v)
	case fmt.Formatter, fmt.Stringer, error:
		return fmt.Append(dst, v)
	}
	// A named string type without formatting methods prints as its value;
	// reading it through reflect saves fmt's allocations for the common
	// case of an option word of a type of the caller's.
	if rv := reflect.ValueOf(arg); rv.Kind() == reflect.String {
		return append(dst, rv.String()...)
	}
	return fmt.Append(dst, arg)
}
