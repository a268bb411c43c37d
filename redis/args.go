package redis

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Args builds a command's arguments from Go values, for Do and Send:
// redis.Args{}.Add("key").AddFlat(value)...
type Args []interface{}

// Add returns args with the values appended, as append does: args may be
// modified in place when it has room.
func (args Args) Add(value ...interface{}) Args {
	return append(args, value...)
}

// AddFlat returns args with v appended, flattened:
//   - a slice appends its elements;
//   - a map appends its keys and values, alternating (in map order, which
//     is random);
//   - a struct, or a non-nil pointer to one, appends the names and values of
//     its exported fields, alternating, with the names and embedding rules
//     of ScanStruct; a nil pointer to a struct appends nothing;
//   - anything else is appended as is.
//
// For struct fields: a field tagged with the omitempty option,
// redis:"name,omitempty", is left out when empty (false, 0, "", nil, or of
// length 0; a struct never is). A field that implements Argument is
// appended as its RedisArg value (RedisArg runs even on a nil pointer); a
// pointer field as the value it points at, or not at all when nil.
//
// AddFlat panics, as upstream does, on a struct type that embeds the same
// struct type twice (itself, typically) and on an unknown tag option.
func (args Args) AddFlat(v interface{}) Args {
	rv := reflect.ValueOf(v)
	switch k := rv.Kind(); {
	case k == reflect.Ptr && rv.Type().Elem().Kind() == reflect.Struct:
		if rv.IsNil() {
			return args
		}
		return appendFields(args, rv.Elem())
	case k == reflect.Struct:
		return appendFields(args, rv)
	case k == reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			args = append(args, rv.Index(i).Interface())
		}
		return args
	case k == reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			args = append(args, it.Key().Interface(), it.Value().Interface())
		}
		return args
	}
	return append(args, v)
}

// appendFields appends the names and values of the fields of struct v.
func appendFields(args Args, v reflect.Value) Args {
	fields, err := fieldsOf(v.Type())
	var tagErr *unknownTagError
	switch {
	case errors.As(err, &tagErr):
		panic(errors.New("redigo: " + err.Error()))
	case err != nil:
		panic(fmt.Errorf("redigo.AddFlat: %w", err))
	}
	for _, f := range fields.inOrder {
		fv, _ := fieldAt(v, f.index, false)
		if !fv.IsValid() || f.omitEmpty && omittable(fv) {
			continue // inside a nil embedded pointer, or left out
		}
		var value interface{}
		if arg, ok := fv.Interface().(Argument); ok {
			value = arg.RedisArg()
		} else if fv.Kind() != reflect.Ptr {
			value = fv.Interface()
		} else if fv.IsNil() {
			continue
		} else {
			value = fv.Elem().Interface()
		}
		args = append(args, f.name, value)
	}
	return args
}

// omittable reports whether field value v is left out under omitempty. The
// rules are encoding/json's: structs are never empty, -0.0 is.
func omittable(v reflect.Value) bool {
	switch k := v.Kind(); {
	case k == reflect.Array || k == reflect.Map || k == reflect.Slice || k == reflect.String:
		return v.Len() == 0
	case k == reflect.Float32 || k == reflect.Float64:
		return v.Float() == 0
	case k == reflect.Bool || isSigned(k) || isUnsigned(k) || k == reflect.Uintptr ||
		k == reflect.Interface || k == reflect.Ptr:
		return v.IsZero()
	}
	return false
}

// Struct fields as AddFlat, ScanStruct and ScanSlice see them: names from
// the redis tag, embedded structs flattened, cached per type.

