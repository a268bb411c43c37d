package cluster

import (
	"testing"

	"github.com/ocredigo/redigo/redis"
)

// TestSlotsAndShardsAgree parses the CLUSTER SLOTS reply (the fallback for
// servers before 7.0) and the CLUSTER SHARDS reply of the same node: both
// give the same masters for every slot, and the same replicas.
func TestSlotsAndShardsAgree(t *testing.T) {
	addr := shared.Addrs()[0]
	conn, err := redis.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	shardsReply, err := conn.Do("CLUSTER", "SHARDS")
	if err != nil {
		t.Fatal(err)
	}
	slotsReply, err := conn.Do("CLUSTER", "SLOTS")
	if err != nil {
		t.Fatal(err)
	}
	fromShards, err := parseShards(shardsReply, addr)
	if err != nil {
		t.Fatal(err)
	}
	fromSlots, err := parseSlots(slotsReply, addr)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < HashSlots; s++ {
		if a, b := fromShards.master(s), fromSlots.master(s); a != b || a == "" {
			t.Fatalf("slot %d: SHARDS says %q, SLOTS says %q", s, a, b)
		}
		if a, b := fromShards.replicas(s), fromSlots.replicas(s); len(a) != len(b) || len(a) != 1 || a[0] != b[0] {
			t.Fatalf("slot %d replicas: SHARDS %v, SLOTS %v", s, a, b)
		}
	}
}

func TestParseRejectsMalformedReplies(t *testing.T) {
	for _, reply := range []interface{}{
		nil,
		int64(1),
		[]interface{}{int64(1)},
		[]interface{}{[]interface{}{int64(0), int64(20000), []interface{}{[]byte("h"), int64(1)}}},
		[]interface{}{[]interface{}{int64(5), int64(1), []interface{}{[]byte("h"), int64(1)}}},
		[]interface{}{[]interface{}{int64(0), int64(1), []interface{}{[]byte("h")}}},
		[]interface{}{}, // no slot served
	} {
		if _, err := parseSlots(reply, "127.0.0.1:1"); err == nil {
			t.Errorf("parseSlots(%v) succeeded", reply)
		}
		if _, err := parseShards(reply, "127.0.0.1:1"); err == nil {
			t.Errorf("parseShards(%v) succeeded", reply)
		}
	}
	// An empty host means the host of the node asked.
	l, err := parseSlots([]interface{}{[]interface{}{int64(0), int64(16383),
		[]interface{}{[]byte(""), int64(7000)}, []interface{}{[]byte("?"), int64(7001)}}}, "10.1.2.3:7000")
	if err != nil {
		t.Fatal(err)
	}
	if l.master(0) != "10.1.2.3:7000" || l.replicas(0)[0] != "10.1.2.3:7001" {
		t.Fatalf("master %q replicas %v", l.master(0), l.replicas(0))
	}
}

func TestLayoutWithMoved(t *testing.T) {
	var b builder
	if err := b.add(0, 99, "a:1", []string{"ar:1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(100, HashSlots-1, "b:1", nil); err != nil {
		t.Fatal(err)
	}
	l, err := b.layout()
	if err != nil {
		t.Fatal(err)
	}
	m := l.withMoved(5, "b:1").withMoved(6, "c:1")
	if l.master(5) != "a:1" {
		t.Fatal("withMoved changed the original layout")
	}
	if m.master(5) != "b:1" || m.master(6) != "c:1" || m.master(7) != "a:1" {
		t.Fatalf("after MOVED: %q %q %q", m.master(5), m.master(6), m.master(7))
	}
	if !m.has("c:1") || !m.has("ar:1") || m.has("d:1") {
		t.Fatal("has is wrong")
	}
	tab := m.table()
	if len(tab[0]) != 2 || tab[0][1] != "ar:1" || tab[6][0] != "c:1" {
		t.Fatalf("table: %v %v", tab[0], tab[6])
	}
	var nilLayout *layout
	if nilLayout.master(1) != "" || nilLayout.withMoved(1, "x:1").master(1) != "x:1" {
		t.Fatal("nil layout")
	}
}

// TestShardsFallback recognizes the answers of servers without CLUSTER
// SHARDS (before 7.0), which make Refresh ask CLUSTER SLOTS instead.
func TestShardsFallback(t *testing.T) {
	for text, want := range map[string]bool{
		"ERR Unknown subcommand or wrong number of arguments for 'SHARDS'. Try CLUSTER HELP.": true,
		"ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.":                                  true,
		"ERR unknown command 'CLUSTER', with args beginning with: 'SHARDS' ":                  true,
		"ERR This instance has cluster support disabled":                                      false,
		"NOPERM this user has no permissions to run the 'cluster|shards' command":             false,
	} {
		if got := isUnknownSubcommand(redis.Error(text)); got != want {
			t.Errorf("isUnknownSubcommand(%q) = %v, want %v", text, got, want)
		}
	}
}
