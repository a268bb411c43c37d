// Command searchcache is an interactive search cache on ocredigo: each line
// read from standard input is a query, answered from Redis when cached.
//
//	cd examples && go run ./searchcache      # embedded Redis, spans printed
//	printf 'redis\nredis\n' | go run ./searchcache -addr localhost:6379
//
// Each query is one Search span. When the cache holds the query (GET finds
// it) the span is annotated "cache hit" and the entry is deleted (DEL), so
// that the next time it is a miss again; otherwise the span is annotated
// "cache miss", the answer is computed (the query upper-cased) and stored
// (SET). The answers go to standard output; the spans to Zipkin (-zipkin)
// or, as trees, to standard error. The metrics are served at
// http://localhost:9464/metrics (-metrics-addr), as in
// examples/leaderboard. The program ends at the end of its input.
//
// With no -addr an embedded Redis (miniredis) is started in the process,
// for the demo only.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.opencensus.io/trace"

	"github.com/ocredigo/redigo/examples/internal/demo"
	"github.com/ocredigo/redigo/redis"
)

// clientName is the name tag of the example's metrics.
const clientName = "searchcache"

// keyPrefix prefixes the query to make its cache key.
const keyPrefix = "searchcache:"

func main() {
	addr := flag.String("addr", "", "Redis `host:port`; empty starts an embedded Redis in the process")
	metricsAddr := flag.String("metrics-addr", "localhost:9464", "`address` serving the Prometheus /metrics")
	zipkinURL := flag.String("zipkin", "", "Zipkin v2 collector `URL` (e.g. http://localhost:9411/api/v2/spans); empty prints the spans")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "searchcache: unexpected arguments %q; the queries are read from standard input\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *metricsAddr, *zipkinURL, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "searchcache:", err)
		os.Exit(1)
	}
}

// run answers the queries of in until its end (or until ctx ends), the
// answers to out, spans and problems to errOut.
func run(ctx context.Context, addr, metricsAddr, zipkinURL string, in io.Reader, out, errOut io.Writer) error {
	d, err := demo.Start(clientName, addr, metricsAddr, zipkinURL, errOut, errOut)
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "searchcache: Redis at %s%s, metrics at %s, spans %s; one query per line\n",
		d.Addr, d.EmbeddedNote(), d.MetricsURL(), d.SpanDestination())

	pool := newPool(d.Addr)
	err = serve(ctx, &searchCache{pool: pool}, in, out, errOut)
	if cerr := pool.Close(); err == nil {
		err = cerr
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func newPool(addr string) *redis.Pool {
	opts := redis.TraceOptions{Name: clientName, QueryText: redis.QueryTextSanitized}
	return &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr,
				redis.DialTraceOptions(opts),
				redis.DialConnectTimeout(5*time.Second),
				redis.DialReadTimeout(5*time.Second),
				redis.DialWriteTimeout(5*time.Second))
		},
		MaxIdle:      1,
		IdleTimeout:  5 * time.Minute,
		TraceOptions: opts,
	}
}

// serve answers each non-blank line of in on a line of out. A failed
// search is reported to errOut and the next line is read; serve then
// returns an error at the end of the input.
func serve(ctx context.Context, sc *searchCache, in io.Reader, out, errOut io.Writer) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	// Reading in a goroutine lets an interrupt end the program while it
	// waits for a line.
	go func() {
		defer close(lines)
		s := bufio.NewScanner(in)
		for s.Scan() {
			select {
			case lines <- s.Text():
			case <-ctx.Done():
				// serve may still read the closed lines, and then waits
				// for this.
				readErr <- nil
				return
			}
		}
		readErr <- s.Err()
	}()

	failed := 0
	for {
		var query string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case query, ok = <-lines:
		}
		if !ok {
			break
		}
		query = strings.TrimSpace(query)
		if query == "" {
			continue
		}
		answer, hit, err := sc.search(ctx, query)
		if err != nil {
			failed++
			fmt.Fprintf(errOut, "searchcache: %q: %v\n", query, err)
			continue
		}
		outcome := "miss"
		if hit {
			outcome = "hit"
		}
		fmt.Fprintf(out, "%s (cache %s)\n", answer, outcome)
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("reading queries: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("%d searches failed", failed)
	}
	return nil
}

// searchCache answers queries, from Redis when cached.
type searchCache struct {
	pool *redis.Pool
}

// search answers query in a Search span. A cached answer is a hit: it is
// returned and its entry deleted. Otherwise the answer is computed and
// stored.
func (sc *searchCache) search(ctx context.Context, query string) (answer string, hit bool, err error) {
	ctx, span := trace.StartSpan(ctx, "Search", trace.WithSampler(trace.AlwaysSample()))
	defer func() {
		if err != nil {
			span.SetStatus(trace.Status{Code: trace.StatusCodeUnknown, Message: err.Error()})
		}
		span.End()
	}()
	span.AddAttributes(trace.StringAttribute("search.query", query))

	c, err := sc.pool.GetContext(ctx)
	if err != nil {
		return "", false, err
	}
	cc := c.(redis.ConnWithContext)
	defer func() {
		if cerr := cc.CloseContext(ctx); err == nil {
			err = cerr
		}
	}()

	key := keyPrefix + query
	answer, err = redis.String(cc.DoContext(ctx, "GET", key))
	switch {
	case err == nil:
		span.Annotate(nil, "cache hit")
		_, err = cc.DoContext(ctx, "DEL", key)
		return answer, true, err
	case errors.Is(err, redis.ErrNil):
		span.Annotate(nil, "cache miss")
		answer = strings.ToUpper(query)
		_, err = cc.DoContext(ctx, "SET", key, answer)
		return answer, false, err
	default:
		return "", false, err
	}
}
