// Package redis is a client for Redis and Valkey: a drop-in replacement for
// github.com/gomodule/redigo/redis with OpenCensus metrics and trace spans
// recorded in the read/write path of every connection.
//
// # Migrating
//
// Change the import path from github.com/gomodule/redigo/redis to
// github.com/ocredigo/redigo/redis. The API, the reply types, the helpers
// and the error texts are those of upstream redigo v1.9.3. To see commands
// in Prometheus, register the views once:
//
//	view.Register(redis.ObservabilityMetricViews...)
//
// To see them in a trace, pass the caller's context:
//
//	c := pool.GetWithContext(ctx) // or pool.Get().(redis.ConnWithContext)
//	defer c.Close()
//	v, err := redis.String(c.(redis.ConnWithContext).DoContext(ctx, "GET", "k"))
//
// # Connections
//
// A Conn is one connection to a server. Dial, DialContext and DialURL make
// one; Pool keeps a set of them for concurrent use. A Conn supports one
// goroutine calling Do, and in addition one goroutine sending (Send, Flush)
// while another receives (Receive), as pub/sub does; nothing else may run
// concurrently on one Conn. Close the Conn when done; for a pooled Conn
// Close returns it to the pool.
//
// # Executing commands
//
//	n, err := redis.Int(c.Do("INCR", "counter"))
//
// Arguments are sent as bulk strings: string and []byte as they are; int,
// int64 and float64 in their shortest decimal form; bool as "1" or "0"; nil
// as ""; a value implementing Argument as its RedisArg(); anything else as
// fmt.Fprint formats it. Replies come back as:
//
//	status reply   string
//	error reply    Error
//	integer reply  int64
//	bulk string    []byte, or nil for a nil bulk string
//	array          []interface{}, or nil for a nil array
//
// The helpers Int, String, Strings, StringMap, Values, Scan, ScanStruct and
// the others convert replies to Go types; ErrNil reports a nil reply.
//
// # Pipelining
//
// Send buffers a command, Flush writes the buffer, Receive reads one reply:
//
//	c.Send("SET", "k", "v")
//	c.Send("GET", "k")
//	c.Flush()
//	c.Receive() // reply of SET
//	v, err := c.Receive() // reply of GET
//
// Do writes, flushes and reads every pending reply, returning the last; Do
// with an empty command name flushes and returns all pending replies as a
// slice. MULTI/EXEC transactions are pipelines whose EXEC reply is an array.
//
// # Timeouts and contexts
//
// DialReadTimeout and DialWriteTimeout bound each read and write;
// DoWithTimeout and ReceiveWithTimeout override the read timeout for one
// call (for BLPOP and the like). The Context methods of ConnWithContext bound
// a call by the context's deadline and cancellation as well, without
// starting a goroutine. A call interrupted by a timeout, a deadline or a
// cancel leaves the connection broken (Err returns non-nil) so that a reply
// arriving late can never be read as the answer to a later command; a pool
// discards broken connections.
//
// # Publish and subscribe
//
// PubSubConn wraps a Conn subscribed to channels; its Receive returns
// Message, Subscription, Pong or error values:
//
//	psc := redis.PubSubConn{Conn: c}
//	psc.Subscribe("news")
//	for {
//		switch v := psc.Receive().(type) {
//		case redis.Message:
//			fmt.Printf("%s: %s\n", v.Channel, v.Data)
//		case error:
//			return v
//		}
//	}
//
// # Observability
//
// Every command records its round-trip latency (from write or Send to its
// reply, failed commands included), bytes written and read on the wire,
// key and value lengths, writes, reads and errors, tagged with a client
// name and the canonical command name (never a raw argument); connections
// record opens, closes with their reason and dial latency; pools record
// waits and their idle and in-use connections. The catalogue is
// ObservabilityMetricViews. Two ways publish it, chosen at start-up:
//
//	redis.EnableMetrics() // fast: aggregated in the driver, read by exporters through the metric producer API
//
//	view.Register(redis.ObservabilityMetricViews...) // exact: OpenCensus views (RetrieveData, view exporters)
//
// EnableMetrics costs a few integer adds per command, under a lock of the
// connection's own; the views cost what OpenCensus's view worker costs per
// measurement, several times a pipelined command. A metric whose view is registered is left to the
// view, so both can be on without an exporter seeing a metric twice. The
// view path hands its measurements to OpenCensus in batches, at least
// every 100 ms and when a connection closes. With neither on, nothing is
// measured and the cost is that of plain redigo.
//
// When the context of a call holds a sampled span, the command gets a
// child span named after the command; see TraceOptions. The commands a
// pool sends to restore a returned connection (DISCARD, UNWATCH,
// UNSUBSCRIBE, ...) are its own housekeeping: they are not counted and
// start no span.
package redis
