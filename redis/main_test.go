package redis_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
	"go.uber.org/goleak"
)

// Servers shared by the package's tests; each test uses its own keys.
var (
	plainServer *redistest.Server // with DEBUG and a unix socket
	tlsServer   *redistest.Server
	aclServer   *redistest.Server // requirepass and ACL users
)

const (
	aclPassword     = "default pass"
	aclUser         = "alice"
	aclUserPassword = "alice's secret"
)

func TestMain(m *testing.M) {
	code := run(m)
	redistest.StopAll()
	if code == 0 {
		// OpenCensus starts its stats worker when the package is imported.
		if err := goleak.Find(goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start")); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func run(m *testing.M) int {
	var err error
	if plainServer, err = redistest.StartShared(redistest.Options{Debug: true, Unix: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if tlsServer, err = redistest.StartShared(redistest.Options{TLS: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if aclServer, err = redistest.StartShared(redistest.Options{
		Password: aclPassword,
		Users: []redistest.User{
			{Name: aclUser, Password: aclUserPassword},
			{Name: "reader", Password: "reader-pass", Rules: []string{"on", ">reader-pass", "~*", "+get", "+ping"}},
		},
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// dial connects to the plain server and closes the connection at the end
// of the test.
func dial(t testing.TB, options ...redis.DialOption) redis.Conn {
	t.Helper()
	c, err := redis.Dial("tcp", plainServer.Addr(), options...)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// key returns a key unique to the test.
func key(t testing.TB, name string) string { return t.Name() + ":" + name }
