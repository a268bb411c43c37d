package redistest

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A Redis Cluster for tests: three masters with one replica each, six
// redis-server processes on free loopback ports, joined by
// `redis-cli --cluster create`. The servers are ordinary Servers (same
// process hygiene: own process group, killed with the test binary).

const (
	clusterMasters  = 3
	clusterReplicas = 1 // per master
	// clusterReadyTimeout bounds how long joining and converging may take.
	clusterReadyTimeout = 60 * time.Second
	// DefaultNodeTimeout is cluster-node-timeout unless ClusterOptions
	// says otherwise: small, so that a failover takes a couple of seconds,
	// not large enough for a loaded test machine to fake a failure.
	DefaultNodeTimeout = 1500 * time.Millisecond
)

// ClusterOptions configure a test cluster.
type ClusterOptions struct {
	// NodeTimeout is cluster-node-timeout; zero means DefaultNodeTimeout.
	NodeTimeout time.Duration
	// Args are extra config directives for every node, as Options.Args.
	Args []string
}

// Cluster is a running Redis Cluster of 3 masters and 3 replicas.
type Cluster struct {
	nodes []*Server // in creation order; roles change with failovers
}

// StartCluster starts a 6-node cluster, waits until every node reports
// cluster_state:ok with all slots assigned and every replica visible, and
// registers t.Cleanup to stop it. It fails the test on any error.
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	c, err := startCluster(opts)
	if c != nil {
		t.Cleanup(c.destroy)
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return c
}

// StartSharedCluster starts a cluster that outlives individual tests, for
// use from TestMain. StopAll (or Main) stops it.
func StartSharedCluster(opts ClusterOptions) (*Cluster, error) {
	c, err := startCluster(opts)
	if err != nil {
		if c != nil {
			c.destroy()
		}
		return nil, fmt.Errorf("redistest: %w", err)
	}
	shared.mu.Lock()
	shared.servers = append(shared.servers, c.nodes...)
	shared.mu.Unlock()
	return c, nil
}

// Nodes returns the cluster's servers in creation order. Which of them is
// a master changes with failovers: ask the cluster (Masters) when it
// matters.
func (c *Cluster) Nodes() []*Server { return append([]*Server(nil), c.nodes...) }

// Addrs returns the "127.0.0.1:port" addresses of every node.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, s := range c.nodes {
		addrs[i] = s.Addr()
	}
	return addrs
}

