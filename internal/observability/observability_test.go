package observability

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/resp"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/metric/metricproducer"
	"go.opencensus.io/stats"
	"go.opencensus.io/stats/view"
)

// run numbers the runs of a test under -count.
var run int

// The driver reads OpenCensus's unexported subscription flag; this fails
// if the layout it relies on ever changes.
func TestSubscribedFollowsViewRegistration(t *testing.T) {
	run++ // measures stay subscribed for the life of the process: new ones per run
	iName, fName := fmt.Sprintf("observability_test/int%d", run), fmt.Sprintf("observability_test/float%d", run)
	i := stats.Int64(iName, "test", stats.UnitDimensionless)
	f := stats.Float64(fName, "test", stats.UnitMilliseconds)
	if int64Subscribed(i) || float64Subscribed(f) {
		t.Fatal("subscribed before any view")
	}
	views := []*view.View{
		{Name: iName, Measure: i, Aggregation: view.Count()},
		{Name: fName, Measure: f, Aggregation: view.Count()},
	}
	if err := view.Register(views...); err != nil {
		t.Fatal(err)
	}
	defer view.Unregister(views...)
	if !int64Subscribed(i) || !float64Subscribed(f) {
		t.Fatal("not subscribed after view.Register")
	}
	other := stats.Int64(fmt.Sprintf("observability_test/other%d", run), "test", stats.UnitDimensionless)
	if int64Subscribed(other) {
		t.Fatal("a measure without views is subscribed")
	}
}

func TestClassify(t *testing.T) {
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: err}
	}
	tests := []struct {
		err          error
		op           Op
		kind, detail string
	}{
		{context.Canceled, OpRead, KindCanceled, DetailOther},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), OpWrite, KindTimeout, DetailTimeout},
		{&resp.ProtocolError{Msg: "bad"}, OpRead, KindProtocol, DetailOther},
		{io.EOF, OpRead, KindRead, DetailEOF},
		{io.ErrUnexpectedEOF, OpRead, KindRead, DetailEOF},
		{opErr("read", os.NewSyscallError("read", syscall.ECONNRESET)), OpRead, KindRead, DetailReset},
		{opErr("write", os.NewSyscallError("write", syscall.EPIPE)), OpWrite, KindWrite, DetailReset},
		{opErr("dial", os.NewSyscallError("connect", syscall.ECONNREFUSED)), OpDial, KindDial, DetailRefused},
		{opErr("read", os.ErrDeadlineExceeded), OpRead, KindTimeout, DetailTimeout},
		{opErr("dial", os.ErrDeadlineExceeded), OpDial, KindDial, DetailTimeout},
		{opErr("write", net.ErrClosed), OpWrite, KindWrite, DetailClosed},
		{&net.DNSError{Err: "no such host", Name: "x"}, OpDial, KindDial, DetailDNS},
		{tls.RecordHeaderError{Msg: "not TLS"}, OpDial, KindDial, DetailTLS},
		{errors.New("something else"), OpRead, KindRead, DetailOther},
	}
	for _, tt := range tests {
		kind, detail := Classify(tt.err, tt.op)
		if kind != tt.kind || detail != tt.detail {
			t.Errorf("Classify(%v) = %s/%s, want %s/%s", tt.err, kind, detail, tt.kind, tt.detail)
		}
	}
}

func TestServerDetail(t *testing.T) {
	for msg, want := range map[string]string{
		"ERR unknown command":                  "ERR",
		"WRONGTYPE Operation against a key":    "WRONGTYPE",
		"NOSCRIPT No matching script":          "NOSCRIPT",
		"MOVED 3999 127.0.0.1:6381":            "MOVED",
		"WRONGPASS invalid username-password":  "WRONGPASS",
		"CUSTOMERR from a module":              "OTHER",
		"":                                     "OTHER",
		"user:1 is not a prefix but a key say": "OTHER",
	} {
		if got := ServerDetail(msg); got != want {
			t.Errorf("ServerDetail(%q) = %q, want %q", msg, got, want)
		}
	}
}

type nested struct{}

func (nested) RedisArg() interface{} { return nested{} }

type wrapped string

func (w wrapped) RedisArg() interface{} { return string(w) }

