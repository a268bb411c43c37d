// Command cleanroom lays our redis package beside upstream redigo's and the
// old OpenCensus fork's and reports every run of identical lines that ours
// shares with either of them. It reads the other two packages where they
// are (the module cache, typically) and keeps nothing of them.
//
//	go run ./tools/cleanroom                      # every version in the module cache
//	go run ./tools/cleanroom -upstream DIR -fork DIR -ours redis
//
// The fork (github.com/opencensus-integrations/redigo) may be missing from
// the module proxy; its redis/ package is upstream's 2018 text plus the
// OpenCensus additions, so an older upstream release in the module cache
// (go mod download github.com/gomodule/redigo@v1.8.2) covers most of it.
//
// How lines are compared:
//   - Each line is trimmed of surrounding white space.
//   - Blank lines, comment lines holding only "//", the package clause and
//     import declarations are left out of the sequence altogether: they
//     neither count nor break a run.
//   - A run is a maximal stretch of consecutive remaining lines that is the
//     same in both files. It is reported when it is at least -min lines long
//     (default 8) and at least half of its lines carry more than
//     punctuation, so that a stack of "}" and ")" lines never counts but
//     duplicated code or comments always do.
//
// The exit status is 1 when a run was found, 2 on a usage or read error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	upstream := flag.String("upstream", "", "upstream redigo's redis/ directory (default: v1.9.3 in the module cache)")
	fork := flag.String("fork", "", "the OpenCensus fork's redis/ directory (default: the fork's versions in the module cache; skipped when absent)")
	ours := flag.String("ours", "redis", "our redis/ directory")
	min := flag.Int("min", 8, "shortest run to report, in compared lines")
	flag.Parse()

	// Without flags: every redigo and fork version that the module cache
	// holds (older upstream releases stand in for the fork's 2018 text).
	others := map[string]string{}
	if *upstream == "" || *fork == "" {
		others = ModuleCacheDirs()
	}
	if *upstream != "" {
		for label := range others {
			if strings.HasPrefix(label, "upstream") {
				delete(others, label)
			}
		}
		others["upstream"] = *upstream
	}
	if *fork != "" {
		for label := range others {
			if strings.HasPrefix(label, "fork") {
				delete(others, label)
			}
		}
		others["fork"] = *fork
	}
	if _, ok := others[UpstreamLabel]; !ok && *upstream == "" {
		fmt.Fprintln(os.Stderr, "cleanroom: upstream redigo v1.9.3 is not in the module cache; run go mod download github.com/gomodule/redigo or pass -upstream")
		os.Exit(2)
	}
	hasFork := false
	for label := range others {
		hasFork = hasFork || strings.HasPrefix(label, "fork")
	}
	if !hasFork {
		fmt.Fprintln(os.Stderr, "cleanroom: the fork is not in the module cache; comparing with upstream only")
	}

	runs, err := Compare(*ours, others, *min)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cleanroom:", err)
		os.Exit(2)
	}
	Report(os.Stdout, runs)
	if len(runs) > 0 {
		os.Exit(1)
	}
}

// UpstreamLabel is the label ModuleCacheDirs gives the release that ours
// replaces.
const UpstreamLabel = "upstream@v1.9.3"

// ModuleCacheDirs returns the redis/ directory of every version of upstream
// redigo and of the fork in the module cache, labelled "upstream@VERSION"
// and "fork@VERSION".
func ModuleCacheDirs() map[string]string {
	dirs := map[string]string{}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return dirs
		}
		cache = strings.TrimSpace(string(out))
	}
	for label, module := range map[string]string{
		"upstream": "github.com/gomodule/redigo",
		"fork":     "github.com/opencensus-integrations/redigo",
	} {
		matches, _ := filepath.Glob(filepath.Join(cache, module+"@*", "redis"))
		for _, dir := range matches {
			if isDir(dir) {
				version := dir[strings.LastIndex(dir, "@")+1 : len(dir)-len("/redis")]
				dirs[label+"@"+version] = dir
			}
		}
	}
	return dirs
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Run is one stretch of lines that a file of ours shares with another file.
type Run struct {
	Ours        string // file name in our directory
	OursFrom    int    // first and last line, 1-based, in the file
	OursTo      int
	Source      string // label of the other directory, "upstream@v1.9.3" say
	Other       string // file name in the other directory
	OtherFrom   int
	OtherTo     int
	Lines       int    // compared lines in the run
	Substantive int    // of which carry more than punctuation
	First       string // the first compared line, to recognise the run
}

// line is one compared line of a file.
type line struct {
	text   string
	number int  // 1-based line number in the file
	filler bool // punctuation only
}

type file struct {
	name  string
	lines []line
}

