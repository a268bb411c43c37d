package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pending lists our files that are still being rewritten: their runs are
// logged, not failed. Empty while no rewrite is under way.
var pending = map[string]bool{}

// TestOursSharesNoRuns lays ../../redis beside every upstream and fork
// version in the module cache and fails on any shared run of 8 lines.
func TestOursSharesNoRuns(t *testing.T) {
	others := ModuleCacheDirs()
	if _, ok := others[UpstreamLabel]; !ok {
		t.Skip("upstream redigo v1.9.3 is not in the module cache (go mod download github.com/gomodule/redigo)")
	}
	hasFork := false
	for label, dir := range others {
		t.Logf("comparing with %s (%s)", label, dir)
		hasFork = hasFork || strings.HasPrefix(label, "fork")
	}
	if !hasFork {
		t.Log("the fork is not in the module cache: upstream versions only")
	}
	runs, err := Compare("../../redis", others, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		msg := "%s:%d-%d repeats %s %s:%d-%d (%d lines): %q"
		args := []interface{}{r.Ours, r.OursFrom, r.OursTo, r.Source, r.Other, r.OtherFrom, r.OtherTo, r.Lines, r.First}
		if pending[r.Ours] {
			t.Logf("pending: "+msg, args...)
		} else {
			t.Errorf(msg, args...)
		}
	}
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestCompareRules(t *testing.T) {
	eight := []string{"// a comment", "func f() {", "x := 1", "y := 2", "z := x + y", "use(z)", "return", "}"}
	braces := []string{"}", "}", ")", "}", "})", "}", "}", "}", "}", "}"}
	imports := []string{"package p", "", "import (", `"a"`, `"b"`, `"c"`, `"d"`, `"e"`, `"f"`, `"g"`, `"h"`, ")"}

	tests := []struct {
		name       string
		ours, them string
		want       int // runs
	}{
		{"eight identical lines", lines(eight...), lines(eight...), 1},
		{"seven are not enough", lines(eight[1:]...), lines(eight...), 0},
		{"indentation and blank lines do not matter",
			lines("\t// a comment", "", "func f() {", "\t\tx := 1", "", "", "  y := 2", "z := x + y", "//", "use(z)", "return", "}"),
			lines(eight...), 1},
		{"one changed line breaks the run",
			lines(append(append([]string{}, eight[:4]...), append([]string{"changed"}, eight[4:]...)...)...),
			lines(eight...), 0},
		{"braces alone never count", lines(braces...), lines(braces...), 0},
		{"imports and package clause are skipped", lines(imports...), lines(imports...), 0},
		{"comments count", lines("// one", "// two", "// three", "// four", "// five", "// six", "// seven", "// eight"),
			lines("// zero", "// one", "// two", "// three", "// four", "// five", "// six", "// seven", "// eight"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := writeDir(t, map[string]string{"a.go": tt.ours})
			them := writeDir(t, map[string]string{"b.go": tt.them})
			runs, err := Compare(ours, map[string]string{"them": them}, 8)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != tt.want {
				t.Fatalf("got %d runs, want %d: %+v", len(runs), tt.want, runs)
			}
		})
	}
}

func TestCompareReportsLineNumbers(t *testing.T) {
	body := []string{"// a comment", "func f() {", "x := 1", "y := 2", "z := x + y", "use(z)", "return", "}"}
	ours := writeDir(t, map[string]string{"a.go": lines(append([]string{"package p", "", "var q = 1", ""}, body...)...)})
	them := writeDir(t, map[string]string{"b.go": lines(append([]string{"package p", "// other"}, body...)...)})
	runs, err := Compare(ours, map[string]string{"them": them}, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(runs))
	}
	r := runs[0]
	if r.Ours != "a.go" || r.OursFrom != 5 || r.OursTo != 12 || r.Other != "b.go" || r.OtherFrom != 3 || r.OtherTo != 10 || r.Lines != 8 {
		t.Fatalf("got %+v", r)
	}
}
