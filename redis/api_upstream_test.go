package redis_test

// The API of ours against upstream's, derived mechanically: from the
// packages' export data (what the compiler sees) and from go doc.

import (
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const (
	upstreamPath = "github.com/gomodule/redigo/redis"
	ourPath      = "github.com/ocredigo/redigo/redis"
)

// Where ours may have more than upstream: the fork's additions to an
// interface (which would break code implementing upstream's) and to a
// struct or method set.
var forkExtras = map[string]bool{
	"ConnWithContext.CloseContext": true,
	"ConnWithContext.SendContext":  true,
	"ConnWithContext.FlushContext": true,
	"Pool.TraceOptions":            true,
}

// TestAPIMatchesUpstreamExportData compares the two packages as the
// compiler sees them, from their export data: every exported object of
// upstream (func, var, type with its fields, interface methods and the
// method sets of T and *T) must exist in ours with an identical type, the
// package's own types matched by name.
func TestAPIMatchesUpstreamExportData(t *testing.T) {
	up, ours := importPackages(t, upstreamPath, ourPath)
	diffs, checked := compareAPI(up, ours)
	for _, d := range diffs {
		t.Error(d)
	}
	// 75 identifiers, 24 methods, 33 fields, and 24 interface methods:
	// upstream's 12 plus the 12 that two interfaces get by embedding Conn.
	if checked != 156 {
		t.Errorf("checked %d API elements; upstream has 156", checked)
	}
	// The checker sees differences: ours compared against upstream's lacks
	// the fork's additions.
	reversed, _ := compareAPI(ours, up)
	for _, want := range []string{
		"missing DialWithContext",
		"Pool.TraceOptions: missing field",
		"ConnWithContext.CloseContext: missing method",
		"(*Pool).GetWithContext: not in the method set",
	} {
		if !slices.Contains(reversed, want) {
			t.Errorf("comparing the other way round does not find %q: %q", want, reversed)
		}
	}
	var extra []string
	for _, name := range ours.Scope().Names() {
		if token.IsExported(name) && up.Scope().Lookup(name) == nil {
			extra = append(extra, name)
		}
	}
	t.Logf("checked %d elements; identifiers only ours has: %v", checked, extra)
}

// importPackages type-checks nothing: it reads the packages' export data
// that `go list -export` produced.
func importPackages(t *testing.T, paths ...string) (up, ours *types.Package) {
	t.Helper()
	args := append([]string{"list", "-deps", "-export", "-f", "{{if .Export}}{{.ImportPath}}={{.Export}}{{end}}"}, paths...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go %s: %v %s", strings.Join(args, " "), err, stderrOf(err))
	}
	exports := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok {
			exports[path] = file
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(file)
	})
	var pkgs []*types.Package
	for _, path := range paths {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs[0], pkgs[1]
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

func compareAPI(up, ours *types.Package) (diffs []string, checked int) {
	for _, name := range up.Scope().Names() {
		uo := up.Scope().Lookup(name)
		if !uo.Exported() {
			continue
		}
		checked++
		oo := ours.Scope().Lookup(name)
		if oo == nil {
			diffs = append(diffs, "missing "+name)
			continue
		}
		if uk, ok := objectKind(uo), objectKind(oo); uk != ok {
			diffs = append(diffs, fmt.Sprintf("%s: upstream's is a %s, ours a %s", name, uk, ok))
			continue
		}
		if _, ok := uo.(*types.TypeName); !ok {
			if u, o := typeKey(uo.Type()), typeKey(oo.Type()); u != o {
				diffs = append(diffs, fmt.Sprintf("%s: upstream %s, ours %s", name, u, o))
			}
			continue
		}
		d, n := compareNamedTypes(name, uo.Type(), oo.Type())
		diffs = append(diffs, d...)
		checked += n
	}
	return diffs, checked
}

func objectKind(o types.Object) string {
	switch o.(type) {
	case *types.Func:
		return "func"
	case *types.Var:
		return "var"
	case *types.Const:
		return "const"
	case *types.TypeName:
		return "type"
	}
	return fmt.Sprintf("%T", o)
}

// compareNamedTypes compares type name of both packages: the underlying
// type, then the methods of T and *T.
func compareNamedTypes(name string, up, ours types.Type) (diffs []string, checked int) {
	switch u := up.Underlying().(type) {
	case *types.Struct:
		o, ok := ours.Underlying().(*types.Struct)
		if !ok {
			return []string{name + ": ours is not a struct"}, 0
		}
		uf, of := exportedFields(u), exportedFields(o)
		for field, ut := range uf {
			checked++
			if ot, ok := of[field]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing field", name, field))
			} else if ut != ot {
				diffs = append(diffs, fmt.Sprintf("%s.%s: upstream %s, ours %s", name, field, ut, ot))
			}
		}
		for field := range of {
			if _, ok := uf[field]; !ok && !forkExtras[name+"."+field] {
				diffs = append(diffs, fmt.Sprintf("%s.%s: a field upstream does not have", name, field))
			}
		}
	case *types.Interface:
		o, ok := ours.Underlying().(*types.Interface)
		if !ok {
			return []string{name + ": ours is not an interface"}, 0
		}
		um, om := interfaceMethods(u), interfaceMethods(o)
		for m, ut := range um {
			checked++
			if ot, ok := om[m]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing method", name, m))
			} else if ut != ot {
				diffs = append(diffs, fmt.Sprintf("%s.%s: upstream %s, ours %s", name, m, ut, ot))
			}
		}
		for m := range om {
			if _, ok := um[m]; !ok && !forkExtras[name+"."+m] {
				diffs = append(diffs, fmt.Sprintf("%s.%s: a method upstream's interface does not have", name, m))
			}
		}
		return diffs, checked
	default:
		if u, o := typeKey(up.Underlying()), typeKey(ours.Underlying()); u != o {
			diffs = append(diffs, fmt.Sprintf("%s: underlying type upstream %s, ours %s", name, u, o))
		}
	}
	for _, ptr := range []bool{false, true} {
		ut, ot := up, ours
		recv := name
		if ptr {
			ut, ot, recv = types.NewPointer(up), types.NewPointer(ours), "*"+name
		}
		um, om := methodSet(ut), methodSet(ot)
		for m, sig := range um {
			if !ptr || !hasKey(methodSet(up), m) {
				checked++ // each method once, in the smallest method set
			}
			if osig, ok := om[m]; !ok {
				diffs = append(diffs, fmt.Sprintf("(%s).%s: not in the method set", recv, m))
			} else if sig != osig {
				diffs = append(diffs, fmt.Sprintf("(%s).%s: upstream %s, ours %s", recv, m, sig, osig))
			}
		}
	}
	return diffs, checked
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func exportedFields(s *types.Struct) map[string]string {
	fields := make(map[string]string)
	for i := 0; i < s.NumFields(); i++ {
		if f := s.Field(i); f.Exported() {
			fields[f.Name()] = typeKey(f.Type())
		}
	}
	return fields
}

func interfaceMethods(it *types.Interface) map[string]string {
	methods := make(map[string]string)
	for i := 0; i < it.NumMethods(); i++ {
		m := it.Method(i)
		methods[m.Name()] = typeKey(m.Type())
	}
	return methods
}

func methodSet(t types.Type) map[string]string {
	methods := make(map[string]string)
	ms := types.NewMethodSet(t)
	for i := 0; i < ms.Len(); i++ {
		if obj := ms.At(i).Obj(); obj.Exported() {
			methods[obj.Name()] = typeKey(obj.Type())
		}
	}
	return methods
}

// typeKey spells a type without parameter names, with the types of both
// redis packages as "redis.Name", so that identical signatures of the two
// packages spell the same.
func typeKey(t types.Type) string {
	switch t := t.(type) {
	case *types.Basic:
		return t.Name()
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() == nil {
			return obj.Name() // error
		}
		path := obj.Pkg().Path()
		if path == upstreamPath || path == ourPath {
			path = "redis"
		}
		return path + "." + obj.Name()
	case *types.Pointer:
		return "*" + typeKey(t.Elem())
	case *types.Slice:
		return "[]" + typeKey(t.Elem())
	case *types.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), typeKey(t.Elem()))
	case *types.Map:
		return "map[" + typeKey(t.Key()) + "]" + typeKey(t.Elem())
	case *types.Chan:
		return fmt.Sprintf("chan(%d) %s", t.Dir(), typeKey(t.Elem()))
	case *types.Signature:
		var params []string
		for i := 0; i < t.Params().Len(); i++ {
			p := typeKey(t.Params().At(i).Type())
			if t.Variadic() && i == t.Params().Len()-1 {
				p = "..." + strings.TrimPrefix(p, "[]")
			}
			params = append(params, p)
		}
		var results []string
		for i := 0; i < t.Results().Len(); i++ {
			results = append(results, typeKey(t.Results().At(i).Type()))
		}
		return "func(" + strings.Join(params, ", ") + ") (" + strings.Join(results, ", ") + ")"
	case *types.Struct:
		var fields []string
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			fields = append(fields, fmt.Sprintf("%s %s %q", f.Name(), typeKey(f.Type()), t.Tag(i)))
		}
		return "struct{" + strings.Join(fields, "; ") + "}"
	case *types.Interface:
		var methods []string
		for i := 0; i < t.NumMethods(); i++ {
			m := t.Method(i)
			methods = append(methods, m.Name()+" "+typeKey(m.Type()))
		}
		sort.Strings(methods)
		return "interface{" + strings.Join(methods, "; ") + "}"
	}
	return fmt.Sprintf("unexpected type %T %s", t, t)
}

