package cluster_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/ocredigo/redigo/cluster"
	"github.com/ocredigo/redigo/redis"
)

func Example() {
	c := &cluster.Cluster{
		StartupNodes: cluster.StartupNodesForExamples(), // e.g. []string{"10.0.0.1:6379"}
		DialOptions:  []redis.DialOption{redis.DialConnectTimeout(time.Second)},
		// Each node's metrics are named "checkout@<host:port>".
		TraceOptions: redis.TraceOptions{Name: "checkout"},
	}
	defer c.Close()
	if err := c.Refresh(); err != nil {
		log.Fatal(err)
	}

	conn := c.Get()
	defer conn.Close()
	// The connection goes to the node serving "cart:42", follows MOVED and
	// ASK on its own, and retries TRYAGAIN and CLUSTERDOWN a few times.
	if _, err := conn.Do("SET", "cart:42", "3 items"); err != nil {
		log.Fatal(err)
	}
	v, err := redis.String(conn.Do("GET", "cart:42"))
	fmt.Println(v, err)
	// Output: 3 items <nil>
}

// A redisc program keeps its shape: CreatePool, Bind and RetryConn are
// here, with the ocredigo redis package's Pool.
func Example_fromRedisc() {
	createPool := func(addr string, opts ...redis.DialOption) (*redis.Pool, error) {
		return &redis.Pool{
			MaxIdle:     5,
			MaxActive:   10,
			IdleTimeout: time.Minute,
			Dial: func() (redis.Conn, error) {
				return redis.Dial("tcp", addr, opts...)
			},
		}, nil
	}
	c := &cluster.Cluster{
		StartupNodes: cluster.StartupNodesForExamples(),
		CreatePool:   createPool,
	}
	defer c.Close()
	if err := c.Refresh(); err != nil {
		log.Fatal(err)
	}
	conn := c.Get()
	defer conn.Close()
	// Bind before a transaction: every key of it shares the {user:7} tag.
	if err := cluster.BindConn(conn, "{user:7}:name", "{user:7}:visits"); err != nil {
		log.Fatal(err)
	}
	rc, err := cluster.RetryConn(conn, 3, 100*time.Millisecond)
	if err != nil {
		log.Fatal(err)
	}
	rc.Send("MULTI")
	rc.Send("SET", "{user:7}:name", "Ada")
	rc.Send("INCR", "{user:7}:visits")
	replies, err := redis.Values(rc.Do("EXEC"))
	fmt.Println(len(replies), err)
	// Output: 2 <nil>
}

// Pipelines are routed by their first key; keep a pipeline's keys in one
// slot (a hash tag) so that it stays one round trip.
func ExampleConn_pipeline() {
	c := &cluster.Cluster{StartupNodes: cluster.StartupNodesForExamples()}
	defer c.Close()
	ctx := context.Background()
	conn, err := c.GetContext(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	cc := conn.(redis.ConnWithContext)
	for i := 0; i < 3; i++ {
		cc.SendContext(ctx, "RPUSH", "{queue:1}:jobs", fmt.Sprint("job-", i))
	}
	cc.SendContext(ctx, "LRANGE", "{queue:1}:jobs", 0, -1)
	cc.SendContext(ctx, "DEL", "{queue:1}:jobs")
	replies, err := redis.Values(cc.DoContext(ctx, ""))
	if err != nil {
		log.Fatal(err)
	}
	jobs, _ := redis.Strings(replies[3], nil)
	fmt.Println(jobs)
	// Output: [job-0 job-1 job-2]
}

func ExampleSlot() {
	fmt.Println(cluster.Slot("user:1000"), cluster.Slot("{user:1000}:followers") == cluster.Slot("user:1000"))
	// Output: 1649 true
}
