package cluster

import (
	"fmt"
	"os"
	"testing"

	"github.com/ocredigo/redigo/internal/redistest"
)

// shared is the cluster most tests run against; tests that kill nodes
// start their own. Tests leave it healthy and must not assume which node
// serves a slot: the resharding test moves slots.
var shared *redistest.Cluster

func TestMain(m *testing.M) {
	var err error
	shared, err = redistest.StartSharedCluster(redistest.ClusterOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		redistest.StopAll()
		os.Exit(1)
	}
	redistest.Main(m)
}

// newCluster returns a Cluster on the shared test cluster, closed when the
// test ends. edit, when given, sets more fields before first use.
func newCluster(t testing.TB, edit ...func(*Cluster)) *Cluster {
	t.Helper()
	return newClusterOn(t, shared, edit...)
}

func newClusterOn(t testing.TB, rc *redistest.Cluster, edit ...func(*Cluster)) *Cluster {
	t.Helper()
	c := &Cluster{StartupNodes: rc.Addrs()[:2]}
	for _, f := range edit {
		f(c)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}
