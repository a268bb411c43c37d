package observability

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"go.opencensus.io/metric/metricdata"
)

// writes returns what the producer publishes as GET's writes for name.
func writes(t *testing.T, name string) int64 {
	t.Helper()
	m := readMetrics(name)["redis/client/writes"]
	if m == nil {
		return 0
	}
	var n int64
	for _, ts := range m.TimeSeries {
		n += ts.Points[0].Value.(int64)
	}
	return n
}

func liveConns(name string) int {
	s := namesFor(name).series
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// onFastPath turns the producer on for the test and returns a client name
// of its own for this run (-count=2).
func onFastPath(t *testing.T, prefix string) string {
	EnableProducer()
	t.Cleanup(DisableProducer)
	run++
	return fmt.Sprintf("%s-%d", prefix, run)
}

// A connection's counts outlive it: closing folds them into its name's,
// and a reply that ends after the close (another goroutine closed the
// connection) still counts.
func TestClosedConnectionsKeepTheirCounts(t *testing.T) {
	name := onFastPath(t, "closed")
	client := NewClient(Options{Name: name})
	conns := []*Conn{client.NewConn(Peer{}), client.NewConn(Peer{}), client.NewConn(Peer{})}
	for _, o := range conns {
		oneGET(o)
	}
	conns[0].Close()
	conns[1].Close()
	if got := writes(t, name); got != 3 {
		t.Errorf("after two closes: %d writes, want 3", got)
	}
	if got := liveConns(name); got != 1 {
		t.Errorf("%d connections listed, want the open one", got)
	}

	var late Call
	conns[2].Start(context.Background(), &late, "GET", getArgs)
	late.Written(24, 3)
	conns[2].Close()
	conns[2].Finish(&late, Result{Reply: getReply, Read: 11, Payload: 5})
	if got := writes(t, name); got != 4 {
		t.Errorf("a reply finished after the close: %d writes, want 4", got)
	}
	if got := liveConns(name); got != 0 {
		t.Errorf("%d connections listed after every close", got)
	}
}

// A connection dropped unclosed is folded in when the collector finds it:
// its counts stay published and its series are not kept for ever.
func TestUnclosedConnectionIsFoldedWhenCollected(t *testing.T) {
	name := onFastPath(t, "dropped")
	dropAfterOneGET(name)
	for i := 0; i < 100 && liveConns(name) > 0; i++ {
		FlushViews() // a batch for the view path keeps its connection until recorded
		runtime.GC() // finalizers run on their own goroutine: give it rounds
		runtime.Gosched()
	}
	if got := liveConns(name); got != 0 {
		t.Fatalf("%d connections still listed after 100 collections", got)
	}
	if got := writes(t, name); got != 1 {
		t.Errorf("%d writes, want 1", got)
	}
}

// dropAfterOneGET makes a connection of name, counts a GET and drops it;
// not inlined, so that no frame of the test keeps it.
//
//go:noinline
func dropAfterOneGET(name string) {
	oneGET(NewClient(Options{Name: name}).NewConn(Peer{}))
}

// Connections counting while the producer reads: every command is counted
// once, and the race detector sees no unguarded access.
func TestCountingWhileReading(t *testing.T) {
	name := onFastPath(t, "concurrent")
	client := NewClient(Options{Name: name})
	const conns, commands = 8, 200
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(closeIt bool) {
			defer wg.Done()
			o := client.NewConn(Peer{})
			for j := 0; j < commands; j++ {
				oneGET(o)
			}
			if closeIt {
				o.Close()
			}
		}(i%2 == 0)
	}
	stop := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			select {
			case <-stop:
				return
			default:
				readMetrics(name)
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-read
	if got := writes(t, name); got != conns*commands {
		t.Errorf("%d writes, want %d", got, conns*commands)
	}
	lat := readMetrics(name)["redis/client/roundtrip_latency"]
	if lat == nil || lat.TimeSeries[0].Points[0].Value.(*metricdata.Distribution).Count != conns*commands {
		t.Errorf("latency distribution %+v, want %d samples", lat, conns*commands)
	}
}
