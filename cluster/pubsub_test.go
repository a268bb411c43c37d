package cluster

import (
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// TestPubSub subscribes through a cluster connection: the subscription
// stays on its node, and messages published on any node arrive.
func TestPubSub(t *testing.T) {
	c := newCluster(t)
	sub := redis.PubSubConn{Conn: c.Get()}
	defer sub.Close()
	if err := sub.Subscribe("news"); err != nil {
		t.Fatal(err)
	}
	if s, ok := sub.ReceiveWithTimeout(5 * time.Second).(redis.Subscription); !ok || s.Count != 1 {
		t.Fatalf("subscription reply: %v", s)
	}
	subNode := sub.Conn.(*Conn).Addr()

	pub := c.Get()
	defer pub.Close()
	if err := pub.(*Conn).Bind("other-key"); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Do("PUBLISH", "news", "hello"); err != nil {
		t.Fatal(err)
	}
	switch m := sub.ReceiveWithTimeout(5 * time.Second).(type) {
	case redis.Message:
		if string(m.Data) != "hello" {
			t.Fatalf("message %q", m.Data)
		}
	default:
		t.Fatalf("got %v, want the message", m)
	}
	if err := sub.Ping("p"); err != nil {
		t.Fatal(err)
	}
	if p, ok := sub.ReceiveWithTimeout(5 * time.Second).(redis.Pong); !ok || p.Data != "p" {
		t.Fatalf("pong: %v", p)
	}
	if got := sub.Conn.(*Conn).Addr(); got != subNode {
		t.Fatalf("the subscribed connection moved from %s to %s", subNode, got)
	}
}