func TestQueryTextOf(t *testing.T) {
	tests := []struct {
		mode QueryText
		name string
		args []interface{}
		want string
	}{
		{QueryTextSanitized, "SET", []interface{}{"user:1", "v", "EX", 10}, "SET user:1 ? ? ?"},
		{QueryTextSanitized, "PING", nil, "PING"},
		{QueryTextSanitized, "AUTH", []interface{}{"user", "pass"}, "AUTH [redacted] [redacted]"},
		{QueryTextFull, "set", []interface{}{[]byte("k"), 1.5, true, nil, int64(-3)}, "set k 1.5 1  -3"},
		{QueryTextFull, "SET", []interface{}{wrapped("k"), nested{}}, "SET k {}"},
		{QueryTextFull, "HELLO", []interface{}{"3", "AUTH", "u", "p"}, "HELLO 3 AUTH [redacted] [redacted]"},
		{QueryTextFull, "JSON.GET", []interface{}{"doc", "$"}, "JSON.GET doc $"},
	}
	for _, tt := range tests {
		got := QueryTextOf(tt.mode, tt.name, commandinfo.Lookup(tt.name), tt.args)
		if got != tt.want {
			t.Errorf("QueryTextOf(%v, %s %v) = %q, want %q", tt.mode, tt.name, tt.args, got, tt.want)
		}
	}
	long := QueryTextOf(QueryTextFull, "SET", commandinfo.Lookup("SET"), []interface{}{string(make([]byte, 100)), make([]byte, 5000)})
	if len(long) > maxQueryText+maxArgText+16 {
		t.Errorf("query text of %d bytes is not bounded", len(long))
	}
}

func TestSanitizeName(t *testing.T) {
	if got := NewClient(Options{}).Name(); got != DefaultName {
		t.Errorf("empty name = %q, want %q", got, DefaultName)
	}
	if got := NewClient(Options{Name: "cache\n\xff"}).Name(); got != "cache__" {
		t.Errorf("sanitized name = %q", got)
	}
	if got := NewClient(Options{Name: string(make([]byte, 300))}).Name(); len(got) != 255 {
		t.Errorf("long name has %d bytes, want 255", len(got))
	}
}

var (
	getArgs              = []interface{}{"key"}
	getReply interface{} = []byte("value")
)

// oneGET runs the recorder through a GET of "key" answered with "value",
// as the connection does: 24 bytes written, 11 read.
func oneGET(o *Conn) {
	var call Call
	o.Start(context.Background(), &call, "GET", getArgs)
	call.Written(24, 3)
	o.Finish(&call, Result{Reply: getReply, Read: 11, Payload: 5})
}

// Recording a command allocates nothing: with nothing enabled, and on the
// fast path once the command's series exist.
func TestNoAllocationsPerCommand(t *testing.T) {
	o := NewClient(Options{Name: "allocs"}).NewConn(Peer{})
	for _, enabled := range []bool{false, true} {
		if enabled {
			EnableProducer()
			defer DisableProducer()
			oneGET(o)
		}
		allocs := testing.AllocsPerRun(1000, func() { oneGET(o) })
		if allocs != 0 {
			t.Errorf("producer %v: %v allocations per command", enabled, allocs)
		}
	}
}

// The histograms put a sample where OpenCensus's distributions do: below
// the first bound that exceeds it.
func TestHistogramBuckets(t *testing.T) {
	h := byteScale.newHistogram()
	for _, v := range []int64{0, 15, 16, 63, 64, 512 << 20, 1 << 40} {
		h.add(v)
	}
	d := byteScale.newDistribution()
	h.addTo(d, byteScale)
	want := map[int]int64{0: 2, 1: 2, 2: 1, len(byteScale.bounds): 2}
	for i, b := range d.Buckets {
		if b.Count != want[i] {
			t.Errorf("bucket %d (< %v) has %d, want %d", i, append(byteScale.public, 0)[i], b.Count, want[i])
		}
	}
	if d.Count != 7 || d.Sum != float64(0+15+16+63+64+(512<<20)+(1<<40)) {
		t.Errorf("count %d sum %v", d.Count, d.Sum)
	}
	lat := latencyScale.newHistogram()
	lat.add(int64(9 * time.Microsecond))
	lat.add(int64(10 * time.Microsecond))
	if lat.counts[0].Load() != 1 || lat.counts[1].Load() != 1 {
		t.Errorf("10 µs is not in the bucket [0.01 ms, 0.025 ms)")
	}
}

