package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	upstream "github.com/gomodule/redigo/redis"
)

// A target runs the workloads with one client library in one configuration.
type target interface {
	// set and get run b.N SET or GET round trips on one connection.
	set(b *testing.B, key string, value []byte)
	get(b *testing.B, key string, size int)
	// pipeline runs b.N GETs in pipelines of pipelineDepth commands.
	pipeline(b *testing.B, key string, size int)
	// pool runs b.N GETs through a pool of poolSize connections from
	// parallelism×GOMAXPROCS goroutines.
	pool(b *testing.B, key string, size int, parallelism int)
	// cannedGet and cannedPipeline are get and pipeline on a connection
	// over a cannedConn: no kernel, no server.
	cannedGet(b *testing.B, key string, size int)
	cannedPipeline(b *testing.B, key string, size int)
	// probe checks, before and after the benchmarks, that the
	// configuration is what its name says (instrumentation recording or
	// not); probeCanned does the same through a cannedConn, and checks
	// that the client writes the commands the cannedConn expects.
	probe(key string, size int) error
	probeCanned(key string, size int) error
}

// configs are the configurations, by the BENCH_CONFIG value selecting them.
// Building one changes process-wide state (registered views, the trace
// config), which is why each configuration runs in its own process.
var configs = map[string]func(addr string) (target, error){
	"upstream":     newUpstream,
	"upstream-ctx": newUpstreamCtx,
	"bare":         newBare,
	"bare-ctx":     newBareCtx,
	"metrics":      newMetrics,
	"views":        newViews,
	"traced":       newTraced,
	"goredis":      newGoRedis,
	"goredis-otel": newGoRedisOtel,
}

const (
	// pipelineDepth is the number of GETs sent before one Flush.
	pipelineDepth = 100
	// poolSize is MaxActive (Wait true) and MaxIdle of the redigo pools and
	// PoolSize of go-redis: more than the connections that 2 cores keep
	// busy, fewer than the 100 goroutines at parallelism 50, so that pool
	// waits are part of the workload there.
	poolSize = 16
)

// sizes are the value sizes of every workload.
var sizes = []struct {
	name string
	n    int
}{{"16B", 16}, {"16KiB", 16 << 10}}

func value(n int) []byte { return bytes.Repeat([]byte{'v'}, n) }

func getKey(size string) string { return "bench:get:" + size }
func setKey(size string) string { return "bench:set:" + size }

// current is the configuration of this process.
var current target

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		return m.Run() // tests only
	}
	name := os.Getenv("BENCH_CONFIG")
	newTarget, ok := configs[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: BENCH_CONFIG=%q: want one of %s (one configuration per process)\n",
			name, strings.Join(configNames(), ", "))
		return 2
	}
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		stop, a, err := startRedis()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 2
		}
		defer stop()
		addr = a
	}
	if err := seed(addr); err != nil {
		fmt.Fprintln(os.Stderr, "bench: seeding", addr+":", err)
		return 2
	}
	t, err := newTarget(addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: configuration %s: %v\n", name, err)
		return 2
	}
	if err := probe(t); err != nil {
		fmt.Fprintf(os.Stderr, "bench: configuration %s is not what it claims: %v\n", name, err)
		return 2
	}
	current = t
	code := m.Run()
	if err := probe(t); err != nil {
		fmt.Fprintf(os.Stderr, "bench: configuration %s, after the benchmarks, is not what it claims: %v\n", name, err)
		return 2
	}
	return code
}

// probe runs the probes of t on every value size.
func probe(t target) error {
	for _, s := range sizes {
		if err := t.probe(getKey(s.name), s.n); err != nil {
			return err
		}
		if err := t.probeCanned(getKey(s.name), s.n); err != nil {
			return err
		}
	}
	return nil
}

func configNames() []string {
	var names []string
	for n := range configs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// seed stores the values that the GET workloads read.
func seed(addr string) error {
	c, err := upstream.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, s := range sizes {
		if _, err := c.Do("SET", getKey(s.name), value(s.n)); err != nil {
			return err
		}
	}
	return nil
}

// startRedis starts a throw-away redis-server on a free loopback port, for
// runs without REDIS_ADDR (go test -bench by hand).
func startRedis() (stop func(), addr string, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr = l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	dir, err := os.MkdirTemp("", "bench-redis")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port,
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("starting redis-server (set REDIS_ADDR to use a running one): %w", err)
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return stop, addr, nil
		}
	}
	stop()
	return nil, "", errors.New("redis-server did not start listening on " + addr)
}

// measure runs loop as the timed part of a benchmark and reports the
// process CPU time per op next to the wall time. settle, when set, waits
// for work that the loop queued elsewhere (the OpenCensus worker) so that
// its cost is counted too.
func measure(b *testing.B, settle func(), loop func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start, ok := processCPU()
	loop()
	if settle != nil {
		settle()
	}
	end, _ := processCPU()
	b.StopTimer()
	if ok {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// endless is a context that lives for the whole process.
func endless() (context.Context, func()) { return context.Background(), func() {} }

// cancelable is a context that can be canceled and never is: the cost of
// the context path of a call.
func cancelable() (context.Context, func()) { return context.WithCancel(context.Background()) }

// checkValue reports a reply that is not the value of the given size.
func checkValue(reply interface{}, size int) error {
	v, ok := reply.([]byte)
	if !ok || len(v) != size {
		return fmt.Errorf("reply %T of %d bytes, want []byte of %d", reply, len(v), size)
	}
	return nil
}

func requireTarget(b *testing.B) target {
	if current == nil {
		b.Skip("no configuration: set BENCH_CONFIG (see run.sh)")
	}
	return current
}

func BenchmarkSet(b *testing.B) {
	t := requireTarget(b)
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) { t.set(b, setKey(s.name), value(s.n)) })
	}
}

// getsBySize runs a GET workload of the target for every value size.
func getsBySize(b *testing.B, workload func(t target, b *testing.B, key string, size int)) {
	t := requireTarget(b)
	for _, s := range sizes {
		b.Run(s.name, func(b *testing.B) { workload(t, b, getKey(s.name), s.n) })
	}
}

func BenchmarkGet(b *testing.B) { getsBySize(b, target.get) }

// BenchmarkPipelineGet counts pipelined commands: one op is one GET of a
// pipeline of pipelineDepth.
func BenchmarkPipelineGet(b *testing.B) { getsBySize(b, target.pipeline) }

// BenchmarkCannedGet is Get on a connection over a cannedConn: the client's
// CPU per round trip without the kernel or a server.
func BenchmarkCannedGet(b *testing.B) { getsBySize(b, target.cannedGet) }

// BenchmarkCannedPipelineGet is PipelineGet over a cannedConn; one op is
// one GET of a pipeline of pipelineDepth.
func BenchmarkCannedPipelineGet(b *testing.B) { getsBySize(b, target.cannedPipeline) }

func BenchmarkPoolGet(b *testing.B) {
	t := requireTarget(b)
	for _, par := range []int{2, 50} {
		for _, s := range sizes {
			b.Run(fmt.Sprintf("par=%d/%s", par, s.name), func(b *testing.B) {
				t.pool(b, getKey(s.name), s.n, par)
			})
		}
	}
}
