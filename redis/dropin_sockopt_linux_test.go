package redis_test

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// keepAliveOf returns the TCP keep-alive setting of c's socket, read from
// the kernel: whether probes are on, and the idle time before the first.
// The socket is found among the process's descriptors by its local
// address, which the server reports in CLIENT INFO, and its peer, the
// plain server.
func keepAliveOf(t *testing.T, c redis.Conn) (on bool, idle time.Duration) {
	t.Helper()
	// CLIENT INFO's addr is the client's end of the connection (laddr is
	// the server's).
	_, portText, err := net.SplitHostPort(clientInfo(t, c)["addr"])
	if err != nil {
		t.Fatalf("no client address in CLIENT INFO: %v", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list the process's descriptors: %v", err)
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err != nil || !strings.HasPrefix(target, "socket:") {
			continue
		}
		sa, err := syscall.Getsockname(fd)
		if err != nil {
			continue
		}
		if in4, ok := sa.(*syscall.SockaddrInet4); !ok || in4.Port != port {
			continue
		}
		if peer, err := syscall.Getpeername(fd); err != nil {
			continue
		} else if in4, ok := peer.(*syscall.SockaddrInet4); !ok || in4.Port != plainServer.Port() {
			continue
		}
		keep, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
		if err != nil {
			t.Fatal(err)
		}
		secs, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE)
		if err != nil {
			t.Fatal(err)
		}
		return keep != 0, time.Duration(secs) * time.Second
	}
	t.Fatalf("no socket of this process has local port %d", port)
	return false, 0
}
