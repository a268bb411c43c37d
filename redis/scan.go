package redis

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// Scan stores the values of src, in order, where the dest pointers point,
// and returns the part of src after the last one it used, so that a loop can
// take a long reply apart piece by piece. src must hold at least len(dest)
// values ("redigo.Scan: array short" otherwise, with nothing stored).
//
// How a value is stored:
//   - A dest that implements Scanner gets the raw value through RedisScan,
//     nil values included.
//   - A nil value leaves its dest unchanged; a nil dest skips its value.
//   - An error reply is returned as the error.
//   - A bulk string fills a string or []byte (the []byte shares the reply's
//     memory), and is parsed with strconv into an integer, float or bool
//     (strconv.Atoi for an int, so its error texts are Atoi's).
//   - An integer fills an integer (0 and strconv.ErrRange when it does not
//     fit; a negative one leaves an unsigned dest unchanged, with the same
//     error) or a bool (true unless 0), not a float.
//   - A status reply ("OK") fills only a *string or an *interface{}.
//   - An array fills a slice, element by element by the rules of
//     ScanStruct's fields; into a *[]interface{} it is stored as is.
//   - A *interface{} takes any reply value as is.
//   - Through a pointer to a pointer (**T), a nil inner pointer is
//     allocated, and when it implements Scanner a bulk string is given to
//     its RedisScan.
//
// Scan stops at the first value that cannot be stored, with the error
// "redigo.Scan: cannot assign to dest N: REASON"; the values before it are
// stored, and the rest of src is returned all the same.
func Scan(src []interface{}, dest ...interface{}) ([]interface{}, error) {
	if len(src) < len(dest) {
		return nil, errors.New("redigo.Scan: array short")
	}
	for i, d := range dest {
		if err := scanOne(d, src[i]); err != nil {
			return src[len(dest):], fmt.Errorf("redigo.Scan: cannot assign to dest %d: %v", i, err)
		}
	}
	return src[len(dest):], nil
}

// scanOne stores reply value v where dest points, for Scan.
func scanOne(dest, v interface{}) error {
	if sc, ok := dest.(Scanner); ok {
		return sc.RedisScan(v)
	}
	switch v := v.(type) {
	case nil:
		return nil
	case Error:
		return v
	}
	if dest == nil {
		return nil // upstream panics for a non-reply value here
	}
	rv := reflect.ValueOf(dest)
	_, isStatus := v.(string)
	switch v.(type) {
	case string, []byte, int64, []interface{}:
	default:
		return errCannotStore(rv, v) // not a reply value
	}

	switch p := dest.(type) {
	case *interface{}:
		if p == nil {
			return errNilDest(dest)
		}
		*p = v
		return nil
	case *string:
		if s, ok := v.(string); ok {
			if p == nil {
				return errNilDest(dest)
			}
			*p = s
			return nil
		}
	}
	if isStatus || rv.Kind() != reflect.Ptr {
		return errCannotStore(rv, v)
	}
	if rv.IsNil() {
		return errNilDest(dest) // upstream panics
	}
	switch p := dest.(type) {
	case *int:
		if b, ok := v.([]byte); ok {
			n, err := strconv.Atoi(string(b))
			*p = n
			return err
		}
	case *[]interface{}:
		if a, ok := v.([]interface{}); ok {
			*p = a
			return nil
		}
	}
	return storeReply(rv.Elem(), v)
}

func errNilDest(dest interface{}) error { return fmt.Errorf("dest is a nil %T", dest) }

