package observability

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	redigo "github.com/ocredigo/redigo"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/metric/metricproducer"
	"go.opencensus.io/stats/view"
)

// The producer publishes the in-driver aggregates through OpenCensus's
// metric producer API, which the Prometheus exporter (v0.4.2 reads
// nothing else), the Stackdriver and OC-agent exporters and
// OpenTelemetry's OpenCensus bridge read. Its metrics have the names,
// label keys, units and bucket bounds of the catalogue's views. A metric
// whose view is registered is left to the view: exporters reject a metric
// published twice.

// producerOn is read on every command: the fast path's switch.
var producerOn atomic.Bool

var producerMu sync.Mutex

type producer struct{}

var theProducer = &producer{}

// EnableProducer starts aggregating in the driver and publishing through
// the global producer manager; it may be called more than once.
func EnableProducer() {
	producerMu.Lock()
	defer producerMu.Unlock()
	if !producerOn.Load() {
		producerOn.Store(true)
		metricproducer.GlobalManager().AddProducer(theProducer)
	}
}

// DisableProducer stops aggregating and publishing. The aggregates are
// kept: enabling again continues the cumulative series.
func DisableProducer() {
	producerMu.Lock()
	defer producerMu.Unlock()
	if producerOn.Load() {
		producerOn.Store(false)
		metricproducer.GlobalManager().DeleteProducer(theProducer)
	}
}

// metricsOn reports whether any metric path wants a command measured.
func metricsOn() bool { return producerOn.Load() || commandViewsOn() }

// publication is one metric of the catalogue as the producer publishes
// it: the view's descriptor, and how to read its series from one name.
type publication struct {
	view       *view.View
	descriptor metricdata.Descriptor
	keys       []string // label keys, sorted as OpenCensus sorts a view's tag keys
	read       func(n *nameReading, now time.Time, add func(labels map[string]string, p metricdata.Point))
}

// nameReading is one name as a Read sees it: its command series are summed
// once, for all the publications.
type nameReading struct {
	*names
	totals []cmdTotal
}

var publications = catalogue()

// catalogue describes every view of the catalogue; it copies what it
// needs, because registering a view sorts its tag keys in place.
func catalogue() []*publication {
	cmdDist := func(m int) func(*nameReading, time.Time, func(map[string]string, metricdata.Point)) {
		return func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			for _, t := range n.totals {
				if d := t.counts.distribution(m); d.Count > 0 {
					add(map[string]string{"name": n.name, "cmd": t.cmd.Name}, metricdata.NewDistributionPoint(now, d))
				}
			}
		}
	}
	cmdCount := func(m int) func(*nameReading, time.Time, func(map[string]string, metricdata.Point)) {
		return func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			for _, t := range n.totals {
				if total := t.counts.samples(m); total > 0 {
					add(map[string]string{"name": n.name, "cmd": t.cmd.Name}, metricdata.NewInt64Point(now, total))
				}
			}
		}
	}
	nameDist := func(pick func(*nameSeries) *histogram) func(*nameReading, time.Time, func(map[string]string, metricdata.Point)) {
		return func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			d := latencyScale.newDistribution()
			pick(n.series).addTo(d, latencyScale)
			if d.Count > 0 {
				add(map[string]string{"name": n.name}, metricdata.NewDistributionPoint(now, d))
			}
		}
	}
	states := func(from, to int) func(*nameReading, time.Time, func(map[string]string, metricdata.Point)) {
		return func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			for i := from; i < to; i++ {
				if v := n.series.states[i].Load(); v > 0 {
					add(map[string]string{"name": n.name, "state": connStates[i]}, metricdata.NewInt64Point(now, v))
				}
			}
		}
	}
	readers := map[*view.View]func(*nameReading, time.Time, func(map[string]string, metricdata.Point)){
		redigo.RoundtripLatencyView:  cmdDist(mLatency),
		redigo.BytesWrittenView:      cmdDist(mWritten),
		redigo.BytesReadView:         cmdDist(mRead),
		redigo.KeyLengthView:         cmdDist(mKeyLen),
		redigo.ValueLengthView:       cmdDist(mValueLen),
		redigo.WritesView:            cmdCount(mWritten),
		redigo.ReadsView:             cmdCount(mRead),
		redigo.DialLatencyView:       nameDist(func(s *nameSeries) *histogram { return &s.dial }),
		redigo.PoolWaitLatencyView:   nameDist(func(s *nameSeries) *histogram { return &s.poolWait }),
		redigo.ConnectionsOpenView:   states(0, 2),
		redigo.ConnectionsClosedView: states(2, len(connStates)),
		redigo.PoolConnectionsView: func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			idle, active := n.series.idle.Load(), n.series.active.Load()
			if idle == 0 && active == 0 && !n.series.hasPool.Load() {
				return
			}
			add(map[string]string{"name": n.name, "state": StateIdle}, metricdata.NewInt64Point(now, idle))
			add(map[string]string{"name": n.name, "state": StateActive}, metricdata.NewInt64Point(now, active))
		},
		redigo.ErrorsView: func(n *nameReading, now time.Time, add func(map[string]string, metricdata.Point)) {
			n.series.errs.Range(func(k, v any) bool {
				key := k.(errorKey)
				add(map[string]string{"name": n.name, "cmd": key.cmd, "kind": key.kind, "detail": key.detail},
					metricdata.NewInt64Point(now, v.(*atomic.Int64).Load()))
				return true
			})
		},
	}
	var out []*publication
	for _, v := range redigo.Views() {
		out = append(out, describe(v, readers[v]))
	}
	return out
}

