// Package redigo holds the metric catalogue of ocredigo: the OpenCensus
// measures, tag keys, bucket boundaries and views that the driver in
// github.com/ocredigo/redigo/redis records. Register the views with
//
//	view.Register(redis.ObservabilityMetricViews...)
//
// The first eight views keep the names of the original OpenCensus fork of
// redigo, so that dashboards built on it keep working.
package redigo

import (
	"go.opencensus.io/stats"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/tag"
)

// Tag keys. Every value they take comes from a small fixed set (see the
// README), never from error texts, addresses or arguments.
var (
	// KeyName is the logical client: TraceOptions.Name, "default" when unset.
	KeyName = tag.MustNewKey("name")
	// KeyCommand is the canonical upper-case command name (GET, ZADD, ...),
	// OTHER for commands not in the command table, PUSH for replies that
	// arrive with no command pending (pub/sub messages, MONITOR lines).
	KeyCommand = tag.MustNewKey("cmd")
	// KeyKind is the class of an error: dial, write, read, timeout,
	// canceled, server, protocol or pool.
	KeyKind = tag.MustNewKey("kind")
	// KeyDetail refines KeyKind: the Redis error prefix (ERR, WRONGTYPE,
	// ...) for server errors, eof, reset, refused, timeout, closed, tls,
	// dns or other for network errors, exhausted, closed or wait_canceled
	// for the pool.
	KeyDetail = tag.MustNewKey("detail")
	// KeyState is the state of a connection: new or reused when opened;
	// idle_timeout, max_lifetime, test_failed, broken, pool_full,
	// pool_closed or client when closed; idle or active in a pool.
	KeyState = tag.MustNewKey("state")
)

// Measures.
var (
	MRoundtripLatencyMilliseconds = stats.Float64("redis/roundtrip_latency",
		"Time from writing a command (or Send) to reading its reply", stats.UnitMilliseconds)
	MBytesWritten = stats.Int64("redis/bytes_written",
		"Bytes of a command on the wire, RESP headers included", stats.UnitBytes)
	MBytesRead = stats.Int64("redis/bytes_read",
		"Bytes of a reply on the wire, RESP headers included", stats.UnitBytes)
	MWrites = stats.Int64("redis/writes",
		"Commands written", stats.UnitDimensionless)
	MReads = stats.Int64("redis/reads",
		"Replies read", stats.UnitDimensionless)
	MErrors = stats.Int64("redis/errors",
		"Errors: failed dials, writes and reads, error replies, pool failures", stats.UnitDimensionless)
	MConnectionsOpen = stats.Int64("redis/connections_open",
		"Connections handed to the application: new (dialed) or reused (from a pool)", stats.UnitDimensionless)
	MConnectionsClosed = stats.Int64("redis/connections_closed",
		"Connections closed, by reason", stats.UnitDimensionless)
	MDialLatencyMilliseconds = stats.Float64("redis/dial_latency",
		"Time to dial a connection, TLS handshake and AUTH, CLIENT SETNAME, SELECT included", stats.UnitMilliseconds)
	MPoolWaitLatencyMilliseconds = stats.Float64("redis/pool_wait_latency",
		"Time a pool Get waited for a free connection", stats.UnitMilliseconds)
	MPoolConnections = stats.Int64("redis/pool_connections",
		"Connections of a pool: idle, or active (in use by the application)", stats.UnitDimensionless)
	MKeyLength = stats.Int64("redis/key_length",
		"Length of a command's first key", stats.UnitBytes)
	MValueLength = stats.Int64("redis/value_length",
		"Payload of a reply's bulk strings, summed over arrays", stats.UnitBytes)
)

// Bucket boundaries, chosen for Redis: a loopback round trip is ~20 µs, a
// slow command seconds; values range from a few bytes to 512 MiB.
var (
	LatencyBoundsMilliseconds = []float64{0, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50,
		100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000}
	ByteBounds = []float64{0, 16, 64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10,
		1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 512 << 20}
)

