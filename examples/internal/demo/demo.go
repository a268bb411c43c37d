// Package demo is what the examples need besides their workload: a Redis
// server (embedded when no address is given), the driver's metrics served
// for Prometheus, and a span exporter (Zipkin, or trace trees printed).
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"contrib.go.opencensus.io/exporter/prometheus"
	oczipkin "contrib.go.opencensus.io/exporter/zipkin"
	"github.com/alicebob/miniredis/v2"
	openzipkin "github.com/openzipkin/zipkin-go"
	"github.com/openzipkin/zipkin-go/reporter"
	zipkinhttp "github.com/openzipkin/zipkin-go/reporter/http"
	"go.opencensus.io/trace"

	"github.com/ocredigo/redigo/redis"
)

// namespace prefixes the Prometheus metric names: the view
// redis/client/roundtrip_latency becomes
// ocredigo_redis_client_roundtrip_latency_{bucket,sum,count}.
const namespace = "ocredigo"

// Demo is what a run needs besides the workload: the Redis server
// (embedded when no address is given), the driver's metrics served at
// /metrics, and the span exporter.
type Demo struct {
	Addr     string
	Embedded *miniredis.Miniredis
	listener net.Listener
	metrics  *http.Server
	served   chan error
	exporter trace.Exporter
	zipkin   reporter.Reporter // nil when the spans are printed
	client   *http.Client      // the Zipkin reporter's
}

// Start, for the client clientName (its service name in Zipkin and its
// prefix in messages), starts the embedded Redis when addr is empty, turns
// on the fast metric path, serves it at metricsAddr and registers the span
// exporter:
// Zipkin at zipkinURL, or a printer of trace trees to out.
func Start(clientName, addr, metricsAddr, zipkinURL string, out, errOut io.Writer) (_ *Demo, err error) {
	d := &Demo{Addr: addr}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()

	var collector *url.URL
	if zipkinURL != "" {
		collector, err = url.Parse(zipkinURL)
		if err != nil || (collector.Scheme != "http" && collector.Scheme != "https") || collector.Host == "" {
			return nil, fmt.Errorf("-zipkin %q: want an http(s) URL such as http://localhost:9411/api/v2/spans", zipkinURL)
		}
	}

	if d.Addr == "" {
		if d.Embedded, err = miniredis.Run(); err != nil {
			return nil, fmt.Errorf("embedded Redis: %w", err)
		}
		d.Addr = d.Embedded.Addr()
	}

	// The fast metric path: the driver aggregates, the Prometheus exporter
	// reads it through OpenCensus's metric producers.
	redis.EnableMetrics()
	exporter, err := prometheus.NewExporter(prometheus.Options{
		Namespace: namespace,
		OnError:   func(err error) { fmt.Fprintln(errOut, clientName+": metrics:", err) },
	})
	if err != nil {
		return nil, fmt.Errorf("prometheus exporter: %w", err)
	}
	if d.listener, err = net.Listen("tcp", metricsAddr); err != nil {
		return nil, fmt.Errorf("-metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", exporter)
	d.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	d.served = make(chan error, 1)
	go func() { d.served <- d.metrics.Serve(d.listener) }()

	if collector != nil {
		d.client = &http.Client{Timeout: 10 * time.Second}
		d.zipkin = zipkinhttp.NewReporter(collector.String(),
			zipkinhttp.Client(d.client),
			zipkinhttp.Logger(log.New(errOut, clientName+": zipkin: ", 0)))
		endpoint, err := openzipkin.NewEndpoint(clientName, "")
		if err != nil {
			return nil, fmt.Errorf("zipkin endpoint: %w", err)
		}
		d.exporter = oczipkin.NewExporter(d.zipkin, endpoint)
	} else {
		d.exporter = newSpanPrinter(out)
	}
	trace.RegisterExporter(d.exporter)
	return d, nil
}

func (d *Demo) MetricsURL() string {
	return "http://" + d.listener.Addr().String() + "/metrics"
}

func (d *Demo) EmbeddedNote() string {
	if d.Embedded != nil {
		return " (embedded)"
	}
	return ""
}

func (d *Demo) SpanDestination() string {
	if d.zipkin != nil {
		return "sent to Zipkin"
	}
	return "printed"
}

// Close flushes the spans not yet sent to Zipkin and stops what start
// started.
func (d *Demo) Close() error {
	var errs []error
	if d.exporter != nil {
		trace.UnregisterExporter(d.exporter)
	}
	if d.zipkin != nil {
		errs = append(errs, d.zipkin.Close())
		d.client.CloseIdleConnections()
	}
	if d.metrics != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, d.metrics.Shutdown(ctx))
		if err := <-d.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	} else if d.listener != nil {
		d.listener.Close()
	}
	if d.Embedded != nil {
		d.Embedded.Close()
	}
	return errors.Join(errs...)
}

// spanPrinter is a trace exporter that prints each trace as a tree when
// its root span ends. Spans end children first, so the spans of a trace
// wait for its root.
type spanPrinter struct {
	mu      sync.Mutex
	out     io.Writer
	pending map[trace.TraceID][]*trace.SpanData
}

// maxPendingTraces bounds the traces waiting for their root span.
const maxPendingTraces = 1000

func newSpanPrinter(out io.Writer) *spanPrinter {
	return &spanPrinter{out: out, pending: map[trace.TraceID][]*trace.SpanData{}}
}

func (p *spanPrinter) ExportSpan(s *trace.SpanData) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.ParentSpanID != (trace.SpanID{}) && !s.HasRemoteParent {
		if _, ok := p.pending[s.TraceID]; !ok && len(p.pending) >= maxPendingTraces {
			clear(p.pending) // roots that never ended: forget them
		}
		p.pending[s.TraceID] = append(p.pending[s.TraceID], s)
		return
	}
	children := map[trace.SpanID][]*trace.SpanData{}
	for _, c := range p.pending[s.TraceID] {
		children[c.ParentSpanID] = append(children[c.ParentSpanID], c)
	}
	delete(p.pending, s.TraceID)
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s\n", s.TraceID)
	printSpan(&b, s, children, "", "")
	io.WriteString(p.out, b.String())
}

// printSpan writes s on one line after prefix, then its children, in the
// order they started, below it.
func printSpan(b *strings.Builder, s *trace.SpanData, children map[trace.SpanID][]*trace.SpanData, prefix, childPrefix string) {
	fmt.Fprintf(b, "%s%s %s", prefix, s.Name, s.EndTime.Sub(s.StartTime).Round(time.Microsecond))
	keys := make([]string, 0, len(s.Attributes))
	for k := range s.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fmt.Sprint(s.Attributes[k])
		if strings.ContainsAny(v, " \"") {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(b, " %s=%s", k, v)
	}
	for _, a := range s.Annotations {
		fmt.Fprintf(b, " %q", a.Message)
	}
	if s.Code != trace.StatusCodeOK {
		fmt.Fprintf(b, " error=%q", s.Message)
	}
	b.WriteByte('\n')

	kids := children[s.SpanID]
	sort.Slice(kids, func(i, j int) bool { return kids[i].StartTime.Before(kids[j].StartTime) })
	for i, k := range kids {
		if i == len(kids)-1 {
			printSpan(b, k, children, childPrefix+"└── ", childPrefix+"    ")
		} else {
			printSpan(b, k, children, childPrefix+"├── ", childPrefix+"│   ")
		}
	}
}
