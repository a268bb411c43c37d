package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ocredigo/redigo/internal/observability"
	"github.com/ocredigo/redigo/redis"
)

// Following redirections and retrying. A command is replayed only when
// that cannot change its meaning: it was sent with no transaction, WATCH
// or subscription in effect and changes no connection state (entry.clean),
// and either its reply said it did not run (MOVED, ASK, TRYAGAIN,
// CLUSTERDOWN) or it was never written (errNotSent). A command whose
// connection failed after it was written is never replayed: it may have
// run.

// needsRecovery reports whether err calls for a redirection or a retry.
func needsRecovery(err error) bool {
	if err == nil {
		return false
	}
	var ns errNotSent
	if errors.As(err, &ns) {
		// Not sent, but trying again would not help: the cluster or the
		// connection is closed, nothing is configured, or the caller's
		// context is done.
		return !errors.Is(err, errClusterClosed) && !errors.Is(err, errConnClosed) &&
			!errors.Is(err, errNoStartup) && !errors.Is(err, context.Canceled) &&
			!errors.Is(err, context.DeadlineExceeded)
	}
	var re redis.Error
	if !errors.As(err, &re) {
		return false
	}
	return ParseRedir(err) != nil || IsTryAgain(err) || IsClusterDown(err)
}

// retryCause names the reason of a retry for the retries metric.
func retryCause(err error) string {
	switch {
	case IsTryAgain(err):
		return "TRYAGAIN"
	case IsClusterDown(err):
		return "CLUSTERDOWN"
	}
	return "dial"
}

func (c *Conn) limits() (redirects, retries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	redirects, retries = c.maxRedirects, c.maxRetries
	if redirects == 0 {
		redirects = defaultMaxRedirects
	}
	if retries == 0 {
		retries = defaultMaxRetries
	}
	return max(redirects, 0), max(retries, 0)
}

func (c *Conn) firstBackoff() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backoff > 0 {
		return c.backoff
	}
	return defaultRetryBackoff
}

// recover follows the redirections and retries of e, whose last attempt
// failed with err. own: e is the Conn's only command, so the Conn itself
// may move to the node that serves it; otherwise (a pipelined command)
// it is replayed on a connection of its own, the Conn staying where its
// other replies are.
func (c *Conn) recover(cl call, e *entry, err error, own bool) (interface{}, error) {
	maxRedirects, maxRetries := c.limits()
	backoff := c.firstBackoff()
	name := c.cluster.TraceOptions.Name
	redirects, retries := 0, 0
	from := e.addr
	for {
		addr, asking := "", false
		if r := ParseRedir(err); r != nil {
			observability.ClusterRedirect(cl.ctx, name, from, r.Type, r.NewSlot, r.Addr)
			if r.Type == "MOVED" && c.cluster.moved(r.NewSlot, r.Addr) {
				c.cluster.triggerRefresh() // learn the rest of the change
			}
			if redirects >= maxRedirects {
				return nil, err
			}
			redirects++
			addr, asking = r.Addr, r.Type == "ASK"
		} else {
			if retries >= maxRetries {
				return nil, c.failed(from, err)
			}
			retries++
			cause := retryCause(err)
			observability.ClusterRetry(cl.ctx, name, from, cause)
			if cause != "TRYAGAIN" {
				c.cluster.triggerRefresh()
			}
			if serr := cl.sleep(backoff); serr != nil {
				return nil, serr
			}
			backoff = min(2*backoff, maxRetryBackoff)
		}
		var reply interface{}
		reply, from, err = c.attempt(cl, e, addr, asking, own)
		if !needsRecovery(err) {
			return reply, c.failed(from, err)
		}
	}
}

// attempt runs e once more: on addr (a redirection's target, after
// ASKING when asking), or on the node the slot map gives when addr is "".
func (c *Conn) attempt(cl call, e *entry, addr string, asking, own bool) (reply interface{}, at string, err error) {
	if own && !asking {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, addr, errConnClosed
		}
		if c.canSwitch() {
			var err error
			switch {
			case addr == "":
				err = c.bindFor(cl, e.slot)
			case c.node == nil || c.node.addr != addr:
				err = c.bindTo(cl, addr, false)
			}
			if err != nil {
				c.mu.Unlock()
				return nil, addr, err
			}
			if c.npending() == 0 {
				node := c.node
				c.mu.Unlock()
				reply, err = cl.do(node.conn, e.name, e.args)
				return reply, node.addr, err
			}
		}
		c.mu.Unlock()
	}

	replica := false
	if addr == "" {
		l, err := c.cluster.layoutFor(cl.context())
		if err != nil {
			return nil, addr, errNotSent{err}
		}
		c.mu.Lock()
		addr, replica = c.target(l, e.slot)
		c.mu.Unlock()
		if addr == "" {
			return nil, addr, errNotSent{errNoNode(e.slot)}
		}
	}
	conn, err := c.cluster.nodeConn(cl.context(), addr, c.unpooled)
	if err != nil {
		return nil, addr, errNotSent{err}
	}
	defer conn.Close()
	if asking {
		if err := cl.send(conn, "ASKING", nil); err != nil {
			return nil, addr, err
		}
	}
	if replica {
		if err := cl.send(conn, "READONLY", nil); err != nil {
			return nil, addr, err
		}
	}
	reply, err = cl.do(conn, e.name, e.args)
	return reply, addr, err
}

func errNoNode(slot int) error {
	return fmt.Errorf("cluster: no node serves slot %d (the cluster may be failing over)", slot)
}
