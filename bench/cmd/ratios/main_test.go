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
	// Upstream's medians: Get/16B 21000 ns, 15200 cpu-ns, 4 allocs;
	// PipelineGet/16B 1050 ns, 755 cpu-ns, 4 allocs.
	// metrics: GET CPU 1.06x (over 1.05x) and one allocation more;
	// pipeline CPU +150 ns per command, within +175 ns.
	metrics := mustParse(t, "metrics", `
BenchmarkGet/16B-2  1000  21840 ns/op  16112 cpu-ns/op  72 B/op  5 allocs/op
BenchmarkPipelineGet/16B-2  1000  1260 ns/op  905 cpu-ns/op  72 B/op  4 allocs/op
`)
	cs := checks("metrics", metrics, base)
	if len(cs) != 4 { // Get: cpu, allocs; PipelineGet: +cpu, allocs
		t.Fatalf("%d checks, want 4: %+v", len(cs), cs)
	}
	if v, want := verdict("Get/16B", cs), "MISS: cpu 1.06x > 1.05x (+912 ns/cmd), allocs 5 > upstream's 4"; v != want {
		t.Errorf("Get verdict\n%q, want\n%q", v, want)
	}
	if v, want := verdict("PipelineGet/16B", cs), "ok: cpu +150 ns/cmd <= +175 ns (1.20x), allocs 4 <= upstream's 4"; v != want {
		t.Errorf("PipelineGet verdict\n%q, want\n%q", v, want)
	}

	// +176 ns per pipelined command misses, whatever the ratio.
	metrics = mustParse(t, "metrics", "BenchmarkPipelineGet/16B-2 1000 1000 ns/op 931 cpu-ns/op 72 B/op 4 allocs/op\n")
	cs = checks("metrics", metrics, base)
	if v := verdict("PipelineGet/16B", cs); !strings.HasPrefix(v, "MISS: cpu +176 ns/cmd > +175 ns (1.23x)") {
		t.Errorf("PipelineGet verdict %q, want a +cpu miss", v)
	}

	// bare: one more allocation than upstream misses, 1 % more CPU misses,
	// faster is fine; the wall time is not budgeted.
	bare := mustParse(t, "bare", `
BenchmarkGet/16B-2  1000  30000 ns/op  15000 cpu-ns/op  72 B/op  5 allocs/op
BenchmarkPipelineGet/16B-2  1000  1000 ns/op  763 cpu-ns/op  72 B/op  4 allocs/op
`)
	cs = checks("bare", bare, base)
	if v, want := verdict("Get/16B", cs), "MISS: allocs 5 > upstream's 4; ok: cpu 0.99x <= 1.00x (-200 ns/cmd)"; v != want {
		t.Errorf("bare Get verdict\n%q, want\n%q", v, want)
	}
	if v := verdict("PipelineGet/16B", cs); !strings.HasPrefix(v, "MISS: cpu 1.01x > 1.00x (+8 ns/cmd)") {
		t.Errorf("bare PipelineGet verdict %q", v)
	}
	if cs := checks("bare-ctx", bare, base); len(cs) != 4 {
		t.Errorf("bare-ctx has %d checks, want bare's 4", len(cs))
	}

	// views and go-redis have no budget.
	for _, config := range []string{"views", "goredis", "goredis-otel", "upstream-ctx"} {
		if cs := checks(config, bare, base); len(cs) != 0 {
			t.Errorf("%s has %d checks, want none", config, len(cs))
		}
	}
}

// allWorkloads has one sample of every workload, all equal.
const allWorkloads = `
BenchmarkSet/16B-2 1000 20000 ns/op 10000 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkGet/16B-2 1000 20000 ns/op 10000 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkPipelineGet/16B-2 1000 1000 ns/op 700 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkCannedGet/16B-2 1000 200 ns/op 200 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkCannedPipelineGet/16B-2 1000 150 ns/op 150 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkPoolGet/par=2/16B-2 1000 10000 ns/op 9000 cpu-ns/op 72 B/op 4 allocs/op
BenchmarkPoolGet/par=50/16B-2 1000 10000 ns/op 9000 cpu-ns/op 72 B/op 4 allocs/op
`

