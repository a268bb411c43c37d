package redis_test

import (
	"context"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomCommandName returns a command name a careless or hostile caller
// might send: a real one in random case, a near miss, or garbage.
func randomCommandName(rng *rand.Rand) string {
	safe := []string{"GET", "SET", "INCR", "HGET", "HSET", "LPUSH", "LRANGE", "ZADD", "EXISTS", "PING", "ECHO", "TYPE", "DEL"}
	switch rng.Intn(4) {
	case 0:
		b := []byte(safe[rng.Intn(len(safe))])
		for i := range b {
			if rng.Intn(2) == 0 {
				b[i] = b[i] - 'A' + 'a'
			}
		}
		return string(b)
	case 1:
		return safe[rng.Intn(len(safe))] + "X"
	case 2:
		b := make([]byte, 1+rng.Intn(40))
		rng.Read(b)
		return string(b)
	}
	return strings.Repeat("Z", 1+rng.Intn(300))
}

// Whatever the caller sends and however it fails, every tag value stays in
// its small, listed set: no raw command name, error text, address or
// argument becomes a tag value.
func TestTagValuesAreBounded(t *testing.T) { bothPaths(t, testTagValuesAreBounded) }

func testTagValuesAreBounded(t *testing.T) {
	server := redistest.Start(t, redistest.Options{})
	name := uniqueName("bounded")
	opts := []redis.DialOption{redis.DialTraceOptions(redis.TraceOptions{Name: name})}
	rng := rand.New(rand.NewSource(1))

	c, err := redis.Dial("tcp", server.Addr(), opts...)
	require.NoError(t, err)
	defer c.Close()
	for sent := 0; sent < 10000; {
		for i := 0; i < 500; i++ {
			args := []interface{}{"k" + randomCommandName(rng), rng.Int63()}
			require.NoError(t, c.Send(randomCommandName(rng), args[:rng.Intn(3)]...))
			sent++
		}
		_, err := c.Do("")
		require.NoError(t, err, "error replies are values in Do(\"\")")
	}

	// Random failures: timeouts, cancels, resets, refused dials, an
	// exhausted pool.
	for i := 0; i < 20; i++ {
		fc, err := redis.Dial("tcp", server.Addr(), append(opts, redis.DialReadTimeout(time.Duration(1+rng.Intn(5))*time.Millisecond))...)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.Intn(5))*time.Millisecond)
		fc.(redis.ConnWithContext).DoContext(ctx, randomCommandName(rng)+" BLPOP", "x", 0)
		fc.Do("BLPOP", "x", 0)
		cancel()
		fc.Close()
	}
	_, err = redis.Dial("tcp", "127.0.0.1:1", opts...)
	require.Error(t, err)
	pool := &redis.Pool{Dial: func() (redis.Conn, error) { return redis.Dial("tcp", server.Addr(), opts...) },
		MaxActive: 1, TraceOptions: redis.TraceOptions{Name: name}}
	held := pool.Get()
	pool.Get().Close()
	held.Close()
	pool.Close()

	allowed := map[string]map[string]bool{
		"cmd":    set(commandinfo.Names()...),
		"kind":   set("dial", "write", "read", "timeout", "canceled", "server", "protocol", "pool"),
		"detail": set(append(observability.ServerDetails(), "eof", "reset", "refused", "timeout", "closed", "tls", "dns", "other", "exhausted", "wait_canceled")...),
		"state":  set("new", "reused", "idle_timeout", "max_lifetime", "test_failed", "broken", "pool_full", "pool_closed", "cleanup_failed", "client", "idle", "active"),
	}
	seen := map[string]map[string]bool{}
	for _, v := range redis.ObservabilityMetricViews {
		for rowKey := range rows(t, v.Name, name) {
			for _, kv := range strings.Fields(rowKey) {
				key, value, _ := strings.Cut(kv, "=")
				assert.True(t, allowed[key][value], "%s: %s=%q is not a listed value", v.Name, key, value)
				if seen[key] == nil {
					seen[key] = map[string]bool{}
				}
				seen[key][value] = true
			}
		}
	}
	// The workload did reach the tags it claims to bound.
	assert.True(t, seen["cmd"]["OTHER"] && seen["cmd"]["GET"], "cmd values seen: %v", seen["cmd"])
	assert.True(t, seen["kind"]["server"] && seen["kind"]["timeout"] && seen["kind"]["dial"] && seen["kind"]["pool"], "kinds seen: %v", seen["kind"])
	assert.True(t, seen["detail"]["ERR"] && seen["detail"]["refused"] && seen["detail"]["exhausted"], "details seen: %v", seen["detail"])
	assert.Less(t, len(seen["cmd"]), 20, "a handful of cmd values, not one per name sent")
}

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}
