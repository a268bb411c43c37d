package cluster

import (
	"fmt"
	"testing"
)

func TestSlotKnownValues(t *testing.T) {
	for key, want := range map[string]int{
		"":              0,
		"foo":           12182,
		"bar":           5061,
		"123456789":     12739, // the CRC-16/XMODEM check value 0x31C3, mod 16384
		"{user1}:a":     Slot("user1"),
		"{user1}:b":     Slot("user1"),
		"x{user1}y{z}":  Slot("user1"),
		"{}user1":       int(crc16("{}user1") % HashSlots),
		"{user1":        int(crc16("{user1") % HashSlots),
		"foo{}{bar}":    int(crc16("foo{}{bar}") % HashSlots),
		"foo{{bar}}zap": Slot("{bar"),
	} {
		if got := Slot(key); got != want {
			t.Errorf("Slot(%q) = %d, want %d", key, got, want)
		}
	}
}

// TestSlotMatchesServer compares Slot with CLUSTER KEYSLOT for keys of
// every shape: the server is the reference.
func TestSlotMatchesServer(t *testing.T) {
	c := newCluster(t)
	conn := c.Get()
	defer conn.Close()
	keys := []string{"", "a", "{", "}", "{}", "{a}", "a{b}c", "{{a}}", "a{}b{c}", "\x00\xff{\x80}", "user:1000"}
	for i := 0; i < 200; i++ {
		keys = append(keys, fmt.Sprintf("key:%d", i), fmt.Sprintf("{tag%d}:x", i%7), fmt.Sprintf("k{%d", i))
	}
	for _, k := range keys {
		want, err := conn.Do("CLUSTER", "KEYSLOT", k)
		if err != nil {
			t.Fatal(err)
		}
		if got := Slot(k); int64(got) != want.(int64) {
			t.Errorf("Slot(%q) = %d, server says %d", k, got, want)
		}
	}
}

func TestSplitBySlot(t *testing.T) {
	groups := SplitBySlot("{a}1", "b", "{a}2", "c", "b")
	want := [][]string{{"{a}1", "{a}2"}, {"b", "b"}, {"c"}}
	if fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Fatalf("SplitBySlot = %v, want %v", groups, want)
	}
	if len(SplitBySlot()) != 0 {
		t.Fatal("SplitBySlot() is not empty")
	}
}
