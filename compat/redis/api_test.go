package redis_test

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const (
	compatPath   = "github.com/gomodule/redigo/redis" // this package
	compatXPath  = "github.com/gomodule/redigo/redisx"
	ocredigoPath = "github.com/ocredigo/redigo/redis"
)

// TestGeneratedFileIsUpToDate regenerates redis.go from ocredigo's current
// API: a name added to, removed from or changed in ocredigo's redis package
// fails here until go generate is run.
func TestGeneratedFileIsUpToDate(t *testing.T) {
	cmd := exec.Command("go", "run", "../internal/gen", "-o", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run ../internal/gen: %v\n%s", err, stderr.String())
	}
	got, err := os.ReadFile("redis.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("redis.go is out of date: run go generate in compat/redis")
	}
}

// TestEveryOcredigoIdentifierIsReExported compares this package with
// ocredigo's as the compiler sees them: every exported identifier of
// ocredigo's package is here, of the same kind and identical type (a type
// is an alias of ocredigo's, so values cross between the two freely), and
// nothing else is.
func TestEveryOcredigoIdentifierIsReExported(t *testing.T) {
	compat, ours := importPackages(t, compatPath, ocredigoPath)
	var checked int
	for _, name := range ours.Scope().Names() {
		oo := ours.Scope().Lookup(name)
		if !oo.Exported() {
			continue
		}
		checked++
		co := compat.Scope().Lookup(name)
		if co == nil {
			t.Errorf("%s: not re-exported", name)
			continue
		}
		switch oo := oo.(type) {
		case *types.TypeName:
			ct, ok := co.(*types.TypeName)
			if !ok || !ct.IsAlias() {
				t.Errorf("%s: not a type alias", name)
			} else if !types.Identical(ct.Type(), oo.Type()) {
				t.Errorf("%s: aliases %s, want %s", name, ct.Type(), oo.Type())
			}
		case *types.Func:
			if _, ok := co.(*types.Func); !ok {
				t.Errorf("%s: a %T, want a func", name, co)
			} else if !types.Identical(co.Type(), oo.Type()) {
				t.Errorf("%s: %s, want %s", name, co.Type(), oo.Type())
			}
		case *types.Var:
			if _, ok := co.(*types.Var); !ok || !types.Identical(co.Type(), oo.Type()) {
				t.Errorf("%s: %T of type %s, want a var of type %s", name, co, co.Type(), oo.Type())
			}
		case *types.Const:
			cc, ok := co.(*types.Const)
			if !ok || !types.Identical(cc.Type(), oo.Type()) || !constant.Compare(cc.Val(), token.EQL, oo.Val()) {
				t.Errorf("%s: %s, want const %s = %s", name, co, oo.Type(), oo.Val())
			}
		default:
			t.Errorf("%s: unexpected %T", name, oo)
		}
	}
	for _, name := range compat.Scope().Names() {
		if token.IsExported(name) && ours.Scope().Lookup(name) == nil {
			t.Errorf("%s: declared here but not by ocredigo", name)
		}
	}
	if checked < 75 {
		t.Errorf("checked %d identifiers; upstream alone has 75", checked)
	}
}

// TestEveryUpstreamIdentifierIsDeclared reads upstream redigo v1.9.3's
// source from the module cache (the parent module requires it) and checks
// that each exported top-level identifier of its packages, redis and
// redisx, is declared here with the same kind, and each exported method of
// its types too. The parent module's own API tests check that ocredigo's
// declarations have upstream's exact types.
func TestEveryUpstreamIdentifierIsDeclared(t *testing.T) {
	for _, tc := range []struct {
		pkg, path string
		want      int // exported top-level identifiers
	}{
		{"redis", compatPath, 75},
		{"redisx", compatXPath, 2},
	} {
		upstream, methods := upstreamAPI(t, filepath.Join(upstreamDir(t), tc.pkg))
		if len(upstream) != tc.want {
			t.Errorf("found %d exported identifiers in upstream's %s, want %d", len(upstream), tc.pkg, tc.want)
		}
		compat, _ := importPackages(t, tc.path, tc.path)
		names := make([]string, 0, len(upstream))
		for name := range upstream {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			obj := compat.Scope().Lookup(name)
			if obj == nil {
				t.Errorf("%s: upstream's %s %s is missing", tc.pkg, upstream[name], name)
				continue
			}
			if kind := objectKind(obj); kind != upstream[name] {
				t.Errorf("%s.%s: upstream's is a %s, this one a %s", tc.pkg, name, upstream[name], kind)
			}
		}
		for _, m := range methods {
			recv, name, _ := strings.Cut(m, ".")
			obj := compat.Scope().Lookup(recv)
			if obj == nil {
				continue // reported above
			}
			if sel, _, _ := types.LookupFieldOrMethod(types.NewPointer(obj.Type()), true, compat, name); sel == nil {
				t.Errorf("%s: upstream's method %s is missing", tc.pkg, m)
			}
		}
	}
}

// upstreamAPI parses the non-test files of dir: the exported top-level
// identifiers with their kinds, and the exported methods of exported types
// as "Type.Method".
func upstreamAPI(t *testing.T, dir string) (idents map[string]string, methods []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	idents = make(map[string]string)
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					idents[d.Name.Name] = "func"
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
					methods = append(methods, id.Name+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							idents[s.Name.Name] = "type"
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								idents[n.Name] = strings.ToLower(d.Tok.String())
							}
						}
					}
				}
			}
		}
	}
	return idents, methods
}

// upstreamDir returns the directory of upstream's module in the module
// cache, downloading it with the parent module's go.mod.
func upstreamDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "-C", "../..", "mod", "download", "-json", "github.com/gomodule/redigo").Output()
	if err != nil {
		t.Fatalf("go mod download github.com/gomodule/redigo: %v %s", err, stderrOf(err))
	}
	const key = `"Dir": "`
	i := bytes.Index(out, []byte(key))
	if i < 0 {
		t.Fatalf("no Dir in %s", out)
	}
	rest := out[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
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

// importPackages reads the packages' export data, which `go list -export`
// builds, through one importer, so that the types of ocredigo seen through
// both packages are the same objects.
func importPackages(t *testing.T, paths ...string) (first, second *types.Package) {
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
	pkgs := make([]*types.Package, 2)
	for i, path := range paths {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		pkgs[i] = pkg
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
