package main

import (
	"math"
	"strings"
	"testing"
)

const upstreamOut = `goos: linux
goarch: amd64
pkg: github.com/ocredigo/redigo/bench
BenchmarkGet/16B-2      	   50000	     20000 ns/op	     15000 cpu-ns/op	      72 B/op	       4 allocs/op
BenchmarkPipelineGet/16B-2         	  100000	       1000 ns/op	       750 cpu-ns/op	      72 B/op	       4 allocs/op
PASS
BenchmarkGet/16B-2      	   50000	     22000 ns/op	     15500 cpu-ns/op	      72 B/op	       4 allocs/op
BenchmarkPipelineGet/16B-2         	  100000	       1100 ns/op	       760 cpu-ns/op	      72 B/op	       4 allocs/op
BenchmarkGet/16B-2      	   50000	     21000 ns/op	     15200 cpu-ns/op	      72 B/op	       4 allocs/op
BenchmarkPipelineGet/16B-2         	  100000	       1050 ns/op	       755 cpu-ns/op	      72 B/op	       4 allocs/op
ok  	github.com/ocredigo/redigo/bench	3.1s
`

func mustParse(t *testing.T, label, text string) input {
	t.Helper()
	data, order, err := parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return input{label, data, order}
}

func TestParse(t *testing.T) {
	in := mustParse(t, "upstream", upstreamOut)
	if got, want := strings.Join(in.order, ","), "Get/16B,PipelineGet/16B"; got != want {
		t.Fatalf("benchmarks %s, want %s", got, want)
	}
	if got := in.data["Get/16B"]["ns/op"]; len(got) != 3 || got[0] != 20000 || got[2] != 21000 {
		t.Errorf("Get/16B ns/op = %v", got)
	}
	if got := in.data["PipelineGet/16B"]["cpu-ns/op"]; len(got) != 3 || got[1] != 760 {
		t.Errorf("PipelineGet/16B cpu-ns/op = %v", got)
	}
	if n := minSamples(in); n != 3 {
		t.Errorf("minSamples = %d, want 3", n)
	}
}

func TestParseBadValue(t *testing.T) {
	_, _, err := parse(strings.NewReader("BenchmarkGet-2 10 12x ns/op\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want an error naming line 1", err)
	}
}

func TestMedianAndRatio(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if r := ratio([]float64{0}, []float64{0}); r != 1 {
		t.Errorf("ratio 0/0 = %v, want 1", r)
	}
	if r := ratio(nil, []float64{1}); !math.IsNaN(r) {
		t.Errorf("ratio of missing = %v, want NaN", r)
	}
}

func TestBudgets(t *testing.T) {
	base := mustParse(t, "upstream", upstreamOut)
	// metrics: GET wall 1.04x and CPU 1.30x (over 1.20x); pipeline wall
	// 1.20x and CPU 1.40x, within budget.
	metrics := mustParse(t, "metrics", `
BenchmarkGet/16B-2  1000  21840 ns/op  19760 cpu-ns/op  72 B/op  4 allocs/op
BenchmarkPipelineGet/16B-2  1000  1260 ns/op  1057 cpu-ns/op  72 B/op  4 allocs/op
`)
	cs := checks("metrics", metrics, base)
	if len(cs) != 4 {
		t.Fatalf("%d checks, want 4: %+v", len(cs), cs)
	}
	if v := verdict("Get/16B", cs); !strings.HasPrefix(v, "MISS cpu 1.30x > 1.20x") {
		t.Errorf("Get verdict %q, want a CPU miss", v)
	}
	if v := verdict("PipelineGet/16B", cs); v != "ok" {
		t.Errorf("PipelineGet verdict %q, want ok", v)
	}

	// bare: one more allocation than upstream misses, faster is fine.
	bare := mustParse(t, "bare", `
BenchmarkGet/16B-2  1000  20000 ns/op  15000 cpu-ns/op  72 B/op  5 allocs/op
BenchmarkPipelineGet/16B-2  1000  1000 ns/op  700 cpu-ns/op  72 B/op  4 allocs/op
`)
	cs = checks("bare", bare, base)
	if v := verdict("Get/16B", cs); v != "MISS allocs 1.25x > 1.00x" {
		t.Errorf("bare Get verdict %q", v)
	}
	if v := verdict("PipelineGet/16B", cs); v != "ok" {
		t.Errorf("bare PipelineGet verdict %q", v)
	}

	// go-redis has no budget.
	if cs := checks("goredis", bare, base); len(cs) != 0 {
		t.Errorf("goredis has %d checks, want none", len(cs))
	}
}

func TestMissingBenchmarkMissesBudget(t *testing.T) {
	base := mustParse(t, "upstream", upstreamOut)
	traced := mustParse(t, "traced", "BenchmarkPipelineGet/16B-2 1000 1000 ns/op\n")
	cs := checks("traced", traced, base)
	if len(cs) != 1 || cs[0].met() {
		t.Fatalf("checks %+v, want one missed check for the absent Get/16B", cs)
	}
}

func TestReport(t *testing.T) {
	base := mustParse(t, "upstream", upstreamOut)
	bare := mustParse(t, "bare", upstreamOut)
	traced := mustParse(t, "traced", "BenchmarkGet/16B-2 1000 25000 ns/op\nBenchmarkPipelineGet/16B-2 1000 900 ns/op\n")
	var out strings.Builder
	missed := report(&out, []input{base, bare, traced})
	text := out.String()
	if missed != 1 {
		t.Errorf("missed = %d, want 1 (traced GET wall)\n%s", missed, text)
	}
	for _, want := range []string{
		"bare (n=3)",
		"bare: 6/6 met - within budget",
		"traced: 0/1 met - OVER BUDGET",
		"MISS wall 1.19x > 1.15x", // traced Get/16B: 25000 / 21000
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}
