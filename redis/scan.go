package redis

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Scan copies the reply values in src to the values that dest points at, in
// order, and returns the part of src after the copied values, so that a loop
// can scan a reply piece by piece.
//
// A dest that implements Scanner decodes its own value. Otherwise a dest
// points at a string, []byte, integer, float, bool or interface{} value, or at
// a slice of those (filled from an array reply). Bulk strings are parsed with
// strconv into numbers and bools. A nil dest skips its value, and a nil value
// leaves its dest unchanged.
func Scan(src []interface{}, dest ...interface{}) ([]interface{}, error) {
	if len(src) < len(dest) {
		return nil, errors.New("redigo.Scan: array short")
	}
	var err error
	for i, d := range dest {
		if err = convertAssign(d, src[i]); err != nil {
			err = fmt.Errorf("redigo.Scan: cannot assign to dest %d: %v", i, err)
			break
		}
	}
	return src[len(dest):], err
}

// ScanStruct copies alternating field names and values from src, the shape
// of HGETALL and CONFIG GET replies, into the struct that dest points at.
//
// A name matches the exported field of that name, or the field whose tag
// renames it: Field int `redis:"name"`. Fields tagged redis:"-" and names
// without a field are skipped. Fields of embedded structs take part as if
// declared in the outer struct; embedded nil pointers are allocated when one
// of their fields gets a value. Names may be bulk or simple strings.
//
// Each field decodes its value as Scan does: with RedisScan when it
// implements Scanner, else by strconv parsing. A nil value leaves its field
// unchanged.
func ScanStruct(src []interface{}, dest interface{}) error {
	d := reflect.ValueOf(dest)
	if d.Kind() != reflect.Ptr || d.IsNil() || d.Elem().Kind() != reflect.Struct {
		return errors.New("redigo.ScanStruct: value must be non-nil pointer to a struct")
	}
	d = d.Elem()

	if len(src)%2 != 0 {
		return errors.New("redigo.ScanStruct: number of values not a multiple of 2")
	}

	spec, err := structSpecFor(d.Type())
	if err != nil {
		return fmt.Errorf("redigo.ScanStruct: %w", err)
	}

	for i := 0; i < len(src); i += 2 {
		value := src[i+1]
		if value == nil {
			continue
		}

		var name string
		switch key := src[i].(type) {
		case []byte:
			name = string(key)
		case string:
			name = key
		default:
			return fmt.Errorf("redigo.ScanStruct: key %d not a bulk string value got type: %T", i, src[i])
		}

		fs := spec.byName[name]
		if fs == nil {
			continue
		}
		field, err := fieldByIndex(d, fs.index, true)
		if err != nil {
			return fmt.Errorf("redigo.ScanStruct: %w", err)
		}
		if err := convertAssignValue(field, value); err != nil {
			return fmt.Errorf("redigo.ScanStruct: cannot assign field %s: %v", fs.name, err)
		}
	}
	return nil
}