// ScanStruct stores alternating field names and values from src, the shape
// of HGETALL and CONFIG GET replies, in the struct that dest points at.
//
// A name selects the exported field of that name, or the field tagged with
// it: Field int `redis:"name"`. Fields tagged redis:"-" are never set, and
// names that select no field are skipped. The fields of embedded structs
// take part as if declared in the outer struct (an outer field hides an
// embedded one of the same name; two of the same depth hide each other), and
// a nil embedded pointer is allocated when one of its fields gets a value.
// Names may be bulk or status strings; any other type is an error.
//
// A nil value leaves its field unchanged. Otherwise a field that implements
// Scanner (through its address) gets the raw value through RedisScan; a nil
// pointer field is allocated first. Other fields are filled as Scan fills
// its dests, except that the text of a status or error reply fills a string
// or []byte field, and an integer that does not fit is 0 with
// strconv.ErrRange.
//
// The first value that cannot be stored ends the scan with the error
// "redigo.ScanStruct: cannot assign field NAME: REASON"; the fields before
// it keep their new values. src of odd length, a dest that is not a non-nil
// pointer to a struct, and a struct type with an unknown tag option or that
// embeds a struct type twice are errors before anything is stored.
func ScanStruct(src []interface{}, dest interface{}) error {
	d := reflect.ValueOf(dest)
	if d.Kind() != reflect.Ptr || d.IsNil() || d.Elem().Kind() != reflect.Struct {
		return errors.New("redigo.ScanStruct: value must be non-nil pointer to a struct")
	}
	record := d.Elem()
	if len(src)%2 != 0 {
		return errors.New("redigo.ScanStruct: number of values not a multiple of 2")
	}
	fields, err := fieldsOf(record.Type())
	if err != nil {
		return fmt.Errorf("redigo.ScanStruct: %w", err)
	}

	for i := 0; i+1 < len(src); i += 2 {
		if src[i+1] == nil {
			continue
		}
		var name string
		switch n := src[i].(type) {
		case []byte:
			name = string(n)
		case string:
			name = n
		default:
			return fmt.Errorf("redigo.ScanStruct: key %d not a bulk string value got type: %T", i, src[i])
		}
		f := fields.named[name]
		if f == nil {
			continue
		}
		target, err := fieldAt(record, f.index, true)
		if err != nil {
			return fmt.Errorf("redigo.ScanStruct: %w", err)
		}
		if err := storeValue(target, src[i+1]); err != nil {
			return fmt.Errorf("redigo.ScanStruct: cannot assign field %s: %v", f.name, err)
		}
	}
	return nil
}

// ScanSlice stores src in the slice that dest points at, resizing it to fit
// (its backing array is reused when large enough).
//
// When the element type is a struct or a pointer to a struct and does not
// implement Scanner, src is a sequence of records: each element takes as
// many consecutive values as it has fields, in declaration order, or only
// the fields named in fieldNames (names as in ScanStruct), in that order.
// len(src) must be a multiple of that count, and nil element pointers are
// allocated. Any other element type takes one value per element.
//
// Values are stored as ScanStruct stores them in fields, and a nil value
// leaves its element or field unchanged. The first value that cannot be
// stored ends the scan with an error naming its index in src.
func ScanSlice(src []interface{}, dest interface{}, fieldNames ...string) error {
	d := reflect.ValueOf(dest)
	if d.Kind() != reflect.Ptr || d.IsNil() || d.Elem().Kind() != reflect.Slice {
		return errors.New("redigo.ScanSlice: dest must be non-nil pointer to a struct")
	}
	slice := d.Elem()
	record, viaPointer, ok := recordOf(slice.Type().Elem())
	if !ok {
		return scanElements(slice, src)
	}
	columns, err := recordColumns(record, fieldNames)
	if err != nil {
		return err
	}
	return scanRecords(slice, src, columns, viaPointer)
}

var scannerInterface = reflect.TypeOf((*Scanner)(nil)).Elem()

// recordOf returns the struct type whose fields a slice element of type t
// takes from consecutive values: t or what t points at, unless t decodes
// itself. ok is false when the elements take one value each.
func recordOf(t reflect.Type) (record reflect.Type, viaPointer, ok bool) {
	switch {
	case t.Implements(scannerInterface):
		return nil, false, false
	case t.Kind() == reflect.Struct:
		return t, false, true
	case t.Kind() == reflect.Ptr && t.Elem().Kind() == reflect.Struct:
		return t.Elem(), true, true
	}
	return nil, false, false
}

// scanElements stores one value of src in each element of slice.
func scanElements(slice reflect.Value, src []interface{}) error {
	resize(slice, len(src))
	for i, v := range src {
		if v == nil {
			continue
		}
		if err := storeValue(slice.Index(i), v); err != nil {
			return fmt.Errorf("redigo.ScanSlice: cannot assign element %d: %v", i, err)
		}
	}
	return nil
}

