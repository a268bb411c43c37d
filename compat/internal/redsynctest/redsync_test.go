package redsynctest

import (
	"context"
	"testing"
	"time"

	"github.com/go-redsync/redsync/v4"
	"github.com/go-redsync/redsync/v4/redis/redigo"
	"github.com/gomodule/redigo/redis"
	ocredigo "github.com/ocredigo/redigo/redis"

	"github.com/ocredigo/redigo/internal/redistest"
	"go.opencensus.io/stats/view"
)

// clientName tags this test's metrics, apart from any other client's.
const clientName = "redsync"

// TestRedsyncRunsOnOcredigo takes and releases a redsync lock through the
// pool type of github.com/gomodule/redigo/redis, which the replace line
// turns into ocredigo's, and checks that ocredigo's metric views counted
// the commands redsync sent: SET ... NX PX to lock, EVALSHA (or EVAL) of
// its release script to unlock.
func TestRedsyncRunsOnOcredigo(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		t.Fatal(err)
	}
	defer view.Unregister(redis.ObservabilityMetricViews...)

	pool := &redis.Pool{
		MaxIdle: 2,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", srv.Addr(),
				redis.DialTraceOptions(redis.TraceOptions{Name: clientName}))
		},
	}
	defer pool.Close()
	var _ *ocredigo.Pool = pool // the same type under both paths

	rs := redsync.New(redigo.NewPool(pool))
	mutex := rs.NewMutex("compat-test-lock", redsync.WithExpiry(10*time.Second), redsync.WithTries(1))
	if err := mutex.LockContext(context.Background()); err != nil {
		t.Fatalf("lock: %v", err)
	}

	// The lock is in the server, with redsync's value.
	conn := pool.Get()
	value, err := redis.String(conn.Do("GET", "compat-test-lock"))
	conn.Close()
	if err != nil || value != mutex.Value() {
		t.Fatalf("GET of the lock key: %q, %v; want redsync's value %q", value, err, mutex.Value())
	}
	// A second mutex on the same name cannot take it.
	if err := rs.NewMutex("compat-test-lock", redsync.WithTries(1)).Lock(); err == nil {
		t.Fatal("a second Lock of a held lock succeeded")
	}

	if ok, err := mutex.UnlockContext(context.Background()); !ok || err != nil {
		t.Fatalf("unlock: %v, %v", ok, err)
	}
	conn = pool.Get()
	n, err := redis.Int(conn.Do("EXISTS", "compat-test-lock"))
	conn.Close()
	if err != nil || n != 0 {
		t.Fatalf("EXISTS after unlock: %d, %v; want 0", n, err)
	}

	// Metrics are batched for up to 100 ms: wait for them, within bounds.
	var writes map[string]int64
	deadline := time.Now().Add(10 * time.Second)
	for {
		writes = writesByCommand(t)
		if writes["SET"] >= 2 && writes["EVALSHA"]+writes["EVAL"] >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if writes["SET"] < 2 {
		t.Errorf("ocredigo counted %d SET commands of %q, want the 2 lock attempts: %v", writes["SET"], clientName, writes)
	}
	if writes["EVALSHA"]+writes["EVAL"] < 1 {
		t.Errorf("ocredigo counted no EVALSHA or EVAL of %q for the unlock: %v", clientName, writes)
	}
}

// writesByCommand returns the redis/client/writes counts of this test's
// client by command.
func writesByCommand(t *testing.T) map[string]int64 {
	t.Helper()
	rows, err := view.RetrieveData("redis/client/writes")
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[string]int64)
	for _, row := range rows {
		var name, cmd string
		for _, tg := range row.Tags {
			switch tg.Key.Name() {
			case "name":
				name = tg.Value
			case "cmd":
				cmd = tg.Value
			}
		}
		if name != clientName {
			continue
		}
		switch d := row.Data.(type) {
		case *view.SumData: // the catalogue's writes view is a sum
			counts[cmd] += int64(d.Value)
		case *view.CountData:
			counts[cmd] += d.Value
		}
	}
	return counts
}
