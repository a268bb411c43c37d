// Package redisx is the experimental package of upstream redigo, here so
// that a program that imports github.com/gomodule/redigo/redisx still
// builds when github.com/gomodule/redigo is replaced with ocredigo's compat
// module. Its ConnMux behaves as upstream's; the connection it shares is an
// ocredigo connection, measured as any other.
package redisx

import (
	"errors"
	"strings"
	"sync"

	"github.com/gomodule/redigo/redis"
)

// ConnMux lets several users share one connection for commands that keep
// no state on the connection: each Conn from Get sends its commands and
// reads its own replies, in order, while the others do the same. A Conn of
// a ConnMux is for one goroutine at a time, and refuses transactions
// (WATCH, MULTI, ...), subscriptions and MONITOR.
type ConnMux struct {
	c redis.Conn

	// sendMu orders the writes; sent numbers the commands written.
	sendMu sync.Mutex
	sent   uint64

	// recvMu and turn let replies be read in the order of the commands:
	// received is the number of the command whose reply is next.
	recvMu   sync.Mutex
	turn     *sync.Cond
	received uint64
}

// NewConnMux returns a ConnMux sharing c.
func NewConnMux(c redis.Conn) *ConnMux {
	p := &ConnMux{c: c}
	p.turn = sync.NewCond(&p.recvMu)
	return p
}

// Get returns a Conn that shares the ConnMux's connection. Close it after
// use: Close reads the replies it still has pending, which the other users
// of the connection wait for.
func (p *ConnMux) Get() redis.Conn { return &muxConn{p: p} }

// Close closes the shared connection.
func (p *ConnMux) Close() error { return p.c.Close() }

// Errors with upstream's texts.
var (
	errNotMuxable = errors.New("command not supported by mux pool")
	errUnderflow  = errors.New("mux pool underflow")
)

// notMuxable are the commands that change the state of the shared
// connection for every user; SSUBSCRIBE is the sharded form of SUBSCRIBE,
// which upstream's table predates.
var notMuxable = map[string]bool{
	"WATCH": true, "UNWATCH": true, "MULTI": true, "EXEC": true, "DISCARD": true,
	"SUBSCRIBE": true, "PSUBSCRIBE": true, "SSUBSCRIBE": true, "MONITOR": true,
}

// muxConn is one user's view of the shared connection: the numbers of its
// commands whose replies it has not read yet, oldest first.
type muxConn struct {
	p       *ConnMux
	pending []uint64
}

func (c *muxConn) send(cmd string, args []interface{}, flush bool) error {
	if notMuxable[strings.ToUpper(cmd)] {
		return errNotMuxable
	}
	p := c.p
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	c.pending = append(c.pending, p.sent)
	p.sent++
	err := p.c.Send(cmd, args...)
	if flush {
		err = p.c.Flush()
	}
	return err
}

func (c *muxConn) Send(cmd string, args ...interface{}) error { return c.send(cmd, args, false) }

func (c *muxConn) Flush() error {
	c.p.sendMu.Lock()
	defer c.p.sendMu.Unlock()
	return c.p.c.Flush()
}

// Receive waits until the replies of the commands sent before this user's
// oldest pending one have been read, by their users, then reads its reply.
func (c *muxConn) Receive() (interface{}, error) {
	if len(c.pending) == 0 {
		return nil, errUnderflow
	}
	mine := c.pending[0]
	c.pending = c.pending[1:]

	p := c.p
	p.recvMu.Lock()
	defer p.recvMu.Unlock()
	for p.received != mine {
		p.turn.Wait()
	}
	reply, err := p.c.Receive()
	p.received++
	p.turn.Broadcast()
	return reply, err
}

func (c *muxConn) Do(cmd string, args ...interface{}) (interface{}, error) {
	if err := c.send(cmd, args, true); err != nil {
		return nil, err
	}
	return c.Receive()
}

// Close reads the replies still pending, so that the next users get theirs;
// it leaves the shared connection open. It returns the error of the last
// reply read.
func (c *muxConn) Close() error {
	if len(c.pending) == 0 {
		return nil
	}
	c.Flush()
	var err error
	for len(c.pending) > 0 {
		_, err = c.Receive()
	}
	return err
}

func (c *muxConn) Err() error { return c.p.c.Err() }