// Compare returns the runs of at least min lines that the .go files in ours
// share with the .go files in each of others (label → directory), ordered by
// our file and line.
func Compare(ours string, others map[string]string, min int) ([]Run, error) {
	ourFiles, err := readDir(ours)
	if err != nil {
		return nil, err
	}
	labels := make([]string, 0, len(others))
	for label := range others {
		labels = append(labels, label)
	}
	sort.Strings(labels)

	var runs []Run
	for _, label := range labels {
		theirFiles, err := readDir(others[label])
		if err != nil {
			return nil, err
		}
		for _, a := range ourFiles {
			for _, b := range theirFiles {
				runs = append(runs, shared(a, b, label, min)...)
			}
		}
	}
	sort.Slice(runs, func(i, j int) bool {
		x, y := runs[i], runs[j]
		if x.Ours != y.Ours {
			return x.Ours < y.Ours
		}
		if x.OursFrom != y.OursFrom {
			return x.OursFrom < y.OursFrom
		}
		if x.Source != y.Source {
			return x.Source < y.Source
		}
		if x.Other != y.Other {
			return x.Other < y.Other
		}
		return x.OtherFrom < y.OtherFrom
	})
	return runs, nil
}

// shared finds the maximal common runs of a and b with a table of common
// suffix lengths, one row at a time.
func shared(a, b file, label string, min int) []Run {
	// prefix[i] = substantive lines among a.lines[:i]
	prefix := make([]int, len(a.lines)+1)
	for i, l := range a.lines {
		prefix[i+1] = prefix[i]
		if !l.filler {
			prefix[i+1]++
		}
	}
	var runs []Run
	prev := make([]int, len(b.lines)+1)
	cur := make([]int, len(b.lines)+1)
	for i := 1; i <= len(a.lines); i++ {
		for j := 1; j <= len(b.lines); j++ {
			if a.lines[i-1].text != b.lines[j-1].text {
				cur[j] = 0
				continue
			}
			cur[j] = prev[j-1] + 1
			// The run is maximal where it cannot grow by one more line.
			ends := i == len(a.lines) || j == len(b.lines) || a.lines[i].text != b.lines[j].text
			n := cur[j]
			if !ends || n < min {
				continue
			}
			subst := prefix[i] - prefix[i-n]
			if 2*subst < n {
				continue
			}
			runs = append(runs, Run{
				Ours: a.name, OursFrom: a.lines[i-n].number, OursTo: a.lines[i-1].number,
				Source: label, Other: b.name, OtherFrom: b.lines[j-n].number, OtherTo: b.lines[j-1].number,
				Lines: n, Substantive: subst, First: a.lines[i-n].text,
			})
		}
		prev, cur = cur, prev
	}
	return runs
}

func readDir(dir string) ([]file, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .go files in %s", dir)
	}
	sort.Strings(names)
	files := make([]file, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: filepath.Base(name), lines: compared(string(data))})
	}
	return files, nil
}

// compared returns the lines of src that take part in the comparison.
func compared(src string) []line {
	var out []line
	inImport := false
	for i, raw := range strings.Split(src, "\n") {
		t := strings.TrimSpace(raw)
		switch {
		case inImport:
			if t == ")" {
				inImport = false
			}
			continue
		case t == "" || t == "//":
			continue
		case strings.HasPrefix(t, "package "):
			continue
		case t == "import (":
			inImport = true
			continue
		case strings.HasPrefix(t, "import "):
			continue
		}
		out = append(out, line{text: t, number: i + 1, filler: strings.Trim(t, "{}()[],;:") == ""})
	}
	return out
}

// Report prints the runs, then for each of our files the number of runs and
// of places: stretches of our file covered by one or more runs, however
// many other files and versions they match.
func Report(w io.Writer, runs []Run) {
	type span struct{ from, to int }
	spans := map[string][]span{}
	count := map[string]int{}
	var files []string
	for _, r := range runs {
		if count[r.Ours] == 0 {
			files = append(files, r.Ours)
		}
		count[r.Ours]++
		fmt.Fprintf(w, "%s:%d-%d  =  %s %s:%d-%d  (%d lines, %d substantive)  %q\n",
			r.Ours, r.OursFrom, r.OursTo, r.Source, r.Other, r.OtherFrom, r.OtherTo, r.Lines, r.Substantive, r.First)
		// runs come sorted by our file and first line
		s := spans[r.Ours]
		if n := len(s); n > 0 && r.OursFrom <= s[n-1].to {
			s[n-1].to = max(s[n-1].to, r.OursTo)
		} else {
			spans[r.Ours] = append(s, span{r.OursFrom, r.OursTo})
		}
	}
	places := 0
	for _, f := range files {
		var where []string
		for _, s := range spans[f] {
			where = append(where, fmt.Sprintf("%d-%d", s.from, s.to))
		}
		places += len(spans[f])
		fmt.Fprintf(w, "%-20s %3d runs in %2d places: %s\n", f, count[f], len(spans[f]), strings.Join(where, " "))
	}
	fmt.Fprintf(w, "total: %d runs in %d places\n", len(runs), places)
}
