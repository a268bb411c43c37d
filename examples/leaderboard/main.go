// Command leaderboard is the demo of ocredigo: a game leaderboard kept in a
// Redis sorted set, whose every command shows up as Prometheus metrics and
// as spans of a trace.
//
//	make demo                             # from the repository root, or
//	cd examples && go run ./leaderboard   # embedded Redis, spans printed
//	go run ./leaderboard -addr localhost:6379 \
//		-zipkin http://localhost:9411/api/v2/spans
//
// Each round of a worker is one trace:
//
//	LeaderBoardModification
//	├── AddToLeaderBoard
//	│   └── ZADD        the players of the round with their scores
//	├── Scan
//	│   └── ZSCAN       until the cursor is back to 0; finds the leader
//	└── Cleanup
//	    ├── ZCARD       pipelined with the DEL: one round trip, two spans
//	    └── DEL
//
// Every tenth round the Scan step also scans a key holding a string, so
// that the error metrics and an error span have something to show, and the
// Cleanup step asks a one-connection pool that does not wait for a second
// connection, so that the pool's exhaustion metric has something to show.
//
// The metrics are served at http://localhost:9464/metrics (-metrics-addr)
// under the namespace "ocredigo": ocredigo_redis_client_roundtrip_latency_bucket,
// ocredigo_redis_client_writes and so on, one per view of
// redis.ObservabilityMetricViews.
//
// With no -addr the demo starts an embedded Redis (miniredis) in the
// process, so that it runs on a machine without Redis. The embedded server
// is for the demo only: the driver itself is tested against redis-server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.opencensus.io/trace"

	"github.com/ocredigo/redigo/examples/internal/demo"
	"github.com/ocredigo/redigo/redis"
)

// clientName is the name tag of the demo's metrics.
const clientName = "leaderboard"

// motdKey holds a string; scanning it as a sorted set fails with WRONGTYPE.
const motdKey = "leaderboard:motd"

type config struct {
	addr        string        // Redis host:port; empty starts an embedded Redis
	metricsAddr string        // where /metrics is served
	zipkinURL   string        // Zipkin v2 collector; empty prints the spans
	duration    time.Duration // 0: until interrupted
	interval    time.Duration // pause between two rounds of a worker
	workers     int
	players     int
	rounds      int // rounds per worker; 0: until the context ends (tests set it)
}

func main() {
	cfg := config{}
	flag.StringVar(&cfg.addr, "addr", "", "Redis `host:port`; empty starts an embedded Redis in the process")
	flag.StringVar(&cfg.metricsAddr, "metrics-addr", "localhost:9464", "`address` serving the Prometheus /metrics")
	flag.StringVar(&cfg.zipkinURL, "zipkin", "", "Zipkin v2 collector `URL` (e.g. http://localhost:9411/api/v2/spans); empty prints the spans")
	flag.DurationVar(&cfg.duration, "duration", 0, "stop after this long; 0 runs until interrupted")
	flag.DurationVar(&cfg.interval, "interval", time.Second, "pause between two rounds of a worker")
	flag.IntVar(&cfg.workers, "workers", 2, "concurrent workers, each with its own leaderboard")
	flag.IntVar(&cfg.players, "players", 20, "players added to a leaderboard per round")
	flag.Parse()
	if err := cfg.check(flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "leaderboard:", err)
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "leaderboard:", err)
		os.Exit(1)
	}
}

func (cfg config) check(args []string) error {
	switch {
	case len(args) > 0:
		return fmt.Errorf("unexpected arguments %q", args)
	case cfg.workers < 1:
		return errors.New("-workers must be at least 1")
	case cfg.players < 1:
		return errors.New("-players must be at least 1")
	case cfg.interval < 0 || cfg.duration < 0:
		return errors.New("-interval and -duration must not be negative")
	}
	return nil
}

// run serves the metrics and runs the workers until ctx ends. Spans are
// printed to out, problems to errOut.
func run(ctx context.Context, cfg config, out, errOut io.Writer) error {
	d, err := demo.Start(clientName, cfg.addr, cfg.metricsAddr, cfg.zipkinURL, out, errOut)
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "leaderboard: Redis at %s%s, metrics at %s, spans %s\n",
		d.Addr, d.EmbeddedNote(), d.MetricsURL(), d.SpanDestination())

	pool, probe := newPool(d.Addr, cfg.workers), newProbePool(d.Addr)
	lb := &leaderboard{pool: pool, probe: probe}
	err = lb.work(ctx, cfg, errOut)
	if cerr := pool.Close(); err == nil {
		err = cerr
	}
	if cerr := probe.Close(); err == nil {
		err = cerr
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// newPool returns the demo's pool. It holds fewer connections than there
// are workers, and replaces them every 10 seconds, so that the metrics of
// pool waits, dials and closed connections have something to show.
func newPool(addr string, workers int) *redis.Pool {
	opts := redis.TraceOptions{Name: clientName}
	return &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr,
				redis.DialTraceOptions(opts),
				redis.DialConnectTimeout(5*time.Second),
				redis.DialReadTimeout(5*time.Second),
				redis.DialWriteTimeout(5*time.Second))
		},
		TestOnBorrowContext: func(ctx context.Context, c redis.Conn, lastUsed time.Time) error {
			if time.Since(lastUsed) < time.Minute {
				return nil
			}
			_, err := c.(redis.ConnWithContext).DoContext(ctx, "PING")
			return err
		},
		MaxIdle:         max(1, workers/2),
		MaxActive:       max(1, workers/2),
		Wait:            true,
		IdleTimeout:     5 * time.Minute,
		MaxConnLifetime: 10 * time.Second,
		TraceOptions:    opts,
	}
}

