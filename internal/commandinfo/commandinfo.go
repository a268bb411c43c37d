// Package commandinfo is the driver's table of Redis commands: canonical
// names (the bounded values of the cmd metric tag and the span names), the
// position of the first key (for the key_length metric), the connection
// state a command changes (for the pool), and the arguments that hold
// secrets (never recorded in trace text or logs).
//
// The table covers Redis 7.x and Valkey 8. Most of it is generated from
// the COMMAND reply of a real redis-server (table.go, see gen/); commands
// of later Redis and Valkey releases are added by hand in extra.go.
// Container commands (CLIENT, CONFIG, ACL, XINFO, ...) are one entry each:
// their subcommands are not separate names, so the tag set stays small.
package commandinfo

//go:generate go run ./gen -o table.go

import "sort"

// Command describes one top-level command. The pointers returned by Lookup
// and the package variables point to shared, read-only entries: never
// modify them.
type Command struct {
	// Name is the canonical upper-case name, e.g. "GET" or "CLIENT";
	// "OTHER" for commands not in the table, "PUSH" for replies that
	// arrive with no command pending.
	Name string

	// FirstKey is the index into the arguments (the command name
	// excluded) of the command's first key, or -1 if the command takes no
	// key or its first key has no fixed position. It follows the first-key
	// field of COMMAND: commands whose keys follow a numkeys argument
	// (EVAL, EVALSHA, FCALL, ZUNION, LMPOP, ...) or a keyword (XREAD,
	// XREADGROUP) have -1; commands whose first key is fixed and later keys
	// movable keep it (SORT and GEORADIUS: 0; ZUNIONSTORE: 0, the
	// destination). MIGRATE has 2, which is the empty string when the keys
	// follow KEYS. Container commands have -1 even when some subcommands
	// take a key (OBJECT ENCODING key, XINFO STREAM key).
	FirstKey int

	// Flags tell which commands change connection state or may carry
	// secrets; Effect and Secret refine them with the arguments.
	Flags Flag

	// ID is the command's index in Names(), for per-command tables of
	// users of the package (cached metric tag contexts).
	ID int
}

// Flag marks the commands that change connection state or take secret
// arguments. Most commands have none.
type Flag uint16

const (
	Watch       Flag = 1 << iota // WATCH
	Unwatch                      // UNWATCH
	Multi                        // MULTI
	Exec                         // EXEC
	Discard                      // DISCARD
	Subscribe                    // SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE
	Unsubscribe                  // UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE
	Monitor                      // MONITOR
	Select                       // SELECT
	Reset                        // RESET
	Auth                         // AUTH
	Hello                        // HELLO
	Client                       // CLIENT: some subcommands change connection state
	EndsSession                  // QUIT, SYNC, PSYNC: the server closes the connection or makes it a replication stream
	SecretArgs                   // AUTH, HELLO, CONFIG, ACL, MIGRATE, SENTINEL: some arguments may be secret
)

// stateFlags are the flags of the commands that have any.
var stateFlags = map[string]Flag{
	"WATCH":        Watch,
	"UNWATCH":      Unwatch,
	"MULTI":        Multi,
	"EXEC":         Exec,
	"DISCARD":      Discard,
	"SUBSCRIBE":    Subscribe,
	"PSUBSCRIBE":   Subscribe,
	"SSUBSCRIBE":   Subscribe,
	"UNSUBSCRIBE":  Unsubscribe,
	"PUNSUBSCRIBE": Unsubscribe,
	"SUNSUBSCRIBE": Unsubscribe,
	"MONITOR":      Monitor,
	"SELECT":       Select,
	"RESET":        Reset,
	"AUTH":         Auth | SecretArgs,
	"HELLO":        Hello | SecretArgs,
	"CLIENT":       Client,
	"QUIT":         EndsSession,
	"SYNC":         EndsSession,
	"PSYNC":        EndsSession,
	"CONFIG":       SecretArgs,
	"ACL":          SecretArgs,
	"MIGRATE":      SecretArgs,
	"SENTINEL":     SecretArgs,
}

var (
	// Other stands for every command that is not in the table.
	Other = &Command{Name: "OTHER", FirstKey: -1}

	// Push stands for replies that arrive with no command pending:
	// pub/sub messages and MONITOR lines.
	Push = &Command{Name: "PUSH", FirstKey: -1}
)

// maxNameLen bounds the names Lookup upper-cases on the stack; the tests
// check that every name in the table fits.
const maxNameLen = 32

var (
	byName map[string]*Command
	names  []string
)

func init() {
	byName = make(map[string]*Command, len(serverCommands)+len(extraCommands))
	add := func(c *Command) {
		if _, dup := byName[c.Name]; dup {
			// A newer server's table may already list a hand-written
			// command; the generated entry wins.
			return
		}
		c.Flags |= stateFlags[c.Name]
		byName[c.Name] = c
	}
	for i := range serverCommands {
		add(&serverCommands[i])
	}
	for i := range extraCommands {
		add(&extraCommands[i])
	}
	names = make([]string, 0, len(byName)+2)
	for name := range byName {
		names = append(names, name)
	}
	names = append(names, Other.Name, Push.Name)
	sort.Strings(names)
	for i, name := range names {
		switch name {
		case Other.Name:
			Other.ID = i
		case Push.Name:
			Push.ID = i
		default:
			byName[name].ID = i
		}
	}
}

// Count returns the number of canonical names: IDs range from 0 to
// Count()-1.
func Count() int { return len(names) }

// Lookup returns the command named name, compared case-insensitively
// (ASCII, as the server does), or Other if there is no such command. It
// never returns nil and never allocates. OTHER and PUSH are not commands:
// looking them up returns Other.
func Lookup(name string) *Command {
	if c, ok := byName[name]; ok {
		return c
	}
	if len(name) == 0 || len(name) > maxNameLen {
		return Other
	}
	var buf [maxNameLen]byte
	lower := false
	for i := 0; i < len(name); i++ {
		b := name[i]
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
			lower = true
		}
		buf[i] = b
	}
	if !lower {
		// Already upper case and not found above.
		return Other
	}
	// The compiler does not allocate for a string conversion used only
	// as a map key.
	if c, ok := byName[string(buf[:len(name)])]; ok {
		return c
	}
	return Other
}

// Names returns every canonical name, OTHER and PUSH included, sorted: the
// complete set of values the cmd tag can take.
func Names() []string {
	return append([]string(nil), names...)
}
