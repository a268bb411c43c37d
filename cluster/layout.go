package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ocredigo/redigo/redis"
)

// layout is one version of the slot map: which shard serves each slot,
// and each shard's master and replicas. A layout is never modified once
// published; a MOVED reply publishes a copy with one slot changed.
type layout struct {
	slots  [HashSlots]uint16 // index into shards plus one; 0 = unassigned
	shards []shard
}

type shard struct {
	master   string   // "host:port"
	replicas []string // healthy replicas, "host:port"
}

// master returns the address serving slot, or "".
func (l *layout) master(slot int) string {
	if l == nil || slot < 0 || slot >= HashSlots || l.slots[slot] == 0 {
		return ""
	}
	return l.shards[l.slots[slot]-1].master
}

// replicas returns the healthy replicas of slot's shard.
func (l *layout) replicas(slot int) []string {
	if l == nil || slot < 0 || slot >= HashSlots || l.slots[slot] == 0 {
		return nil
	}
	return l.shards[l.slots[slot]-1].replicas
}

// masters returns the address of every master serving slots.
func (l *layout) masters() []string {
	if l == nil {
		return nil
	}
	used := make([]bool, len(l.shards))
	for _, s := range l.slots {
		if s != 0 {
			used[s-1] = true
		}
	}
	var out []string
	for i, sh := range l.shards {
		if used[i] {
			out = append(out, sh.master)
		}
	}
	return out
}

// allReplicas returns the address of every known replica.
func (l *layout) allReplicas() []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, sh := range l.shards {
		out = append(out, sh.replicas...)
	}
	return out
}

// has reports whether addr is a node of the layout.
func (l *layout) has(addr string) bool {
	if l == nil {
		return false
	}
	for _, sh := range l.shards {
		if sh.master == addr {
			return true
		}
		for _, r := range sh.replicas {
			if r == addr {
				return true
			}
		}
	}
	return false
}

// withMoved returns a copy of l in which slot is served by addr, as a
// MOVED reply says. addr joins an existing shard when it is that shard's
// master; otherwise it becomes the master of a new shard (its replicas are
// unknown until the next refresh).
func (l *layout) withMoved(slot int, addr string) *layout {
	n := &layout{}
	if l != nil {
		n.slots = l.slots
		n.shards = append([]shard(nil), l.shards...)
	}
	for i, sh := range n.shards {
		if sh.master == addr {
			n.slots[slot] = uint16(i + 1)
			return n
		}
	}
	n.shards = append(n.shards, shard{master: addr})
	n.slots[slot] = uint16(len(n.shards))
	return n
}

// table renders the layout as LayoutRefresh receives it: for each slot,
// the master's address followed by its replicas'.
func (l *layout) table() (t [HashSlots][]string) {
	if l == nil {
		return t
	}
	rows := make([][]string, len(l.shards))
	for i, sh := range l.shards {
		rows[i] = append([]string{sh.master}, sh.replicas...)
	}
	for s, i := range l.slots {
		if i != 0 {
			t[s] = rows[i-1]
		}
	}
	return t
}

// builder assembles a layout from slot ranges.
type builder struct {
	l        layout
	byMaster map[string]int
	slots    int
}

func (b *builder) add(start, end int64, master string, replicas []string) error {
	if start < 0 || end >= HashSlots || start > end {
		return fmt.Errorf("slot range %d-%d out of bounds", start, end)
	}
	if b.byMaster == nil {
		b.byMaster = make(map[string]int)
	}
	i, ok := b.byMaster[master]
	if !ok {
		b.l.shards = append(b.l.shards, shard{master: master, replicas: replicas})
		i = len(b.l.shards) - 1
		b.byMaster[master] = i
	}
	for s := start; s <= end; s++ {
		if b.l.slots[s] == 0 {
			b.slots++
		}
		b.l.slots[s] = uint16(i + 1)
	}
	return nil
}

func (b *builder) layout() (*layout, error) {
	if b.slots == 0 {
		return nil, errors.New("the node serves no slots (not part of a cluster, or not yet joined)")
	}
	l := b.l
	return &l, nil
}

