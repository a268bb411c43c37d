package cluster

import (
	"errors"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// BgErrorSrc tells where an error given to Cluster.BgError comes from.
type BgErrorSrc uint

const (
	// ClusterRefresh: a background refresh of the slot map failed.
	ClusterRefresh BgErrorSrc = iota
	// RetryCloseConn: closing a node connection that a command left for
	// another node failed.
	RetryCloseConn
)

// BindConn calls Bind on c, which must be a *Conn.
func BindConn(c redis.Conn, keys ...string) error {
	cc, ok := c.(*Conn)
	if !ok {
		return errors.New("cluster: BindConn: not a cluster connection")
	}
	return cc.Bind(keys...)
}

// ReadOnlyConn calls ReadOnly on c, which must be a *Conn.
func ReadOnlyConn(c redis.Conn) error {
	cc, ok := c.(*Conn)
	if !ok {
		return errors.New("cluster: ReadOnlyConn: not a cluster connection")
	}
	return cc.ReadOnly()
}

// RetryConn exists for code written for redisc: a *Conn follows
// redirections and retries on its own, so RetryConn returns c itself,
// allowing it at most maxAtt attempts per command (redirections and
// retries together) and waiting tryAgainDelay before trying again after
// TRYAGAIN or CLUSTERDOWN. Unlike redisc's, the returned connection
// supports every method, pipelines included. It fails when c is not a
// *Conn or maxAtt is not positive.
func RetryConn(c redis.Conn, maxAtt int, tryAgainDelay time.Duration) (redis.Conn, error) {
	cc, ok := c.(*Conn)
	if !ok {
		return nil, errors.New("cluster: RetryConn: not a cluster connection")
	}
	if maxAtt <= 0 {
		return nil, errors.New("cluster: RetryConn: maxAtt must be positive")
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.maxRedirects = maxAtt - 1
	if cc.maxRedirects == 0 {
		cc.maxRedirects = -1
	}
	cc.maxRetries = maxAtt - 1
	if cc.maxRetries == 0 {
		cc.maxRetries = -1
	}
	if tryAgainDelay > 0 {
		cc.backoff = tryAgainDelay
	}
	return cc, nil
}
