package redis_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opencensus.io/trace"

	"github.com/ocredigo/redigo/redis"
)

// This example declares a pool, takes a connection with GetContext and runs
// commands with DoContext under the request's span: each command gets a
// child span named after it, with the span catalogue's attributes.
func ExamplePool() {
	// Print the spans of the trace once its root ends (a real program
	// registers an exporter such as Zipkin's or Jaeger's instead).
	spans := &treePrinter{}
	trace.RegisterExporter(spans)
	defer trace.UnregisterExporter(spans)

	opts := redis.TraceOptions{Name: "example-pool"} // the name label of the metrics
	pool := &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", plainServer.Addr(),
				redis.DialTraceOptions(opts),
				redis.DialConnectTimeout(time.Second),
				redis.DialReadTimeout(time.Second),
				redis.DialWriteTimeout(time.Second))
		},
		MaxIdle:      4,
		MaxActive:    16,
		Wait:         true,
		IdleTimeout:  5 * time.Minute,
		TraceOptions: opts,
	}
	defer pool.Close()

	// OpenCensus samples 1 trace in 10,000 unless told otherwise: sample
	// this one. Spans below a sampled parent are sampled too.
	ctx, span := trace.StartSpan(context.Background(), "handle-request",
		trace.WithSampler(trace.AlwaysSample()))

	// ctx bounds the wait for a connection and the dial.
	c, err := pool.GetContext(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	cc := c.(redis.ConnWithContext)
	if _, err := cc.DoContext(ctx, "SET", "pool-example:user", "ada"); err != nil {
		fmt.Println(err)
		return
	}
	name, err := redis.String(cc.DoContext(ctx, "GET", "pool-example:user"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Close() // back to the pool
	span.End()

	fmt.Println("user:", name)
	spans.print()
	// Output:
	// user: ada
	// handle-request
	//   redis.pool.get
	//     redis.dial
	//   SET db.system=redis db.operation.name=SET server.address=127.0.0.1
	//   GET db.system=redis db.operation.name=GET server.address=127.0.0.1
}

// treePrinter keeps the spans exported and prints them as a tree.
type treePrinter struct {
	mu    sync.Mutex
	spans []*trace.SpanData
}

func (p *treePrinter) ExportSpan(s *trace.SpanData) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spans = append(p.spans, s)
}

// print prints the trace of the last root span exported: a line per span,
// its children below it in the order they started, and a few attributes of
// the command spans.
func (p *treePrinter) print() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var root *trace.SpanData
	children := map[trace.SpanID][]*trace.SpanData{}
	for _, s := range p.spans {
		if s.ParentSpanID == (trace.SpanID{}) {
			root = s
		}
	}
	if root == nil {
		fmt.Println("no root span")
		return
	}
	for _, s := range p.spans {
		if s.TraceID == root.TraceID && s != root {
			children[s.ParentSpanID] = append(children[s.ParentSpanID], s)
		}
	}
	var walk func(s *trace.SpanData, depth int)
	walk = func(s *trace.SpanData, depth int) {
		line := strings.Repeat("  ", depth) + s.Name
		if _, ok := s.Attributes["db.operation.name"]; ok && !strings.HasPrefix(s.Name, "redis.") { // a command span
			for _, k := range []string{"db.system", "db.operation.name", "server.address"} {
				line += fmt.Sprintf(" %s=%v", k, s.Attributes[k])
			}
		}
		fmt.Println(line)
		kids := children[s.SpanID]
		sort.Slice(kids, func(i, j int) bool { return kids[i].StartTime.Before(kids[j].StartTime) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	walk(root, 0)
}
