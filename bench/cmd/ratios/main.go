// Command ratios summarizes a comparison run of the bench module: for each
// configuration, the median of every benchmark metric divided by the
// baseline's median (the first input), and whether the budgets of issue 6
// are met.
//
//	ratios [-strict] upstream=out/upstream.txt bare=out/bare.txt ...
//
// Each input is label=file, a file of Go benchmark output for one
// configuration. With -strict, a missed budget makes the exit status 1.
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

// A limit is the largest ratio to the baseline allowed for one unit.
type limit struct {
	unit string
	max  float64
}

// A budget holds some configurations to limits on some workloads.
type budget struct {
	configs  []string
	workload string
	applies  func(bench string) bool
	limits   []limit
}

func singleRoundTrip(bench string) bool {
	return strings.HasPrefix(bench, "Set/") || strings.HasPrefix(bench, "Get/")
}

// budgets are those of issue 6, medians against upstream. bare-ctx is
// held to bare's: the context path must cost nothing.
var budgets = []budget{
	{[]string{"bare", "bare-ctx"}, "every workload", func(string) bool { return true },
		[]limit{{"ns/op", 1.00}, {"cpu-ns/op", 1.00}, {"allocs/op", 1.00}}},
	{[]string{"metrics"}, "single round trips", singleRoundTrip,
		[]limit{{"ns/op", 1.05}, {"cpu-ns/op", 1.20}}},
	{[]string{"metrics"}, "100-command pipeline", func(b string) bool { return strings.HasPrefix(b, "PipelineGet/") },
		[]limit{{"ns/op", 1.25}, {"cpu-ns/op", 1.50}}},
	{[]string{"metrics"}, "pool at parallelism 50", func(b string) bool { return strings.HasPrefix(b, "PoolGet/par=50/") },
		[]limit{{"ns/op", 1.25}, {"cpu-ns/op", 1.30}}},
	{[]string{"traced"}, "single round trips", singleRoundTrip,
		[]limit{{"ns/op", 1.15}}},
}

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
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ratios [-strict] baseline=file label=file ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 {
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

// A check is one limit applied to one benchmark of one configuration.
type check struct {
	bench string
	limit limit
	ratio float64
}

func (c check) met() bool { return !math.IsNaN(c.ratio) && c.ratio <= c.limit.max+1e-9 }

// checks are the budget checks of a configuration against the baseline.
func checks(config string, in, base input) []check {
	var out []check
	for _, bg := range budgets {
		if !slices.Contains(bg.configs, config) {
			continue
		}
		for _, bench := range base.order {
			if !bg.applies(bench) {
				continue
			}
			for _, l := range bg.limits {
				out = append(out, check{bench, l, ratio(in.data[bench][l.unit], base.data[bench][l.unit])})
			}
		}
	}
	return out
}

// report prints the ratio tables and the budget summary, and returns the
// number of checks missed.
func report(w io.Writer, inputs []input) (missed int) {
	base := inputs[0]
	fmt.Fprintf(w, "medians relative to %s (< 1 is better)\n", base.label)
	var summary []string
	for _, in := range inputs[1:] {
		cs := checks(in.label, in, base)
		fmt.Fprintf(w, "\n%-28s", fmt.Sprintf("%s (n=%d)", in.label, minSamples(in)))
		for _, u := range units {
			fmt.Fprintf(w, " %7s", u.title)
		}
		fmt.Fprintln(w, "  budget")
		logSums := make([]float64, len(units))
		counts := make([]int, len(units))
		for _, bench := range base.order {
			fmt.Fprintf(w, "  %-26s", bench)
			for i, u := range units {
				r := ratio(in.data[bench][u.unit], base.data[bench][u.unit])
				fmt.Fprintf(w, " %7s", formatRatio(r))
				if !math.IsNaN(r) && r > 0 && !math.IsInf(r, 0) {
					logSums[i] += math.Log(r)
					counts[i]++
				}
			}
			fmt.Fprintf(w, "  %s\n", verdict(bench, cs))
		}
		fmt.Fprintf(w, "  %-26s", "geomean")
		for i := range units {
			g := math.NaN()
			if counts[i] > 0 {
				g = math.Exp(logSums[i] / float64(counts[i]))
			}
			fmt.Fprintf(w, " %7s", formatRatio(g))
		}
		fmt.Fprintln(w)
		if len(cs) == 0 {
			continue
		}
		n := 0
		for _, c := range cs {
			if c.met() {
				n++
			}
		}
		missed += len(cs) - n
		line := fmt.Sprintf("%s: %d/%d met", in.label, n, len(cs))
		if n == len(cs) {
			line += " - within budget"
		} else {
			line += " - OVER BUDGET"
		}
		summary = append(summary, line)
	}
	fmt.Fprintln(w, "\nbudgets of issue 6 (medians against "+base.label+"):")
	for _, s := range summary {
		fmt.Fprintln(w, "  "+s)
	}
	if len(summary) == 0 {
		fmt.Fprintln(w, "  no budgeted configuration in this run")
	}
	return missed
}

// verdict tells how bench fares against its limits: empty without budget,
// "ok", or the limits missed.
func verdict(bench string, cs []check) string {
	var misses []string
	budgeted := false
	for _, c := range cs {
		if c.bench != bench {
			continue
		}
		budgeted = true
		if !c.met() {
			misses = append(misses, fmt.Sprintf("%s %s > %.2fx", unitTitle(c.limit.unit), formatRatio(c.ratio), c.limit.max))
		}
	}
	switch {
	case !budgeted:
		return ""
	case len(misses) == 0:
		return "ok"
	}
	return "MISS " + strings.Join(misses, ", ")
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
	if math.IsNaN(r) {
		return "-"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
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
