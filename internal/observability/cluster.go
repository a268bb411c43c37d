package observability

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	redigo "github.com/ocredigo/redigo"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/stats"
	"go.opencensus.io/trace"
)

// Recording of the cluster client's own events: redirections, retries and
// slot-map refreshes, in both paths. They are rare next to commands (a
// resharding or a failover, not every call), so their series live in
// small maps under one lock and their view-path tag contexts are cached
// like the others.

// clusterKey identifies one series of a cluster metric.
type clusterKey struct {
	metric       string // the view's name
	name         string
	label, value string // the third tag: node+kind, result or role
	kind         string
}

var clusterSeries struct {
	mu     sync.Mutex
	counts map[clusterKey]*atomic.Int64
	dists  map[clusterKey]*histogram
	gauges map[clusterKey]int64
	start  time.Time
}

func init() {
	clusterSeries.counts = map[clusterKey]*atomic.Int64{}
	clusterSeries.dists = map[clusterKey]*histogram{}
	clusterSeries.gauges = map[clusterKey]int64{}
	clusterSeries.start = time.Now()
}

func clusterName(name string) string {
	if name == "" {
		return DefaultName
	}
	return name
}

func countCluster(k clusterKey) {
	s := &clusterSeries
	s.mu.Lock()
	n := s.counts[k]
	if n == nil {
		n = new(atomic.Int64)
		s.counts[k] = n
	}
	s.mu.Unlock()
	n.Add(1)
}

// ClusterRedirect records a redirection (kind MOVED or ASK) sent by node,
// and notes it on the span of ctx, if any: the span of the retried
// command follows as a sibling.
func ClusterRedirect(ctx context.Context, name, node, kind string, slot int, target string) {
	recordNodeEvent(redigo.ClusterRedirectionsView.Name, redigo.MClusterRedirections, name, node, kind)
	annotate(ctx, "cluster redirection",
		trace.StringAttribute("redis.cluster.redirect", kind),
		trace.StringAttribute("redis.cluster.node", node),
		trace.StringAttribute("redis.cluster.target", target),
		trace.Int64Attribute("redis.cluster.slot", int64(slot)))
}

// ClusterRetry records a command tried again on node because of cause
// (TRYAGAIN, CLUSTERDOWN or dial).
func ClusterRetry(ctx context.Context, name, node, cause string) {
	recordNodeEvent(redigo.ClusterRetriesView.Name, redigo.MClusterRetries, name, node, cause)
	annotate(ctx, "cluster retry",
		trace.StringAttribute("redis.cluster.retry", cause),
		trace.StringAttribute("redis.cluster.node", node))
}

func recordNodeEvent(metric string, m *stats.Int64Measure, name, node, kind string) {
	name = clusterName(name)
	if producerOn.Load() {
		countCluster(clusterKey{metric: metric, name: name, label: "node", value: node, kind: kind})
	}
	if int64Subscribed(m) {
		stats.Record(tagKey{name: name, node: node, kind: kind}.context(), m.M(1))
	}
}

func annotate(ctx context.Context, message string, attrs ...trace.Attribute) {
	if ctx == nil {
		return
	}
	if span := trace.FromContext(ctx); span != nil && span.IsRecordingEvents() {
		span.Annotate(attrs, message)
	}
}

// ClusterRefresh records one slot-map refresh that took d; masters and
// replicas are the node counts of the new map (ignored when err != nil).
func ClusterRefresh(name string, d time.Duration, err error, masters, replicas int) {
	name = clusterName(name)
	result := "ok"
	if err != nil {
		result = "error"
	}
	roles := []struct {
		role string
		n    int
	}{{"master", masters}, {"replica", replicas}}
	if producerOn.Load() {
		s := &clusterSeries
		k := clusterKey{metric: redigo.ClusterRefreshLatencyView.Name, name: name, label: "result", value: result}
		s.mu.Lock()
		h := s.dists[k]
		if h == nil {
			nh := latencyScale.newHistogram()
			h = &nh
			s.dists[k] = h
		}
		if err == nil {
			for _, r := range roles {
				s.gauges[clusterKey{metric: redigo.ClusterNodesView.Name, name: name, label: "role", value: r.role}] = int64(r.n)
			}
		}
		s.mu.Unlock()
		h.add(int64(d))
	}
	if float64Subscribed(redigo.MClusterRefreshLatencyMilliseconds) {
		stats.Record(tagKey{name: name, result: result}.context(), redigo.MClusterRefreshLatencyMilliseconds.M(millis(d)))
	}
	if err == nil && int64Subscribed(redigo.MClusterNodes) {
		for _, r := range roles {
			stats.Record(tagKey{name: name, role: r.role}.context(), redigo.MClusterNodes.M(int64(r.n)))
		}
	}
}