// Node returns the server listening on addr, or nil.
func (c *Cluster) Node(addr string) *Server {
	for _, s := range c.nodes {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

// Command sends one command to the node at addr and returns its reply:
// string for status and bulk replies, int64, []interface{}, nil, or an
// error for error replies. Handy for CLUSTER SETSLOT, MIGRATE and the like.
func (c *Cluster) Command(addr string, args ...string) (interface{}, error) {
	return command(addr, 5*time.Second, args...)
}

// Masters returns the addresses of the masters as the node at any live
// address sees them, from CLUSTER SLOTS, keyed by master address with the
// slot ranges each serves.
func (c *Cluster) Masters() (map[string][][2]int, error) {
	var lastErr error = errors.New("no node answered")
	for _, s := range c.nodes {
		shards, err := clusterSlots(s.Addr())
		if err != nil {
			lastErr = err
			continue
		}
		out := make(map[string][][2]int)
		for _, sh := range shards {
			out[sh.master] = append(out[sh.master], [2]int{sh.start, sh.end})
		}
		return out, nil
	}
	return nil, lastErr
}

// WaitHealthy waits until every running node reports cluster_state:ok,
// all 16384 slots are assigned and every slot range lists a replica in
// CLUSTER SLOTS (Redis 7.0 hides a replica until its replication offset
// is non-zero). Stopped nodes are skipped.
func (c *Cluster) WaitHealthy(timeout time.Duration) error {
	return c.wait(timeout, func() error { return c.healthy(true, "") })
}

// WaitFailedOver waits until every running node reports cluster_state:ok
// with all slots assigned, and no slot is served by the master at dead:
// one of its replicas took over. Replicas are not required (the new
// master's own replica is the dead node).
func (c *Cluster) WaitFailedOver(dead string, timeout time.Duration) error {
	return c.wait(timeout, func() error { return c.healthy(false, dead) })
}

func (c *Cluster) wait(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not healthy after %v: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) healthy(requireReplicas bool, dead string) error {
	for _, s := range c.nodes {
		if !s.running() {
			continue
		}
		info, err := command(s.Addr(), time.Second, "CLUSTER", "INFO")
		if err != nil {
			return err
		}
		text, _ := info.(string)
		if !strings.Contains(text, "cluster_state:ok") ||
			!strings.Contains(text, "cluster_slots_assigned:16384") {
			return fmt.Errorf("node %s: CLUSTER INFO says %q", s.Addr(), firstLines(text, 3))
		}
		shards, err := clusterSlots(s.Addr())
		if err != nil {
			return err
		}
		covered := 0
		for _, sh := range shards {
			if sh.master == dead {
				return fmt.Errorf("node %s: slots %d-%d still served by %s", s.Addr(), sh.start, sh.end, dead)
			}
			if requireReplicas && sh.replicas < clusterReplicas {
				return fmt.Errorf("node %s: slots %d-%d of %s list %d replicas",
					s.Addr(), sh.start, sh.end, sh.master, sh.replicas)
			}
			covered += sh.end - sh.start + 1
		}
		if covered != 16384 {
			return fmt.Errorf("node %s: CLUSTER SLOTS covers %d slots", s.Addr(), covered)
		}
	}
	return nil
}

func (s *Server) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

func (c *Cluster) destroy() {
	var wg sync.WaitGroup
	for _, s := range c.nodes {
		s := s
		wg.Add(1)
		go func() { defer wg.Done(); s.destroy() }()
	}
	wg.Wait()
}

func startCluster(opts ClusterOptions) (*Cluster, error) {
	cliPath, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, errors.New("redis-cli not found in $PATH; install redis-tools (apt-get install redis-tools)")
	}
	timeout := opts.NodeTimeout
	if timeout <= 0 {
		timeout = DefaultNodeTimeout
	}
	n := clusterMasters * (1 + clusterReplicas)
	c := &Cluster{nodes: make([]*Server, n)}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range c.nodes {
		i := i
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.nodes[i], errs[i] = startClusterNode(timeout, opts.Args)
		}()
	}
	wg.Wait()
	started := c.nodes[:0]
	for _, s := range c.nodes {
		if s != nil {
			started = append(started, s)
		}
	}
	c.nodes = started
	if err := errors.Join(errs...); err != nil {
		return c, err
	}

	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(clusterReplicas), "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliPath, args...)
	setProcAttr(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return c, fmt.Errorf("redis-cli --cluster create: %v; output:\n%s", err, out)
	}
	if err := c.WaitHealthy(clusterReadyTimeout); err != nil {
		return c, fmt.Errorf("%w; redis-cli output:\n%s", err, out)
	}
	return c, nil
}

// startClusterNode starts one cluster-enabled server. The cluster bus port
// is chosen explicitly (port+10000 may be taken or beyond 65535); when it
// turns out to be taken, the node is started again with another one.
func startClusterNode(nodeTimeout time.Duration, extra []string) (*Server, error) {
	var lastErr error
	for attempt := 0; attempt < startAttempts; attempt++ {
		busPort, err := freePort()
		if err != nil {
			return nil, err
		}
		args := []string{
			"cluster-enabled yes",
			"cluster-config-file nodes.conf",
			"cluster-port " + strconv.Itoa(busPort),
			"cluster-node-timeout " + strconv.FormatInt(nodeTimeout.Milliseconds(), 10),
			// A replica may always take over, however long since it
			// heard from its master: tests kill masters on purpose.
			"cluster-replica-validity-factor 0",
			// Keep the layout the tests made: no replica wandering off.
			"cluster-allow-replica-migration no",
			// Masters ping replicas every second, so that replication
			// offsets move and Redis 7.0 lists replicas in CLUSTER SLOTS.
			"repl-ping-replica-period 1",
			// Replicas sync at once, not after the default 5 s wait for
			// more replicas to share a diskless transfer.
			"repl-diskless-sync-delay 0",
		}
		s, err := newServer(Options{Debug: true, Args: append(args, extra...)})
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		err = s.launch(true)
		s.mu.Unlock()
		if err == nil {
			return s, nil
		}
		s.destroy()
		lastErr = err
		if !errors.Is(err, errAddrInUse) && !strings.Contains(err.Error(), "Address already in use") {
			return nil, err
		}
	}
	return nil, lastErr
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}
