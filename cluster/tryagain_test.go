package cluster

import (
	"testing"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/redis"
)

// TestTryAgainIsRetriedAndBounded runs MGET on two keys of a migrating
// slot, one moved and one not: the importing node answers TRYAGAIN; the
// client retries a bounded number of times and returns it, then succeeds
// once the migration is done.
func TestTryAgainIsRetriedAndBounded(t *testing.T) {
	registerClusterViews(t)
	c := newCluster(t, func(c *Cluster) {
		c.TraceOptions.Name = "tryagain-test"
		c.MaxRetries = 2
	})
	const slot = 4321
	k1, k2 := keyInSlot(slot, ":1"), keyInSlot(slot, ":2")
	conn := c.Get()
	defer conn.Close()
	if _, err := conn.Do("MSET", k1, "a", k2, "b"); err != nil {
		t.Fatal(err)
	}
	from := ownerOf(t, shared, slot)
	to := otherMaster(t, shared, from)
	m := startMigration(t, shared, slot, from, to)
	host, port := splitAddr(to)
	m.must(from, "MIGRATE", host, port, k1, "0", "5000")

	_, err := conn.Do("MGET", k1, k2)
	if !IsTryAgain(err) {
		t.Fatalf("MGET of a split slot: %v, want TRYAGAIN", err)
	}
	if n := counted(t, redigo.ClusterRetriesView, map[string]string{"name": "tryagain-test", "kind": "TRYAGAIN"}); n != 2 {
		t.Fatalf("%d TRYAGAIN retries counted, want MaxRetries = 2", n)
	}
	m.moveKeys()
	m.finish()
	got, err := redis.Strings(conn.Do("MGET", k1, k2))
	if err != nil || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("MGET after the migration = %v, %v", got, err)
	}
}

func splitAddr(addr string) (string, string) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i], addr[i+1:]
		}
	}
	return addr, ""
}
