package cluster

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/redis"
)

// Defaults of the retry policy.
const (
	defaultMaxRedirects = 8
	defaultMaxRetries   = 5
	defaultRetryBackoff = 10 * time.Millisecond
	maxRetryBackoff     = 500 * time.Millisecond
	// defaultMaxIdle is MaxIdle of the pools made when CreatePool is nil.
	defaultMaxIdle     = 16
	defaultIdleTimeout = 4 * time.Minute
)

// Cluster is a Redis Cluster client: a slot map and one redis.Pool per
// node. Set its fields before first use and do not change them after;
// its methods are safe for concurrent use. Close it when done.
type Cluster struct {
	// StartupNodes are addresses ("host:port") of nodes to load the slot
	// map from; one reachable node is enough.
	StartupNodes []string

	// DialOptions are given to every connection the cluster dials, and to
	// CreatePool.
	DialOptions []redis.DialOption

	// CreatePool makes the pool of the node at address, dialing with
	// options (DialOptions, followed by the node's DialTraceOptions). When
	// nil, the cluster makes pools of its own (MaxIdle 16, IdleTimeout 4
	// minutes). A pool returned without a TraceOptions.Name gets the
	// node's name (see TraceOptions).
	CreatePool func(address string, options ...redis.DialOption) (*redis.Pool, error)

	// PoolWaitTime bounds a wait for a connection from a node's pool
	// (pools with MaxActive and Wait); zero means the call's context
	// alone bounds it.
	PoolWaitTime time.Duration

	// BgError, when set, is called with errors of background work that
	// would otherwise go unnoticed: slot-map refreshes triggered by
	// redirections and connection failures, and Close of a connection
	// that is replaced. It may be called from another goroutine.
	BgError func(BgErrorSrc, error)

	// LayoutRefresh, when set, is called after each successful refresh
	// with the old and the new slot map: for each slot, the master's
	// address followed by its replicas'. It may be called from another
	// goroutine.
	LayoutRefresh func(old, new [HashSlots][]string)

	// TraceOptions are the observability options of every node's
	// connections and pool. Each node's metrics carry the name tag
	// "<Name>@<host:port>" ("default@<host:port>" when Name is empty), so
	// that every node has series of its own; the cluster's own metrics
	// (redis/cluster/...) carry Name and a node tag.
	TraceOptions redis.TraceOptions

	// ReadOnly makes every connection from Get, GetContext and Dial read
	// from replicas, as Conn.ReadOnly does.
	ReadOnly bool

	// MaxRedirects bounds the MOVED and ASK redirections followed for one
	// command; zero means 8, a negative value none.
	MaxRedirects int

	// MaxRetries bounds how often one command is tried again after
	// TRYAGAIN, CLUSTERDOWN or a failed dial; zero means 5, a negative
	// value never.
	MaxRetries int

	// RetryBackoff is the wait before the first retry; each retry of the
	// same command waits twice as long, up to 500 ms. Zero means 10 ms.
	RetryBackoff time.Duration

	mu     sync.Mutex
	pools  map[string]*redis.Pool
	closed bool

	current atomic.Pointer[layout]

	refreshMu   sync.Mutex // serializes refreshes
	refreshing  atomic.Bool
	lastRefresh atomic.Int64 // unix nanoseconds of the last refresh's end
	bg          sync.WaitGroup
	bgCtx       context.Context // of background refreshes; canceled by Close
	bgCancel    context.CancelFunc
}

// Get returns a connection to the cluster, not yet bound to a node: it
// binds to the node serving the slot of the first key it is given. Close
// it when done. The connection is a *Conn, and a redis.ConnWithContext.
func (c *Cluster) Get() redis.Conn {
	return c.newConn(false)
}

// GetContext returns a connection as Get does; the spans of the commands
// it runs without a context of their own are children of ctx's span. It
// fails when the cluster is closed or ctx is done.
func (c *Cluster) GetContext(ctx context.Context) (redis.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.isClosed() {
		return nil, errClusterClosed
	}
	conn := c.newConn(false)
	conn.ctx = context.WithoutCancel(ctx)
	return conn, nil
}

// Dial returns a connection as Get does, whose node connections are
// dialed for it and closed with it instead of coming from the pools.
func (c *Cluster) Dial() (redis.Conn, error) {
	if c.isClosed() {
		return nil, errClusterClosed
	}
	return c.newConn(true), nil
}

func (c *Cluster) newConn(unpooled bool) *Conn {
	return &Conn{cluster: c, unpooled: unpooled, readOnly: c.ReadOnly,
		maxRedirects: c.MaxRedirects, maxRetries: c.MaxRetries, backoff: c.RetryBackoff}
}

// Stats returns the statistics of each node's pool, by node address.
func (c *Cluster) Stats() map[string]redis.PoolStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]redis.PoolStats, len(c.pools))
	for addr, p := range c.pools {
		out[addr] = p.Stats()
	}
	return out
}