// Views.
var (
	RoundtripLatencyView = &view.View{
		Name:        "redis/client/roundtrip_latency",
		Description: "Latency of commands, from write (or Send) to reply, by command",
		Measure:     MRoundtripLatencyMilliseconds,
		Aggregation: view.Distribution(LatencyBoundsMilliseconds...),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	BytesWrittenView = &view.View{
		Name:        "redis/client/bytes_written",
		Description: "Bytes written per command, RESP headers included",
		Measure:     MBytesWritten,
		Aggregation: view.Distribution(ByteBounds...),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	BytesReadView = &view.View{
		Name:        "redis/client/bytes_read",
		Description: "Bytes read per reply, RESP headers included",
		Measure:     MBytesRead,
		Aggregation: view.Distribution(ByteBounds...),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	// WritesView and ReadsView count commands; the driver records the
	// number of commands of a pipeline in one measurement, hence Sum.
	WritesView = &view.View{
		Name:        "redis/client/writes",
		Description: "Number of commands written",
		Measure:     MWrites,
		Aggregation: view.Sum(),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	ReadsView = &view.View{
		Name:        "redis/client/reads",
		Description: "Number of replies read",
		Measure:     MReads,
		Aggregation: view.Sum(),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	ErrorsView = &view.View{
		Name:        "redis/client/errors",
		Description: "Number of errors, by command, kind and detail",
		Measure:     MErrors,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyCommand, KeyKind, KeyDetail},
	}
	ConnectionsOpenView = &view.View{
		Name:        "redis/client/connections_open",
		Description: "Number of connections handed to the application: new or reused",
		Measure:     MConnectionsOpen,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyState},
	}
	ConnectionsClosedView = &view.View{
		Name:        "redis/client/connections_closed",
		Description: "Number of connections closed, by reason",
		Measure:     MConnectionsClosed,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyState},
	}
	DialLatencyView = &view.View{
		Name:        "redis/client/dial_latency",
		Description: "Latency of dialing a connection, set-up commands included",
		Measure:     MDialLatencyMilliseconds,
		Aggregation: view.Distribution(LatencyBoundsMilliseconds...),
		TagKeys:     []tag.Key{KeyName},
	}
	PoolWaitLatencyView = &view.View{
		Name:        "redis/client/pool_wait_latency",
		Description: "Time pool Gets waited for a free connection",
		Measure:     MPoolWaitLatencyMilliseconds,
		Aggregation: view.Distribution(LatencyBoundsMilliseconds...),
		TagKeys:     []tag.Key{KeyName},
	}
	PoolConnectionsView = &view.View{
		Name:        "redis/client/pool_connections",
		Description: "Connections of a pool, idle or active (in use)",
		Measure:     MPoolConnections,
		Aggregation: view.LastValue(),
		TagKeys:     []tag.Key{KeyName, KeyState},
	}
	KeyLengthView = &view.View{
		Name:        "redis/client/key_length",
		Description: "Length of the first key of commands, by command",
		Measure:     MKeyLength,
		Aggregation: view.Distribution(ByteBounds...),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
	ValueLengthView = &view.View{
		Name:        "redis/client/value_length",
		Description: "Payload of bulk string replies, summed over arrays, by command",
		Measure:     MValueLength,
		Aggregation: view.Distribution(ByteBounds...),
		TagKeys:     []tag.Key{KeyName, KeyCommand},
	}
)

// Views returns every view of the catalogue, the fork's eight first.
func Views() []*view.View {
	return []*view.View{
		BytesWrittenView, BytesReadView, RoundtripLatencyView, WritesView,
		ReadsView, ErrorsView, ConnectionsOpenView, ConnectionsClosedView,
		DialLatencyView, PoolWaitLatencyView, PoolConnectionsView,
		KeyLengthView, ValueLengthView,
	}
}
