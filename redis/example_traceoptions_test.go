package redis_test

import (
	"context"
	"fmt"

	"go.opencensus.io/trace"

	"github.com/ocredigo/redigo/redis"
)

// This example names a client, turns on the sanitized db.query.text and
// adds an attribute to every span, with DialTraceOptions. A TraceOption
// such as WithDefaultAttributes edits the TraceOptions value it is applied
// to.
func ExampleDialTraceOptions() {
	spans := &treePrinter{}
	trace.RegisterExporter(spans)
	defer trace.UnregisterExporter(spans)

	opts := redis.TraceOptions{
		Name:      "session-cache",          // the name label of its metrics
		QueryText: redis.QueryTextSanitized, // "SET session:42 ?"
	}
	redis.WithDefaultAttributes(trace.StringAttribute("deployment.region", "eu-1"))(&opts)

	ctx, span := trace.StartSpan(context.Background(), "login",
		trace.WithSampler(trace.AlwaysSample()))
	c, err := redis.DialContext(ctx, "tcp", plainServer.Addr(), redis.DialTraceOptions(opts))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = redis.DoContext(c, ctx, "SET", "session:42", "secret token")
	c.Close()
	span.End()
	if err != nil {
		fmt.Println(err)
		return
	}

	spans.mu.Lock()
	defer spans.mu.Unlock()
	for _, s := range spans.spans {
		if s.Name == "SET" {
			fmt.Println(s.Name, s.Attributes["db.query.text"], s.Attributes["deployment.region"])
		}
	}
	// Output:
	// SET SET session:42 ? eu-1
}
