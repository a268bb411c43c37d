package cluster

import (
	"testing"

	redigo "github.com/ocredigo/redigo"
	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/stats/view"
)

// counted returns the sum of a count view's rows whose tags include all
// of want (tag key name -> value).
func counted(t *testing.T, v *view.View, want map[string]string) int64 {
	t.Helper()
	rows, err := view.RetrieveData(v.Name)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		match := 0
		for _, tg := range r.Tags {
			if w, ok := want[tg.Key.Name()]; ok && w == tg.Value {
				match++
			}
		}
		if match == len(want) {
			if cd, ok := r.Data.(*view.CountData); ok {
				n += cd.Value
			}
		}
	}
	return n
}

func registerClusterViews(t *testing.T) {
	t.Helper()
	if err := view.Register(redigo.ClusterViews()...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { view.Unregister(redigo.ClusterViews()...) })
}

// TestMovedUpdatesSlotMap gives the client a wrong slot map: the node it
// asks answers MOVED, the client retries on the right node, remembers the
// owner, and counts the redirection.
func TestMovedUpdatesSlotMap(t *testing.T) {
	registerClusterViews(t)
	c := newCluster(t, func(c *Cluster) { c.TraceOptions.Name = "moved-test" })
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	key := "moved:key"
	slot := Slot(key)
	owner := c.current.Load().master(slot)
	wrong := otherMaster(t, shared, owner)
	c.current.Store(c.current.Load().withMoved(slot, wrong))

	conn := c.Get()
	defer conn.Close()
	if _, err := conn.Do("SET", key, "v"); err != nil {
		t.Fatal(err)
	}
	if got := conn.(*Conn).Addr(); got != owner {
		t.Fatalf("SET ran on %s, the owner is %s", got, owner)
	}
	if got := c.current.Load().master(slot); got != owner {
		t.Fatalf("slot map says %s after MOVED, want %s", got, owner)
	}
	if n := counted(t, redigo.ClusterRedirectionsView, map[string]string{
		"name": "moved-test", "node": wrong, "kind": "MOVED"}); n != 1 {
		t.Fatalf("%d MOVED redirections counted from %s, want 1", n, wrong)
	}
	// Refreshes are counted too (the explicit one at least).
	if n := counted(t, redigo.ClusterRefreshesView, map[string]string{"name": "moved-test", "result": "ok"}); n < 1 {
		t.Fatalf("%d refreshes counted", n)
	}

	// In a pipeline, the misdirected command is replayed alone, in order.
	c.current.Store(c.current.Load().withMoved(slot, wrong))
	conn2 := c.Get()
	defer conn2.Close()
	conn2.Send("GET", key)
	conn2.Send("ECHO", "after")
	conn2.Flush()
	if v, err := redis.String(conn2.Receive()); err != nil || v != "v" {
		t.Fatalf("pipelined GET after MOVED = %q, %v", v, err)
	}
	if v, err := redis.String(conn2.Receive()); err != nil || v != "after" {
		t.Fatalf("ECHO = %q, %v", v, err)
	}
}

// TestRedirectionsAreBounded points every slot at a node that redirects
// and checks that MaxRedirects stops the chase with Redis's error.
func TestRedirectionsAreBounded(t *testing.T) {
	c := newCluster(t, func(c *Cluster) { c.MaxRedirects = -1 })
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	key := "bounded:key"
	slot := Slot(key)
	wrong := otherMaster(t, shared, c.current.Load().master(slot))
	c.current.Store(c.current.Load().withMoved(slot, wrong))
	conn := c.Get()
	defer conn.Close()
	_, err := conn.Do("GET", key)
	if r := ParseRedir(err); r == nil || r.Type != "MOVED" || r.NewSlot != slot {
		t.Fatalf("GET with no redirection allowed: %v, want MOVED %d", err, slot)
	}
}

// TestAskDuringMigration moves one key of a slot to another master while
// the slot is migrating: the old owner answers ASK, and the client asks
// the new one with ASKING.
func TestAskDuringMigration(t *testing.T) {
	registerClusterViews(t)
	c := newCluster(t, func(c *Cluster) { c.TraceOptions.Name = "ask-test" })
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	key := keyInSlot(1234, ":ask")
	conn := c.Get()
	defer conn.Close()
	if _, err := conn.Do("SET", key, "moved-value"); err != nil {
		t.Fatal(err)
	}
	from := ownerOf(t, shared, 1234)
	to := otherMaster(t, shared, from)
	m := startMigration(t, shared, 1234, from, to)
	m.moveKeys()
	defer m.finish()

	v, err := redis.String(conn.Do("GET", key))
	if err != nil || v != "moved-value" {
		t.Fatalf("GET of a migrated key = %q, %v", v, err)
	}
	// A new key of the slot goes to the importing node too.
	newKey := keyInSlot(1234, ":new")
	if _, err := conn.Do("SET", newKey, "n"); err != nil {
		t.Fatal(err)
	}
	if n := counted(t, redigo.ClusterRedirectionsView, map[string]string{
		"name": "ask-test", "node": from, "kind": "ASK"}); n < 2 {
		t.Fatalf("%d ASK redirections counted, want 2", n)
	}
	// ASK does not change the slot map: the slot is still the source's.
	if got := c.current.Load().master(1234); got != from {
		t.Fatalf("slot map says %s during migration, want %s", got, from)
	}
	v, err = redis.String(conn.Do("GET", newKey))
	if err != nil || v != "n" {
		t.Fatalf("GET %s = %q, %v", newKey, v, err)
	}
}