// probeName is the name tag of the probe pool's metrics.
const probeName = clientName + "-probe"

// newProbePool returns a pool of one connection that does not wait: a
// second Get while the first connection is out fails with
// redis.ErrPoolExhausted, which the errors view counts as kind "pool",
// detail "exhausted".
func newProbePool(addr string) *redis.Pool {
	opts := redis.TraceOptions{Name: probeName}
	return &redis.Pool{
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr, redis.DialTraceOptions(opts),
				redis.DialConnectTimeout(5*time.Second))
		},
		MaxIdle:      1,
		MaxActive:    1,
		TraceOptions: opts,
	}
}

// leaderboard runs the rounds of the demo.
type leaderboard struct {
	pool  *redis.Pool
	probe *redis.Pool // nil: no exhaustion on purpose
}

// entry is a player and its score.
type entry struct {
	player string
	score  int64
}

// work stores motdKey and runs cfg.workers workers until ctx ends (or each
// did cfg.rounds rounds). A failed round is reported to errOut and the
// worker goes on: the demo keeps running while Redis restarts.
func (lb *leaderboard) work(ctx context.Context, cfg config, errOut io.Writer) error {
	if err := lb.setup(ctx); err != nil {
		return err
	}
	var (
		wg     sync.WaitGroup
		errMu  sync.Mutex
		failed int
	)
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			key := fmt.Sprintf("leaderboard:%d", w)
			for round := 1; cfg.rounds == 0 || round <= cfg.rounds; round++ {
				if ctx.Err() != nil {
					return
				}
				_, err := lb.round(ctx, key, randomEntries(rng, cfg.players), round%10 == 0)
				if err != nil && ctx.Err() == nil {
					errMu.Lock()
					failed++
					fmt.Fprintf(errOut, "leaderboard: worker %d, round %d: %v\n", w, round, err)
					errMu.Unlock()
				}
				if round == cfg.rounds || !sleep(ctx, cfg.interval) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if cfg.rounds > 0 && failed > 0 {
		return fmt.Errorf("%d rounds failed", failed)
	}
	return nil
}

// setup stores the string that every tenth round scans as a sorted set.
// It runs outside any trace: with no parent span the driver starts none.
func (lb *leaderboard) setup(ctx context.Context) error {
	c, err := lb.pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.(redis.ConnWithContext).DoContext(ctx, "SET", motdKey, "welcome, players")
	return err
}

// round is one LeaderBoardModification of the leaderboard at key: it adds
// the entries, scans the leaderboard for its leader and deletes it.
// withError makes the Scan step scan motdKey first, which fails with
// WRONGTYPE as intended.
func (lb *leaderboard) round(ctx context.Context, key string, entries []entry, withError bool) (leader entry, err error) {
	ctx, span := trace.StartSpan(ctx, "LeaderBoardModification",
		trace.WithSampler(trace.AlwaysSample()))
	defer func() { endSpan(span, err) }()
	span.AddAttributes(
		trace.StringAttribute("leaderboard.key", key),
		trace.Int64Attribute("leaderboard.players", int64(len(entries))))

	err = lb.step(ctx, "AddToLeaderBoard", func(ctx context.Context, c redis.ConnWithContext) error {
		args := redis.Args{key}
		for _, e := range entries {
			args = args.Add(e.score, e.player)
		}
		_, err := c.DoContext(ctx, "ZADD", args...)
		return err
	})
	if err != nil {
		return entry{}, err
	}

	err = lb.step(ctx, "Scan", func(ctx context.Context, c redis.ConnWithContext) error {
		if withError {
			_, err := c.DoContext(ctx, "ZSCAN", motdKey, 0)
			if !strings.HasPrefix(fmt.Sprint(err), "WRONGTYPE") {
				return fmt.Errorf("ZSCAN %s: want a WRONGTYPE error, got %v", motdKey, err)
			}
			trace.FromContext(ctx).Annotate(nil, "scanned "+motdKey+": WRONGTYPE, as intended")
		}
		scores, err := scan(ctx, c, key)
		if err != nil {
			return err
		}
		if len(scores) != len(entries) {
			return fmt.Errorf("ZSCAN %s: %d players, want %d", key, len(scores), len(entries))
		}
		leader = top(scores)
		trace.FromContext(ctx).AddAttributes(
			trace.StringAttribute("leaderboard.leader", leader.player),
			trace.Int64Attribute("leaderboard.leader_score", leader.score))
		return nil
	})
	if err != nil {
		return entry{}, err
	}

	err = lb.step(ctx, "Cleanup", func(ctx context.Context, c redis.ConnWithContext) error {
		if withError {
			if err := lb.exhaustProbe(ctx); err != nil {
				return err
			}
		}
		// ZCARD and DEL pipelined: two commands, one round trip; each has
		// its own span, latency and byte counts all the same.
		if err := c.SendContext(ctx, "ZCARD", key); err != nil {
			return err
		}
		if err := c.SendContext(ctx, "DEL", key); err != nil {
			return err
		}
		if err := c.FlushContext(ctx); err != nil {
			return err
		}
		n, err := redis.Int(c.ReceiveContext(ctx))
		if err != nil {
			return fmt.Errorf("ZCARD %s: %w", key, err)
		}
		if n != len(entries) {
			return fmt.Errorf("ZCARD %s: %d players, want %d", key, n, len(entries))
		}
		deleted, err := redis.Int(c.ReceiveContext(ctx))
		if err != nil {
			return fmt.Errorf("DEL %s: %w", key, err)
		}
		if deleted != 1 {
			return fmt.Errorf("DEL %s: deleted %d keys, want 1", key, deleted)
		}
		return nil
	})
	return leader, err
}

// exhaustProbe takes the probe pool's only connection and asks for a
// second one, which fails with redis.ErrPoolExhausted, as intended. The
// workers share the probe pool, so the first Get may be the one to fail.
func (lb *leaderboard) exhaustProbe(ctx context.Context) error {
	if lb.probe == nil {
		return nil
	}
	first, err := lb.probe.GetContext(ctx)
	if err == nil {
		defer first.Close()
		var second redis.Conn
		if second, err = lb.probe.GetContext(ctx); err == nil {
			second.Close()
		}
	}
	if !errors.Is(err, redis.ErrPoolExhausted) {
		return fmt.Errorf("probe pool: want redis.ErrPoolExhausted, got %v", err)
	}
	trace.FromContext(ctx).Annotate(nil, "probe pool exhausted, as intended")
	return nil
}

// step runs fn in a child span named name, on a pooled connection whose
// commands (and the pool's own, such as PING on borrow) are children of
// that span.
func (lb *leaderboard) step(ctx context.Context, name string, fn func(context.Context, redis.ConnWithContext) error) (err error) {
	ctx, span := trace.StartSpan(ctx, name)
	defer func() { endSpan(span, err) }()
	c, err := lb.pool.GetContext(ctx)
	if err != nil {
		return err
	}
	cc := c.(redis.ConnWithContext)
	defer func() {
		if cerr := cc.CloseContext(ctx); err == nil {
			err = cerr
		}
	}()
	return fn(ctx, cc)
}

// scan reads the whole sorted set at key with ZSCAN.
func scan(ctx context.Context, c redis.ConnWithContext, key string) (map[string]int64, error) {
	scores := map[string]int64{}
	cursor := int64(0)
	for {
		values, err := redis.Values(c.DoContext(ctx, "ZSCAN", key, cursor, "COUNT", 10))
		if err != nil {
			return nil, err
		}
		var page []interface{}
		if _, err := redis.Scan(values, &cursor, &page); err != nil {
			return nil, fmt.Errorf("ZSCAN reply: %w", err)
		}
		m, err := redis.Int64Map(page, nil)
		if err != nil {
			return nil, fmt.Errorf("ZSCAN reply: %w", err)
		}
		for player, score := range m {
			scores[player] = score
		}
		if cursor == 0 {
			return scores, nil
		}
	}
}

// top returns the entry with the highest score; ties go to the player
// whose name sorts first.
func top(scores map[string]int64) entry {
	players := make([]string, 0, len(scores))
	for p := range scores {
		players = append(players, p)
	}
	sort.Strings(players)
	var best entry
	for i, p := range players {
		if i == 0 || scores[p] > best.score {
			best = entry{player: p, score: scores[p]}
		}
	}
	return best
}

// randomEntries returns n players with random scores.
func randomEntries(rng *rand.Rand, n int) []entry {
	entries := make([]entry, n)
	for i := range entries {
		entries[i] = entry{player: fmt.Sprintf("player-%02d", i+1), score: rng.Int64N(10000)}
	}
	return entries
}

// endSpan marks span failed when err is set, and ends it.
func endSpan(span *trace.Span, err error) {
	if err != nil {
		span.SetStatus(trace.Status{Code: trace.StatusCodeUnknown, Message: err.Error()})
	}
	span.End()
}

// sleep waits d, or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
