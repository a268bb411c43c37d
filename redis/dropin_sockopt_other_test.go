//go:build !linux

package redis_test

import (
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// keepAliveOf reads socket options through /proc, which only Linux has.
func keepAliveOf(t *testing.T, c redis.Conn) (on bool, idle time.Duration) {
	t.Skip("reading a socket's keep-alive setting needs Linux")
	return false, 0
}
