package bench

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/extra/redisotel/v9"
	goredis "github.com/redis/go-redis/v9"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// goredisTarget is github.com/redis/go-redis/v9, with its default options
// but the pool size, and optionally its OpenTelemetry instrumentation.
type goredisTarget struct {
	addr string
	// instrument, when set, instruments every client.
	instrument func(rdb *goredis.Client) error
	// newContext makes the context of one benchmark loop or goroutine.
	newContext func() (context.Context, func())
	// check verifies the instrumentation after a probe GET.
	check func() error
}

func newGoRedis(addr string) (target, error) {
	return &goredisTarget{addr: addr, newContext: endless, check: func() error { return nil }}, nil
}

// newGoRedisOtel is go-redis with redisotel tracing and metrics on the
// OpenTelemetry SDK: a tracer provider that never samples, a meter
// provider with a manual reader. Commands run with a (never sampled)
// parent span in the context, as in the metrics configuration of ocredigo.
func newGoRedisOtel(addr string) (target, error) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tracer := tp.Tracer("bench")
	return &goredisTarget{
		addr: addr,
		instrument: func(rdb *goredis.Client) error {
			if err := redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(tp)); err != nil {
				return err
			}
			return redisotel.InstrumentMetrics(rdb, redisotel.WithMeterProvider(mp))
		},
		newContext: func() (context.Context, func()) {
			ctx, span := tracer.Start(context.Background(), "bench")
			return ctx, func() { span.End() }
		},
		check: func() error {
			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				return err
			}
			for _, sm := range rm.ScopeMetrics {
				if len(sm.Metrics) > 0 {
					return nil
				}
			}
			return errors.New("redisotel recorded no metric")
		},
	}, nil
}

func (t *goredisTarget) newClient(size int) (*goredis.Client, error) {
	rdb := goredis.NewClient(&goredis.Options{
		Addr:           t.addr,
		PoolSize:       size,
		MaxActiveConns: size,
	})
	if t.instrument != nil {
		if err := t.instrument(rdb); err != nil {
			rdb.Close()
			return nil, err
		}
	}
	return rdb, nil
}

func (t *goredisTarget) client(b *testing.B, size int) *goredis.Client {
	rdb, err := t.newClient(size)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rdb.Close() })
	return rdb
}

func (t *goredisTarget) probe(key string, size int) error {
	rdb, err := t.newClient(1)
	if err != nil {
		return err
	}
	defer rdb.Close()
	ctx, end := t.newContext()
	defer end()
	v, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		return err
	}
	if err := checkValue(v, size); err != nil {
		return err
	}
	return t.check()
}

func (t *goredisTarget) set(b *testing.B, key string, value []byte) {
	rdb := t.client(b, 1)
	ctx, end := t.newContext()
	defer end()
	if err := rdb.Set(ctx, key, value, 0).Err(); err != nil {
		b.Fatal(err)
	}
	measure(b, nil, func() {
		for i := 0; i < b.N; i++ {
			if err := rdb.Set(ctx, key, value, 0).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (t *goredisTarget) get(b *testing.B, key string, size int) {
	rdb := t.client(b, 1)
	ctx, end := t.newContext()
	defer end()
	if err := rdb.Get(ctx, key).Err(); err != nil {
		b.Fatal(err)
	}
	measure(b, nil, func() {
		for i := 0; i < b.N; i++ {
			v, err := rdb.Get(ctx, key).Bytes()
			if err != nil {
				b.Fatal(err)
			}
			if err := checkValue(v, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (t *goredisTarget) pipeline(b *testing.B, key string, size int) {
	rdb := t.client(b, 1)
	ctx, end := t.newContext()
	defer end()
	cmds := make([]*goredis.StringCmd, pipelineDepth)
	if err := pipelineGets(ctx, rdb, key, size, cmds[:1]); err != nil {
		b.Fatal(err)
	}
	measure(b, nil, func() {
		for done := 0; done < b.N; done += pipelineDepth {
			if err := pipelineGets(ctx, rdb, key, size, cmds[:min(pipelineDepth, b.N-done)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// pipeliner is a go-redis client of one server or of a cluster.
type pipeliner interface{ Pipeline() goredis.Pipeliner }

// pipelineGets runs len(cmds) GETs in one pipeline.
func pipelineGets(ctx context.Context, rdb pipeliner, key string, size int, cmds []*goredis.StringCmd) error {
	pipe := rdb.Pipeline()
	for i := range cmds {
		cmds[i] = pipe.Get(ctx, key)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	for _, cmd := range cmds {
		v, err := cmd.Bytes()
		if err != nil {
			return err
		}
		if err := checkValue(v, size); err != nil {
			return err
		}
	}
	return nil
}

func (t *goredisTarget) pool(b *testing.B, key string, size int, parallelism int) {
	rdb := t.client(b, poolSize)
	if err := t.warmPool(rdb, key); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(parallelism)
	measure(b, nil, func() {
		b.RunParallel(func(pb *testing.PB) {
			ctx, end := t.newContext()
			defer end()
			for pb.Next() {
				v, err := rdb.Get(ctx, key).Bytes()
				if err == nil {
					err = checkValue(v, size)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// warmPool dials every connection of the pool before the timed loop: a
// Conn holds its pool connection until closed.
func (t *goredisTarget) warmPool(rdb *goredis.Client, key string) error {
	ctx, end := t.newContext()
	defer end()
	conns := make([]*goredis.Conn, 0, poolSize)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range poolSize {
		c := rdb.Conn()
		conns = append(conns, c)
		if err := c.Get(ctx, key).Err(); err != nil {
			return err
		}
	}
	return nil
}

// The canned workloads are not wired for go-redis: its connection setup
// (HELLO, CLIENT SETINFO) and health checks need a server that answers
// more than one fixed command.
func (t *goredisTarget) cannedGet(b *testing.B, key string, size int) {
	b.Skip("go-redis: no canned-reply connection")
}

func (t *goredisTarget) cannedPipeline(b *testing.B, key string, size int) {
	b.Skip("go-redis: no canned-reply connection")
}

func (t *goredisTarget) probeCanned(key string, size int) error { return nil }