// recordColumns returns the fields of struct type record that each record
// of ScanSlice fills, in order.
func recordColumns(record reflect.Type, names []string) ([]*taggedField, error) {
	fields, err := fieldsOf(record)
	if err != nil {
		return nil, fmt.Errorf("redigo.ScanSlice: %w", err)
	}
	columns := fields.inOrder
	if len(names) > 0 {
		columns = make([]*taggedField, 0, len(names))
		for _, name := range names {
			f := fields.named[name]
			if f == nil {
				return nil, fmt.Errorf("redigo.ScanSlice: ScanSlice bad field name %s", name)
			}
			columns = append(columns, f)
		}
	}
	if len(columns) == 0 {
		return nil, errors.New("redigo.ScanSlice: no struct fields")
	}
	return columns, nil
}

// scanRecords stores src in slice, len(columns) values per element.
func scanRecords(slice reflect.Value, src []interface{}, columns []*taggedField, viaPointer bool) error {
	width := len(columns)
	if len(src)%width != 0 {
		return errors.New("redigo.ScanSlice: length not a multiple of struct field count")
	}
	resize(slice, len(src)/width)
	for at := 0; at < len(src); at += width {
		record := slice.Index(at / width)
		if viaPointer {
			if record.IsNil() {
				record.Set(reflect.New(record.Type().Elem()))
			}
			record = record.Elem()
		}
		for col, f := range columns {
			v := src[at+col]
			if v == nil {
				continue
			}
			target, err := fieldAt(record, f.index, true)
			if err != nil {
				return fmt.Errorf("redigo.ScanSlice: %w", err)
			}
			if err := storeValue(target, v); err != nil {
				return fmt.Errorf("redigo.ScanSlice: cannot assign element %d to field %s: %v", at+col, f.name, err)
			}
		}
	}
	return nil
}

// resize gives slice d length n, in a new backing array only when n is over
// its capacity. Elements kept from before keep their values.
func resize(d reflect.Value, n int) {
	if n <= d.Cap() {
		d.SetLen(n)
		return
	}
	d.Set(reflect.MakeSlice(d.Type(), n, n))
}

func isSigned(k reflect.Kind) bool   { return reflect.Int <= k && k <= reflect.Int64 }
func isUnsigned(k reflect.Kind) bool { return reflect.Uint <= k && k <= reflect.Uint64 }
func isFloat(k reflect.Kind) bool    { return k == reflect.Float32 || k == reflect.Float64 }

func isByteSlice(d reflect.Value) bool {
	return d.Kind() == reflect.Slice && d.Type().Elem().Kind() == reflect.Uint8
}

// The value store: how ScanStruct and ScanSlice put one reply value into a
// field or element, and Scan (past its own special cases) into what a dest
// points at.

// storeValue stores reply value v in d, a struct field or slice element.
func storeValue(d reflect.Value, v interface{}) error {
	if sc := scannerAt(d); sc != nil {
		return sc.RedisScan(v)
	}
	switch v := v.(type) {
	case nil:
		// A nil array element clears a slice or an interface.
		if k := d.Kind(); k == reflect.Slice || k == reflect.Interface {
			d.Set(reflect.Zero(d.Type()))
			return nil
		}
	case []byte:
		return storeBulk(d, v)
	case int64:
		return storeInteger(d, v)
	case string:
		return storeText(d, v)
	case Error:
		// As upstream, the text of an error reply fills a string or []byte.
		if d.Kind() == reflect.String || isByteSlice(d) {
			return storeText(d, string(v))
		}
	}
	return errCannotStore(d, v) // arrays too: nested arrays are not unpacked
}

// scannerAt returns d as a Scanner, or nil: d itself when it is a pointer
// (allocated first when nil), else d's address.
func scannerAt(d reflect.Value) Scanner {
	var sc Scanner
	switch {
	case d.Kind() == reflect.Ptr:
		if d.IsNil() {
			d.Set(reflect.New(d.Type().Elem()))
		}
		sc, _ = d.Interface().(Scanner)
	case d.CanAddr():
		sc, _ = d.Addr().Interface().(Scanner)
	}
	return sc
}

