package cluster

// StartupNodesForExamples gives the examples (package cluster_test) the
// addresses of the shared test cluster.
func StartupNodesForExamples() []string { return shared.Addrs() }
