// Command ratios summarizes a comparison run of the bench module: for each
// configuration, the median of every benchmark metric divided by the
// baseline's median (the first input), the extra CPU time per command over
// the baseline, and whether the budgets of issue 11 are met.
//
//	ratios [-strict] upstream=out/upstream.txt bare=out/bare.txt ...
//	ratios -sanity upstream=out/upstream.txt
//
// Each input is label=file, a file of Go benchmark output for one
// configuration. With -strict, a missed budget makes the exit status 1.
// With -sanity, only the wall-time sanity line of the baseline is printed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The units compared, in column order.
var units = []struct{ unit, title string }{
	{"ns/op", "wall"},
	{"cpu-ns/op", "cpu"},
	{"B/op", "B/op"},
	{"allocs/op", "allocs"},
}

const cpuUnit = "cpu-ns/op"

// limitKind is what a limit bounds.
type limitKind int

const (
	// maxRatio bounds the median over the baseline's median.
	maxRatio limitKind = iota
	// maxExtra bounds the median minus the baseline's median, in the unit.
	maxExtra
)

// A limit bounds one unit of a configuration against the baseline.
type limit struct {
	unit string
	kind limitKind
	max  float64
}

// A budget holds some configurations to limits on some workloads.
type budget struct {
	configs  []string
	workload string
	applies  func(bench string) bool
	limits   []limit
}

func every(string) bool { return true }

// setGet is a SET or GET round trip to redis-server.
func setGet(bench string) bool {
	return strings.HasPrefix(bench, "Set/") || strings.HasPrefix(bench, "Get/")
}

// pipelined is one command of a pipeline, to redis-server or canned, or a
// canned round trip: without the kernel's share, a command's extra CPU is
// the figure to hold, not a ratio to a cost of ~100 ns.
func pipelined(bench string) bool {
	return strings.HasPrefix(bench, "PipelineGet/") || strings.HasPrefix(bench, "Canned")
}

func pool50(bench string) bool { return strings.HasPrefix(bench, "PoolGet/par=50/") }

// budgets are those of issue 11, medians against upstream. bare-ctx is held
// to bare's: the context path must cost nothing. metrics is the fast path
// (redis.EnableMetrics) with spans not sampled; views, the exact view path,
// is reported next to it without a budget.
var budgets = []budget{
	{[]string{"bare", "bare-ctx"}, "every workload", every,
		[]limit{{cpuUnit, maxRatio, 1.00}, {"allocs/op", maxExtra, 0}}},
	{[]string{"metrics"}, "pipelined and canned commands", pipelined,
		[]limit{{cpuUnit, maxExtra, 175}}},
	{[]string{"metrics"}, "SET/GET round trips", setGet,
		[]limit{{cpuUnit, maxRatio, 1.05}}},
	{[]string{"metrics"}, "pool at parallelism 50", pool50,
		[]limit{{cpuUnit, maxRatio, 1.10}}},
	{[]string{"metrics"}, "every workload", every,
		[]limit{{"allocs/op", maxExtra, 0}}},
	{[]string{"traced"}, "SET/GET round trips", setGet,
		[]limit{{"ns/op", maxRatio, 1.15}}},
}

// The wall-time sanity check: on a quiet machine a loopback GET of 16 B
// costs ~20 µs; well above, the kernel's and the scheduler's delays swamp
// the client's overheads in every round-trip ratio.
const (
	sanityBench = "Get/16B"
	sanityMaxNs = 30000
)

// samples are the values of one configuration: benchmark → unit → values.
type samples map[string]map[string][]float64

// input is one labeled file of results.
type input struct {
	label string
	data  samples
	order []string // benchmarks in order of first appearance
}

func main() {
	strict := flag.Bool("strict", false, "exit with status 1 when a budget is missed")
	sanityOnly := flag.Bool("sanity", false, "print only the wall-time sanity line of the first input")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ratios [-strict] baseline=file label=file ...\n       ratios -sanity baseline=file")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 && !(*sanityOnly && flag.NArg() == 1) {
		flag.Usage()
		os.Exit(2)
	}
	var inputs []input
	for _, arg := range flag.Args() {
		in, err := readInput(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratios:", err)
			os.Exit(2)
		}
		inputs = append(inputs, in)
	}
	if *sanityOnly {
		fmt.Println(sanity(inputs[0]))
		return
	}
	missed := report(os.Stdout, inputs)
	if *strict && missed > 0 {
		os.Exit(1)
	}
}

