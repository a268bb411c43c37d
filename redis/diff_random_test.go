package redis_test

// Randomized differential test: a seeded generator issues commands from a
// grammar over a small keyspace to both sides (on their own databases), in
// plain calls, pipelines and transactions, and every outcome is compared as
// in the tables. Set DIFF_SEED to replay a failing sequence.

import (
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// diffGrammar are command templates. In a template, {x} is replaced:
//
//	{k} a key, {ks} a string key ({kl} list, {kh} hash, {kt} set,
//	{kz} sorted set, {kx} stream, {kg} geo set, {kp} HyperLogLog),
//	{k+} one to three keys, {v} a value, {v+} one to three,
//	{n} a small integer, {s} a score or range bound, {m} a member,
//	{f} a field, {fv+} field-value pairs, {sm+} score-member pairs,
//	{id} a stream id, {lex} a lex range bound,
//	{A|B|_} one of the choices; _ drops the token.
//
// No template may depend on time (TTLs are long), on randomness at the
// server (SPOP, RANDOMKEY, ...) or on the order of the keyspace (KEYS).
var diffGrammar = []string{
	"SET {ks} {v} {NX|XX|_} {GET|_}", "GET {ks}", "GETSET {ks} {v}", "APPEND {ks} {v}", "INCR {ks}", "INCRBY {ks} {n}",
	"DECRBY {ks} {n}", "INCRBYFLOAT {ks} {v}", "STRLEN {ks}", "GETRANGE {ks} {n} {n}", "SETRANGE {ks} {n} {v}",
	"MGET {ks+}", "MSET {ks} {v} {ks} {v}", "MSETNX {ks} {v}", "SETNX {ks} {v}", "GETDEL {ks}", "GETEX {ks} {PERSIST|_}",
	"LPUSH {kl} {v+}", "RPUSH {kl} {v+}", "LPOP {kl} {n|_}", "RPOP {kl}", "LRANGE {kl} {n} {n}", "LLEN {kl}",
	"LINDEX {kl} {n}", "LSET {kl} {n} {v}", "LREM {kl} {n} {v}", "LINSERT {kl} {BEFORE|AFTER} {v} {v}",
	"LPOS {kl} {v} {RANK|COUNT|_} {n}", "LTRIM {kl} {n} {n}", "LMOVE {kl} {kl} {LEFT|RIGHT} {LEFT|RIGHT}",
	"LMPOP 2 {kl} {kl} {LEFT|RIGHT} {COUNT|_} {n}",
	"HSET {kh} {fv+}", "HGET {kh} {f}", "HGETALL {kh}", "HDEL {kh} {f}", "HINCRBY {kh} {f} {n}", "HINCRBYFLOAT {kh} {f} {v}",
	"HKEYS {kh}", "HVALS {kh}", "HLEN {kh}", "HEXISTS {kh} {f}", "HMGET {kh} {f} {f}", "HSETNX {kh} {f} {v}", "HSTRLEN {kh} {f}",
	"SADD {kt} {m} {m}", "SREM {kt} {m}", "SMEMBERS {kt}", "SISMEMBER {kt} {m}", "SMISMEMBER {kt} {m} {m}", "SCARD {kt}",
	"SINTER {kt+}", "SUNION {kt+}", "SDIFF {kt+}", "SINTERCARD 2 {kt} {kt}", "SMOVE {kt} {kt} {m}",
	"ZADD {kz} {NX|XX|GT|LT|_} {CH|_} {sm+}", "ZADD {kz} INCR {s} {m}", "ZINCRBY {kz} {s} {m}", "ZSCORE {kz} {m}",
	"ZMSCORE {kz} {m} {m}", "ZRANGE {kz} {n} {n} {WITHSCORES|REV|_}", "ZRANGE {kz} {s} {s} BYSCORE {WITHSCORES|REV|_}",
	"ZRANGE {kz} {lex} {lex} BYLEX", "ZRANK {kz} {m}", "ZREM {kz} {m}", "ZCARD {kz}", "ZCOUNT {kz} {s} {s}",
	"ZPOPMIN {kz} {n|_}", "ZPOPMAX {kz}", "ZMPOP 1 {kz} {MIN|MAX}", "ZRANGEBYSCORE {kz} {s} {s} {WITHSCORES|_}",
	"ZUNIONSTORE {kz} 2 {kz} {kz}", "ZINTER 2 {kz} {kz} {WITHSCORES|_}",
	"XADD {kx} {id} f {v}", "XRANGE {kx} - +", "XLEN {kx}", "XREAD STREAMS {kx} 0", "XDEL {kx} {id}",
	"GEOADD {kg} {n} {n} {m}", "GEOPOS {kg} {m} {m}", "GEODIST {kg} {m} {m}", "GEOSEARCH {kg} FROMLONLAT 0 0 BYRADIUS 2000 km ASC WITHCOORD WITHDIST",
	"SETBIT {ks} {n} {0|1}", "BITCOUNT {ks}", "PFADD {kp} {m}", "PFCOUNT {kp}",
	"DEL {k+}", "DEL {k}", "UNLINK {k}", "EXISTS {k+}", "TYPE {k}", "EXPIRE {k} 100", "TTL {k}", "PERSIST {k}", "RENAME {kl} {kl}",
	"RENAME {kz} {kz}", "COPY {kh} {kh} {REPLACE|_}", "COPY {kt} {kt} {REPLACE|_}", "OBJECT ENCODING {k}",
	"SORT {kl} {ALPHA|_} {DESC|_}", "SORT {kt} {ALPHA|_}", "DUMP {k}",
	`EVAL 'return redis.call("GET", KEYS[1])' 1 {ks}`, "EVAL 'return {KEYS[1], ARGV[1], tonumber(ARGV[1])}' 1 {k} {v}",
	`EVAL 'return redis.pcall("INCR", KEYS[1])' 1 {k}`, "PING", "ECHO {v}",
}

var diffWords = map[string][]string{
	// Keys, of each type, and all of them.
	"ks":  {"s1", "s2", "s3"},
	"kl":  {"l1", "l2"},
	"kh":  {"h1", "h2"},
	"kt":  {"t1", "t2", "t3"},
	"kz":  {"z1", "z2", "z3"},
	"kx":  {"x1", "x2"},
	"kg":  {"g1", "g2"},
	"kp":  {"p1", "p2"},
	"k":   {"s1", "s2", "s3", "l1", "l2", "h1", "h2", "t1", "t2", "t3", "z1", "z2", "z3", "x1", "x2", "g1", "g2", "p1", "p2"},
	"v":   {"1", "-1", "0", "x", "1.5", "''", "9223372036854775807", "-9223372036854775808", "abc", "10", "1e3", "inf"},
	"n":   {"-3", "-1", "0", "1", "2", "5", "10"},
	"s":   {"1", "-1", "1.5", "+inf", "-inf", "0", "(1", "x", "2"},
	"m":   {"m1", "m2", "m3", "1", "2"},
	"f":   {"f1", "f2", "f3", "1"},
	"id":  {"1-1", "2-0", "3-5", "0-1", "1-0"},
	"lex": {"-", "+", "[m1", "(m2", "x"},
}

// diffGenerator expands the grammar.
type diffGenerator struct{ r *rand.Rand }

// word picks a word of a kind; a key of a type is now and then any key, for
// WRONGTYPE errors (not often: a write makes the key of the wrong type until
// a DEL).
func (g diffGenerator) word(kind string) string {
	if strings.HasPrefix(kind, "k") && g.r.Intn(30) == 0 {
		kind = "k"
	}
	w := diffWords[kind]
	return w[g.r.Intn(len(w))]
}

func (g diffGenerator) command() string {
	var out []string
	for _, tok := range strings.Split(diffGrammar[g.r.Intn(len(diffGrammar))], " ") {
		if !strings.HasPrefix(tok, "{") || !strings.HasSuffix(tok, "}") {
			out = append(out, tok)
			continue
		}
		spec := tok[1 : len(tok)-1]
		switch {
		case strings.Contains(spec, "|"):
			choices := strings.Split(spec, "|")
			if c := choices[g.r.Intn(len(choices))]; c != "_" {
				out = append(out, c)
			}
		case strings.HasSuffix(spec, "+"):
			for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
				switch spec {
				case "fv+":
					out = append(out, g.word("f"), g.word("v"))
				case "sm+":
					out = append(out, g.word("s"), g.word("m"))
				default:
					out = append(out, g.word(strings.TrimSuffix(spec, "+")))
				}
			}
		default:
			out = append(out, g.word(spec))
		}
	}
	return strings.Join(out, " ")
}

