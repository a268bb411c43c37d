package cluster

import (
	"fmt"
	"testing"

	"github.com/ocredigo/redigo/redis"
)

func TestRefreshLoadsLayout(t *testing.T) {
	c := newCluster(t)
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	l := c.current.Load()
	if got := len(l.masters()); got != 3 {
		t.Fatalf("%d masters, want 3", got)
	}
	if got := len(l.allReplicas()); got != 3 {
		t.Fatalf("%d replicas, want 3", got)
	}
	for s := 0; s < HashSlots; s++ {
		if l.master(s) == "" {
			t.Fatalf("slot %d has no master", s)
		}
	}
}

func TestKeysSpreadOverAllMasters(t *testing.T) {
	c := newCluster(t)
	nodes := make(map[string]int)
	for i := 0; i < 300; i++ {
		conn := c.Get()
		key := fmt.Sprintf("spread:%d", i)
		if _, err := conn.Do("SET", key, i); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
		nodes[conn.(*Conn).Addr()]++
		conn.Close()
	}
	if len(nodes) != 3 {
		t.Fatalf("keys went to %v, want 3 masters", nodes)
	}
	conn := c.Get()
	defer conn.Close()
	for i := 0; i < 300; i++ {
		key := fmt.Sprintf("spread:%d", i)
		got, err := redis.Int(conn.Do("GET", key))
		if err != nil || got != i {
			t.Fatalf("GET %s = %v, %v; want %d", key, got, err, i)
		}
	}
}
