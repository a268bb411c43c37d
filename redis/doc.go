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
// With views registered, every command records its round-trip latency,
// bytes written and read, reads, writes and errors, tagged with the
// canonical command name (never the raw argument); connections record
// opens, closes and dial latency; pools record waits and their connection
// counts. When the context of a call holds a sampled span, the command gets
// a child span named after the command. With no view registered and no
// span, nothing is recorded and the cost is that of plain redigo. A
// connection hands its measurements to OpenCensus in batches, at least
// every 100 ms and when it closes. See ObservabilityMetricViews and
// TraceOptions.
package redis