// unit returns the steps of one unit of work: a call, a pipeline, or a
// transaction (optionally watched, optionally discarded).
func (g diffGenerator) unit() []string {
	switch p := g.r.Intn(20); {
	case p == 0: // pipeline read by Receive
		var steps []string
		n := 1 + g.r.Intn(4)
		for i := 0; i < n; i++ {
			steps = append(steps, "> "+g.command())
		}
		steps = append(steps, "!flush")
		for i := 0; i < n; i++ {
			steps = append(steps, "!recv")
		}
		return steps
	case p == 1: // pipeline read by Do("") or by the next Do
		steps := []string{"> " + g.command(), "> " + g.command()}
		if g.r.Intn(2) == 0 {
			return append(steps, "!do")
		}
		return append(steps, g.command())
	case p == 2: // transaction
		var steps []string
		if g.r.Intn(2) == 0 {
			steps = append(steps, "WATCH "+g.word("k"), g.command())
		}
		steps = append(steps, "MULTI")
		for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
			steps = append(steps, g.command())
		}
		if g.r.Intn(5) == 0 {
			return append(steps, "DISCARD")
		}
		return append(steps, "EXEC")
	}
	return []string{g.command()}
}

func TestDiffRandomCommands(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("DIFF_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("DIFF_SEED: %v", err)
		}
	}
	steps := 2000
	if testing.Short() {
		steps = 300
	}
	s := newDiffSides(t, plainServer.Addr(), nil, nil)
	g := diffGenerator{rand.New(rand.NewSource(seed))}
	var history []string
	for len(history) < steps {
		for _, step := range g.unit() {
			history = append(history, step)
			s.run(t, step)
		}
		if t.Failed() {
			from := max(0, len(history)-20)
			t.Fatalf("seed %d (replay with DIFF_SEED=%d); the last steps:\n%s",
				seed, seed, strings.Join(history[from:], "\n"))
		}
	}
	t.Logf("seed %d: %d steps", seed, len(history))
}