// fieldAt returns the field of struct v at index, going through embedded
// pointers on the way. A nil one gives an invalid Value, or is allocated
// when alloc is set. Upstream panics inside reflect when that pointer cannot
// be set (its type is unexported); this returns an error.
func fieldAt(v reflect.Value, index []int, alloc bool) (reflect.Value, error) {
	for depth, i := range index {
		if depth > 0 && v.Kind() == reflect.Ptr {
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
		v = v.Field(i)
	}
	return v, nil
}

// taggedField is an exported struct field as the redis tag presents it.
type taggedField struct {
	name      string // from the tag, else the Go name
	index     []int  // path from the outer struct, through embedded ones
	omitEmpty bool
}

// structFields is what AddFlat, ScanStruct and ScanSlice know of a struct
// type.
type structFields struct {
	inOrder []*taggedField          // declaration order, embedded fields in their place
	named   map[string]*taggedField // the visible field of each name
}

// fieldCache holds a *structFields or an error per reflect.Type.
var fieldCache sync.Map

// fieldsOf returns the fields of struct type t, from the cache when it can.
func fieldsOf(t reflect.Type) (*structFields, error) {
	if cached, ok := fieldCache.Load(t); ok {
		if err, isErr := cached.(error); isErr {
			return nil, err
		}
		return cached.(*structFields), nil
	}
	c := fieldCollector{
		out:     &structFields{named: make(map[string]*taggedField)},
		depthOf: make(map[string]int),
		visited: make(map[reflect.Type]bool),
	}
	if err := c.collect(t, nil); err != nil {
		var tagErr *unknownTagError
		if !errors.As(err, &tagErr) {
			err = fmt.Errorf("compile struct: %s: %w", t, err)
		}
		fieldCache.Store(t, err)
		return nil, err
	}
	fieldCache.Store(t, c.out)
	return c.out, nil
}

// unknownTagError reports a redis tag option other than omitempty. AddFlat
// panics with it, as upstream; ScanStruct and ScanSlice return it, where
// upstream panics.
type unknownTagError struct{ opt, structName string }

func (e *unknownTagError) Error() string {
	return fmt.Sprintf("unknown field tag %s for type %s", e.opt, e.structName)
}

// fieldCollector gathers the fields of one struct type, embedded ones
// included.
type fieldCollector struct {
	out     *structFields
	depthOf map[string]int        // name → len(index) of the field holding it
	visited map[reflect.Type]bool // struct types gathered so far
}

// collect adds the fields of struct type t, found at index in the outer
// struct. An embedded struct's fields are added where it is declared, one
// level deeper.
func (c *fieldCollector) collect(t reflect.Type, index []int) error {
	// As upstream, a struct type met twice is taken as recursive, even in
	// two separate branches of the embedding tree.
	if c.visited[t] {
		return fmt.Errorf("recursive struct definition for %s", t)
	}
	c.visited[t] = true

	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		at := append(index[:len(index):len(index)], i) // never shares index's array

		if sf.Anonymous {
			embedded := sf.Type
			if embedded.Kind() == reflect.Ptr {
				embedded = embedded.Elem()
			}
			// Embedded structs are flattened whatever their tag or
			// visibility; embedded non-structs are left out.
			if embedded.Kind() == reflect.Struct {
				if err := c.collect(embedded, at); err != nil {
					return err
				}
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		name, omitEmpty, skip, err := parseTag(sf.Tag.Get("redis"), t.Name())
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		c.add(&taggedField{name: name, index: at, omitEmpty: omitEmpty})
	}
	return nil
}

// parseTag reads a redis struct tag: "name", "name,omitempty", "-". As
// upstream: a "-" anywhere before an unknown option skips the field, an
// empty first part leaves the Go name and counts as an (unknown) option
// when anything follows it, and one trailing comma is ignored.
func parseTag(tag, structName string) (name string, omitEmpty, skip bool, err error) {
	if tag == "" {
		return "", false, false, nil
	}
	parts := strings.Split(tag, ",")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		switch {
		case p == "-":
			return "", false, true, nil
		case i == 0 && p != "":
			name = p
		case p == "omitempty":
			omitEmpty = true
		default:
			return "", false, false, &unknownTagError{opt: p, structName: structName}
		}
	}
	return name, omitEmpty, false, nil
}

// add records f unless a field of the same name is shallower. Two fields of
// the same name at the same depth hide each other, as in Go.
func (c *fieldCollector) add(f *taggedField) {
	depth, seen := c.depthOf[f.name]
	switch {
	case !seen || len(f.index) < depth:
		c.depthOf[f.name] = len(f.index)
		c.out.named[f.name] = f
		c.out.inOrder = append(c.out.inOrder, f)
	case len(f.index) == depth:
		// As upstream, this also drops the deeper fields of the name that
		// the visible one had hidden from ScanStruct.
		delete(c.out.named, f.name)
		kept := c.out.inOrder[:0]
		for _, other := range c.out.inOrder {
			if other.name != f.name {
				kept = append(kept, other)
			}
		}
		c.out.inOrder = kept
	}
}
