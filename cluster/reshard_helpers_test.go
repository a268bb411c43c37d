package cluster

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ocredigo/redigo/internal/redistest"
)

// Resharding by hand, as redis-cli --cluster reshard does it: the target
// imports, the source migrates, the keys move with MIGRATE, and every
// master learns the new owner.

func nodeID(t testing.TB, rc *redistest.Cluster, addr string) string {
	t.Helper()
	id, err := rc.Command(addr, "CLUSTER", "MYID")
	if err != nil {
		t.Fatalf("CLUSTER MYID on %s: %v", addr, err)
	}
	return id.(string)
}

// ownerOf returns the master serving slot, as the cluster says.
func ownerOf(t testing.TB, rc *redistest.Cluster, slot int) string {
	t.Helper()
	masters, err := rc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	for addr, ranges := range masters {
		for _, r := range ranges {
			if slot >= r[0] && slot <= r[1] {
				return addr
			}
		}
	}
	t.Fatalf("no master serves slot %d", slot)
	return ""
}

// otherMaster returns a master other than addr.
func otherMaster(t testing.TB, rc *redistest.Cluster, addr string) string {
	t.Helper()
	masters, err := rc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	for m := range masters {
		if m != addr {
			return m
		}
	}
	t.Fatal("no other master")
	return ""
}

type migration struct {
	t        testing.TB
	rc       *redistest.Cluster
	slot     int
	from, to string
	toID     string
}

// startMigration puts slot in the IMPORTING (on to) and MIGRATING (on
// from) states.
func startMigration(t testing.TB, rc *redistest.Cluster, slot int, from, to string) *migration {
	t.Helper()
	m := &migration{t: t, rc: rc, slot: slot, from: from, to: to, toID: nodeID(t, rc, to)}
	s := fmt.Sprint(slot)
	m.must(to, "CLUSTER", "SETSLOT", s, "IMPORTING", nodeID(t, rc, from))
	m.must(from, "CLUSTER", "SETSLOT", s, "MIGRATING", m.toID)
	return m
}

func (m *migration) must(addr string, args ...string) interface{} {
	m.t.Helper()
	v, err := m.rc.Command(addr, args...)
	if err != nil {
		m.t.Fatalf("%s %s: %v", addr, strings.Join(args, " "), err)
	}
	return v
}

// moveKeys migrates the keys of the slot, batch by batch, until the
// source has none left.
func (m *migration) moveKeys() {
	m.t.Helper()
	host, port, _ := strings.Cut(m.to, ":")
	for {
		v := m.must(m.from, "CLUSTER", "GETKEYSINSLOT", fmt.Sprint(m.slot), "100")
		keys, _ := v.([]interface{})
		if len(keys) == 0 {
			return
		}
		args := []string{"MIGRATE", host, port, "", "0", "5000", "REPLACE", "KEYS"}
		for _, k := range keys {
			args = append(args, k.(string))
		}
		m.must(m.from, args...)
	}
}

// finish assigns the slot to the target on every master.
func (m *migration) finish() {
	m.t.Helper()
	s := fmt.Sprint(m.slot)
	m.must(m.to, "CLUSTER", "SETSLOT", s, "NODE", m.toID)
	m.must(m.from, "CLUSTER", "SETSLOT", s, "NODE", m.toID)
	masters, err := m.rc.Masters()
	if err != nil {
		m.t.Fatal(err)
	}
	for addr := range masters {
		if addr != m.to && addr != m.from {
			m.must(addr, "CLUSTER", "SETSLOT", s, "NODE", m.toID)
		}
	}
}

// keyInSlot returns a key of slot with the given prefix: "{tag}prefix",
// with the smallest numeric tag that hashes to slot.
func keyInSlot(slot int, suffix string) string {
	for i := 0; ; i++ {
		tag := fmt.Sprintf("s%d", i)
		if Slot(tag) == slot {
			return "{" + tag + "}" + suffix
		}
	}
}
