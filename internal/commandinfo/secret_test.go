package commandinfo

import (
	"fmt"
	"testing"
)

// secretPositions returns the indexes of args that Secret flags.
func secretPositions(cmd string, a []interface{}) []int {
	c := Lookup(cmd)
	var got []int
	for i := range a {
		if c.Secret(a, i) {
			got = append(got, i)
		}
	}
	return got
}

func TestSecret(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
		want []int
	}{
		{"AUTH", args("pass"), []int{0}},
		{"AUTH", args("user", "pass"), []int{0, 1}},
		{"auth", args("b:user", "b:pass"), []int{0, 1}},
		{"AUTH", args(12345), []int{0}},

		{"HELLO", args("3", "AUTH", "user", "pass"), []int{2, 3}},
		{"hello", args("b:3", "b:auth", "b:user", "b:pass"), []int{2, 3}},
		{"HELLO", args("3", "AUTH", "user", "pass", "SETNAME", "app"), []int{2, 3}},
		{"HELLO", args("3", "SETNAME", "app", "Auth", "user", "pass"), []int{4, 5}},
		{"HELLO", args("3", "SETNAME", "AUTH", "AUTH", "user", "pass"), []int{4, 5}}, // a client named AUTH
		{"HELLO", args("AUTH", "user", "pass"), []int{1, 2}},                         // version missing: rejected, still hidden
		{"HELLO", args("3", "AUTH", "user"), []int{2}},                               // password missing
		{"HELLO", args("3", "AUTH", "user", 42), []int{2, 3}},

		{"CONFIG", args("SET", "requirepass", "s3cret"), []int{2}},
		{"config", args("set", "REQUIREPASS", "s3cret"), []int{2}},
		{"CONFIG", args("b:Set", "b:MasterAuth", "b:s3cret"), []int{2}},
		{"CONFIG", args("SET", "masteruser", "repl"), []int{2}},
		{"CONFIG", args("SET", "primaryauth", "s3cret"), []int{2}},
		{"CONFIG", args("SET", "primaryuser", "repl"), []int{2}},
		{"CONFIG", args("SET", "tls-key-file-pass", "s3cret"), []int{2}},
		{"CONFIG", args("SET", "tls-client-key-file-pass", "s3cret"), []int{2}},
		{"CONFIG", args("SET", "maxmemory", "10mb", "requirepass", "s3cret", "masterauth", "x"), []int{4, 6}},
		{"CONFIG", args("SET", "requirepass", 1234), []int{2}},

		{"ACL", args("SETUSER", "alice", "on", ">pass", "~*", "+@all"), []int{2, 3, 4, 5}},
		{"acl", args("b:setuser", "alice", "<pass", "#hash", "!hash"), []int{2, 3, 4}},

		{"MIGRATE", args("host", "6379", "k", "0", "5000", "AUTH", "pass"), []int{6}},
		{"MIGRATE", args("host", "6379", "k", "0", "5000", "COPY", "REPLACE", "auth", "pass"), []int{8}},
		{"MIGRATE", args("host", "6379", "k", "0", "5000", "AUTH2", "user", "pass"), []int{6, 7}},
		{"MIGRATE", args("host", "6379", "", "0", "5000", "b:auth2", "user", "pass", "KEYS", "a", "b"), []int{6, 7}},
		{"MIGRATE", args("host", "6379", "", "0", "5000", "KEYS", "AUTH", "notapassword"), nil},

		{"SENTINEL", args("SET", "mymaster", "auth-pass", "s3cret"), []int{3}},
		{"SENTINEL", args("set", "mymaster", "quorum", "2", "AUTH-USER", "u", "auth-pass", "p"), []int{5, 7}},
		{"SENTINEL", args("CONFIG", "SET", "sentinel-pass", "s3cret"), []int{3}},
		{"SENTINEL", args("config", "set", "resolve-hostnames", "yes", "sentinel-user", "u"), []int{5}},
	} {
		t.Run(fmt.Sprintf("%s%v", tc.cmd, tc.args), func(t *testing.T) {
			if got := secretPositions(tc.cmd, tc.args); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("secret positions %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotSecret(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []interface{}
	}{
		{"CONFIG", args("SET", "maxmemory", "10mb")},
		{"CONFIG", args("GET", "requirepass")},
		{"CONFIG", args("SET", "requirepass")}, // the name itself is not secret
		{"CONFIG", args("SET", "maxmemory", "requirepass")},
		{"CONFIG", args("SET", "appendonly", "no", "save", "")},
		{"CONFIG", args("SET", "requirepassx", "v")},
		{"CONFIG", args("RESETSTAT")},
		{"ACL", args("SETUSER", "alice")},
		{"ACL", args("GETUSER", "alice")},
		{"ACL", args("DELUSER", "alice", "bob")},
		{"ACL", args("DRYRUN", "alice", "GET", "k")},
		{"HELLO", args("3")},
		{"HELLO", args("3", "SETNAME", "app")},
		{"HELLO", args("3", "SETNAME", "AUTH")},
		{"MIGRATE", args("host", "6379", "k", "0", "5000")},
		{"MIGRATE", args("host", "6379", "k", "0", "5000", "COPY", "REPLACE")},
		{"MIGRATE", args("AUTH", "AUTH", "AUTH", "0", "5000")},
		{"SENTINEL", args("GET-MASTER-ADDR-BY-NAME", "mymaster")},
		{"SENTINEL", args("SET", "mymaster", "down-after-milliseconds", "1000")},
		{"SENTINEL", args("CONFIG", "GET", "sentinel-pass")},
		{"GET", args("requirepass")},
		{"SET", args("password", "hunter2")},
		{"CLIENT", args("SETNAME", "AUTH")},
		{"NOSUCHCOMMAND", args("AUTH", "pass")},
	} {
		t.Run(fmt.Sprintf("%s%v", tc.cmd, tc.args), func(t *testing.T) {
			if got := secretPositions(tc.cmd, tc.args); got != nil {
				t.Errorf("secret positions %v, want none", got)
			}
		})
	}
}

func TestSecretOutOfRange(t *testing.T) {
	c := Lookup("AUTH")
	a := args("pass")
	for _, i := range []int{-1, 1, 100} {
		if c.Secret(a, i) {
			t.Errorf("Secret(%v, %d) = true", a, i)
		}
	}
	if c.Secret(nil, 0) {
		t.Error("Secret(nil, 0) = true")
	}
	var nilCmd *Command
	if nilCmd.Secret(a, 0) {
		t.Error("nil Command: Secret = true")
	}
	if Other.Secret(a, 0) || Push.Secret(a, 0) {
		t.Error("Other or Push: Secret = true")
	}
}

func TestSecretDoesNotAllocate(t *testing.T) {
	a := args("b:set", "maxmemory", "1", "b:requirepass", "x")
	c := Lookup("CONFIG")
	if n := testing.AllocsPerRun(100, func() {
		for i := range a {
			c.Secret(a, i)
		}
	}); n != 0 {
		t.Errorf("Secret allocates %v times", n)
	}
}
