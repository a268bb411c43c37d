package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocumentedQueries runs without the e2e tag (make test): the README's
// PromQL and the dashboard's queries name the demo's metrics, with the
// ocredigo_ namespace of its exporter. make e2e runs them against the demo.
func TestDocumentedQueries(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	readme := readmeQueries(t, filepath.Join(root, "README.md"))
	require.GreaterOrEqual(t, len(readme), 10, "the README's promql blocks")
	dashboard := dashboardQueries(t, filepath.Join(root, "testdata/grafana-dashboard.json"))
	require.NotEmpty(t, dashboard)
	metric := regexp.MustCompile(`\b[a-z_]+_(bucket|sum|count)\b|\b(ocredigo_)?redis_client_[a-z_]+`)
	for _, q := range append(readme, dashboard...) {
		names := metric.FindAllString(q, -1)
		require.NotEmpty(t, names, "a metric in %s", q)
		for _, name := range names {
			require.True(t, strings.HasPrefix(name, "ocredigo_redis_client_"), "%s in %s: the demo's metrics are ocredigo_redis_client_*", name, q)
		}
	}
	for _, name := range metricNames(t, filepath.Join(root, "README.md")) {
		require.True(t, strings.HasPrefix(name, "ocredigo_redis_client_"), "the README names %s", name)
	}
}

// readmeQueries returns the expressions of the README's promql blocks: a
// line each, comments aside.
func readmeQueries(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var queries []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch trimmed := strings.TrimSpace(line); {
		case trimmed == "```promql":
			in = true
		case in && trimmed == "```":
			in = false
		case in && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			queries = append(queries, trimmed)
		}
	}
	return queries
}

// dashboardQueries returns the PromQL of every panel of the Grafana
// dashboard, its variables replaced by what "All" selects.
func dashboardQueries(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var dash struct {
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(data, &dash), "%s is JSON", path)
	vars := strings.NewReplacer(`$__rate_interval`, "30s", `"$job"`, `".*"`, `"$name"`, `".*"`, `"$cmd"`, `".*"`)
	var queries []string
	// The variables' label_values(expr, label): the series of expr that
	// have label.
	labelValues := regexp.MustCompile(`^label_values\((.+), *([a-z_]+)\)$`)
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)["query"].(string)
		m := labelValues.FindStringSubmatch(q)
		require.NotNil(t, m, "variable %s: a label_values query, got %q", v.Name, q)
		q = vars.Replace(fmt.Sprintf("count by (%s) (%s)", m[2], m[1]))
		require.NotContains(t, q, "$", "variable %q uses an unknown variable", v.Name)
		queries = append(queries, q)
	}
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			require.NotEmpty(t, target.Expr, "panel %q", p.Title)
			q := vars.Replace(target.Expr)
			require.NotContains(t, q, "$", "panel %q uses an unknown variable", p.Title)
			queries = append(queries, q)
		}
	}
	return queries
}

// metricNames returns the ocredigo metric names a file mentions outside
// its YAML comments.
func metricNames(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			for _, name := range regexp.MustCompile(`\bocredigo_[a-z0-9_]+`).FindAllString(line, -1) {
				if !strings.HasSuffix(name, "_") { // prose: "ocredigo_redis_client_X"
					names = append(names, name)
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