// ForgetNode drops the series of a node that left the cluster name: its
// redirections and retries, and the series of its pool (nodeName).
func ForgetNode(name, node, nodeName string) {
	name = clusterName(name)
	s := &clusterSeries
	s.mu.Lock()
	for k := range s.counts {
		if k.name == name && k.label == "node" && k.value == node {
			delete(s.counts, k)
		}
	}
	s.mu.Unlock()
	Forget(nodeName)
}

// ClusterRefreshSpan starts the span of a refresh under ctx's span; it
// is only started when ctx holds one. end ends it with the refresh's
// error.
func ClusterRefreshSpan(ctx context.Context) (context.Context, func(node string, err error)) {
	if ctx == nil || trace.FromContext(ctx) == nil {
		return ctx, func(string, error) {}
	}
	ctx, span := trace.StartSpan(ctx, "redis.cluster.refresh", trace.WithSpanKind(trace.SpanKindClient))
	return ctx, func(node string, err error) {
		if node != "" {
			span.AddAttributes(trace.StringAttribute("redis.cluster.node", node))
		}
		if err != nil {
			span.SetStatus(trace.Status{Code: trace.StatusCodeUnknown, Message: truncate(err.Error(), maxStatusText)})
		}
		span.End()
	}
}

// clusterPublications are the cluster views as the producer publishes
// them.
var clusterPublications = func() []*publication {
	var out []*publication
	for _, v := range redigo.ClusterViews() {
		out = append(out, describe(v, nil))
	}
	return out
}()

// readCluster returns the cluster metrics of the producer.
func readCluster(now time.Time) []*metricdata.Metric {
	s := &clusterSeries
	s.mu.Lock()
	defer s.mu.Unlock()
	var metrics []*metricdata.Metric
	for _, p := range clusterPublications {
		if registered(p) {
			continue
		}
		m := &metricdata.Metric{Descriptor: p.descriptor}
		add := func(k clusterKey, point metricdata.Point) {
			labels := map[string]string{"name": k.name, k.label: k.value}
			if k.kind != "" {
				labels["kind"] = k.kind
			}
			m.TimeSeries = append(m.TimeSeries, p.series(labels, point, s.start))
		}
		switch p.view {
		case redigo.ClusterRedirectionsView, redigo.ClusterRetriesView:
			for k, n := range s.counts {
				if k.metric == p.view.Name {
					add(k, metricdata.NewInt64Point(now, n.Load()))
				}
			}
		case redigo.ClusterRefreshesView:
			for k, h := range s.dists {
				add(k, metricdata.NewInt64Point(now, h.count()))
			}
		case redigo.ClusterRefreshLatencyView:
			for k, h := range s.dists {
				d := latencyScale.newDistribution()
				h.addTo(d, latencyScale)
				add(k, metricdata.NewDistributionPoint(now, d))
			}
		case redigo.ClusterNodesView:
			for k, n := range s.gauges {
				add(k, metricdata.NewInt64Point(now, n))
			}
		}
		sort.Slice(m.TimeSeries, func(i, j int) bool {
			return labelText(m.TimeSeries[i].LabelValues) < labelText(m.TimeSeries[j].LabelValues)
		})
		if len(m.TimeSeries) > 0 {
			metrics = append(metrics, m)
		}
	}
	return metrics
}

func labelText(values []metricdata.LabelValue) string {
	var b []byte
	for _, v := range values {
		b = append(b, v.Value...)
		b = append(b, 0)
	}
	return string(b)
}
