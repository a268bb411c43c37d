package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ocredigo/redigo/redis"
)

func TestHashTagsKeptOnOneNode(t *testing.T) {
	c := newCluster(t)
	conn := c.Get()
	defer conn.Close()
	if _, err := conn.Do("SET", "{user1}:a", "1"); err != nil {
		t.Fatal(err)
	}
	first := conn.(*Conn).Addr()
	if _, err := conn.Do("SET", "{user1}:b", "2"); err != nil {
		t.Fatal(err)
	}
	if second := conn.(*Conn).Addr(); second != first {
		t.Fatalf("{user1}:a on %s, {user1}:b on %s", first, second)
	}
	// A multi-key command works on keys of one slot...
	got, err := redis.Strings(conn.Do("MGET", "{user1}:a", "{user1}:b"))
	if err != nil || strings.Join(got, ",") != "1,2" {
		t.Fatalf("MGET = %v, %v", got, err)
	}
	// ... and gets Redis's CROSSSLOT error across slots, as it is.
	_, err = conn.Do("MGET", "{user1}:a", "{user2}:a")
	if !IsCrossSlot(err) {
		t.Fatalf("MGET across slots: %v, want CROSSSLOT", err)
	}
}

// TestPipelineAcrossSlots sends one pipeline whose keys live on every
// master: the commands the bound node does not serve are redirected one
// by one, and every reply is its own command's.
func TestPipelineAcrossSlots(t *testing.T) {
	c := newCluster(t)
	conn := c.Get()
	defer conn.Close()
	const n = 60
	for i := 0; i < n; i++ {
		if err := conn.Send("SET", fmt.Sprintf("pipe:%d", i), fmt.Sprintf("v%d", i)); err != nil {
			t.Fatal(err)
		}
		if err := conn.Send("GET", fmt.Sprintf("pipe:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if ok, err := redis.String(conn.Receive()); err != nil || ok != "OK" {
			t.Fatalf("SET pipe:%d: %q, %v", i, ok, err)
		}
		if v, err := redis.String(conn.Receive()); err != nil || v != fmt.Sprintf("v%d", i) {
			t.Fatalf("GET pipe:%d: %q, %v", i, v, err)
		}
	}
	// Do("") returns what is pending, as a slice.
	conn.Send("GET", "pipe:1")
	conn.Send("GET", "pipe:2")
	replies, err := redis.Strings(conn.Do(""))
	if err != nil || strings.Join(replies, ",") != "v1,v2" {
		t.Fatalf(`Do("") = %v, %v`, replies, err)
	}
	// Do with pending commands returns the last reply.
	conn.Send("GET", "pipe:3")
	v, err := redis.String(conn.Do("GET", "pipe:4"))
	if err != nil || v != "v4" {
		t.Fatalf("Do after Send = %q, %v", v, err)
	}
}

// TestTransactionAcrossSlotsFails checks that a transaction is never
// split across nodes: Redis's error comes back instead.
func TestTransactionAcrossSlotsFails(t *testing.T) {
	c := newCluster(t)
	conn := c.Get()
	defer conn.Close()
	// Two keys on different masters.
	a, b := keysOnDifferentMasters(t, c)
	conn.Send("MULTI")
	conn.Send("SET", a, "1")
	conn.Send("SET", b, "2")
	reply, err := conn.Do("EXEC")
	if err == nil {
		t.Fatalf("EXEC of a transaction across nodes succeeded: %v", reply)
	}
	if !isServerError(err) {
		t.Fatalf("EXEC: %v (%T), want an error reply", err, err)
	}
	// Within one slot, a transaction works.
	conn2 := c.Get()
	defer conn2.Close()
	conn2.Send("MULTI")
	conn2.Send("SET", "{tx}:a", "1")
	conn2.Send("INCR", "{tx}:n")
	values, err := redis.Values(conn2.Do("EXEC"))
	if err != nil || len(values) != 2 {
		t.Fatalf("EXEC = %v, %v", values, err)
	}
}

func keysOnDifferentMasters(t *testing.T, c *Cluster) (string, string) {
	t.Helper()
	l, err := c.layoutFor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := "k:0"
	for i := 1; i < 1000; i++ {
		b := fmt.Sprintf("k:%d", i)
		if l.master(Slot(b)) != l.master(Slot(a)) {
			return a, b
		}
	}
	t.Fatal("no two keys on different masters")
	return "", ""
}

func TestBindAndReadOnlyRules(t *testing.T) {
	c := newCluster(t)
	conn := c.Get()
	defer conn.Close()
	if err := BindConn(conn, "{x}1", "{y}1"); err == nil || !strings.Contains(err.Error(), "different slots") {
		t.Fatalf("Bind across slots: %v", err)
	}
	if err := BindConn(conn, "{x}1", "{x}2"); err != nil {
		t.Fatal(err)
	}
	if err := BindConn(conn, "{x}1"); err == nil {
		t.Fatal("second Bind succeeded")
	}
	if err := ReadOnlyConn(conn); err == nil {
		t.Fatal("ReadOnly after Bind succeeded")
	}
	if err := BindConn(fakeConn{}, "a"); err == nil {
		t.Fatal("BindConn of a non-cluster connection succeeded")
	}
	conn.Close()
	if _, err := conn.Do("GET", "a"); err == nil {
		t.Fatal("Do after Close succeeded")
	}
	if conn.Err() == nil {
		t.Fatal("Err after Close is nil")
	}
}

type fakeConn struct{ redis.Conn }

func TestReadOnlyReadsFromReplica(t *testing.T) {
	c := newCluster(t)
	w := c.Get()
	defer w.Close()
	if _, err := w.Do("SET", "{ro}:k", "v"); err != nil {
		t.Fatal(err)
	}
	// WAIT: the write reached the replica before we read it there.
	if n, err := redis.Int(w.Do("WAIT", 1, 5000)); err != nil || n < 1 {
		t.Fatalf("WAIT = %d, %v", n, err)
	}
	master := w.(*Conn).Addr()

	r := c.Get()
	defer r.Close()
	if err := ReadOnlyConn(r); err != nil {
		t.Fatal(err)
	}
	v, err := redis.String(r.Do("GET", "{ro}:k"))
	if err != nil || v != "v" {
		t.Fatalf("GET on replica = %q, %v", v, err)
	}
	replica := r.(*Conn).Addr()
	if replica == master {
		t.Fatalf("read-only connection read from the master %s", master)
	}
	role, err := redis.Values(r.Do("ROLE"))
	if err != nil || string(role[0].([]byte)) != "slave" {
		t.Fatalf("ROLE of %s = %v, %v", replica, role, err)
	}
	// A write on a read-only connection is redirected to the master.
	if _, err := r.Do("SET", "{ro}:k", "w"); err != nil {
		t.Fatalf("SET on a read-only connection: %v", err)
	}
	if v, _ := redis.String(w.Do("GET", "{ro}:k")); v != "w" {
		t.Fatalf("GET after redirected SET = %q", v)
	}

	// Cluster.ReadOnly: every connection reads from replicas.
	cr := newCluster(t, func(c *Cluster) { c.ReadOnly = true })
	r2 := cr.Get()
	defer r2.Close()
	if _, err := r2.Do("GET", "{ro}:k"); err != nil {
		t.Fatal(err)
	}
	if r2.(*Conn).Addr() == master {
		t.Fatal("Cluster.ReadOnly connection read from the master")
	}
}