// ScanSlice copies src into the slice that dest points at.
//
// When the elements are Scanner implementations or plain values (integers,
// floats, bools, strings...), each value of src fills one element. When they
// are structs or pointers to structs, consecutive values of src fill the
// fields of one element: all its fields in declaration order, or the fields
// named by fieldNames (names as in ScanStruct), in that order. Nil values
// are skipped.
func ScanSlice(src []interface{}, dest interface{}, fieldNames ...string) error {
	d := reflect.ValueOf(dest)
	if d.Kind() != reflect.Ptr || d.IsNil() || d.Elem().Kind() != reflect.Slice {
		return errors.New("redigo.ScanSlice: dest must be non-nil pointer to a struct")
	}
	d = d.Elem()

	elemType := d.Type().Elem()
	elemIsPtr := false
	if elemType.Kind() == reflect.Ptr && elemType.Elem().Kind() == reflect.Struct {
		elemIsPtr = true
		elemType = elemType.Elem()
	}

	if elemType.Kind() != reflect.Struct || d.Type().Elem().Implements(scannerType) {
		ensureLen(d, len(src))
		for i, s := range src {
			if s == nil {
				continue
			}
			if err := convertAssignValue(d.Index(i), s); err != nil {
				return fmt.Errorf("redigo.ScanSlice: cannot assign element %d: %v", i, err)
			}
		}
		return nil
	}

	spec, err := structSpecFor(elemType)
	if err != nil {
		return fmt.Errorf("redigo.ScanSlice: %w", err)
	}

	fields := spec.fields
	if len(fieldNames) > 0 {
		fields = make([]*fieldSpec, len(fieldNames))
		for i, name := range fieldNames {
			fields[i] = spec.byName[name]
			if fields[i] == nil {
				return fmt.Errorf("redigo.ScanSlice: ScanSlice bad field name %s", name)
			}
		}
	}
	if len(fields) == 0 {
		return errors.New("redigo.ScanSlice: no struct fields")
	}

	n := len(src) / len(fields)
	if n*len(fields) != len(src) {
		return errors.New("redigo.ScanSlice: length not a multiple of struct field count")
	}

	ensureLen(d, n)
	for i := 0; i < n; i++ {
		elem := d.Index(i)
		if elemIsPtr {
			if elem.IsNil() {
				elem.Set(reflect.New(elemType))
			}
			elem = elem.Elem()
		}
		for j, fs := range fields {
			k := i*len(fields) + j
			if src[k] == nil {
				continue
			}
			field, err := fieldByIndex(elem, fs.index, true)
			if err != nil {
				return fmt.Errorf("redigo.ScanSlice: %w", err)
			}
			if err := convertAssignValue(field, src[k]); err != nil {
				return fmt.Errorf("redigo.ScanSlice: cannot assign element %d to field %s: %v", k, fs.name, err)
			}
		}
	}
	return nil
}

var scannerType = reflect.TypeOf((*Scanner)(nil)).Elem()

// ensureLen gives slice d length n, reusing its backing array when it is
// large enough. Elements beyond the old length keep their old values.
func ensureLen(d reflect.Value, n int) {
	if n > d.Cap() {
		d.Set(reflect.MakeSlice(d.Type(), n, n))
		return
	}
	d.SetLen(n)
}

// Args builds command arguments from structured values.
type Args []interface{}

// Add appends value to args, as append does.
func (args Args) Add(value ...interface{}) Args {
	return append(args, value...)
}

// AddFlat appends v to args, flattened: the elements of a slice, the keys
// and values of a map (alternating), the names and values of the exported
// fields of a struct or non-nil struct pointer (alternating, names as in
// ScanStruct). A nil struct pointer appends nothing; any other value is
// appended as is.
//
// A field tagged with the omitempty option, as in redis:"name,omitempty", is
// left out when empty (zero number, false, nil, or zero length). A field that
// implements Argument is appended as its RedisArg value; a pointer field as
// the value it points at, or not at all when nil.
//
// AddFlat panics, as upstream, on a struct type that embeds a struct type
// twice (itself, typically) and on an unknown tag option.
func (args Args) AddFlat(v interface{}) Args {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Struct:
		args = flattenStruct(args, rv)
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			args = append(args, rv.Index(i).Interface())
		}
	case reflect.Map:
		iter := rv.MapRange()
		for iter.Next() {
			args = append(args, iter.Key().Interface(), iter.Value().Interface())
		}
	case reflect.Ptr:
		if rv.Type().Elem().Kind() != reflect.Struct {
			return append(args, v)
		}
		if !rv.IsNil() {
			args = flattenStruct(args, rv.Elem())
		}
	default:
		args = append(args, v)
	}
	return args
}

