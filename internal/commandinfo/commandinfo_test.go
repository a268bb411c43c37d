package commandinfo

import (
	"sort"
	"strings"
	"testing"
)

func mixedCase(s string) string {
	b := []byte(strings.ToLower(s))
	for i := 0; i < len(b); i += 2 {
		if 'a' <= b[i] && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

func TestLookupEveryName(t *testing.T) {
	for _, src := range [][]Command{serverCommands, extraCommands} {
		for i := range src {
			name := src[i].Name
			want := Lookup(name)
			if want == Other || want.Name != name {
				t.Fatalf("Lookup(%q) = %q", name, want.Name)
			}
			for _, variant := range []string{strings.ToLower(name), mixedCase(name)} {
				if got := Lookup(variant); got != want {
					t.Errorf("Lookup(%q) = %q, want %q", variant, got.Name, name)
				}
			}
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, name := range []string{
		"", "NOSUCHCOMMAND", "nosuchcommand", "GET ", " GET", "GE", "GETT",
		"CLIENT SETNAME", "OTHER", "other", "PUSH", "push",
		"JSON.GET", "ſet", // ſ folds to S in Unicode, not in the server's ASCII
		strings.Repeat("g", maxNameLen), strings.Repeat("get", 1000),
	} {
		if got := Lookup(name); got != Other {
			t.Errorf("Lookup(%q) = %q, want OTHER", name, got.Name)
		}
	}
}

func TestLookupFields(t *testing.T) {
	for _, tc := range []struct {
		name     string
		firstKey int
		flags    Flag
	}{
		{"GET", 0, 0},
		{"SET", 0, 0},
		{"PING", -1, 0},
		{"BITOP", 1, 0}, // BITOP op destkey key...
		{"ZUNIONSTORE", 0, 0},
		{"EVAL", -1, 0},
		{"EVALSHA", -1, 0},
		{"FCALL", -1, 0},
		{"ZUNION", -1, 0},
		{"XREAD", -1, 0},
		{"SORT", 0, 0},
		{"MIGRATE", 2, SecretArgs},
		{"OBJECT", -1, 0},
		{"XINFO", -1, 0},
		{"WATCH", 0, Watch},
		{"UNWATCH", -1, Unwatch},
		{"MULTI", -1, Multi},
		{"EXEC", -1, Exec},
		{"DISCARD", -1, Discard},
		{"SUBSCRIBE", -1, Subscribe},
		{"PSUBSCRIBE", -1, Subscribe},
		{"SSUBSCRIBE", 0, Subscribe}, // shard channels count as keys
		{"UNSUBSCRIBE", -1, Unsubscribe},
		{"PUNSUBSCRIBE", -1, Unsubscribe},
		{"SUNSUBSCRIBE", 0, Unsubscribe},
		{"MONITOR", -1, Monitor},
		{"SELECT", -1, Select},
		{"RESET", -1, Reset},
		{"AUTH", -1, Auth | SecretArgs},
		{"HELLO", -1, Hello | SecretArgs},
		{"CLIENT", -1, Client},
		{"QUIT", -1, EndsSession},
		{"SYNC", -1, EndsSession},
		{"PSYNC", -1, EndsSession},
		{"CONFIG", -1, SecretArgs},
		{"ACL", -1, SecretArgs},
		{"SENTINEL", -1, SecretArgs},
		{"WAITAOF", -1, 0},
		{"HEXPIRE", 0, 0},
		{"HGETEX", 0, 0},
	} {
		c := Lookup(tc.name)
		if c.Name != tc.name || c.FirstKey != tc.firstKey || c.Flags != tc.flags {
			t.Errorf("Lookup(%q) = %+v, want FirstKey %d, Flags %#x", tc.name, *c, tc.firstKey, tc.flags)
		}
	}
	if Other.Name != "OTHER" || Other.FirstKey != -1 || Other.Flags != 0 {
		t.Errorf("Other = %+v", *Other)
	}
	if Push.Name != "PUSH" || Push.FirstKey != -1 || Push.Flags != 0 {
		t.Errorf("Push = %+v", *Push)
	}
}

func TestStateFlagsNameCommands(t *testing.T) {
	for name := range stateFlags {
		if Lookup(name) == Other {
			t.Errorf("stateFlags names %q, which is not in the table", name)
		}
	}
}

func TestTables(t *testing.T) {
	if !sort.SliceIsSorted(serverCommands, func(i, j int) bool { return serverCommands[i].Name < serverCommands[j].Name }) {
		t.Error("serverCommands is not sorted")
	}
	seen := map[string]bool{}
	for _, src := range [][]Command{serverCommands, extraCommands} {
		for _, c := range src {
			if seen[c.Name] {
				t.Errorf("%q listed twice", c.Name)
			}
			seen[c.Name] = true
			if c.Name == "" || c.Name != strings.ToUpper(c.Name) || len(c.Name) > maxNameLen {
				t.Errorf("bad name %q: must be upper case, at most %d bytes", c.Name, maxNameLen)
			}
			if c.FirstKey < -1 {
				t.Errorf("%s: FirstKey %d", c.Name, c.FirstKey)
			}
		}
	}
}

func TestNames(t *testing.T) {
	names := Names()
	if !sort.StringsAreSorted(names) {
		t.Error("Names() is not sorted")
	}
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			t.Errorf("Names() lists %q twice", names[i])
		}
	}
	want := len(serverCommands) + len(extraCommands) + 2
	if len(names) != want {
		t.Errorf("len(Names()) = %d, want %d", len(names), want)
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	for _, n := range []string{"OTHER", "PUSH", "GET", "CLIENT", "SENTINEL", "HEXPIRE"} {
		if !has[n] {
			t.Errorf("Names() lacks %q", n)
		}
	}
	if has["CLIENT SETNAME"] || has["CLIENT|SETNAME"] {
		t.Error("Names() lists a subcommand")
	}
	names[0] = "CHANGED"
	if Names()[0] == "CHANGED" {
		t.Error("Names() returns the package's own slice")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	for _, name := range []string{
		"GET", "get", "Get", "zRangeByScore", "GEORADIUSBYMEMBER_RO", "georadiusbymember_ro",
		"nosuchcommand", "NOSUCHCOMMAND", strings.Repeat("x", maxNameLen), strings.Repeat("x", 1<<16),
	} {
		if n := testing.AllocsPerRun(100, func() { Lookup(name) }); n != 0 {
			t.Errorf("Lookup(%.20q) allocates %v times", name, n)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, name := range []string{"GET", "get", "Get", "ZRANGEBYSCORE", "zrangebyscore", "nosuchcommand", strings.Repeat("x", 100)} {
		b.Run(name[:min(len(name), 16)], func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Lookup(name)
			}
		})
	}
}

func TestIDsIndexNames(t *testing.T) {
	names := Names()
	if Count() != len(names) {
		t.Fatalf("Count() = %d, want %d", Count(), len(names))
	}
	for i, name := range names {
		c := Lookup(name)
		switch name {
		case "OTHER":
			c = Other
		case "PUSH":
			c = Push
		}
		if c.ID != i || c.Name != name {
			t.Errorf("%s: ID %d, want %d", name, c.ID, i)
		}
	}
}
