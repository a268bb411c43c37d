// Package bench compares ocredigo with upstream redigo and go-redis on the
// same workloads against a real redis-server. The benchmarks live in the
// test files; run.sh runs every configuration in its own process and
// prints the comparison. See README.md.
package bench
