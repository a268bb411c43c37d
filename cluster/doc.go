// Package cluster is a Redis Cluster client built on the pools of
// github.com/ocredigo/redigo/redis: one redis.Pool per node, a slot map
// that follows the cluster, and connections that go to the node owning
// their key, follow redirections and retry what is safe to retry — with
// every node's commands, pool waits and redirections in the metrics.
//
// # Using it
//
//	c := &cluster.Cluster{
//		StartupNodes: []string{"10.0.0.1:6379", "10.0.0.2:6379"},
//		DialOptions:  []redis.DialOption{redis.DialConnectTimeout(time.Second)},
//		TraceOptions: redis.TraceOptions{Name: "checkout"},
//	}
//	defer c.Close()
//	if err := c.Refresh(); err != nil { ... } // optional: loads the slot map now
//
//	conn, err := c.GetContext(ctx)
//	if err != nil { ... }
//	defer conn.Close()
//	v, err := redis.String(conn.(redis.ConnWithContext).DoContext(ctx, "GET", "cart:42"))
//
// A connection from Get, GetContext or Dial is not bound to a node until it
// is given a key: the first key of a command (its position comes from the
// driver's command table, EVAL's numkeys and XREAD's STREAMS included) picks
// the node serving that key's slot. Between commands — nothing pending, no
// transaction, no WATCH, no subscription — the connection moves to the
// node of the next command's key, so one connection serves keys of every
// node. Commands without a key (PING, DBSIZE, SCAN, WAIT) run on the bound
// node, or on a random master.
//
// # Keys and slots
//
// A key belongs to one of 16384 slots (Slot), and each slot to one master.
// Commands with several keys (MGET, a transaction, a Lua script) must
// keep them in one slot, or Redis answers CROSSSLOT; hash tags do that: only
// the part between the first { and the next } is hashed, so
// "{user1}:name" and "{user1}:visits" share a slot and a node. SplitBySlot
// groups keys by slot.
//
// # Redirections and retries
//
// When the cluster changes (a resharding, a failover), a node answers
// MOVED (the slot lives elsewhere now) or ASK (this key is being moved):
//
//   - MOVED updates the slot map and the command runs again on the node
//     named; a background refresh learns the rest of the change.
//   - ASK sends ASKING and then the command to the node named, once; the
//     slot map does not change.
//   - TRYAGAIN (a multi-key command during a resharding) and CLUSTERDOWN
//     (a master failed and no replica took over yet) wait and try again,
//     with a backoff doubling from RetryBackoff (10 ms) up to 500 ms.
//   - A node that cannot be dialed is a retry too: the command was not
//     sent. A connection that fails after the command was written is
//     never retried (the command may have run): the error, a *NodeError
//     naming the node, goes to the caller, and the slot map is refreshed.
//
// MaxRedirects (8) and MaxRetries (5) bound the work for one command; past
// them the last error is returned. Do, DoContext, DoWithTimeout and
// pipelines (Send, Flush, Receive) all follow redirections. A pipeline goes
// to the node of its first key; a pipelined command the node does not serve
// is redirected alone, in order, so each Receive returns its own command's
// reply. Nothing is replayed inside a transaction, under WATCH or in a
// subscription, where running a command elsewhere would change its meaning:
// there Redis's own error (MOVED, CROSSSLOT, EXECABORT) is returned. For a
// transaction, Bind the connection to its keys first (or send MULTI in a
// pipeline: a keyless command sent first waits for the first key to choose
// the node).
//
// # Replicas
//
// Cluster.ReadOnly, or Conn.ReadOnly on one connection, sends reads to a
// replica of each slot's master (READONLY is pipelined with the first
// command); writes sent there are redirected to the master. Replicas may
// lag behind their master.
//
// # Observability
//
// Each node's pool and connections are those of the redis package, named
// "<TraceOptions.Name>@<host:port>" ("default@<host:port>" without a name):
// every metric of redis.ObservabilityMetricViews — latency per command,
// errors, pool waits, connection counts — has a series per node, and the
// number of series grows with the number of nodes only. The pools of nodes
// that leave the cluster are closed at the next refresh, and their series
// are no longer published. With redis.EnableMetrics the cluster's own
// metrics are published too; on the view path, register
// redigo.ClusterViews (package github.com/ocredigo/redigo) for them. They
// are tagged with TraceOptions.Name:
//
//	redis/cluster/redirections   count, by node and kind (MOVED, ASK)
//	redis/cluster/retries        count, by node and kind (TRYAGAIN, CLUSTERDOWN, dial)
//	redis/cluster/refreshes      count, by result (ok, error)
//	redis/cluster/refresh_latency distribution (ms), by result
//	redis/cluster/nodes          last value, by role (master, replica)
//
// Every attempt of a command is a span of its own, a child of the caller's
// span, with the node's server.address and server.port; a redirection or
// a retry is an annotation on the caller's span. A refresh run under a
// traced context is a redis.cluster.refresh span.
//
// # Coming from redisc
//
// The API of github.com/mna/redisc is here with the same names and
// signatures — Cluster with StartupNodes, DialOptions, CreatePool,
// PoolWaitTime, BgError and LayoutRefresh; Get, Dial, Refresh, Stats,
// EachNode, Close; Conn.Bind, Conn.ReadOnly; BindConn, ReadOnlyConn,
// RetryConn, Slot, SplitBySlot, ParseRedir, IsCrossSlot, IsTryAgain — so a
// redisc program compiles after replacing the imports of redisc and of
// github.com/gomodule/redigo/redis with this package and
// github.com/ocredigo/redigo/redis. Differences: connections follow
// redirections on their own (RetryConn only sets the limits, and its
// connection supports pipelines); CreatePool may be nil and the cluster
// then keeps pools of its own instead of dialing per Get; pools returned
// by CreatePool without a TraceOptions.Name are named after their node.
package cluster