// flattenStruct appends the names and values of the fields of struct v.
func flattenStruct(args Args, v reflect.Value) Args {
	spec, err := structSpecFor(v.Type())
	if _, ok := err.(*unknownTagError); ok {
		panic(errors.New("redigo: " + err.Error()))
	} else if err != nil {
		panic(fmt.Errorf("redigo.AddFlat: %w", err))
	}
	for _, fs := range spec.fields {
		fv, _ := fieldByIndex(v, fs.index, false)
		if !fv.IsValid() {
			continue // inside a nil embedded pointer
		}
		if fs.omitEmpty && isEmptyValue(fv) {
			continue
		}
		if arg, ok := fv.Interface().(Argument); ok {
			args = append(args, fs.name, arg.RedisArg())
			continue
		}
		if fv.Kind() == reflect.Ptr {
			if !fv.IsNil() {
				args = append(args, fs.name, fv.Elem().Interface())
			}
			continue
		}
		args = append(args, fs.name, fv.Interface())
	}
	return args
}

// isEmptyValue reports whether v is empty for the omitempty tag option, with
// the rules of encoding/json: structs are never empty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Interface, reflect.Ptr:
		return v.IsZero()
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0 // -0 too, unlike IsZero
	}
	return false
}

// fieldByIndex returns the field of struct v at index. On the way through a
// nil embedded pointer it returns an invalid Value, or allocates the pointer
// when alloc is set. Upstream panics inside reflect when that pointer cannot
// be set (its type is unexported); we return an error.
func fieldByIndex(v reflect.Value, index []int, alloc bool) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Ptr {
			if v.IsNil() {
				if !alloc {
					return reflect.Value{}, nil
				}
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("cannot set embedded pointer to unexported struct %s", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// fieldSpec is a struct field as AddFlat, ScanStruct and ScanSlice see it.
type fieldSpec struct {
	name      string
	index     []int // reflect.Value.FieldByIndex path, through embedded structs
	omitEmpty bool
}

// structSpec holds the fields of a struct type in declaration order, and the
// visible field for each name.
type structSpec struct {
	fields []*fieldSpec
	byName map[string]*fieldSpec
}

// structSpecs caches a *structSpec or an error per reflect.Type.
var structSpecs sync.Map

func structSpecFor(t reflect.Type) (*structSpec, error) {
	if cached, ok := structSpecs.Load(t); ok {
		if err, ok := cached.(error); ok {
			return nil, err
		}
		return cached.(*structSpec), nil
	}

	c := specCompiler{
		spec:  &structSpec{byName: make(map[string]*fieldSpec)},
		depth: make(map[string]int),
		seen:  make(map[reflect.Type]bool),
	}
	if err := c.compile(t, nil); err != nil {
		if _, ok := err.(*unknownTagError); !ok {
			err = fmt.Errorf("compile struct: %s: %w", t, err)
		}
		structSpecs.Store(t, err)
		return nil, err
	}
	structSpecs.Store(t, c.spec)
	return c.spec, nil
}

// unknownTagError reports a redis tag option other than omitempty. AddFlat
// panics with it, as upstream; ScanStruct and ScanSlice return it, where
// upstream panics.
type unknownTagError struct{ opt, structName string }

func (e *unknownTagError) Error() string {
	return fmt.Sprintf("unknown field tag %s for type %s", e.opt, e.structName)
}

type specCompiler struct {
	spec  *structSpec
	depth map[string]int        // name -> embedding depth of its visible field
	seen  map[reflect.Type]bool // struct types compiled so far
}

// compile adds the fields of struct type t, whose index path in the outer
// struct is index. Fields of embedded structs take part at their position in
// the declaration, one level deeper.
func (c *specCompiler) compile(t reflect.Type, index []int) error {
	// As upstream, any struct type met twice counts as recursive, even in
	// two separate branches of the embedding tree.
	if c.seen[t] {
		return fmt.Errorf("recursive struct definition for %s", t)
	}
	c.seen[t] = true

	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fieldIndex := append(index[:len(index):len(index)], i) // a copy

		if f.Anonymous {
			ft := f.Type
			if ft.Kind() == reflect.Ptr {
				ft = ft.Elem()
			}
			// Embedded structs are flattened whatever their tag says;
			// other embedded types are left out.
			if ft.Kind() == reflect.Struct {
				if err := c.compile(ft, fieldIndex); err != nil {
					return err
				}
			}
			continue
		}
		if f.PkgPath != "" {
			continue // unexported
		}

		fs := &fieldSpec{name: f.Name, index: fieldIndex}
		if tag := f.Tag.Get("redis"); tag != "" {
			name, opts, hasOpts := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if name != "" {
				fs.name = name
			} else if hasOpts {
				// As upstream: a tag with options but no name reads its
				// empty name as an (unknown) option.
				opts = tag
			}
			for opts != "" {
				var opt string
				opt, opts, _ = strings.Cut(opts, ",")
				if opt != "omitempty" {
					return &unknownTagError{opt: opt, structName: t.Name()}
				}
				fs.omitEmpty = true
			}
		}
		c.add(fs)
	}
	return nil
}

// add records fs unless a field of the same name is shallower. Two fields of
// the same name at the same depth hide each other, as in Go.
func (c *specCompiler) add(fs *fieldSpec) {
	if d, seen := c.depth[fs.name]; seen {
		if len(fs.index) > d {
			return
		}
		if len(fs.index) == d {
			// As upstream, this also drops the deeper fields of the name
			// that the visible one had hidden from ScanStruct.
			delete(c.spec.byName, fs.name)
			kept := c.spec.fields[:0]
			for _, f := range c.spec.fields {
				if f.name != fs.name {
					kept = append(kept, f)
				}
			}
			c.spec.fields = kept
			return
		}
	}
	c.depth[fs.name] = len(fs.index)
	c.spec.byName[fs.name] = fs
	c.spec.fields = append(c.spec.fields, fs)
}

// convertAssign stores reply value s where d points, for Scan. The common
// destination types skip reflection.
func convertAssign(d interface{}, s interface{}) (err error) {
	if sc, ok := d.(Scanner); ok {
		return sc.RedisScan(s)
	}
	switch s := s.(type) {
	case nil:
		return nil
	case Error:
		return s
	}
	if d == nil {
		return nil // skipped (upstream panics for a value of a non-reply type)
	}

	if str, ok := s.(string); ok {
		// A simple string fills only a string or an interface{}.
		switch d := d.(type) {
		case *string:
			if d != nil {
				*d = str
				return nil
			}
		case *interface{}:
			if d != nil {
				*d = str
				return nil
			}
		default:
			return cannotConvert(reflect.ValueOf(d), str)
		}
		return fmt.Errorf("dest is a nil %T", d)
	}

	v := reflect.ValueOf(d)
	switch s.(type) {
	case []byte, int64, []interface{}:
	default:
		return cannotConvert(v, s)
	}
	if v.Kind() != reflect.Ptr {
		return cannotConvert(v, s)
	}
	if v.IsNil() {
		return fmt.Errorf("dest is a nil %T", d) // upstream panics
	}

	switch d := d.(type) {
	case *interface{}:
		*d = s
		return nil
	case *string:
		if b, ok := s.([]byte); ok {
			*d = string(b)
			return nil
		}
	case *[]byte:
		if b, ok := s.([]byte); ok {
			*d = b
			return nil
		}
	case *int:
		if b, ok := s.([]byte); ok {
			*d, err = strconv.Atoi(string(b)) // Atoi's error text, as upstream
			return err
		}
	case *[]interface{}:
		if a, ok := s.([]interface{}); ok {
			*d = a
			return nil
		}
	}

	switch s := s.(type) {
	case []byte:
		return convertAssignBulkString(v.Elem(), s)
	case int64:
		return convertAssignInt(v.Elem(), s)
	default:
		return convertAssignArray(v.Elem(), s.([]interface{}))
	}
}

// convertAssignValue stores reply value s in d, for struct fields and slice
// elements. A nil pointer d is allocated first, so that its RedisScan can
// run.
func convertAssignValue(d reflect.Value, s interface{}) error {
	if d.Kind() == reflect.Ptr {
		if d.IsNil() {
			d.Set(reflect.New(d.Type().Elem()))
		}
		if sc, ok := d.Interface().(Scanner); ok {
			return sc.RedisScan(s)
		}
	} else if d.CanAddr() {
		if sc, ok := d.Addr().Interface().(Scanner); ok {
			return sc.RedisScan(s)
		}
	}

	switch s := s.(type) {
	case nil:
		// A nil array element clears a slice or an interface.
		if k := d.Kind(); k == reflect.Slice || k == reflect.Interface {
			d.Set(reflect.Zero(d.Type()))
			return nil
		}
	case []byte:
		return convertAssignBulkString(d, s)
	case int64:
		return convertAssignInt(d, s)
	case string:
		return convertAssignString(d, s)
	case Error:
		// As upstream, the text of an error reply fills a string or []byte.
		if d.Kind() == reflect.String || isBytes(d) {
			return convertAssignString(d, string(s))
		}
	}
	return cannotConvert(d, s) // nested arrays are not unpacked either
}

func isBytes(d reflect.Value) bool {
	return d.Kind() == reflect.Slice && d.Type().Elem().Kind() == reflect.Uint8
}

func convertAssignBulkString(d reflect.Value, s []byte) error {
	switch {
	case isBytes(d):
		d.SetBytes(s) // shares s, as upstream
	case d.Kind() == reflect.Slice:
		return cannotConvert(d, s)
	case d.Kind() == reflect.Ptr && s == nil:
		d.Set(reflect.Zero(d.Type()))
	default:
		return convertAssignString(d, string(s))
	}
	return nil
}

// convertAssignString parses s into d. As upstream, a number is stored even
// when strconv reports it out of range.
func convertAssignString(d reflect.Value, s string) error {
	switch d.Kind() {
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, d.Type().Bits())
		d.SetFloat(f)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, d.Type().Bits())
		d.SetInt(n)
		return err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, d.Type().Bits())
		d.SetUint(n)
		return err
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		d.SetBool(b)
		return err
	case reflect.String:
		d.SetString(s)
	case reflect.Ptr:
		if d.IsNil() {
			d.Set(reflect.New(d.Type().Elem()))
		}
		return convertAssignString(d.Elem(), s)
	default:
		if !isBytes(d) {
			return cannotConvert(d, s)
		}
		d.SetBytes([]byte(s))
	}
	return nil
}

