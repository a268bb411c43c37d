package cluster

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/redis"
)

// TestReshardingUnderLoad moves four slots to other masters, key by key,
// while 20 goroutines write unique keys into them, half with Do and half
// with pipelines that read each key back. Afterwards every acknowledged
// write is readable, no command failed and no reply answered another
// command.
func TestReshardingUnderLoad(t *testing.T) {
	registerClusterViews(t)
	c := newCluster(t, func(c *Cluster) { c.TraceOptions.Name = "reshard-test" })
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	slots := []int{101, 5555, 9001, 15000}
	var tags []string
	for _, s := range slots {
		k := keyInSlot(s, "")
		tags = append(tags, k[1:len(k)-1])
	}

	const writers = 20
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		mu      sync.Mutex
		acked   = map[string]string{}
		failure error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if failure == nil {
			failure = err
		}
		stop.Store(true)
	}
	for g := 0; g < writers; g++ {
		g := g
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				if g%2 == 0 {
					key := fmt.Sprintf("{%s}:w%d:%d", tags[i%len(tags)], g, i)
					val := fmt.Sprintf("v%d.%d", g, i)
					conn := c.Get()
					ok, err := redis.String(conn.Do("SET", key, val))
					conn.Close()
					if err != nil || ok != "OK" {
						fail(fmt.Errorf("SET %s: %q, %v", key, ok, err))
						return
					}
					mu.Lock()
					acked[key] = val
					mu.Unlock()
					continue
				}
				// A pipeline of SET k v, GET k pairs over all four slots.
				conn := c.Get()
				var keys, vals []string
				for j := 0; j < 4; j++ {
					key := fmt.Sprintf("{%s}:p%d:%d.%d", tags[j], g, i, j)
					val := fmt.Sprintf("pv%d.%d.%d", g, i, j)
					keys, vals = append(keys, key), append(vals, val)
					conn.Send("SET", key, val)
					conn.Send("GET", key)
				}
				if err := conn.Flush(); err != nil {
					fail(err)
					conn.Close()
					return
				}
				for j := range keys {
					ok, err := redis.String(conn.Receive())
					if err != nil || ok != "OK" {
						fail(fmt.Errorf("pipelined SET %s: %q, %v", keys[j], ok, err))
						conn.Close()
						return
					}
					got, err := redis.String(conn.Receive())
					if err != nil || got != vals[j] {
						fail(fmt.Errorf("pipelined GET %s = %q, %v; want %q", keys[j], got, err, vals[j]))
						conn.Close()
						return
					}
					mu.Lock()
					acked[keys[j]] = vals[j]
					mu.Unlock()
				}
				conn.Close()
			}
		}()
	}

	time.Sleep(100 * time.Millisecond) // writers under way
	for _, s := range slots {
		from := ownerOf(t, shared, s)
		to := otherMaster(t, shared, from)
		m := startMigration(t, shared, s, from, to)
		time.Sleep(50 * time.Millisecond) // writes meet the MIGRATING state
		m.moveKeys()
		time.Sleep(50 * time.Millisecond) // ... and an empty source
		m.finish()
	}
	time.Sleep(100 * time.Millisecond) // writes meet stale slot maps
	stop.Store(true)
	wg.Wait()
	if failure != nil {
		t.Fatal(failure)
	}

	// Every acknowledged write is where the cluster says it is.
	conn := c.Get()
	defer conn.Close()
	n := 0
	for key, val := range acked {
		got, err := redis.String(conn.Do("GET", key))
		if err != nil || got != val {
			t.Fatalf("GET %s = %q, %v; want %q", key, got, err, val)
		}
		n++
	}
	redirects := counted(t, redigo.ClusterRedirectionsView, map[string]string{"name": "reshard-test", "kind": "ASK"}) +
		counted(t, redigo.ClusterRedirectionsView, map[string]string{"name": "reshard-test", "kind": "MOVED"})
	t.Logf("%d acknowledged writes read back; %d redirections followed", n, redirects)
	if n == 0 || redirects == 0 {
		t.Fatalf("the test exercised nothing: %d writes, %d redirections", n, redirects)
	}
}
