package redigo

import (
	"go.opencensus.io/stats"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/tag"
)

// The cluster client's catalogue (github.com/ocredigo/redigo/cluster). Its
// commands, connections and pools are recorded by the driver under the
// views above, each node's under its own name tag (see the cluster
// package); the views here add what only the cluster client sees:
// redirections, retries and slot-map refreshes.

// Tag keys of the cluster views.
var (
	// KeyNode is a cluster node's address, "host:port", as the cluster
	// announces it: as many values as the cluster has nodes.
	KeyNode = tag.MustNewKey("node")
	// KeyResult is the outcome of a slot-map refresh: ok or error.
	KeyResult = tag.MustNewKey("result")
	// KeyRole is a cluster node's role: master or replica.
	KeyRole = tag.MustNewKey("role")
)

// Measures of the cluster client.
var (
	MClusterRedirections = stats.Int64("redis/cluster/redirections",
		"Redirections received from a node (MOVED or ASK)", stats.UnitDimensionless)
	MClusterRetries = stats.Int64("redis/cluster/retries",
		"Commands tried again after TRYAGAIN, CLUSTERDOWN or a failed dial", stats.UnitDimensionless)
	MClusterRefreshLatencyMilliseconds = stats.Float64("redis/cluster/refresh_latency",
		"Time to load the slot map (CLUSTER SHARDS or CLUSTER SLOTS)", stats.UnitMilliseconds)
	MClusterNodes = stats.Int64("redis/cluster/nodes",
		"Nodes in the slot map after a refresh, by role", stats.UnitDimensionless)
)

// Views of the cluster client.
var (
	// ClusterRedirectionsView counts redirections by the node that sent
	// them and their kind (tag kind: MOVED or ASK).
	ClusterRedirectionsView = &view.View{
		Name:        "redis/cluster/redirections",
		Description: "Number of MOVED and ASK redirections, by the node that sent them",
		Measure:     MClusterRedirections,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyNode, KeyKind},
	}
	// ClusterRetriesView counts retries by node and cause (tag kind:
	// TRYAGAIN, CLUSTERDOWN or dial).
	ClusterRetriesView = &view.View{
		Name:        "redis/cluster/retries",
		Description: "Number of commands tried again, by node and cause",
		Measure:     MClusterRetries,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyNode, KeyKind},
	}
	ClusterRefreshesView = &view.View{
		Name:        "redis/cluster/refreshes",
		Description: "Number of slot-map refreshes, by result",
		Measure:     MClusterRefreshLatencyMilliseconds,
		Aggregation: view.Count(),
		TagKeys:     []tag.Key{KeyName, KeyResult},
	}
	ClusterRefreshLatencyView = &view.View{
		Name:        "redis/cluster/refresh_latency",
		Description: "Latency of slot-map refreshes, by result",
		Measure:     MClusterRefreshLatencyMilliseconds,
		Aggregation: view.Distribution(LatencyBoundsMilliseconds...),
		TagKeys:     []tag.Key{KeyName, KeyResult},
	}
	ClusterNodesView = &view.View{
		Name:        "redis/cluster/nodes",
		Description: "Number of nodes in the slot map, by role",
		Measure:     MClusterNodes,
		Aggregation: view.LastValue(),
		TagKeys:     []tag.Key{KeyName, KeyRole},
	}
)

// ClusterViews returns the views of the cluster client. They are not part
// of Views: register them too when using the cluster package.
func ClusterViews() []*view.View {
	return []*view.View{
		ClusterRedirectionsView,
		ClusterRetriesView,
		ClusterRefreshesView,
		ClusterRefreshLatencyView,
		ClusterNodesView,
	}
}
