package cluster

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
)

// TestFailover kills a master while clients write: a replica takes over,
// the client finds it within a bounded time, the errors in between say
// what happened (a node unreachable, the cluster down), and no write that
// reached a replica (WAIT) is lost.
func TestFailover(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{})
	c := newClusterOn(t, rc)
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	masters, err := rc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	var victim string
	for addr := range masters {
		victim = addr
		break
	}
	l := c.current.Load()
	// Keys on the victim and on the other masters.
	var victimKeys, otherKeys []string
	for i := 0; len(victimKeys) < 50 || len(otherKeys) < 50; i++ {
		k := fmt.Sprintf("fo:%d", i)
		if l.master(Slot(k)) == victim {
			victimKeys = append(victimKeys, k)
		} else {
			otherKeys = append(otherKeys, k)
		}
	}

	var (
		stop     atomic.Bool
		killedAt atomic.Int64 // unix nanos
		wg       sync.WaitGroup
		mu       sync.Mutex
		durable  = map[string]string{} // replicated before the kill or after
		badErrs  []error
		nErrs    int
		samples  = map[string]bool{}
	)
	recovered := make(chan struct{})
	var recoverOnce sync.Once
	for g := 0; g < 4; g++ {
		g := g
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				keys := otherKeys
				if g%2 == 0 {
					keys = victimKeys
				}
				key := keys[i%len(keys)]
				val := fmt.Sprintf("g%d.%d", g, i)
				conn := c.Get()
				_, err := conn.Do("SET", key, val)
				var n int
				if err == nil {
					// The write counts once a replica has it: Redis may lose
					// writes that only the dead master saw.
					n, err = redis.Int(conn.Do("WAIT", 1, 200))
				}
				conn.Close()
				if err != nil {
					mu.Lock()
					nErrs++
					if len(samples) < 5 {
						samples[err.Error()] = true
					}
					if !clearFailoverError(err) {
						badErrs = append(badErrs, err)
					}
					mu.Unlock()
					time.Sleep(5 * time.Millisecond)
					continue
				}
				if n >= 1 {
					mu.Lock()
					durable[key] = val
					mu.Unlock()
				}
				// The new master has no replica (it was the killed node's):
				// a successful SET is the sign of recovery.
				if k := killedAt.Load(); k != 0 && g%2 == 0 {
					recoverOnce.Do(func() { close(recovered) })
				}
			}
		}()
	}

	time.Sleep(300 * time.Millisecond)
	rc.Node(victim).Kill()
	killedAt.Store(time.Now().UnixNano())
	select {
	case <-recovered:
	case <-time.After(45 * time.Second):
		t.Error("writes to the failed master's slots did not recover within 45 s")
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("recovered %v after the kill; %d errors in between",
		time.Since(time.Unix(0, killedAt.Load())).Round(time.Millisecond), nErrs)
	for e := range samples {
		t.Logf("error seen: %s", e)
	}
	for i, err := range badErrs {
		if i < 10 {
			t.Errorf("unclear error during failover: %v (%T)", err, err)
		}
	}
	if err := rc.WaitFailedOver(victim, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// Only the last value of each key counts: a key's earlier value may
	// have been replaced by a write that did not reach a replica.
	conn := c.Get()
	defer conn.Close()
	for key, val := range durable {
		got, err := redis.String(conn.Do("GET", key))
		if err != nil {
			t.Fatalf("GET %s after failover: %v", key, err)
		}
		if got != val && !newerValue(got, val) {
			t.Fatalf("GET %s = %q, want %q or a later write", key, got, val)
		}
	}
	if addr := conn.(*Conn).Addr(); addr == victim {
		t.Fatalf("reads still go to the killed master %s", victim)
	}
}

// clearFailoverError accepts the errors a failover may cause: a node that
// cannot be reached or whose connection broke (*NodeError), the cluster
// saying it is down for the slot, or no node known for it yet.
func clearFailoverError(err error) bool {
	var ne *NodeError
	return errors.As(err, &ne) || IsClusterDown(err) ||
		strings.Contains(err.Error(), "no node serves slot")
}

// newerValue reports whether got ("gG.I") was written after want by the
// same goroutine: a later write may have reached the replica without the
// writer seeing the WAIT succeed.
func newerValue(got, want string) bool {
	var gg, gi, wg, wi int
	if _, err := fmt.Sscanf(got, "g%d.%d", &gg, &gi); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(want, "g%d.%d", &wg, &wi); err != nil {
		return false
	}
	return gg != wg || gi > wi
}
