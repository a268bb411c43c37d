package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/redis"
)

// minRefreshInterval spaces the refreshes that redirections and failed
// connections trigger: during a resharding or a failover every command
// would ask for one.
const minRefreshInterval = 100 * time.Millisecond

// refreshTimeout bounds one node's answer to CLUSTER SHARDS or SLOTS.
const refreshTimeout = 5 * time.Second

// Refresh loads the slot map from one of the known nodes (those of the
// current map first, then StartupNodes), asking CLUSTER SHARDS and
// falling back to CLUSTER SLOTS on servers older than 7.0. Calling it
// once after setting up the Cluster saves the first commands a detour;
// afterwards the map follows MOVED replies and refreshes itself.
func (c *Cluster) Refresh() error { return c.RefreshContext(context.Background()) }

// RefreshContext is Refresh bounded by ctx; its span is a child of ctx's.
func (c *Cluster) RefreshContext(ctx context.Context) error {
	if c.isClosed() {
		return errClusterClosed
	}
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	return c.refreshLocked(ctx)
}

func (c *Cluster) refreshLocked(ctx context.Context) error {
	start := time.Now()
	ctx, endSpan := observability.ClusterRefreshSpan(ctx)
	old := c.current.Load()
	l, from, err := c.loadLayout(ctx, old)
	c.lastRefresh.Store(time.Now().UnixNano())
	if err != nil {
		observability.ClusterRefresh(c.TraceOptions.Name, time.Since(start), err, 0, 0)
		endSpan("", err)
		return err
	}
	c.current.Store(l)
	observability.ClusterRefresh(c.TraceOptions.Name, time.Since(start), nil,
		len(l.masters()), len(l.allReplicas()))
	endSpan(from, nil)
	c.retirePools(l)
	if c.LayoutRefresh != nil {
		c.LayoutRefresh(old.table(), l.table())
	}
	return nil
}

// loadLayout asks the candidate nodes one after the other until one
// answers with a usable map.
func (c *Cluster) loadLayout(ctx context.Context, old *layout) (*layout, string, error) {
	candidates := refreshCandidates(old, c.StartupNodes)
	if len(candidates) == 0 {
		return nil, "", errNoStartup
	}
	var errs []error
	for _, addr := range candidates {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		l, err := c.askLayout(ctx, addr, old.has(addr))
		if err == nil {
			return l, addr, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
	}
	return nil, "", fmt.Errorf("cluster: refresh failed: %w", errors.Join(errs...))
}

// refreshCandidates lists the masters of the current map in random order
// (to spread refreshes), then its replicas, then the startup nodes.
func refreshCandidates(old *layout, startup []string) []string {
	seen := make(map[string]bool)
	var out []string
	add := func(addrs []string, shuffle bool) {
		first := len(out)
		for _, a := range addrs {
			if a != "" && !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
		if shuffle {
			part := out[first:]
			rand.Shuffle(len(part), func(i, j int) { part[i], part[j] = part[j], part[i] })
		}
	}
	add(old.masters(), true)
	add(old.allReplicas(), true)
	add(startup, false)
	return out
}

// askLayout loads the map from the node at addr: through its pool when
// it is a node of the current map, else on a connection dialed for it
// (a startup address may be an alias of a node, and needs no pool).
func (c *Cluster) askLayout(ctx context.Context, addr string, pooled bool) (*layout, error) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	conn, err := c.nodeConn(ctx, addr, !pooled)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	reply, err := redis.DoContext(conn, ctx, "CLUSTER", "SHARDS")
	if err == nil {
		return parseShards(reply, addr)
	}
	if !isUnknownSubcommand(err) {
		return nil, err
	}
	reply, err = redis.DoContext(conn, ctx, "CLUSTER", "SLOTS")
	if err != nil {
		return nil, err
	}
	return parseSlots(reply, addr)
}

// isUnknownSubcommand reports whether err says the server does not know
// CLUSTER SHARDS (Redis before 7.0).
func isUnknownSubcommand(err error) bool {
	var re redis.Error
	if !errors.As(err, &re) {
		return false
	}
	s := strings.ToLower(string(re))
	return strings.HasPrefix(s, "err") && (strings.Contains(s, "unknown subcommand") ||
		strings.Contains(s, "unknown command"))
}

// layoutFor returns the current map, loading it first when there is none.
func (c *Cluster) layoutFor(ctx context.Context) (*layout, error) {
	if l := c.current.Load(); l != nil {
		return l, nil
	}
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	if l := c.current.Load(); l != nil {
		return l, nil // another goroutine loaded it meanwhile
	}
	if c.isClosed() {
		return nil, errClusterClosed
	}
	if err := c.refreshLocked(ctx); err != nil {
		return nil, err
	}
	return c.current.Load(), nil
}

// triggerRefresh starts a refresh in the background, unless one is
// running or the last one ended less than minRefreshInterval ago.
func (c *Cluster) triggerRefresh() {
	if time.Since(time.Unix(0, c.lastRefresh.Load())) < minRefreshInterval {
		return
	}
	if !c.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.refreshing.Store(false)
		return
	}
	c.bg.Add(1) // under mu: Close waits only after setting closed
	if c.bgCtx == nil {
		c.bgCtx, c.bgCancel = context.WithCancel(context.Background())
	}
	ctx := c.bgCtx
	c.mu.Unlock()
	go func() {
		defer c.bg.Done()
		defer c.refreshing.Store(false)
		if err := c.RefreshContext(ctx); err != nil && ctx.Err() == nil &&
			!errors.Is(err, errClusterClosed) && c.BgError != nil {
			c.BgError(ClusterRefresh, err)
		}
	}()
}

// moved records a MOVED reply in the slot map; it reports whether the map
// changed (a replica redirecting a write to its master changes nothing).
func (c *Cluster) moved(slot int, addr string) bool {
	for {
		old := c.current.Load()
		if old.master(slot) == addr {
			return false
		}
		if c.current.CompareAndSwap(old, old.withMoved(slot, addr)) {
			return true
		}
	}
}
