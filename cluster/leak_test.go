package cluster

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestCloseLeavesNothingRunning checks that Close waits for background
// refreshes (triggered here by a MOVED) and leaves no goroutine behind.
func TestCloseLeavesNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var refreshes atomic.Int32
	c := &Cluster{
		StartupNodes:  shared.Addrs(),
		LayoutRefresh: func(old, new [HashSlots][]string) { refreshes.Add(1) },
	}
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	slot := Slot("leak")
	c.current.Store(c.current.Load().withMoved(slot, otherMaster(t, shared, c.current.Load().master(slot))))
	c.lastRefresh.Store(0) // let the MOVED trigger a refresh at once
	conn := c.Get()
	for i := 0; i < 50; i++ {
		if _, err := conn.Do("SET", fmt.Sprint("{leak}:", i), i); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	for deadline := time.Now().Add(10 * time.Second); refreshes.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if refreshes.Load() < 2 {
		t.Fatal("the MOVED triggered no background refresh")
	}
	if _, err := c.Get().Do("GET", "{leak}:1"); err == nil {
		t.Fatal("Do after Close succeeded")
	}
}