// describe returns the publication of view v, whose series read reads.
func describe(v *view.View, read func(*nameReading, time.Time, func(map[string]string, metricdata.Point))) *publication {
	p := &publication{view: v, read: read}
	for _, k := range v.TagKeys {
		p.keys = append(p.keys, k.Name())
	}
	sort.Strings(p.keys)
	p.descriptor = metricdata.Descriptor{
		Name:        v.Name,
		Description: v.Description,
		Unit:        metricUnit(v),
		Type:        metricType(v),
	}
	for _, k := range p.keys {
		p.descriptor.LabelKeys = append(p.descriptor.LabelKeys, metricdata.LabelKey{Key: k})
	}
	return p
}

// registered reports whether p's view is registered: the view publishes
// the metric, not the producer.
func registered(p *publication) bool { return view.Find(p.view.Name) != nil }

// series returns a time series of p with the given labels (absent ones
// are not present, as OpenCensus leaves a missing tag).
func (p *publication) series(labels map[string]string, point metricdata.Point, start time.Time) *metricdata.TimeSeries {
	values := make([]metricdata.LabelValue, len(p.keys))
	for i, k := range p.keys {
		if v := labels[k]; v != "" {
			values[i] = metricdata.NewLabelValue(v)
		}
	}
	return &metricdata.TimeSeries{LabelValues: values, Points: []metricdata.Point{point}, StartTime: start}
}

// metricUnit and metricType follow OpenCensus's conversion of a view to a
// metric, so that both paths describe a metric alike.
func metricUnit(v *view.View) metricdata.Unit {
	if v.Aggregation.Type == view.AggTypeCount {
		return metricdata.UnitDimensionless
	}
	return metricdata.Unit(v.Measure.Unit())
}

func metricType(v *view.View) metricdata.Type {
	switch v.Aggregation.Type {
	case view.AggTypeDistribution:
		return metricdata.TypeCumulativeDistribution
	case view.AggTypeLastValue:
		return metricdata.TypeGaugeInt64
	}
	return metricdata.TypeCumulativeInt64
}

// Read implements metricproducer.Producer.
func (*producer) Read() []*metricdata.Metric {
	if !producerOn.Load() {
		return nil
	}
	var all []*nameReading
	byName.Range(func(_, v any) bool {
		n := v.(*names)
		all = append(all, &nameReading{names: n, totals: n.series.commandTotals()})
		return true
	})
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	now := time.Now()
	var metrics []*metricdata.Metric
	for _, p := range publications {
		if p.read == nil || registered(p) {
			continue // the registered view publishes it
		}
		m := &metricdata.Metric{Descriptor: p.descriptor}
		for _, n := range all {
			start := n.series.start
			p.read(n, now, func(labels map[string]string, point metricdata.Point) {
				m.TimeSeries = append(m.TimeSeries, p.series(labels, point, start))
			})
		}
		if len(m.TimeSeries) > 0 {
			metrics = append(metrics, m)
		}
	}
	return append(metrics, readCluster(now)...)
}