// storeReply stores a bulk string, an integer or an array in d, for Scan:
// an array fills a slice d, each element as storeValue stores it.
func storeReply(d reflect.Value, v interface{}) error {
	switch v := v.(type) {
	case []byte:
		return storeBulk(d, v)
	case int64:
		return storeInteger(d, v)
	case []interface{}:
		if d.Kind() != reflect.Slice {
			return errCannotStore(d, v)
		}
		resize(d, len(v))
		for i, e := range v {
			if err := storeValue(d.Index(i), e); err != nil {
				return err
			}
		}
		return nil
	}
	return errCannotStore(d, v)
}

// storeBulk stores bulk string b in d. A []byte d shares b. Through
// pointers, nil ones are allocated and the first that implements Scanner
// gets b; a nil b clears the pointer instead.
func storeBulk(d reflect.Value, b []byte) error {
	switch {
	case isByteSlice(d):
		d.SetBytes(b)
		return nil
	case d.Kind() == reflect.Slice:
		return errCannotStore(d, b)
	case d.Kind() != reflect.Ptr:
		return storeText(d, string(b))
	case b == nil:
		d.Set(reflect.Zero(d.Type()))
		return nil
	}
	for d.Kind() == reflect.Ptr {
		if d.IsNil() {
			d.Set(reflect.New(d.Type().Elem()))
		}
		if sc, ok := d.Interface().(Scanner); ok {
			return sc.RedisScan(b)
		}
		d = d.Elem()
	}
	return storeText(d, string(b)) // a copy, as upstream through a pointer
}

// storeText parses s into d with strconv, allocating nil pointers on the
// way. As upstream, a number strconv reports out of range is stored clamped,
// with the error; "cannot convert" errors call s a simple string, even when
// it came from a bulk string.
func storeText(d reflect.Value, s string) error {
	switch k := d.Kind(); {
	case k == reflect.String:
		d.SetString(s)
	case isByteSlice(d):
		d.SetBytes([]byte(s))
	case k == reflect.Ptr:
		if d.IsNil() {
			d.Set(reflect.New(d.Type().Elem()))
		}
		return storeText(d.Elem(), s)
	case k == reflect.Bool:
		b, err := strconv.ParseBool(s)
		d.SetBool(b)
		return err
	case isSigned(k):
		n, err := strconv.ParseInt(s, 10, d.Type().Bits())
		d.SetInt(n)
		return err
	case isUnsigned(k):
		n, err := strconv.ParseUint(s, 10, d.Type().Bits())
		d.SetUint(n)
		return err
	case isFloat(k):
		f, err := strconv.ParseFloat(s, d.Type().Bits())
		d.SetFloat(f)
		return err
	default:
		return errCannotStore(d, s)
	}
	return nil
}

// storeInteger stores integer reply n in an integer or bool d. As upstream,
// a value out of d's range stores 0 and returns strconv.ErrRange, except a
// negative value for an unsigned d, which leaves d as it was.
func storeInteger(d reflect.Value, n int64) error {
	switch k := d.Kind(); {
	case isSigned(k):
		if d.OverflowInt(n) {
			d.SetInt(0)
			return strconv.ErrRange
		}
		d.SetInt(n)
	case isUnsigned(k):
		if n < 0 {
			return strconv.ErrRange
		}
		if d.OverflowUint(uint64(n)) {
			d.SetUint(0)
			return strconv.ErrRange
		}
		d.SetUint(uint64(n))
	case k == reflect.Bool:
		d.SetBool(n != 0)
	default:
		return errCannotStore(d, n)
	}
	return nil
}

// replyKinds names the reply types in "cannot convert" errors.
var replyKinds = map[reflect.Type]string{
	nil:                                "Redis nil",
	reflect.TypeOf(""):                 "Redis simple string",
	reflect.TypeOf([]byte(nil)):        "Redis bulk string",
	reflect.TypeOf(int64(0)):           "Redis integer",
	reflect.TypeOf(Error("")):          "Redis error",
	reflect.TypeOf([]interface{}(nil)): "Redis array",
}

// errCannotStore is upstream's error for a value that does not fit d.
func errCannotStore(d reflect.Value, v interface{}) error {
	kind, ok := replyKinds[reflect.TypeOf(v)]
	if !ok {
		kind = fmt.Sprintf("%T", v)
	}
	return fmt.Errorf("cannot convert from %s to %s", kind, d.Type())
}