// readMetrics reads every producer, as exporters do, and keeps the series
// of the client name match, sorted by their labels.
func readMetrics(match string) map[string]*metricdata.Metric {
	out := map[string]*metricdata.Metric{}
	for _, p := range metricproducer.GlobalManager().GetAll() {
		for _, m := range p.Read() {
			name := -1
			for i, k := range m.Descriptor.LabelKeys {
				if k.Key == "name" {
					name = i
				}
			}
			kept := *m
			kept.TimeSeries = nil
			for _, ts := range m.TimeSeries {
				if name >= 0 && ts.LabelValues[name].Value == match {
					kept.TimeSeries = append(kept.TimeSeries, ts)
				}
			}
			sort.Slice(kept.TimeSeries, func(i, j int) bool {
				return labelText(kept.TimeSeries[i].LabelValues) < labelText(kept.TimeSeries[j].LabelValues)
			})
			if len(kept.TimeSeries) > 0 {
				out[m.Descriptor.Name] = &kept
			}
		}
	}
	return out
}

// The producer describes every metric as OpenCensus describes the
// registered view, and leaves the metrics of registered views to them.
func TestProducerMatchesViews(t *testing.T) {
	match := onFastPath(t, "match")
	fast := NewClient(Options{Name: match}).NewConn(Peer{})
	oneGET(fast)
	fast.Client().dialed(dialSample{latency: time.Millisecond})
	fast.Client().ConnClosed(StateClient)
	fast.Client().countError(errorKey{kind: KindPool, detail: DetailExhausted})
	pool := fast.Client().NewPool()
	pool.Counts(1, 2)
	pool.Waited(time.Millisecond)
	pool.Reused()
	produced := readMetrics(match)
	// Under -count, earlier runs left the measures subscribed: what the
	// fast client batched for the view path must reach OpenCensus before
	// the views exist.
	FlushViews()

	if err := view.Register(redigo.Views()...); err != nil {
		t.Fatal(err)
	}
	defer view.Unregister(redigo.Views()...)
	exact := NewClient(Options{Name: match}).NewConn(Peer{})
	oneGET(exact)
	exact.Client().dialed(dialSample{latency: time.Millisecond})
	exact.Client().ConnClosed(StateClient)
	exact.Client().countError(errorKey{kind: KindPool, detail: DetailExhausted})
	pool = exact.Client().NewPool()
	pool.Counts(1, 2)
	pool.Waited(time.Millisecond)
	pool.Reused()
	FlushViews()
	view.RetrieveData(redigo.RoundtripLatencyView.Name) // waits for the worker to take every recording
	viewed := readMetrics(match)

	for _, v := range redigo.Views() {
		p, ok := produced[v.Name]
		if !ok {
			t.Errorf("producer does not publish %s", v.Name)
			continue
		}
		w, ok := viewed[v.Name]
		if !ok {
			t.Errorf("view %s published nothing", v.Name)
			continue
		}
		if !reflect.DeepEqual(p.Descriptor, w.Descriptor) {
			t.Errorf("%s: producer describes\n%+v\nthe view\n%+v", v.Name, p.Descriptor, w.Descriptor)
		}
		if len(p.TimeSeries) != len(w.TimeSeries) {
			t.Errorf("%s: %d series from the producer, %d from the view", v.Name, len(p.TimeSeries), len(w.TimeSeries))
			continue
		}
		for i := range p.TimeSeries {
			ps, ws := p.TimeSeries[i], w.TimeSeries[i]
			if !reflect.DeepEqual(ps.LabelValues, ws.LabelValues) {
				t.Errorf("%s: labels %v, view %v", v.Name, ps.LabelValues, ws.LabelValues)
			}
			pv, wv := ps.Points[0].Value, ws.Points[0].Value
			if pd, ok := pv.(*metricdata.Distribution); ok {
				wd := wv.(*metricdata.Distribution)
				if !reflect.DeepEqual(pd.BucketOptions, wd.BucketOptions) || pd.Count != wd.Count || len(pd.Buckets) != len(wd.Buckets) {
					t.Errorf("%s: distribution %+v, view %+v", v.Name, pd, wd)
					continue
				}
				if v == redigo.RoundtripLatencyView {
					continue // two commands, two latencies
				}
				if math.Abs(pd.Sum-wd.Sum) > 1e-9*math.Max(1, wd.Sum) {
					t.Errorf("%s: sum %v, view %v", v.Name, pd.Sum, wd.Sum)
				}
				for b := range pd.Buckets {
					if pd.Buckets[b].Count != wd.Buckets[b].Count {
						t.Errorf("%s: bucket %d has %d, view %d", v.Name, b, pd.Buckets[b].Count, wd.Buckets[b].Count)
					}
				}
			} else if !reflect.DeepEqual(pv, wv) {
				t.Errorf("%s: value %v, view %v", v.Name, pv, wv)
			}
		}
	}
	for _, m := range theProducer.Read() {
		if view.Find(m.Descriptor.Name) != nil {
			t.Errorf("with its view registered the producer still publishes %s", m.Descriptor.Name)
		}
	}
}

