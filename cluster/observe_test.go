package cluster

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/trace"
)

// TestSpansPerAttempt checks that a redirected command has one span per
// attempt, both children of the caller's span, each naming its node, and
// that the caller's span notes the redirection.
func TestSpansPerAttempt(t *testing.T) {
	rec := tracetest.Record(t, true)
	c := newCluster(t)
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	key := "span:key"
	slot := Slot(key)
	owner := c.current.Load().master(slot)
	wrong := otherMaster(t, shared, owner)
	c.current.Store(c.current.Load().withMoved(slot, wrong))

	ctx, root := trace.StartSpan(context.Background(), "request")
	conn, err := c.GetContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.(redis.ConnWithContext).DoContext(ctx, "SET", key, "v"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	root.End()

	var sets []*trace.SpanData
	for _, s := range rec.InTrace(root) {
		if s.Name == "SET" {
			sets = append(sets, s)
		}
	}
	if len(sets) != 2 {
		t.Fatalf("%d SET spans, want 2 (one per attempt): %v", len(sets), tracetest.Names(rec.InTrace(root)))
	}
	for i, want := range []string{wrong, owner} {
		s := sets[i]
		if s.ParentSpanID != root.SpanContext().SpanID {
			t.Errorf("SET span %d is not a child of the caller's span", i)
		}
		host, port, _ := net.SplitHostPort(want)
		if s.Attributes["server.address"] != host || strconv.FormatInt(toInt64(s.Attributes["server.port"]), 10) != port {
			t.Errorf("SET span %d on %v:%v, want %s", i, s.Attributes["server.address"], s.Attributes["server.port"], want)
		}
	}
	rootData := findSpan(rec.Spans(), root.SpanContext().SpanID)
	if rootData == nil {
		t.Fatal("root span not recorded")
	}
	noted := false
	for _, a := range rootData.Annotations {
		if a.Attributes["redis.cluster.redirect"] == "MOVED" && a.Attributes["redis.cluster.target"] == owner {
			noted = true
		}
	}
	if !noted {
		t.Errorf("the caller's span does not note the MOVED redirection: %+v", rootData.Annotations)
	}
}

func toInt64(v interface{}) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	}
	return -1
}

func findSpan(spans []*trace.SpanData, id trace.SpanID) *trace.SpanData {
	for _, s := range spans {
		if s.SpanID == id {
			return s
		}
	}
	return nil
}

// TestNodePoolsNamedByAddress checks that each node has its own pool,
// named "<name>@<addr>", also when CreatePool makes the pools.
func TestNodePoolsNamedByAddress(t *testing.T) {
	var made []*redis.Pool
	c := newCluster(t, func(c *Cluster) {
		c.TraceOptions.Name = "sessions"
		c.CreatePool = func(addr string, opts ...redis.DialOption) (*redis.Pool, error) {
			p := &redis.Pool{MaxIdle: 2, Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr, opts...) }}
			made = append(made, p)
			return p, nil
		}
	})
	conn := c.Get()
	for i := 0; i < 100; i++ {
		if _, err := conn.Do("SET", "named:"+strconv.Itoa(i), i); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	stats := c.Stats()
	if len(stats) != 3 {
		t.Fatalf("Stats has %d nodes, want the 3 masters: %v", len(stats), stats)
	}
	for addr, s := range stats {
		if s.ActiveCount < 1 {
			t.Errorf("node %s: no connection in its pool: %+v", addr, s)
		}
	}
	for _, p := range made {
		if !strings.HasPrefix(p.TraceOptions.Name, "sessions@127.0.0.1:") {
			t.Errorf("pool named %q, want sessions@<addr>", p.TraceOptions.Name)
		}
	}
}

// TestBadInputIsAnError checks that misuse gives errors, never a panic or
// a hang.
func TestBadInputIsAnError(t *testing.T) {
	empty := &Cluster{}
	if err := empty.Refresh(); err == nil {
		t.Error("Refresh with no StartupNodes succeeded")
	}
	conn := empty.Get()
	if _, err := conn.Do("GET", "k"); err == nil {
		t.Error("Do on a cluster with no StartupNodes succeeded")
	}
	if err := conn.Send("GET", "k"); err == nil {
		t.Error("Send on a cluster with no StartupNodes succeeded")
	}
	if _, err := conn.Receive(); err == nil {
		t.Error("Receive of a failed Send succeeded")
	}
	conn.Close()

	unreachable := &Cluster{StartupNodes: []string{"127.0.0.1:1", "not-an-address"}}
	if err := unreachable.Refresh(); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("Refresh of unreachable nodes: %v", err)
	}

	plain := redistest.Start(t, redistest.Options{})
	notCluster := &Cluster{StartupNodes: []string{plain.Addr()}}
	defer notCluster.Close()
	if err := notCluster.Refresh(); err == nil || !strings.Contains(err.Error(), "cluster support disabled") {
		t.Errorf("Refresh from a server without cluster mode: %v", err)
	}
	c := newCluster(t)
	if _, err := RetryConn(c.Get(), 0, 0); err == nil {
		t.Error("RetryConn with maxAtt 0 succeeded")
	}
	if _, err := RetryConn(fakeConn{}, 3, 0); err == nil {
		t.Error("RetryConn of a non-cluster connection succeeded")
	}
	if ParseRedir(nil) != nil || ParseRedir(redis.Error("MOVED x y")) != nil || ParseRedir(redis.Error("MOVED 99999 a:1")) != nil {
		t.Error("ParseRedir accepted a malformed redirection")
	}
	if r := ParseRedir(redis.Error("ASK 12 10.0.0.1:7000")); r == nil || r.Type != "ASK" || r.NewSlot != 12 || r.Addr != "10.0.0.1:7000" {
		t.Errorf("ParseRedir(ASK) = %+v", r)
	}

	c2 := newCluster(t)
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Get().Do("GET", "k"); err == nil {
		t.Error("Do on a closed cluster succeeded")
	}
	if _, err := c2.GetContext(context.Background()); err == nil {
		t.Error("GetContext on a closed cluster succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetContext(ctx); err == nil {
		t.Error("GetContext with a canceled context succeeded")
	}
	conn2 := c.Get().(*Conn)
	defer conn2.Close()
	if _, err := conn2.DoContext(ctx, "GET", "k"); err == nil {
		t.Error("DoContext with a canceled context succeeded")
	}
	if _, err := conn2.Do("GET", "k"); err != nil {
		t.Errorf("Do after a canceled DoContext: %v", err)
	}
}

// TestGetContextParentsPlainCalls checks that the plain calls of a
// connection from GetContext are children of the context's span, and
// that DoWithTimeout bounds a blocking command.
func TestGetContextParentsPlainCalls(t *testing.T) {
	rec := tracetest.Record(t, true)
	c := newCluster(t)
	ctx, root := trace.StartSpan(context.Background(), "request")
	conn, err := c.GetContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Do("SET", "ctx:key", "v"); err != nil {
		t.Fatal(err)
	}
	v, err := conn.(redis.ConnWithTimeout).DoWithTimeout(5*time.Second, "BLPOP", "ctx:list", 0.05)
	if err != nil || v != nil {
		t.Fatalf("BLPOP on an empty list = %v, %v; want a nil reply after its timeout", v, err)
	}
	conn.Close()
	root.End()
	var names []string
	for _, s := range rec.InTrace(root) {
		if s.ParentSpanID == root.SpanContext().SpanID {
			names = append(names, s.Name)
		}
	}
	if !strings.Contains(strings.Join(names, " "), "SET") {
		t.Fatalf("children of the GetContext span: %v, want SET among them", names)
	}
}
