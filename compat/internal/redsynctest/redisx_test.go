package redsynctest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gomodule/redigo/redis"
	"github.com/gomodule/redigo/redisx"
	"github.com/ocredigo/redigo/internal/redistest"
)

// TestConnMuxSharesOneConnection: users of a ConnMux, each in its own
// goroutine, pipeline commands on one shared ocredigo connection and each
// gets its own replies; state-changing commands are refused with
// upstream's error, and a Receive with nothing pending is an underflow.
func TestConnMuxSharesOneConnection(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c, err := redis.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	mux := redisx.NewConnMux(c)
	defer mux.Close()

	const users, rounds = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for u := 0; u < users; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			mc := mux.Get()
			defer mc.Close()
			key := fmt.Sprintf("mux:%d", u)
			if _, err := mc.Do("DEL", key); err != nil {
				errs <- err
				return
			}
			for i := 1; i <= rounds; i++ {
				// Two pipelined commands, then a round trip.
				if err := mc.Send("INCR", key); err != nil {
					errs <- err
					return
				}
				if err := mc.Send("ECHO", key); err != nil {
					errs <- err
					return
				}
				if err := mc.Flush(); err != nil {
					errs <- err
					return
				}
				n, err := redis.Int(mc.Receive())
				if err != nil || n != i {
					errs <- fmt.Errorf("user %d: INCR gave %d, %v; want %d", u, n, err, i)
					return
				}
				if echo, err := redis.String(mc.Receive()); err != nil || echo != key {
					errs <- fmt.Errorf("user %d: ECHO gave %q, %v", u, echo, err)
					return
				}
				if got, err := redis.Int(mc.Do("GET", key)); err != nil || got != i {
					errs <- fmt.Errorf("user %d: GET gave %d, %v; want %d", u, got, err, i)
					return
				}
			}
			// A reply left pending is read by Close, not by the next user.
			if err := mc.Send("PING"); err != nil {
				errs <- err
			}
		}(u)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	mc := mux.Get()
	defer mc.Close()
	for _, cmd := range []string{"MULTI", "watch", "SUBSCRIBE", "Monitor"} {
		if _, err := mc.Do(cmd); err == nil || err.Error() != "command not supported by mux pool" {
			t.Errorf("%s: %v, want upstream's refusal", cmd, err)
		}
	}
	if _, err := mc.Receive(); err == nil || err.Error() != "mux pool underflow" {
		t.Errorf("Receive with nothing pending: %v, want upstream's underflow error", err)
	}
	if pong, err := redis.String(mc.Do("PING")); err != nil || pong != "PONG" {
		t.Errorf("PING after the others: %q, %v", pong, err)
	}
}