func readInput(arg string) (input, error) {
	label, path, ok := strings.Cut(arg, "=")
	if !ok || label == "" || path == "" {
		return input{}, fmt.Errorf("argument %q: want label=file", arg)
	}
	f, err := os.Open(path)
	if err != nil {
		return input{}, err
	}
	defer f.Close()
	data, order, err := parse(f)
	if err != nil {
		return input{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) == 0 {
		return input{}, fmt.Errorf("%s: no benchmark results", path)
	}
	return input{label, data, order}, nil
}

// procsSuffix is the -GOMAXPROCS suffix of a benchmark name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads Go benchmark output: lines of a name, an iteration count and
// value-unit pairs. Other lines are skipped.
func parse(r io.Reader) (samples, []string, error) {
	data := samples{}
	var order []string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue
		}
		name := procsSuffix.ReplaceAllString(strings.TrimPrefix(fields[0], "Benchmark"), "")
		if data[name] == nil {
			data[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: value %q: %w", line, fields[i], err)
			}
			data[name][fields[i+1]] = append(data[name][fields[i+1]], v)
		}
	}
	return data, order, sc.Err()
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratio is the median of a over the median of base; NaN when either is
// missing, 1 when both are zero.
func ratio(a, base []float64) float64 {
	ma, mb := median(a), median(base)
	switch {
	case math.IsNaN(ma) || math.IsNaN(mb):
		return math.NaN()
	case ma == 0 && mb == 0:
		return 1
	}
	return ma / mb
}

// extra is the median of a minus the median of base; NaN when either is
// missing.
func extra(a, base []float64) float64 { return median(a) - median(base) }

// A check is one limit applied to one benchmark of one configuration.
type check struct {
	bench string
	limit limit
	// value and baseline are the medians of the configuration and of the
	// baseline in the limit's unit.
	value, baseline float64
}

func (c check) ratio() float64 {
	if c.value == 0 && c.baseline == 0 {
		return 1
	}
	return c.value / c.baseline
}

func (c check) extra() float64 { return c.value - c.baseline }

// measured is what the limit bounds: the ratio or the difference.
func (c check) measured() float64 {
	if c.limit.kind == maxExtra {
		return c.extra()
	}
	return c.ratio()
}

func (c check) met() bool {
	m := c.measured()
	return !math.IsNaN(m) && m <= c.limit.max+1e-9
}

// String is the check with its numbers, "ok: ..." or "MISS: ...".
func (c check) String() string {
	word := "ok"
	if !c.met() {
		word = "MISS"
	}
	return word + ": " + c.numbers()
}

// numbers tells the measured value against the limit, and the other view
// of it (the ratio of an extra, the extra of a ratio) for CPU.
func (c check) numbers() string {
	title := unitTitle(c.limit.unit)
	rel := "<="
	if !c.met() {
		rel = ">"
	}
	if math.IsNaN(c.measured()) {
		return fmt.Sprintf("%s not measured (limit %s)", title, c.limitText())
	}
	var s string
	switch {
	case c.limit.kind == maxRatio:
		s = fmt.Sprintf("%s %s %s %s", title, formatRatio(c.ratio()), rel, c.limitText())
		switch c.limit.unit {
		case cpuUnit:
			s += fmt.Sprintf(" (%s ns/cmd)", formatExtra(c.extra()))
		case "ns/op":
			s += fmt.Sprintf(" (%s wall ns/cmd)", formatExtra(c.extra()))
		}
	case c.limit.unit == "allocs/op":
		s = fmt.Sprintf("allocs %s %s upstream's %s", formatNumber(c.value), rel, formatNumber(c.baseline+c.limit.max))
	default:
		s = fmt.Sprintf("%s %s ns/cmd %s %s ns", title, formatExtra(c.extra()), rel, formatExtra(c.limit.max))
		s += fmt.Sprintf(" (%s)", formatRatio(c.ratio()))
	}
	return s
}

func (c check) limitText() string {
	if c.limit.kind == maxRatio {
		return fmt.Sprintf("%.2fx", c.limit.max)
	}
	return formatExtra(c.limit.max)
}

