package commandinfo

import (
	"github.com/ocredigo/redigo/internal/resp"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
)

// TestTableMatchesServer checks the table against the COMMAND reply of the
// installed redis-server: every command it lists is in the table with the
// same first key.
func TestTableMatchesServer(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv.Addr())

	version := serverInfoVersion(t, c)
	reply, err := c.Do("COMMAND")
	if err != nil {
		t.Fatal(err)
	}
	entries, ok := reply.([]interface{})
	if !ok || len(entries) == 0 {
		t.Fatalf("COMMAND reply %T of length %d", reply, len(entries))
	}
	listed := map[string]bool{}
	for _, e := range entries {
		fields, ok := e.([]interface{})
		if !ok || len(fields) < 4 {
			t.Fatalf("COMMAND entry %#v", e)
		}
		rawName, ok1 := fields[0].([]byte)
		first, ok2 := fields[3].(int64)
		if !ok1 || !ok2 {
			t.Fatalf("COMMAND entry %#v", e)
		}
		name := strings.ToUpper(string(rawName))
		want := -1
		if first > 0 {
			want = int(first - 1)
		}
		listed[name] = true
		cmd := Lookup(name)
		if cmd == Other {
			t.Errorf("server command %s is not in the table", name)
			continue
		}
		if cmd.FirstKey != want {
			t.Errorf("%s: FirstKey %d, server's first key %d means %d", name, cmd.FirstKey, first, want)
		}
	}
	if version != serverVersion {
		t.Logf("server %s, table generated from %s: skipping the check that table.go lists nothing more", version, serverVersion)
		return
	}
	for _, cmd := range serverCommands {
		if !listed[cmd.Name] {
			t.Errorf("table.go lists %s, which redis %s does not: regenerate it", cmd.Name, version)
		}
	}
}

// TestSecretConfigNamesExist guards against typos in the parameter names
// Secret hides: the server must know those Redis has.
func TestSecretConfigNamesExist(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	c := dialServer(t, srv.Addr())
	for _, name := range []string{"requirepass", "masterauth", "masteruser", "tls-key-file-pass", "tls-client-key-file-pass"} {
		if !isConfigSecret(name) {
			t.Errorf("isConfigSecret(%q) = false", name)
		}
		reply, err := c.Do("CONFIG", "GET", name)
		if err != nil {
			t.Fatal(err)
		}
		if pairs, ok := reply.([]interface{}); !ok || len(pairs) != 2 {
			t.Errorf("CONFIG GET %s = %#v: the server does not know it", name, reply)
		}
	}
}

func serverInfoVersion(t *testing.T, c *resp.Client) string {
	t.Helper()
	reply, err := c.Do("INFO", "server")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := reply.([]byte)
	for _, line := range strings.Split(string(b), "\r\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return v
		}
	}
	t.Fatalf("INFO server has no redis_version: %q", b)
	return ""
}

// dialServer connects to addr with the codec's minimal client, so that this
// package's tests need no driver.
func dialServer(t *testing.T, addr string) *resp.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return resp.NewClient(conn)
}
