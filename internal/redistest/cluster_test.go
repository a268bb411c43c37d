package redistest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
)

func TestClusterStartsHealthy(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	if got := len(c.Nodes()); got != 6 {
		t.Fatalf("%d nodes, want 6", got)
	}
	masters, err := c.Masters()
	if err != nil {
		t.Fatal(err)
	}
	if len(masters) != 3 {
		t.Fatalf("masters %v, want 3", masters)
	}
	slots := 0
	for addr, ranges := range masters {
		if c.Node(addr) == nil {
			t.Errorf("master %s is not one of the started nodes %v", addr, c.Addrs())
		}
		for _, r := range ranges {
			slots += r[1] - r[0] + 1
		}
	}
	if slots != 16384 {
		t.Errorf("masters serve %d slots, want 16384", slots)
	}
	for _, addr := range c.Addrs() {
		reply, err := c.Command(addr, "CLUSTER", "INFO")
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := reply.(string); !strings.Contains(s, "cluster_state:ok") {
			t.Errorf("%s: CLUSTER INFO %q", addr, s)
		}
	}
	// A key written on its master is answered with MOVED elsewhere: the
	// nodes really form one cluster.
	moved := 0
	for _, addr := range c.Addrs() {
		if _, err := c.Command(addr, "GET", "somekey"); err != nil && strings.HasPrefix(err.Error(), "MOVED ") {
			moved++
		}
	}
	if moved < 4 {
		t.Errorf("%d of 6 nodes redirected GET somekey, want at least 4 (all but its master and replica)", moved)
	}
}

func TestClusterFailoverAfterKill(t *testing.T) {
	c := redistest.StartCluster(t, redistest.ClusterOptions{})
	masters, err := c.Masters()
	if err != nil {
		t.Fatal(err)
	}
	var victim string
	for addr := range masters {
		victim = addr
		break
	}
	c.Node(victim).Kill()
	// A replica takes over; the remaining nodes converge on a healthy
	// cluster of three masters without the killed one.
	if err := c.WaitFailedOver(victim, 30*time.Second); err != nil {
		t.Fatalf("no failover: %v", err)
	}
	after, err := c.Masters()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := after[victim]; ok || len(after) != 3 {
		t.Fatalf("masters after failover %v (killed %s)", after, victim)
	}
}