// TestBudgetWorkloads checks which limits apply to which workload.
func TestBudgetWorkloads(t *testing.T) {
	base := mustParse(t, "upstream", allWorkloads)
	in := mustParse(t, "x", allWorkloads)
	limits := func(config, bench string) string {
		var out []string
		for _, c := range checks(config, in, base) {
			if c.bench == bench {
				out = append(out, c.limitDescription())
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct{ config, bench, want string }{
		{"metrics", "Set/16B", "cpu<=1.05x allocs<=+0"},
		{"metrics", "Get/16B", "cpu<=1.05x allocs<=+0"},
		{"metrics", "CannedGet/16B", "cpu<=+175 allocs<=+0"},
		{"metrics", "PipelineGet/16B", "cpu<=+175 allocs<=+0"},
		{"metrics", "CannedPipelineGet/16B", "cpu<=+175 allocs<=+0"},
		{"metrics", "PoolGet/par=50/16B", "cpu<=1.10x allocs<=+0"},
		{"metrics", "PoolGet/par=2/16B", "allocs<=+0"},
		{"bare", "CannedPipelineGet/16B", "cpu<=1.00x allocs<=+0"},
		{"bare-ctx", "PoolGet/par=2/16B", "cpu<=1.00x allocs<=+0"},
		{"traced", "Set/16B", "wall<=1.15x"},
		{"traced", "Get/16B", "wall<=1.15x"},
		{"traced", "CannedGet/16B", ""},
		{"traced", "PipelineGet/16B", ""},
		{"views", "Get/16B", ""},
	} {
		if got := limits(tc.config, tc.bench); got != tc.want {
			t.Errorf("%s %s: limits %q, want %q", tc.config, tc.bench, got, tc.want)
		}
	}
}

func TestMissingBenchmarkMissesBudget(t *testing.T) {
	base := mustParse(t, "upstream", upstreamOut)
	traced := mustParse(t, "traced", "BenchmarkPipelineGet/16B-2 1000 1000 ns/op\n")
	cs := checks("traced", traced, base)
	if len(cs) != 1 || cs[0].met() {
		t.Fatalf("checks %+v, want one missed check for the absent Get/16B", cs)
	}
	if v := verdict("Get/16B", cs); v != "MISS: wall not measured (limit 1.15x)" {
		t.Errorf("verdict %q", v)
	}
}

func TestReport(t *testing.T) {
	base := mustParse(t, "upstream", upstreamOut)
	bare := mustParse(t, "bare", upstreamOut)
	traced := mustParse(t, "traced", "BenchmarkGet/16B-2 1000 25000 ns/op\nBenchmarkPipelineGet/16B-2 1000 900 ns/op\n")
	views := mustParse(t, "views", `
BenchmarkGet/16B-2  1000  22000 ns/op  17200 cpu-ns/op  600 B/op  18 allocs/op
BenchmarkPipelineGet/16B-2  1000  2000 ns/op  1755 cpu-ns/op  600 B/op  18 allocs/op
`)
	metrics := mustParse(t, "metrics", `
BenchmarkGet/16B-2  1000  21000 ns/op  15400 cpu-ns/op  72 B/op  4 allocs/op
BenchmarkPipelineGet/16B-2  1000  1100 ns/op  855 cpu-ns/op  72 B/op  4 allocs/op
`)
	var out strings.Builder
	missed := report(&out, []input{base, bare, views, traced, metrics})
	text := out.String()
	if missed != 1 {
		t.Errorf("missed = %d, want 1 (traced GET wall)\n%s", missed, text)
	}
	for _, want := range []string{
		"wall-time sanity: upstream Get/16B median wall 21.0 µs <= 30 µs: ok",
		"bare (n=3)",
		"bare: 4/4 met - within budget",
		"metrics: 4/4 met - within budget",
		"    ok   PipelineGet/16B              cpu +100 ns/cmd <= +175 ns (1.13x)",
		"traced: 0/1 met - OVER BUDGET",
		"    MISS Get/16B                      wall 1.19x > 1.15x (+4000 wall ns/cmd)", // 25000 / 21000
		"MISS: wall 1.19x > 1.15x",
		"fast path (metrics) next to the view path (views)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// The +cpu column: views' PipelineGet costs 1000 ns more than upstream's.
	if !strings.Contains(text, "  PipelineGet/16B                1.90x   2.32x   +1000") {
		t.Errorf("report lacks views' PipelineGet row with +1000 ns:\n%s", text)
	}
	// views is printed right after metrics, whatever the input order.
	if m, v, tr := strings.Index(text, "\nmetrics (n="), strings.Index(text, "\nviews (n="), strings.Index(text, "\ntraced (n="); m < 0 || v < m || tr > m && tr < v {
		t.Errorf("views is not right after metrics (metrics at %d, views at %d, traced at %d):\n%s", m, v, tr, text)
	}
}

func TestSanity(t *testing.T) {
	loaded := mustParse(t, "upstream", "BenchmarkGet/16B-2 1000 45000 ns/op\nBenchmarkGet/16B-2 1000 31000 ns/op\nBenchmarkGet/16B-2 1000 29000 ns/op\n")
	if s := sanity(loaded); !strings.HasPrefix(s, "WARNING: machine loaded: round-trip overheads hidden") || !strings.Contains(s, "31.0 µs > 30 µs") {
		t.Errorf("loaded machine: %q", s)
	}
	var out strings.Builder
	report(&out, []input{loaded, loaded})
	if n := strings.Count(out.String(), "WARNING: machine loaded"); n != 2 {
		t.Errorf("report warns %d times, want at its start and its end:\n%s", n, out.String())
	}
	quiet := mustParse(t, "upstream", "BenchmarkGet/16B-2 1000 30000 ns/op\n")
	if s := sanity(quiet); !strings.HasSuffix(s, ": ok") {
		t.Errorf("30 µs: %q, want ok", s)
	}
	none := mustParse(t, "upstream", "BenchmarkSet/16B-2 1000 30000 ns/op\n")
	if s := sanity(none); !strings.Contains(s, "not checked") {
		t.Errorf("no Get/16B: %q", s)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		d    float64
		want string
	}{{0, "+0"}, {0.4, "+0"}, {-0.4, "+0"}, {174.6, "+175"}, {-12.2, "-12"}, {math.NaN(), "-"}} {
		if got := formatExtra(tc.d); got != tc.want {
			t.Errorf("formatExtra(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := formatRatio(math.Inf(1)); got != "-" {
		t.Errorf("formatRatio(+Inf) = %q", got)
	}
	if got := formatNumber(4.5); got != "4.5" {
		t.Errorf("formatNumber(4.5) = %q", got)
	}
}
