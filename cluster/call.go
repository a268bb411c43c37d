package cluster

import (
	"context"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// call carries how one method of Conn talks to its node connections: with
// a context (the Context methods, or the context of GetContext), with a
// read timeout (the WithTimeout methods), or plainly.
type call struct {
	ctx     context.Context // nil: plain methods
	timeout time.Duration   // > 0: the WithTimeout methods
}

func (cl call) context() context.Context {
	if cl.ctx != nil {
		return cl.ctx
	}
	return context.Background()
}

func (cl call) do(conn redis.Conn, name string, args []interface{}) (interface{}, error) {
	switch {
	case cl.timeout > 0:
		return redis.DoWithTimeout(conn, cl.timeout, name, args...)
	case cl.ctx != nil:
		return redis.DoContext(conn, cl.ctx, name, args...)
	}
	return conn.Do(name, args...)
}

func (cl call) send(conn redis.Conn, name string, args []interface{}) error {
	if cl.ctx != nil {
		if cc, ok := conn.(redis.ConnWithContext); ok {
			return cc.SendContext(cl.ctx, name, args...)
		}
	}
	return conn.Send(name, args...)
}

func (cl call) flush(conn redis.Conn) error {
	if cl.ctx != nil {
		if cc, ok := conn.(redis.ConnWithContext); ok {
			return cc.FlushContext(cl.ctx)
		}
	}
	return conn.Flush()
}

func (cl call) receive(conn redis.Conn) (interface{}, error) {
	switch {
	case cl.timeout > 0:
		return redis.ReceiveWithTimeout(conn, cl.timeout)
	case cl.ctx != nil:
		return redis.ReceiveContext(conn, cl.ctx)
	}
	return conn.Receive()
}

// sleep waits d, or until the call's context is done.
func (cl call) sleep(d time.Duration) error {
	if cl.ctx == nil || cl.ctx.Done() == nil {
		time.Sleep(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-cl.ctx.Done():
		return cl.ctx.Err()
	}
}