// checks are the budget checks of a configuration against the baseline.
func checks(config string, in, base input) []check {
	var out []check
	for _, bench := range base.order {
		for _, bg := range budgets {
			if !slices.Contains(bg.configs, config) || !bg.applies(bench) {
				continue
			}
			for _, l := range bg.limits {
				out = append(out, check{bench, l, median(in.data[bench][l.unit]), median(base.data[bench][l.unit])})
			}
		}
	}
	return out
}

// ordered puts the configurations after the baseline in input order, but
// views right after metrics: the view path is read next to the fast path.
func ordered(inputs []input) []input {
	var out []input
	var views *input
	for i := range inputs {
		if inputs[i].label == "views" {
			views = &inputs[i]
		}
	}
	hasMetrics := slices.ContainsFunc(inputs, func(in input) bool { return in.label == "metrics" })
	for _, in := range inputs {
		if in.label == "views" && hasMetrics {
			continue
		}
		out = append(out, in)
		if in.label == "metrics" && views != nil {
			out = append(out, *views)
		}
	}
	return out
}

// sanity is the wall-time sanity line of the baseline: its median wall
// time of one GET of 16 B, and a loud warning when the machine is loaded.
func sanity(base input) string {
	wall := median(base.data[sanityBench]["ns/op"])
	switch {
	case math.IsNaN(wall):
		return fmt.Sprintf("wall-time sanity: %s has no %s: not checked", base.label, sanityBench)
	case wall > sanityMaxNs:
		return fmt.Sprintf("WARNING: machine loaded: round-trip overheads hidden: %s %s median wall %.1f µs > %.0f µs (a loopback GET costs ~20 µs on a quiet machine); do not trust this run's round-trip ratios",
			base.label, sanityBench, wall/1000, float64(sanityMaxNs)/1000)
	}
	return fmt.Sprintf("wall-time sanity: %s %s median wall %.1f µs <= %.0f µs: ok",
		base.label, sanityBench, wall/1000, float64(sanityMaxNs)/1000)
}

// report prints the ratio tables and the budget summary, and returns the
// number of checks missed.
func report(w io.Writer, inputs []input) (missed int) {
	base := inputs[0]
	sane := sanity(base)
	fmt.Fprintln(w, sane)
	fmt.Fprintf(w, "\nmedians relative to %s (< 1 is better); +cpu: extra CPU ns per command over %s\n", base.label, base.label)
	type verdicts struct {
		label string
		cs    []check
	}
	var summary []verdicts
	for _, in := range ordered(inputs)[1:] {
		cs := checks(in.label, in, base)
		fmt.Fprintf(w, "\n%-30s", fmt.Sprintf("%s (n=%d)", in.label, minSamples(in)))
		for _, u := range units {
			fmt.Fprintf(w, " %7s", u.title)
			if u.unit == cpuUnit {
				fmt.Fprintf(w, " %7s", "+cpu")
			}
		}
		fmt.Fprintln(w, "  budget")
		logSums := make([]float64, len(units))
		counts := make([]int, len(units))
		for _, bench := range base.order {
			fmt.Fprintf(w, "  %-28s", bench)
			for i, u := range units {
				r := ratio(in.data[bench][u.unit], base.data[bench][u.unit])
				fmt.Fprintf(w, " %7s", formatRatio(r))
				if u.unit == cpuUnit {
					fmt.Fprintf(w, " %7s", formatExtra(extra(in.data[bench][u.unit], base.data[bench][u.unit])))
				}
				if !math.IsNaN(r) && r > 0 && !math.IsInf(r, 0) {
					logSums[i] += math.Log(r)
					counts[i]++
				}
			}
			fmt.Fprintf(w, "  %s\n", verdict(bench, cs))
		}
		fmt.Fprintf(w, "  %-28s", "geomean")
		for i, u := range units {
			g := math.NaN()
			if counts[i] > 0 {
				g = math.Exp(logSums[i] / float64(counts[i]))
			}
			fmt.Fprintf(w, " %7s", formatRatio(g))
			if u.unit == cpuUnit {
				fmt.Fprintf(w, " %7s", "")
			}
		}
		fmt.Fprintln(w)
		if len(cs) > 0 {
			summary = append(summary, verdicts{in.label, cs})
		}
	}
	fastVsViews(w, inputs)
	fmt.Fprintln(w, "\nbudgets of issue 11 (medians against "+base.label+"):")
	for _, v := range summary {
		n := 0
		for _, c := range v.cs {
			if c.met() {
				n++
			}
		}
		missed += len(v.cs) - n
		state := "within budget"
		if n < len(v.cs) {
			state = "OVER BUDGET"
		}
		fmt.Fprintf(w, "  %s: %d/%d met - %s\n", v.label, n, len(v.cs), state)
		for _, c := range v.cs {
			word := "ok  "
			if !c.met() {
				word = "MISS"
			}
			fmt.Fprintf(w, "    %s %-28s %s\n", word, c.bench, c.numbers())
		}
	}
	if len(summary) == 0 {
		fmt.Fprintln(w, "  no budgeted configuration in this run")
	}
	fmt.Fprintln(w, "\n"+sane)
	return missed
}

