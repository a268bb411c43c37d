package cluster

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/redis"
)

// Finding the key that routes a command. The command table gives the
// fixed position of a command's first key; the commands whose keys
// follow a numkeys argument or a keyword (EVAL, ZUNION, LMPOP, XREAD, ...)
// and the container commands whose subcommand takes a key (OBJECT
// ENCODING key, XINFO STREAM key, MEMORY USAGE key) are handled here.

// noSlot marks a command that names no key: it may run on any node.
const noSlot = -1

// commandSlot returns the slot of cmd's first key, or noSlot.
func commandSlot(info *commandinfo.Command, args []interface{}) int {
	i := firstKeyIndex(info, args)
	if i < 0 || i >= len(args) {
		return noSlot
	}
	key, ok := argString(args[i])
	if !ok {
		return noSlot
	}
	return Slot(key)
}

// firstKeyIndex returns the index in args of cmd's first key, or -1.
func firstKeyIndex(info *commandinfo.Command, args []interface{}) int {
	if info.FirstKey >= 0 {
		if info.Name == "MIGRATE" && info.FirstKey < len(args) {
			// MIGRATE host port "" db timeout ... KEYS k1 k2: the key
			// argument is empty and the keys come after KEYS.
			if s, _ := argString(args[info.FirstKey]); s == "" {
				return afterKeyword(args, "KEYS")
			}
		}
		return info.FirstKey
	}
	switch info.Name {
	case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
		// script numkeys key...
		return afterNumkeys(args, 1)
	case "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "SINTERCARD", "LMPOP", "ZMPOP":
		// numkeys key...
		return afterNumkeys(args, 0)
	case "BLMPOP", "BZMPOP":
		// timeout numkeys key...
		return afterNumkeys(args, 1)
	case "XREAD", "XREADGROUP":
		return afterKeyword(args, "STREAMS")
	case "OBJECT", "XINFO", "MEMORY":
		// OBJECT ENCODING key, XINFO STREAM key, MEMORY USAGE key; the
		// other subcommands (HELP, DOCTOR, STATS) take no key.
		if len(args) >= 2 {
			if sub, _ := argString(args[0]); !strings.EqualFold(sub, "HELP") &&
				!strings.EqualFold(sub, "DOCTOR") && !strings.EqualFold(sub, "STATS") &&
				!strings.EqualFold(sub, "MALLOC-STATS") && !strings.EqualFold(sub, "PURGE") {
				return 1
			}
		}
	}
	return -1
}

// afterNumkeys returns the index of the first key of a command whose
// args[at] is the number of keys that follow, or -1 when there is none.
func afterNumkeys(args []interface{}, at int) int {
	if at >= len(args) {
		return -1
	}
	s, _ := argString(args[at])
	if n, err := strconv.Atoi(s); err != nil || n <= 0 {
		return -1
	}
	return at + 1
}

// afterKeyword returns the index following the first argument equal to
// kw (case-insensitively), or -1.
func afterKeyword(args []interface{}, kw string) int {
	for i, a := range args {
		if s, ok := argString(a); ok && strings.EqualFold(s, kw) {
			return i + 1
		}
	}
	return -1
}

// argString renders an argument as the driver writes it on the wire, so
// that a key's slot is computed on the bytes the server sees. ok is false
// for values whose rendering is not known without side effects.
func argString(a interface{}) (string, bool) {
	switch v := a.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		if v {
			return "1", true
		}
		return "0", true
	case nil:
		return "", true
	case redis.Argument:
		return argString(v.RedisArg())
	default:
		return fmt.Sprint(v), true
	}
}
