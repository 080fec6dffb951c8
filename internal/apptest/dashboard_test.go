package apptest

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

const dashboardPath = "../../deploy/grafana/chatbridge.json"

// dashboardPanel is the part of a Grafana panel the check reads; rows nest panels.
type dashboardPanel struct {
	Title      string           `json:"title"`
	Type       string           `json:"type"`
	Datasource *json.RawMessage `json:"datasource"`
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

// The dashboard's panels and their PromQL queries, rows flattened.
func dashboardQueries(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string           `json:"title"`
		UID    string           `json:"uid"`
		Panels []dashboardPanel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s is not JSON: %v", dashboardPath, err)
	}
	if d.Title == "" || d.UID == "" {
		t.Fatalf("dashboard without title or uid")
	}
	out := map[string][]string{}
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || !strings.Contains(string(*p.Datasource), "${datasource}") {
				t.Errorf("panel %q does not query the dashboard's Prometheus variable", p.Title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				out[p.Title] = append(out[p.Title], tg.Expr)
			}
		}
	}
	walk(d.Panels)
	return out
}

var (
	promString    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promRange     = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promNotMetric = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"}
)

// metricNames finds the metric names a PromQL expression reads: what is left once
// strings, label matchers, ranges and groupings are removed, less function calls and
// keywords. An unknown function therefore shows up as an unknown metric: the check
// fails rather than passes when it cannot read a query.
func metricNames(expr string) []string {
	s := promString.ReplaceAllString(expr, `""`)
	s = promMatchers.ReplaceAllString(s, " ")
	s = promRange.ReplaceAllString(s, " ")
	s = promGrouping.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		rest := strings.TrimLeft(s[loc[1]:], " ")
		if strings.HasPrefix(rest, "(") || slices.Contains(promNotMetric, name) {
			continue
		}
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // the exponent of a number such as 1e-9
		}
		out = append(out, name)
	}
	return out
}

// served tells whether a name read by a query is a series the app serves: a family of
// the scrape, or a histogram's _bucket, _sum or _count.
func (s scraped) served(name string) bool {
	if s[name] != nil {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && s[base] != nil && s[base].GetType() == dto.MetricType_HISTOGRAM {
			return true
		}
	}
	return false
}

func checkDashboard(t *testing.T, m scraped) {
	queries := dashboardQueries(t)
	used := map[string]bool{}
	for title, exprs := range queries {
		for _, expr := range exprs {
			names := metricNames(expr)
			if len(names) == 0 {
				t.Errorf("panel %q: query %q reads no metric", title, expr)
			}
			for _, n := range names {
				used[strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_count")] = true
				if !m.served(n) {
					t.Errorf("panel %q: %s is not a metric the app serves (query %q)", title, n, expr)
				}
			}
		}
	}
	// The figures an operator looks at first each have a panel.
	for _, want := range []string{
		"chatbridge_messages_in_total", "chatbridge_webhooks_total", "chatbridge_webhook_duration_seconds",
		"chatbridge_queue_tasks", "chatbridge_queue_latency_seconds", "chatbridge_delivery_attempts_total",
		"chatbridge_delivery_latency_seconds", "chatbridge_websocket_connections", "chatbridge_websocket_dropped_total",
		"go_sql_wait_duration_seconds_total", "chatbridge_redis_pool_connections", "chatbridge_channel_last_in_age_seconds",
	} {
		if !used[want] {
			t.Errorf("no panel reads %s", want)
		}
	}
	t.Logf("%d panels read %d metrics; the app serves %d families", len(queries), len(used), len(m))
}

func TestPromQLMetricNames(t *testing.T) {
	cases := map[string][]string{
		`histogram_quantile(0.99, sum by (le, route) (rate(chatbridge_http_request_duration_seconds_bucket[$__rate_interval])))`: {"chatbridge_http_request_duration_seconds_bucket"},
		`sum(rate(a_total{x="by (y)"}[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9)`:                                           {"a_total", "b_total"},
		`max by (queue) (chatbridge_queue_tasks{state="pending"}) and on (queue) up`:                                             {"chatbridge_queue_tasks", "up"},
		`made_up_function(x_total)`: {"x_total"},
	}
	for expr, want := range cases {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
}
