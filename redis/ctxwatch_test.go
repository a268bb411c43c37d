package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The watch a connection keeps on the context of its calls costs no
// allocation while the context stays the same.
func TestContextCallsAllocateAsPlainCalls(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plain := testing.AllocsPerRun(200, func() { c.Do("PING") })
	withContext := testing.AllocsPerRun(200, func() { c.DoContext(ctx, "PING") })
	assert.Equal(t, plain, withContext)
}

// A context that ends between calls breaks nothing: later calls, with
// another context or none, work.
func TestContextEndedBetweenCallsLeavesConnectionUsable(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.DoContext(ctx, "PING")
	require.NoError(t, err)
	cancel()
	time.Sleep(10 * time.Millisecond) // let the context's watch fire, as it may in an application
	_, err = c.DoContext(ctx, "PING")
	require.ErrorIs(t, err, context.Canceled, "a done context is refused")
	require.NoError(t, c.Err(), "nothing was sent")
	other, cancelOther := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelOther()
	reply, err := redis.String(c.DoContext(other, "PING"))
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
	reply, err = redis.String(c.Do("PING"))
	require.NoError(t, err)
	assert.Equal(t, "PONG", reply)
}

// With Receive waiting under one context and Send under another (pub/sub
// on two goroutines), ending the sender's context after its call does not
// interrupt the receiver; ending the receiver's does.
func TestContextsOfConcurrentSendAndReceive(t *testing.T) {
	c := dial(t).(redis.ConnWithContext)
	recvCtx, cancelRecv := context.WithCancel(context.Background())
	received := make(chan error, 1)
	require.NoError(t, c.Send("SUBSCRIBE", key(t, "ch")))
	require.NoError(t, c.Flush())
	_, err := c.ReceiveContext(recvCtx) // the subscription
	require.NoError(t, err)
	go func() {
		_, err := c.ReceiveContext(recvCtx) // the PONG
		_, err2 := c.ReceiveContext(recvCtx)
		if err == nil {
			err = err2
		}
		received <- err
	}()
	sendCtx, cancelSend := context.WithCancel(context.Background())
	require.NoError(t, c.SendContext(sendCtx, "PING"))
	require.NoError(t, c.FlushContext(sendCtx))
	cancelSend()
	time.Sleep(10 * time.Millisecond)
	cancelRecv()
	err = <-received
	require.ErrorIs(t, err, context.Canceled, "the second Receive ends with its context, not the sender's")
}

// A context past its deadline, before its timer has marked it done, is
// refused as a done one: the connection, having sent nothing, stays
// usable.
func TestContextPastDeadlineIsRefusedBeforeAnyIO(t *testing.T) {
	for i := 0; i < 20; i++ {
		c := dial(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		redis.DoContext(c, ctx, "BLPOP", key(t, "empty"), 0) // ends at the deadline
		fresh := dial(t)
		_, err := redis.DoContext(fresh, ctx, "PING")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = fresh.Do("PING")
		require.NoError(t, err, "run %d: the refused call broke the connection", i)
		cancel()
	}
}