// fastVsViews prints the CPU of the fast path and of the view path side by
// side, when both ran.
func fastVsViews(w io.Writer, inputs []input) {
	base := inputs[0]
	var fast, views *input
	for i := range inputs[1:] {
		switch in := &inputs[i+1]; in.label {
		case "metrics":
			fast = in
		case "views":
			views = in
		}
	}
	if fast == nil || views == nil {
		return
	}
	fmt.Fprintf(w, "\nfast path (metrics) next to the view path (views), CPU against %s\n", base.label)
	fmt.Fprintf(w, "  %-28s %7s %7s %7s  %7s %7s %7s  %s\n", "", "metrics", "+cpu", "allocs", "views", "+cpu", "allocs", "views/metrics cpu")
	for _, bench := range base.order {
		b := base.data[bench]
		f, v := fast.data[bench], views.data[bench]
		fmt.Fprintf(w, "  %-28s %7s %7s %7s  %7s %7s %7s  %s\n", bench,
			formatRatio(ratio(f[cpuUnit], b[cpuUnit])), formatExtra(extra(f[cpuUnit], b[cpuUnit])), formatNumber(median(f["allocs/op"])),
			formatRatio(ratio(v[cpuUnit], b[cpuUnit])), formatExtra(extra(v[cpuUnit], b[cpuUnit])), formatNumber(median(v["allocs/op"])),
			formatRatio(ratio(v[cpuUnit], f[cpuUnit])))
	}
}

// verdict tells how bench fares against its limits: empty without budget,
// else "ok: ..." or "MISS: ..." with the numbers of every limit, the
// missed ones first.
func verdict(bench string, cs []check) string {
	var misses, oks []string
	for _, c := range cs {
		if c.bench != bench {
			continue
		}
		if c.met() {
			oks = append(oks, c.numbers())
		} else {
			misses = append(misses, c.numbers())
		}
	}
	var parts []string
	if len(misses) > 0 {
		parts = append(parts, "MISS: "+strings.Join(misses, ", "))
	}
	if len(oks) > 0 {
		parts = append(parts, "ok: "+strings.Join(oks, ", "))
	}
	return strings.Join(parts, "; ")
}

func unitTitle(unit string) string {
	for _, u := range units {
		if u.unit == unit {
			return u.title
		}
	}
	return unit
}

func formatRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
}

// formatExtra is a signed difference in ns, rounded to the ns.
func formatExtra(d float64) string {
	if math.IsNaN(d) {
		return "-"
	}
	r := math.Round(d)
	if r == 0 {
		return "+0"
	}
	s := strconv.FormatFloat(r, 'f', 0, 64)
	if r > 0 {
		s = "+" + s
	}
	return s
}

// formatNumber is a median count, without decimals when whole.
func formatNumber(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// minSamples is the smallest sample count of any benchmark of in.
func minSamples(in input) int {
	n := -1
	for _, units := range in.data {
		for _, vs := range units {
			if n < 0 || len(vs) < n {
				n = len(vs)
			}
		}
	}
	return max(n, 0)
}

// limitDescription is the limit in short, e.g. "cpu<=1.05x".
func (c check) limitDescription() string {
	return unitTitle(c.limit.unit) + "<=" + c.limitText()
}