var errValueOutOfRange = errors.New("value out of range")

func convertAssignInt(d reflect.Value, s int64) error {
	switch d.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if d.OverflowInt(s) {
			return errValueOutOfRange
		}
		d.SetInt(s)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s < 0 || d.OverflowUint(uint64(s)) {
			return errValueOutOfRange
		}
		d.SetUint(uint64(s))
	case reflect.Bool:
		d.SetBool(s != 0)
	default:
		return cannotConvert(d, s)
	}
	return nil
}

// convertAssignArray fills slice d from array reply s, one element at a
// time, stopping at the first element that does not convert.
func convertAssignArray(d reflect.Value, s []interface{}) error {
	if d.Kind() != reflect.Slice {
		return cannotConvert(d, s)
	}
	ensureLen(d, len(s))
	for i := range s {
		if err := convertAssignValue(d.Index(i), s[i]); err != nil {
			return err
		}
	}
	return nil
}

// replyTypeNames names the reply types in conversion errors.
var replyTypeNames = map[reflect.Type]string{
	nil:                                "Redis nil",
	reflect.TypeOf(""):                 "Redis simple string",
	reflect.TypeOf([]byte(nil)):        "Redis bulk string",
	reflect.TypeOf(int64(0)):           "Redis integer",
	reflect.TypeOf(Error("")):          "Redis error",
	reflect.TypeOf([]interface{}(nil)): "Redis array",
}

func cannotConvert(d reflect.Value, s interface{}) error {
	from, ok := replyTypeNames[reflect.TypeOf(s)]
	if !ok {
		from = fmt.Sprintf("%T", s)
	}
	return fmt.Errorf("cannot convert from %s to %s", from, d.Type())
}