// docNameRE matches a declaration line of `go doc -short`.
var docNameRE = regexp.MustCompile(`(?m)^\s*(?:func|type|var|const) (\w+)`)

// TestAPIGoDocNames checks, independently of the lists above, that every
// top-level identifier `go doc` shows for upstream is documented for ours.
func TestAPIGoDocNames(t *testing.T) {
	upNames := goDocNames(t, upstreamPath)
	if len(upNames) != 75 {
		t.Errorf("go doc shows %d upstream identifiers, want 75: %v", len(upNames), upNames)
	}
	ourNames := make(map[string]bool)
	for _, n := range goDocNames(t, ourPath) {
		ourNames[n] = true
	}
	for _, name := range upNames {
		if ourNames[name] {
			continue
		}
		// -short shows only the first name of a var or const group.
		out, err := exec.Command("go", "doc", "-short", ourPath, name).Output()
		if err != nil || !regexp.MustCompile(`(?s)\A\s*(?:var|const)\b.*\b`+name+`\b`).Match(out) {
			t.Errorf("%s: upstream documents it, ours does not (%v)", name, err)
		}
	}
}

func goDocNames(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "doc", "-short", pkg).Output()
	if err != nil {
		t.Fatalf("go doc -short %s: %v %s", pkg, err, stderrOf(err))
	}
	var names []string
	for _, m := range docNameRE.FindAllSubmatch(out, -1) {
		names = append(names, string(m[1]))
	}
	return names
}