// Close closes every node's pool and waits for background refreshes. The
// connections in use are closed when the application closes them.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	pools := c.pools
	c.pools = nil
	if c.bgCancel != nil {
		c.bgCancel()
	}
	c.mu.Unlock()
	c.bg.Wait()
	var errs []error
	for _, p := range pools {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

func (c *Cluster) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// EachNode calls fn with a connection to each known master (or, with
// replicas, each known replica), one node after the other, closing the
// connection after fn returns. It stops at the first error of fn or of
// getting a connection. The nodes are those of the current slot map,
// loaded first if there is none. The connections are plain node
// connections: no routing, no READONLY.
func (c *Cluster) EachNode(replicas bool, fn func(addr string, conn redis.Conn) error) error {
	l, err := c.layoutFor(context.Background())
	if err != nil {
		return err
	}
	addrs := l.masters()
	if replicas {
		addrs = l.allReplicas()
	}
	if len(addrs) == 0 {
		return errors.New("cluster: no known node")
	}
	for _, addr := range addrs {
		conn, err := c.nodeConn(context.Background(), addr, false)
		if err != nil {
			return err
		}
		err = fn(addr, conn)
		conn.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// nodeName is the name tag of a node's metrics.
func (c *Cluster) nodeName(addr string) string {
	name := c.TraceOptions.Name
	if name == "" {
		name = "default"
	}
	return name + "@" + addr
}

func (c *Cluster) nodeTraceOptions(addr string) redis.TraceOptions {
	opts := c.TraceOptions
	opts.Name = c.nodeName(addr)
	return opts
}

func (c *Cluster) dialOptions(addr string) []redis.DialOption {
	opts := make([]redis.DialOption, 0, len(c.DialOptions)+1)
	opts = append(opts, c.DialOptions...)
	return append(opts, redis.DialTraceOptions(c.nodeTraceOptions(addr)))
}

// pool returns the pool of the node at addr, making it on first use.
func (c *Cluster) pool(addr string) (*redis.Pool, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errClusterClosed
	}
	if p := c.pools[addr]; p != nil {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()

	// CreatePool runs without the lock: it is the application's code.
	p, err := c.makePool(addr)
	if err != nil {
		return nil, &NodeError{Addr: addr, Err: err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		p.Close()
		return nil, errClusterClosed
	}
	if other := c.pools[addr]; other != nil {
		p.Close() // another goroutine made one first
		return other, nil
	}
	if c.pools == nil {
		c.pools = make(map[string]*redis.Pool)
	}
	c.pools[addr] = p
	return p, nil
}

func (c *Cluster) makePool(addr string) (*redis.Pool, error) {
	opts := c.dialOptions(addr)
	if c.CreatePool != nil {
		p, err := c.CreatePool(addr, opts...)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errors.New("CreatePool returned a nil pool")
		}
		if p.TraceOptions.Name == "" {
			p.TraceOptions.Name = c.nodeName(addr)
		}
		return p, nil
	}
	return &redis.Pool{
		MaxIdle:     defaultMaxIdle,
		IdleTimeout: defaultIdleTimeout,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr, opts...)
		},
		TraceOptions: c.nodeTraceOptions(addr),
	}, nil
}

// nodeConn returns a connection to addr: from its pool, or dialed when
// unpooled. The wait for a pooled connection is bounded by PoolWaitTime.
func (c *Cluster) nodeConn(ctx context.Context, addr string, unpooled bool) (redis.Conn, error) {
	if unpooled {
		if c.isClosed() {
			return nil, errClusterClosed
		}
		conn, err := redis.DialContext(ctx, "tcp", addr, c.dialOptions(addr)...)
		if err != nil {
			return nil, &NodeError{Addr: addr, Err: err}
		}
		return conn, nil
	}
	p, err := c.pool(addr)
	if err != nil {
		return nil, err
	}
	if c.PoolWaitTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.PoolWaitTime)
		defer cancel()
	}
	conn, err := p.GetContext(ctx)
	if err != nil {
		return nil, &NodeError{Addr: addr, Err: err}
	}
	return conn, nil
}

// retirePools closes the pools of nodes that left the cluster, so that
// they stop producing series and holding connections.
func (c *Cluster) retirePools(l *layout) {
	c.mu.Lock()
	var gone []*redis.Pool
	var goneAddrs []string
	for addr, p := range c.pools {
		if !l.has(addr) {
			gone = append(gone, p)
			goneAddrs = append(goneAddrs, addr)
			delete(c.pools, addr)
		}
	}
	c.mu.Unlock()
	for _, p := range gone {
		p.Close()
	}
	for _, addr := range goneAddrs {
		observability.ForgetNode(c.TraceOptions.Name, addr, c.nodeName(addr))
	}
}
