package redis

// The machinery of the differential scan tests (scan_diff_test.go): reply
// copies for each side, a deep dump of what a scan left in its dests, and
// the comparison of both sides' outcomes, panics included.

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
)

// replyCopy copies reply value v for one side, with upstream.Error in place of
// Error for upstream, so that neither side sees the other's []byte.
func replyCopy(v interface{}, forUpstream bool) interface{} {
	switch v := v.(type) {
	case []byte:
		if v != nil {
			return append([]byte{}, v...)
		}
	case Error:
		if forUpstream {
			return upstream.Error(v)
		}
	case []interface{}:
		if v != nil {
			out := make([]interface{}, len(v))
			for i := range v {
				out[i] = replyCopy(v[i], forUpstream)
			}
			return out
		}
	}
	return v
}

func replyCopies(src []interface{}, forUpstream bool) []interface{} {
	out, _ := replyCopy(src, forUpstream).([]interface{})
	return out
}

// scribble overwrites every []byte in v, so that a dest sharing the reply's
// memory shows it.
func scribble(v interface{}) {
	switch v := v.(type) {
	case []byte:
		for i := range v {
			v[i] = 'Z'
		}
	case []interface{}:
		for _, e := range v {
			scribble(e)
		}
	}
}

func bulk(s string) []byte { return []byte(s) }

// typeNames maps the twin test types of each side to one name.
var typeNames = strings.NewReplacer("Upstream", "Twin", "Ours", "Twin")

// deepDump formats v deeply, with types, following pointers.
func deepDump(v interface{}) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v))
	return typeNames.Replace(b.String())
}

func dumpValue(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	t := v.Type()
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
		if v.IsNil() {
			fmt.Fprintf(b, "%s(nil)", t)
			return
		}
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface:
		fmt.Fprintf(b, "(%s)&", t)
		dumpValue(b, v.Elem())
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			fmt.Fprintf(b, "%s(%q)", t, v.Bytes())
			return
		}
		fmt.Fprintf(b, "%s{", t)
		for i := 0; i < v.Len(); i++ {
			dumpValue(b, v.Index(i))
			b.WriteString(", ")
		}
		b.WriteString("}")
	case reflect.Map: // of basic types only, which fmt prints in key order
		fmt.Fprintf(b, "%s(%v)", t, v)
	case reflect.Struct:
		fmt.Fprintf(b, "%s{", t)
		for i := 0; i < v.NumField(); i++ {
			fmt.Fprintf(b, "%s: ", t.Field(i).Name)
			dumpValue(b, v.Field(i))
			b.WriteString(", ")
		}
		b.WriteString("}")
	case reflect.Chan, reflect.Func:
		fmt.Fprintf(b, "%s(non-nil)", t)
	default: // numbers, strings, bools
		fmt.Fprintf(b, "%s(%q)", t, fmt.Sprint(v))
	}
}

// describeErr gives the type and text of err and of each error it wraps.
func describeErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	var parts []string
	for ; err != nil; err = errors.Unwrap(err) {
		parts = append(parts, fmt.Sprintf("%T %q", err, err.Error()))
	}
	return strings.Join(parts, " <- ")
}

// outcome runs f and describes what it did: its result, or its panic.
func outcome(f func() string) (out string) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok {
				out = typeNames.Replace("PANIC " + describeErr(err))
			} else {
				out = typeNames.Replace(fmt.Sprintf("PANIC %T %v", p, p))
			}
		}
	}()
	return typeNames.Replace(f())
}

func scanOutcome(scan func([]interface{}, ...interface{}) ([]interface{}, error), src []interface{}, dests ...interface{}) string {
	return outcome(func() string {
		rest, err := scan(src, dests...)
		scribble(src)
		return fmt.Sprintf("dest=%s rest=%s err=%s", deepDump(dests), deepDump(rest), describeErr(err))
	})
}

func structOutcome(scanStruct func([]interface{}, interface{}) error, src []interface{}, dest interface{}) string {
	return outcome(func() string {
		err := scanStruct(src, dest)
		scribble(src)
		return fmt.Sprintf("dest=%s err=%s", deepDump(dest), describeErr(err))
	})
}

func sliceOutcome(scanSlice func([]interface{}, interface{}, ...string) error,
	src []interface{}, dest interface{}, fields []string) string {
	return outcome(func() string {
		err := scanSlice(src, dest, fields...)
		scribble(src)
		return fmt.Sprintf("dest=%s err=%s", deepDump(dest), describeErr(err))
	})
}

func flatOutcome(addFlat func(interface{}) string, v interface{}) string {
	return outcome(func() string { return addFlat(v) })
}

func oursAddFlat(v interface{}) string     { return deepDump(Args{"k"}.AddFlat(v)) }
func upstreamAddFlat(v interface{}) string { return deepDump(upstream.Args{"k"}.AddFlat(v)) }

// upstreamScan has the signature of Scan.
func upstreamScan(src []interface{}, dest ...interface{}) ([]interface{}, error) {
	return upstream.Scan(src, dest...)
}

// compareSides fails on a difference between the two sides, or a panic of ours.
func compareSides(t *testing.T, name, ours, theirs string) {
	t.Helper()
	if strings.HasPrefix(ours, "PANIC") {
		t.Errorf("%s: ours panics: %s", name, ours)
		return
	}
	comparePanics(t, name, ours, theirs)
}

// comparePanics is compareSides for calls that must panic where upstream does.
func comparePanics(t *testing.T, name, ours, theirs string) {
	t.Helper()
	if ours != theirs {
		t.Errorf("%s:\n  ours:     %s\n  upstream: %s", name, ours, theirs)
	}
}

// Upstream panics that ours avoids.
const (
	upstreamPanicsBadTag      = "redigo: unknown field tag"
	upstreamPanicsReflect     = "zero Value"
	upstreamPanicsNilEmbedded = "indirection through nil pointer to embedded struct"
)

// compareOrFixed is compareSides, except that where upstream panics with
// panicText, ours must return normally with wantErr in its outcome.
func compareOrFixed(t *testing.T, name, ours, theirs, panicText, wantErr string) {
	t.Helper()
	if strings.HasPrefix(theirs, "PANIC") && strings.Contains(theirs, panicText) {
		if strings.HasPrefix(ours, "PANIC") || !strings.Contains(ours, wantErr) {
			t.Errorf("%s: got %s, want no panic and %q", name, ours, wantErr)
		}
		return
	}
	compareSides(t, name, ours, theirs)
}