// Texts cut for spans end at a rune boundary: exporters built on protobuf
// reject invalid UTF-8.
func TestTruncateKeepsUTF8(t *testing.T) {
	s := strings.Repeat("é", 200) // 2 bytes each
	for _, n := range []int{1, 3, 255, 256} {
		if got := truncate(s, n); !utf8.ValidString(got) || len(got) > n {
			t.Errorf("truncate(%d) = %d bytes, valid %v", n, len(got), utf8.ValidString(got))
		}
	}
	text := QueryTextOf(QueryTextFull, "SET", commandinfo.Lookup("SET"), []interface{}{"k", strings.Repeat("日本", 40)})
	if !utf8.ValidString(text) {
		t.Errorf("query text is not valid UTF-8: %q", text)
	}
}

// A secret quoted by a server error is removed from the recorded text.
func TestRedactSecrets(t *testing.T) {
	acl := commandinfo.Lookup("ACL")
	secrets := secretValues(acl, []interface{}{"SETUSER", "u", "on", "<hunter2"})
	if len(secrets) != 1 || secrets[0] != "<hunter2" {
		t.Fatalf("secrets %q", secrets)
	}
	got := RedactSecrets("ERR Error in ACL SETUSER modifier '<hunter2': Syntax error", secrets)
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "Syntax error") {
		t.Errorf("redacted: %q", got)
	}
}

// The cluster's series are published by the producer, and those of a node
// that left stop being published.
func TestClusterSeriesOnTheFastPath(t *testing.T) {
	name := onFastPath(t, "cluster")
	ClusterRedirect(context.Background(), name, "10.0.0.1:7000", "MOVED", 42, "10.0.0.2:7000")
	ClusterRedirect(context.Background(), name, "10.0.0.1:7000", "MOVED", 42, "10.0.0.2:7000")
	ClusterRetry(context.Background(), name, "10.0.0.2:7000", "TRYAGAIN")
	ClusterRefresh(name, time.Millisecond, nil, 3, 3)
	series := func() map[string]string {
		out := map[string]string{}
		for _, m := range theProducer.Read() {
			for _, ts := range m.TimeSeries {
				var labels []string
				mine := false
				for i, k := range m.Descriptor.LabelKeys {
					labels = append(labels, k.Key+"="+ts.LabelValues[i].Value)
					mine = mine || k.Key == "name" && ts.LabelValues[i].Value == name
				}
				if mine {
					out[m.Descriptor.Name+"{"+strings.Join(labels, ",")+"}"] = fmt.Sprint(ts.Points[0].Value)
				}
			}
		}
		return out
	}
	got := series()
	want := map[string]string{
		"redis/cluster/redirections{kind=MOVED,name=" + name + ",node=10.0.0.1:7000}": "2",
		"redis/cluster/retries{kind=TRYAGAIN,name=" + name + ",node=10.0.0.2:7000}":   "1",
		"redis/cluster/refreshes{name=" + name + ",result=ok}":                        "1",
		"redis/cluster/nodes{name=" + name + ",role=master}":                          "3",
		"redis/cluster/nodes{name=" + name + ",role=replica}":                         "3",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	ForgetNode(name, "10.0.0.1:7000", name+"@10.0.0.1:7000")
	for k := range series() {
		if strings.Contains(k, "node=10.0.0.1:7000") {
			t.Errorf("%s still published after the node left", k)
		}
	}
}
