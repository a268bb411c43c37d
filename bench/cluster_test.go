package bench

import (
	"context"
	"testing"

	"github.com/ocredigo/redigo/cluster"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/redis/go-redis/extra/redisotel/v9"
	goredis "github.com/redis/go-redis/v9"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// BenchmarkCluster runs single-key GETs and 100-GET pipelines (one key,
// so one slot and one node) on a 6-node Redis Cluster (3 masters with a
// replica each) started for the benchmark: ocredigo's cluster package in
// the ocredigo configurations, go-redis's ClusterClient in the goredis
// ones. The upstream configurations have no cluster client here and skip.
//
//	BenchmarkCluster/Get/<size>          one GET round trip on one connection
//	BenchmarkCluster/PipelineGet/<size>  one GET of a 100-GET pipeline
func BenchmarkCluster(b *testing.B) {
	t := requireTarget(b)
	var ct clusterTarget
	switch t := t.(type) {
	case *ocredigoTarget:
		ct = &ocredigoClusterTarget{t: t}
	case *goredisTarget:
		ct = &goredisClusterTarget{t: t}
	default:
		b.Skipf("configuration %T has no cluster client", t)
	}
	rc := redistest.StartCluster(b, redistest.ClusterOptions{})
	ct.open(b, rc.Addrs())
	for _, s := range sizes {
		ct.seed(b, getKey(s.name), value(s.n))
	}
	for _, s := range sizes {
		b.Run("Get/"+s.name, func(b *testing.B) { ct.get(b, getKey(s.name), s.n) })
	}
	for _, s := range sizes {
		b.Run("PipelineGet/"+s.name, func(b *testing.B) { ct.pipeline(b, getKey(s.name), s.n) })
	}
}

type clusterTarget interface {
	open(b *testing.B, addrs []string)
	seed(b *testing.B, key string, value []byte)
	get(b *testing.B, key string, size int)
	pipeline(b *testing.B, key string, size int)
}

// ocredigoClusterTarget is a cluster.Cluster, called as the process's
// ocredigo configuration calls its connections (plain or context
// methods, with its contexts and settling).
type ocredigoClusterTarget struct {
	t *ocredigoTarget
	c *cluster.Cluster
}

func (ct *ocredigoClusterTarget) open(b *testing.B, addrs []string) {
	ct.c = &cluster.Cluster{StartupNodes: addrs}
	b.Cleanup(func() { ct.c.Close() })
	if err := ct.c.Refresh(); err != nil {
		b.Fatal(err)
	}
}

func (ct *ocredigoClusterTarget) conn(b *testing.B) conn {
	c := ct.c.Get()
	b.Cleanup(func() { c.Close() })
	return c
}

func (ct *ocredigoClusterTarget) seed(b *testing.B, key string, value []byte) {
	if _, err := ct.conn(b).Do("SET", key, value); err != nil {
		b.Fatal(err)
	}
}

func (ct *ocredigoClusterTarget) get(b *testing.B, key string, size int) {
	ct.t.getLoop(b, ct.conn(b), key, size)
}

func (ct *ocredigoClusterTarget) pipeline(b *testing.B, key string, size int) {
	ct.t.pipelineLoop(b, ct.conn(b), key, size)
}

// goredisClusterTarget is go-redis's ClusterClient with default options,
// instrumented with redisotel in the goredis-otel configuration.
type goredisClusterTarget struct {
	t   *goredisTarget
	rdb *goredis.ClusterClient
}

func (ct *goredisClusterTarget) open(b *testing.B, addrs []string) {
	ct.rdb = goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
	b.Cleanup(func() { ct.rdb.Close() })
	if ct.t.instrument != nil {
		// As newGoRedisOtel: never-sampled tracing, a manual metric reader.
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		if err := redisotel.InstrumentTracing(ct.rdb, redisotel.WithTracerProvider(tp)); err != nil {
			b.Fatal(err)
		}
		if err := redisotel.InstrumentMetrics(ct.rdb, redisotel.WithMeterProvider(mp)); err != nil {
			b.Fatal(err)
		}
	}
}

func (ct *goredisClusterTarget) seed(b *testing.B, key string, value []byte) {
	if err := ct.rdb.Set(context.Background(), key, value, 0).Err(); err != nil {
		b.Fatal(err)
	}
}

func (ct *goredisClusterTarget) get(b *testing.B, key string, size int) {
	ctx, end := ct.t.newContext()
	defer end()
	if err := ct.rdb.Get(ctx, key).Err(); err != nil {
		b.Fatal(err)
	}
	measure(b, nil, func() {
		for i := 0; i < b.N; i++ {
			v, err := ct.rdb.Get(ctx, key).Bytes()
			if err != nil {
				b.Fatal(err)
			}
			if err := checkValue(v, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func (ct *goredisClusterTarget) pipeline(b *testing.B, key string, size int) {
	ctx, end := ct.t.newContext()
	defer end()
	cmds := make([]*goredis.StringCmd, pipelineDepth)
	run := func(cmds []*goredis.StringCmd) error { return pipelineGets(ctx, ct.rdb, key, size, cmds) }
	if err := run(cmds[:1]); err != nil {
		b.Fatal(err)
	}
	measure(b, nil, func() {
		for done := 0; done < b.N; done += pipelineDepth {
			if err := run(cmds[:min(pipelineDepth, b.N-done)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
