package cluster

import (
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// The exported API of github.com/mna/redisc v1.4.0, written out from its
// documentation: a redisc program compiles against this package after
// changing its imports. This file fails to compile if a signature drifts.
var (
	_ int = HashSlots

	_ func(redis.Conn, ...string) error                          = BindConn
	_ func(error) bool                                           = IsCrossSlot
	_ func(error) bool                                           = IsTryAgain
	_ func(redis.Conn) error                                     = ReadOnlyConn
	_ func(redis.Conn, int, time.Duration) (redis.Conn, error)   = RetryConn
	_ func(string) int                                           = Slot
	_ func(...string) [][]string                                 = SplitBySlot
	_ func(error) *RedirError                                    = ParseRedir
	_ BgErrorSrc                                                 = ClusterRefresh
	_ BgErrorSrc                                                 = RetryCloseConn
	_ func(*Cluster) error                                       = (*Cluster).Close
	_ func(*Cluster) (redis.Conn, error)                         = (*Cluster).Dial
	_ func(*Cluster, bool, func(string, redis.Conn) error) error = (*Cluster).EachNode
	_ func(*Cluster) redis.Conn                                  = (*Cluster).Get
	_ func(*Cluster) error                                       = (*Cluster).Refresh
	_ func(*Cluster) map[string]redis.PoolStats                  = (*Cluster).Stats
	_ func(*Conn, ...string) error                               = (*Conn).Bind
	_ func(*Conn) error                                          = (*Conn).ReadOnly
	_ func(*RedirError) string                                   = (*RedirError).Error
	_ redis.ConnWithTimeout                                      = (*Conn)(nil)
	_ redis.ConnWithContext                                      = (*Conn)(nil)
)

// The Cluster literal of a redisc program.
var _ = &Cluster{
	StartupNodes: []string{":7000"},
	DialOptions:  []redis.DialOption{redis.DialConnectTimeout(5 * time.Second)},
	CreatePool: func(addr string, opts ...redis.DialOption) (*redis.Pool, error) {
		return &redis.Pool{Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr, opts...) }}, nil
	},
	PoolWaitTime:  time.Second,
	BgError:       func(src BgErrorSrc, err error) {},
	LayoutRefresh: func(old, new [HashSlots][]string) {},
}

var _ = RedirError{Type: "MOVED", NewSlot: 1, Addr: "a:1"}

// TestEachNodeAndDial covers the redisc methods the other tests do not.
func TestEachNodeAndDial(t *testing.T) {
	var refreshed int
	c := newCluster(t, func(c *Cluster) {
		c.LayoutRefresh = func(old, new [HashSlots][]string) {
			if len(new[0]) == 0 {
				t.Errorf("LayoutRefresh: slot 0 has no node")
			}
			refreshed++
		}
	})
	var masters, replicas []string
	if err := c.EachNode(false, func(addr string, conn redis.Conn) error {
		masters = append(masters, addr)
		_, err := conn.Do("PING")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.EachNode(true, func(addr string, conn redis.Conn) error {
		replicas = append(replicas, addr)
		role, err := redis.Values(conn.Do("ROLE"))
		if err == nil && string(role[0].([]byte)) != "slave" {
			t.Errorf("EachNode(true) visited %s, a %s", addr, role[0])
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(masters) != 3 || len(replicas) != 3 || refreshed != 1 {
		t.Fatalf("EachNode visited %v and %v; %d refreshes", masters, replicas, refreshed)
	}

	conn, err := c.Dial()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Do("SET", "dialed", "1"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	for addr, s := range c.Stats() {
		if s.ActiveCount != s.IdleCount {
			t.Errorf("node %s: a dialed connection went through the pool: %+v", addr, s)
		}
	}
}