// parseShards reads a CLUSTER SHARDS reply (Redis 7.0+). queried is the
// address asked, whose host stands in for an empty endpoint.
func parseShards(reply interface{}, queried string) (*layout, error) {
	items, err := redis.Values(reply, nil)
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
	}
	var b builder
	for _, it := range items {
		fields, err := fieldMap(it)
		if err != nil {
			return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
		}
		ranges, err := redis.Int64s(fields["slots"], nil)
		if err != nil || len(ranges)%2 != 0 {
			return nil, fmt.Errorf("CLUSTER SHARDS: malformed slots %v", fields["slots"])
		}
		if len(ranges) == 0 {
			continue // a shard without slots (an empty master and its replicas)
		}
		nodes, err := redis.Values(fields["nodes"], nil)
		if err != nil {
			return nil, fmt.Errorf("CLUSTER SHARDS: malformed nodes: %w", err)
		}
		var master string
		var replicas []string
		for _, n := range nodes {
			nf, err := fieldMap(n)
			if err != nil {
				return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
			}
			addr, ok := shardNodeAddr(nf, queried)
			if !ok {
				continue
			}
			role, _ := redis.String(nf["role"], nil)
			health, _ := redis.String(nf["health"], nil)
			switch {
			case role == "master" && health != "failed":
				master = addr
			case role == "replica" && health == "online":
				replicas = append(replicas, addr)
			}
		}
		if master == "" {
			continue // the master failed and no replica took over yet
		}
		for i := 0; i < len(ranges); i += 2 {
			if err := b.add(ranges[i], ranges[i+1], master, replicas); err != nil {
				return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
			}
		}
	}
	return b.layout()
}

// shardNodeAddr returns a CLUSTER SHARDS node's address: its endpoint (or
// ip) and its port (the TLS port when it has only that one).
func shardNodeAddr(f map[string]interface{}, queried string) (string, bool) {
	host, _ := redis.String(f["endpoint"], nil)
	if host == "" || host == "?" {
		host, _ = redis.String(f["ip"], nil)
	}
	port, err := redis.Int64(f["port"], nil)
	if err != nil || port == 0 {
		if port, err = redis.Int64(f["tls-port"], nil); err != nil || port == 0 {
			return "", false
		}
	}
	return joinHost(host, port, queried)
}

// parseSlots reads a CLUSTER SLOTS reply: for each range, start, end,
// the master and its replicas, each as [host, port, id, ...].
func parseSlots(reply interface{}, queried string) (*layout, error) {
	items, err := redis.Values(reply, nil)
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SLOTS: %w", err)
	}
	var b builder
	for _, it := range items {
		r, err := redis.Values(it, nil)
		if err != nil || len(r) < 3 {
			return nil, fmt.Errorf("CLUSTER SLOTS: malformed range %v", it)
		}
		start, err1 := redis.Int64(r[0], nil)
		end, err2 := redis.Int64(r[1], nil)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("CLUSTER SLOTS: malformed range %v", it)
		}
		var addrs []string
		for _, n := range r[2:] {
			nv, err := redis.Values(n, nil)
			if err != nil || len(nv) < 2 {
				return nil, fmt.Errorf("CLUSTER SLOTS: malformed node %v", n)
			}
			host, _ := redis.String(nv[0], nil)
			port, err := redis.Int64(nv[1], nil)
			if err != nil {
				return nil, fmt.Errorf("CLUSTER SLOTS: malformed node %v", n)
			}
			if addr, ok := joinHost(host, port, queried); ok {
				addrs = append(addrs, addr)
			}
		}
		if len(addrs) == 0 {
			continue
		}
		if err := b.add(start, end, addrs[0], addrs[1:]); err != nil {
			return nil, fmt.Errorf("CLUSTER SLOTS: %w", err)
		}
	}
	return b.layout()
}

// joinHost builds "host:port"; an empty or unknown host ("?") means the
// host of the node that was asked, as the cluster specification says.
func joinHost(host string, port int64, queried string) (string, bool) {
	if port <= 0 || port > 65535 {
		return "", false
	}
	if host == "" || host == "?" {
		h, _, err := net.SplitHostPort(queried)
		if err != nil {
			return "", false
		}
		host = h
	}
	return net.JoinHostPort(host, strconv.FormatInt(port, 10)), true
}

// fieldMap reads a RESP2 flat array of name/value pairs.
func fieldMap(v interface{}) (map[string]interface{}, error) {
	items, err := redis.Values(v, nil)
	if err != nil || len(items)%2 != 0 {
		return nil, fmt.Errorf("malformed field list %v", v)
	}
	m := make(map[string]interface{}, len(items)/2)
	for i := 0; i < len(items); i += 2 {
		k, err := redis.String(items[i], nil)
		if err != nil {
			return nil, fmt.Errorf("malformed field name %v", items[i])
		}
		m[strings.ToLower(k)] = items[i+1]
	}
	return m, nil
}
