package redis_test

// The command tables of the differential test: every command family, with
// its edge cases and error replies. Each case starts on empty databases;
// the steps' syntax is that of diffSides.run. Commands whose replies vary
// between two runs (TIME, INFO, CLIENT LIST, idle times, random picks from
// collections of more than one element, ...) are left out.

import (
	"strings"
	"testing"
)

type diffCase struct {
	name  string
	steps []string
}

// diffFunctionLib is loaded on the shared server by the "functions" case and
// deleted at the end of the test.
const diffFunctionLib = "#!lua name=difflib\n" +
	`redis.register_function("diffecho", function(keys, args) return args end)` + "\n" +
	`redis.register_function{function_name="diffget", callback=function(keys, args) return redis.call("GET", keys[1]) end, flags={"no-writes"}}` + "\n" +
	`redis.register_function("difffail", function(keys, args) return redis.error_reply("FAIL from function") end)`

func TestDiffCommands(t *testing.T) {
	s := newDiffSides(t, plainServer.Addr(), nil, nil)
	t.Cleanup(func() { s.our.Do("FUNCTION", "DELETE", "difflib") })
	steps := 0
	for _, c := range diffCases() {
		t.Run(c.name, func(t *testing.T) {
			s.flushDB(t)
			for _, step := range c.steps {
				s.run(t, step)
			}
		})
		steps += len(c.steps)
	}
	if steps < 700 {
		t.Errorf("only %d steps; the tables lost cases", steps)
	}
	t.Logf("%d steps in %d cases", steps, len(diffCases()))
}

func diffCases() []diffCase {
	var cases []diffCase
	for _, family := range [][]diffCase{
		stringCases(), hashCases(), listCases(), setCases(), sortedSetCases(),
		streamCases(), geoCases(), bitmapCases(), keyspaceCases(), scriptCases(),
		transactionCases(), pipelineCases(), errorCases(),
	} {
		cases = append(cases, family...)
	}
	return cases
}

func stringCases() []diffCase {
	long := strings.Repeat("x", 70000)
	return []diffCase{
		{"set-get", []string{
			"SET k hello", "GET k", "GET missing", "SET k v NX", "SET k v2 XX GET", "GET k",
			"SET k 10 KEEPTTL", "SET k v3 PX 100000 GET", "STRLEN k", "STRLEN missing",
			"SET nx v NX GET", "SET k v NX XX", "SET k v EX 0", "SET k v EX x", "SET '' empty", "GET ''",
			"SET bin '\x00\xff\r\n\t'", "GET bin", "SET big " + long, "STRLEN big", "GETRANGE big 69990 -1",
		}},
		{"mget-mset", []string{
			"MSET a 1 b 2.5 c x", "MGET a b c missing", "MGET missing", "MSETNX a 9 d 4", "MSETNX d 4 e 5",
			"MGET a d e", "MSET a", "RPUSH l x", "MGET a l",
		}},
		{"incr-decr", []string{
			"SET n 10", "INCR n", "INCRBY n -20", "DECR n", "DECRBY n 5", "INCR missing", "INCRBY n x",
			"SET big 9223372036854775807", "INCR big", "GET big", "SET neg -9223372036854775808", "DECR neg",
			"DECRBY neg -9223372036854775808", "SET f 1.5", "INCR f", "INCRBYFLOAT f 0.25", "INCRBYFLOAT f -1e3",
			"INCRBYFLOAT f 5.0e3", "INCRBYFLOAT f x", "INCRBYFLOAT f inf", "INCRBYFLOAT new 3", "GET f",
			"SET s abc", "INCR s", "INCRBYFLOAT s 1", "SET sp ' 1'", "INCR sp",
		}},
		{"append-range", []string{
			"APPEND k hello", "APPEND k ' world'", "GETRANGE k 0 4", "GETRANGE k -5 -1", "GETRANGE k 100 200",
			"GETRANGE k 3 1", "SETRANGE k 6 W", "SETRANGE k 20 x", "GET k", "SETRANGE k -1 x",
			"GETRANGE missing 0 -1", "SUBSTR k 0 2", "SETRANGE empty 0 ''", "EXISTS empty",
		}},
		{"getex-getdel", []string{
			"SET k v", "GETEX k EX 100", "TTL k", "GETEX k PERSIST", "TTL k", "GETDEL k", "GETDEL k",
			"GETEX missing", "GETEX k EX -1", "SETNX k 1", "SETNX k 2", "GET k", "GETSET k 3", "GETSET n 1",
			"SETEX e 100 v", "TTL e", "SETEX e 0 v", "PSETEX p 100000 v", "GET p",
		}},
		{"lcs", []string{
			"MSET a ohmytext b mynewtext", "LCS a b", "LCS a b LEN", "LCS a b IDX", "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN",
			"LCS a missing", "LCS a b LEN IDX",
		}},
	}
}

func hashCases() []diffCase {
	return []diffCase{
		{"hash", []string{
			"HSET h a 1 b -2 c 1.5 d x", "HGET h a", "HGET h zz", "HGETALL h", "HMGET h a zz c", "HKEYS h",
			"HVALS h", "HLEN h", "HEXISTS h a", "HEXISTS h zz", "HINCRBY h b 5", "HINCRBY h d 1",
			"HINCRBY h b 9223372036854775807", "HINCRBYFLOAT h c 0.5", "HINCRBYFLOAT h new 2.5e2",
			"HINCRBYFLOAT h d 1", "HSETNX h b 9", "HSETNX h e 9", "HSTRLEN h d", "HSTRLEN h zz", "HDEL h a zz",
			"HGETALL h", "HGETALL missing", "HMGET missing a", "HMSET h x 1 y 2", "HSET h f", "HSET h",
			"HSCAN h 0", "HSCAN h 0 MATCH x* COUNT 10", "HSCAN h x",
		}},
		{"hash-random", []string{
			"HSET one f v", "HRANDFIELD one", "HRANDFIELD one 2 WITHVALUES", "HRANDFIELD one -2",
			"HRANDFIELD one -2 WITHVALUES", "HRANDFIELD one 0", "HRANDFIELD missing", "HRANDFIELD missing 2",
		}},
		{"hash-struct", []string{
			"HSET h a alpha b 42 c -0.5 d bytes f 1 length 7 groups 3 name n e scanned Any x", "HGETALL h",
			"HSET bad b notanumber f maybe", "HGETALL bad", "CONFIG GET maxmemory-policy",
		}},
	}
}

func listCases() []diffCase {
	return []diffCase{
		{"list", []string{
			"RPUSH l a b c a d", "LPUSH l z", "LRANGE l 0 -1", "LRANGE l 1 2", "LRANGE l 5 1", "LLEN l",
			"LINDEX l 0", "LINDEX l 100", "LPOS l a", "LPOS l a RANK 2", "LPOS l a COUNT 0", "LPOS l a RANK -1 COUNT 5",
			"LPOS l nope", "LPOS l nope COUNT 2", "LPOS l a RANK 0", "LSET l 0 y", "LSET l 99 y", "LSET missing 0 y",
			"LINSERT l BEFORE c q", "LINSERT l AFTER nope q", "LINSERT missing AFTER a q", "LREM l 1 a", "LTRIM l 0 3",
			"LRANGE l 0 -1", "LPOP l", "RPOP l 2", "LPOP missing", "LPOP missing 2", "LPOP l 0", "LPOP l -1",
			"LMOVE l l2 LEFT RIGHT", "RPOPLPUSH l l2", "LRANGE l2 0 -1", "LPUSHX nope a", "RPUSHX l2 b", "LLEN missing",
		}},
		{"lmpop", []string{
			"RPUSH a 1 2 3", "RPUSH b 4", "LMPOP 2 missing a LEFT COUNT 2", "LMPOP 2 missing b RIGHT",
			"LMPOP 1 missing LEFT", "LMPOP 0 a LEFT", "LMPOP 1 a MIDDLE", "LMPOP 1 a LEFT COUNT 0",
		}},
		// A timeout takes up to 100 ms (the server checks them at 10 Hz):
		// three here.
		{"blocking", []string{
			"BLPOP missing 0.01", "RPUSH l x y", "BRPOP missing l 0", "BLPOP l -1", "BLPOP l x",
			"BRPOPLPUSH l l2 0.01", "BLMOVE l2 l RIGHT LEFT 0.01", "BLMPOP 0.01 2 missing l LEFT COUNT 5",
			"BLMPOP 0.01 1 l LEFT", "ZADD z 1 a 2 b", "BZPOPMAX z 0.01", "BZPOPMIN missing z 0.01",
			"BZMPOP 0.01 1 z MIN",
		}},
	}
}

func setCases() []diffCase {
	return []diffCase{
		{"set", []string{
			"SADD s a b c", "SADD s a d", "SADD n 3 1 2", "SMEMBERS n", "SMEMBERS s", "SMEMBERS missing",
			"SISMEMBER s a", "SISMEMBER s zz", "SMISMEMBER s a zz b", "SMISMEMBER missing a", "SCARD s",
			"SREM s a zz", "SINTER s n", "SADD t b x", "SINTER s t", "SINTERCARD 2 s t", "SINTERCARD 2 s t LIMIT 1",
			"SINTERCARD 0 s", "SINTERCARD 1 s LIMIT -1", "SUNION s t", "SDIFF s t", "SDIFFSTORE d s t", "SMEMBERS d",
			"SUNIONSTORE u n t", "SMEMBERS u", "SINTERSTORE i s t", "SMOVE s t c", "SMOVE s t nope", "SMEMBERS t",
			"SSCAN n 0", "SSCAN n 0 MATCH 1* COUNT 100", "SADD n x", "OBJECT ENCODING n", "SMEMBERS n",
		}},
		{"set-random", []string{
			"SADD one only", "SRANDMEMBER one", "SRANDMEMBER one 3", "SRANDMEMBER one -3", "SRANDMEMBER one 0",
			"SRANDMEMBER missing", "SRANDMEMBER missing 2", "SPOP one", "SPOP one", "SADD one a", "SPOP one 5",
			"SPOP missing 1",
		}},
	}
}

func sortedSetCases() []diffCase {
	return []diffCase{
		{"zadd", []string{
			"ZADD z 1 a 2 b 3 c", "ZADD z NX 10 a 4 d", "ZADD z XX CH 5 a 9 zz", "ZADD z GT CH 1 a 6 b",
			"ZADD z LT 0 c", "ZADD z INCR 1.5 a", "ZADD z XX INCR 1 nope", "ZADD z NX INCR 1 a", "ZADD z NX XX 1 a",
			"ZADD z GT LT 1 a", "ZADD z x a", "ZADD z 1", "ZADD z inf i -inf ni", "ZRANGE z 0 -1 WITHSCORES",
			"ZSCORE z a", "ZSCORE z nope", "ZSCORE z i", "ZMSCORE z a nope i", "ZMSCORE missing a", "ZINCRBY z 2 b",
			"ZINCRBY z inf i", "ZINCRBY z -inf i", "ZINCRBY z x b", "ZCARD z", "ZCOUNT z (1 +inf", "ZCOUNT z x 1",
			"ZRANK z b", "ZREVRANK z b", "ZRANK z nope", "ZADD z 1e-320 tiny 1.7976931348623157e308 huge",
			"ZRANGE z 0 -1 WITHSCORES",
		}},
		{"zrange", []string{
			"ZADD z 1 a 2 b 3 c 4 d 5 e", "ZRANGE z 0 2", "ZRANGE z 0 -1 REV", "ZRANGE z (1 4 BYSCORE",
			"ZRANGE z 4 (1 BYSCORE REV WITHSCORES", "ZRANGE z -inf +inf BYSCORE LIMIT 1 2 WITHSCORES",
			"ZRANGE z [b (d BYLEX", "ZRANGE z + - BYLEX REV LIMIT 0 2", "ZRANGE z 0 -1 LIMIT 0 1", "ZRANGE z x 1 BYSCORE",
			"ZRANGEBYSCORE z 2 4 WITHSCORES", "ZREVRANGEBYSCORE z +inf -inf LIMIT 0 1", "ZRANGEBYLEX z - +",
			"ZREVRANGE z 0 1 WITHSCORES", "ZRANGESTORE dst z 0 1", "ZRANGE dst 0 -1 WITHSCORES", "ZRANGE missing 0 -1",
			"ZLEXCOUNT z - +", "ZSCAN z 0", "ZSCAN z 0 MATCH [ab] COUNT 5",
		}},
		{"zpop", []string{
			"ZADD z 1 a 2 b 3 c 4 d 5 e", "ZPOPMIN z", "ZPOPMAX z 2", "ZPOPMIN z 0", "ZPOPMIN missing",
			"ZMPOP 1 z MIN COUNT 2", "ZMPOP 2 missing z MAX", "ZMPOP 1 missing MIN", "ZMPOP 1 z SIDEWAYS",
			"ZADD one 2.5 only", "ZRANDMEMBER one", "ZRANDMEMBER one 2 WITHSCORES", "ZRANDMEMBER one -2 WITHSCORES",
			"ZRANDMEMBER missing", "ZRANDMEMBER missing 1",
		}},
		{"zsetops", []string{
			"ZADD z 1 a 2 b 3 c", "ZADD z2 10 b 20 c 30 d", "ZUNIONSTORE u 2 z z2 WEIGHTS 1 2", "ZRANGE u 0 -1 WITHSCORES",
			"ZINTER 2 z z2 WITHSCORES", "ZINTER 2 z z2 AGGREGATE MAX WITHSCORES", "ZUNION 2 z z2", "ZDIFF 2 z z2 WITHSCORES",
			"ZINTERCARD 2 z z2", "ZDIFFSTORE d 2 z2 z", "ZREMRANGEBYSCORE z 0 1", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYLEX z2 - +",
			"ZREM z a nope", "ZRANGE z 0 -1", "ZUNIONSTORE u 0 z",
		}},
	}
}

func streamCases() []diffCase {
	return []diffCase{
		{"xadd-xrange", []string{
			"XADD s 1-1 f v", "XADD s 1-2 a 1 b 2", "XADD s 1-2 x y", "XADD s 2-* f v", "XADD s MAXLEN 10 3-0 f v",
			"XADD s 4-0 odd", "XADD missing NOMKSTREAM 1-0 f v", "XLEN s", "XRANGE s - +", "XRANGE s - + COUNT 1",
			"XRANGE s (1-1 +", "XREVRANGE s + -", "XREVRANGE s + - COUNT 2", "XRANGE missing - +", "XRANGE s x +",
			"XREAD COUNT 2 STREAMS s 0", "XREAD STREAMS s missing 0 0", "XREAD BLOCK 10 STREAMS s $", "XREAD STREAMS s 9-0",
			"XREAD STREAMS s", "XINFO STREAM s", "XDEL s 1-2 9-9", "XTRIM s MAXLEN 1", "XRANGE s - +", "XINFO STREAM missing",
			"XSETID s 10-0", "XSETID s 1-0", "XINFO STREAM s", "XLEN missing",
		}},
		{"xgroup", []string{
			"XADD s 1-0 f a", "XADD s 2-0 f b", "XADD s 3-0 f c", "XGROUP CREATE s g 0", "XGROUP CREATE s g 0",
			"XGROUP CREATE missing g $", "XGROUP CREATE m2 g $ MKSTREAM", "XREADGROUP GROUP g c1 COUNT 2 STREAMS s >",
			"XREADGROUP GROUP g c2 STREAMS s >", "XREADGROUP GROUP g c2 STREAMS s >", "XREADGROUP GROUP g c1 STREAMS s 0",
			"XPENDING s g", "XACK s g 1-0 9-0", "XPENDING s g", "XPENDING s nog", "XAUTOCLAIM s g c3 0 0-0 COUNT 10 JUSTID",
			"XAUTOCLAIM s g c3 0 0-0", "XCLAIM s g c1 0 2-0 JUSTID", "XCLAIM s g c1 0 3-0 9-0", "XINFO GROUPS s",
			"XREADGROUP GROUP nog c STREAMS s >", "XGROUP CREATECONSUMER s g c9", "XGROUP CREATECONSUMER s g c9",
			"XGROUP DELCONSUMER s g c9", "XGROUP DELCONSUMER s g c1", "XGROUP SETID s g 0", "XINFO GROUPS s",
			"XGROUP DESTROY s g", "XGROUP DESTROY s g", "XINFO GROUPS s",
		}},
	}
}

func geoCases() []diffCase {
	return []diffCase{
		{"geo", []string{
			"GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
			"GEOADD g NX CH 13.361389 38.115556 Palermo 2.35 48.85 Paris", "GEOADD g 200 100 bad", "GEOADD g x 1 bad",
			"GEOPOS g Palermo Catania Nowhere", "GEOPOS g Nowhere", "GEOPOS missing a", "GEODIST g Palermo Catania",
			"GEODIST g Palermo Catania km", "GEODIST g Palermo Nowhere", "GEODIST g Palermo Catania parsecs",
			"GEOHASH g Palermo Nowhere", "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km ASC",
			"GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH",
			"GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 2000 km ASC WITHCOORD", "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 2000 km DESC WITHDIST",
			"GEOSEARCH g FROMMEMBER Palermo BYBOX 400 400 km DESC COUNT 1 WITHDIST", "GEOSEARCH g FROMMEMBER Nowhere BYRADIUS 1 km",
			"GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 1 m", "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
			"ZRANGE dst 0 -1 WITHSCORES", "GEORADIUS g 15 37 200 km WITHDIST ASC", "GEORADIUSBYMEMBER g Palermo 100 km ASC",
			"ZSCORE g Palermo", "ZRANGE g 0 -1 WITHSCORES",
		}},
	}
}

func bitmapCases() []diffCase {
	return []diffCase{
		{"bitmap", []string{
			"SETBIT b 7 1", "SETBIT b 100 1", "SETBIT b 7 1", "GETBIT b 7", "GETBIT b 1000", "SETBIT b 7 2", "SETBIT b -1 1",
			"BITCOUNT b", "BITCOUNT b 0 0", "BITCOUNT b 0 7 BIT", "BITCOUNT missing", "BITPOS b 1", "BITPOS b 0 1 -1",
			"BITPOS missing 1", "BITPOS missing 0", "SET c abc", "BITOP AND d b c", "BITOP NOT e c", "GET e", "BITOP NOT e b c",
			"BITFIELD bf SET u8 0 255 GET u8 0 INCRBY u8 0 10 OVERFLOW FAIL INCRBY u8 0 300", "BITFIELD bf GET i16 0",
			"BITFIELD_RO bf GET u4 0", "BITFIELD bf GET u64 0", "GET b",
		}},
		{"hyperloglog", []string{
			"PFADD h a b c", "PFADD h a", "PFADD h", "PFCOUNT h", "PFADD h2 c d", "PFCOUNT h h2", "PFMERGE m h h2",
			"PFCOUNT m", "GET h", "PFCOUNT missing", "SET s x", "PFADD s a", "PFCOUNT s",
		}},
	}
}

func keyspaceCases() []diffCase {
	return []diffCase{
		{"types", []string{
			"SET a 1", "RPUSH l x", "HSET h f v", "SADD s m", "ZADD z 1 m", "XADD x 1-0 f v", "PFADD p e",
			"TYPE a", "TYPE l", "TYPE h", "TYPE s", "TYPE z", "TYPE x", "TYPE p", "TYPE missing",
			"EXISTS a l missing a", "~KEYS *", "~KEYS [ah]", "~SCAN 0 COUNT 100", "~SCAN 0 COUNT 100 TYPE list",
			"~SCAN 0 MATCH * COUNT 100", "SCAN x", "DBSIZE", "OBJECT ENCODING a", "OBJECT ENCODING l",
			"OBJECT ENCODING h", "OBJECT ENCODING s", "OBJECT ENCODING z", "OBJECT ENCODING x", "OBJECT ENCODING missing",
			"SET str abc", "OBJECT ENCODING str", "APPEND str def", "OBJECT ENCODING str", "SADD ints 1 2 3",
			"OBJECT ENCODING ints", "OBJECT FREQ a", "OBJECT REFCOUNT l", "TOUCH a l missing",
		}},
		{"rename-copy", []string{
			"SET a 1", "RPUSH l x y", "RENAME a b", "RENAME missing c", "RENAMENX b l", "RENAMENX b c", "COPY l l2",
			"COPY l l2", "COPY l l2 REPLACE", "LRANGE l2 0 -1", "DEL b l2 missing", "UNLINK l", "DEL missing",
			"DUMP c", "DUMP missing", "RPUSH l a", "DUMP l", "SADD s 1 2", "DUMP s", "HSET h a b", "DUMP h",
			"RESTORE new 0 garbage", "RESTORE c 0 garbage", "MOVE c 99",
		}},
		{"expire", []string{
			"SET k v", "EXPIRE k 100", "TTL k", "EXPIRE k 100 NX", "EXPIRE k 200 GT", "EXPIRE k 10 GT", "TTL k",
			"PERSIST k", "PERSIST k", "TTL k", "TTL missing", "PTTL k", "PTTL missing", "EXPIREAT k 4102444800",
			"EXPIRETIME k", "PEXPIRETIME k", "PEXPIREAT k 4102444800123", "PEXPIRETIME k", "EXPIRETIME missing",
			"EXPIRE k x", "EXPIRE missing 10", "EXPIRE k 1 NX GT", "SET t v", "PEXPIRE t 100000", "TTL t",
			"EXPIRE k -1", "EXISTS k",
		}},
		{"sort", []string{
			"RPUSH l 3 1 2", "SORT l", "SORT l DESC LIMIT 0 2", "RPUSH w b a c", "SORT w", "SORT w ALPHA",
			"SORT l STORE dst", "LRANGE dst 0 -1", "SORT_RO l", "SORT l BY nosort", "SORT missing", "SORT l LIMIT x 1",
			"SADD s 10 9 8", "SORT s", "MSET w_a 3 w_b 1 w_c 2", "SORT w BY w_* ALPHA", "SORT w BY nosort GET # GET w_*",
		}},
	}
}

func scriptCases() []diffCase {
	return []diffCase{
		{"eval-types", []string{
			"EVAL 'return 1' 0", "EVAL 'return -7.9' 0", `EVAL 'return "s"' 0`, "EVAL 'return true' 0",
			"EVAL 'return false' 0", "EVAL 'return nil' 0", "EVAL 'return' 0", `EVAL 'return {1, 2.5, "x", true, false}' 0`,
			"EVAL 'return {1, nil, 3}' 0", "EVAL 'return {nil, 1}' 0", `EVAL 'return {{1, {"a"}}, {}}' 0`, "EVAL 'return {}' 0",
			`EVAL 'return {err="MYERR custom"}' 0`, `EVAL 'return {ok="FINE"}' 0`, `EVAL 'return redis.error_reply("BAD thing")' 0`,
			`EVAL 'return redis.status_reply("OK2")' 0`, `EVAL 'return {"a", {err="E nested"}, {ok="S nested"}}' 0`,
			"EVAL 'return 9007199254740993' 0", "EVAL 'return -0.5' 0", "EVAL 'return 1e400' 0",
			`EVAL 'return string.rep("x", 3)' 0`, `EVAL 'return {"1", "2.5", "-3"}' 0`, `EVAL 'return {"k", "1", "v", "2"}' 0`,
			`EVAL 'return {{"1.5", "2"}, false, {"x", "y"}}' 0`, `EVAL 'return {{1, 2}, {3}}' 0`, `EVAL 'return {{1, 2, 3}}' 0`,
		}},
		{"eval-keys", []string{
			"SET k v", "RPUSH l x", `EVAL 'return redis.call("GET", KEYS[1])' 1 k`, `EVAL 'return redis.call("INCR", KEYS[1])' 1 l`,
			`EVAL 'return {redis.pcall("INCR", KEYS[1]), 1}' 1 l`, `EVAL 'return redis.pcall("NOSUCH")' 0`,
			"EVAL 'return KEYS' 2 a b", "EVAL 'return ARGV' 0 x '' y", "EVAL 'return {KEYS[1], ARGV[1]}' 1 k",
			`EVAL 'error("boom")' 0`, "EVAL 'syntax error here' 0", "EVAL 'return 1' -1", "EVAL 'return 1' 5 a",
			"EVAL 'return 1' x", "EVALSHA ffffffffffffffffffffffffffffffffffffffff 0", "EVALSHA short 0",
			`EVAL_RO 'return redis.call("GET", KEYS[1])' 1 k`, `EVAL_RO 'return redis.call("SET", KEYS[1], 1)' 1 k`,
			"SCRIPT EXISTS ffffffffffffffffffffffffffffffffffffffff", "EVAL 'return redis.sha1hex(\"\")' 0",
		}},
		{"functions", []string{
			"FUNCTION LOAD REPLACE '" + diffFunctionLib + "'", "FCALL diffecho 0 a b", "FCALL diffecho 0",
			"FCALL_RO diffget 1 k", "SET k v", "FCALL_RO diffget 1 k", "FCALL difffail 0", "FCALL nosuchfn 0",
			"FUNCTION LOAD garbage", "FCALL diffecho", "FCALL diffecho x",
		}},
	}
}

func transactionCases() []diffCase {
	return []diffCase{
		{"multi-exec", []string{
			"MULTI", "SET k 1", "INCR k", "LPUSH k x", "GET k", "GET missing", "EXEC", "EXEC", "MULTI", "MULTI", "PING",
			"DISCARD", "DISCARD", "MULTI", "EXEC",
		}},
		{"exec-abort", []string{
			"MULTI", "SET k", "NOSUCHCMD", "INCR k", "EXEC", "GET k", "MULTI", "SET k 1", "SET k v BADOPT", "EXEC",
		}},
		{"watch", []string{
			"SET k 1", "WATCH k", "MULTI", "INCR k", "EXEC", "WATCH k", "SET k 2", "MULTI", "INCR k", "EXEC", "GET k",
			"WATCH k", "UNWATCH", "SET k 3", "MULTI", "INCR k", "EXEC", "MULTI", "WATCH k", "DISCARD",
			"WATCH missing", "SET missing 1", "MULTI", "EXEC",
		}},
		{"pipelined-multi", []string{
			"> MULTI", "> INCR k", "> INCR k", "> EXEC", "!flush", "!recv", "!recv", "!recv", "!recv",
			"> MULTI", "> GET k", "> LPUSH k x", "> EXEC", "!do", "> MULTI", "> SET k", "> EXEC", "!do",
		}},
	}
}

func pipelineCases() []diffCase {
	return []diffCase{
		{"send-receive", []string{
			"!do", "> SET k v", "> GET k", "> NOSUCH", "> INCR k", "> GET missing", "!flush", "!recv", "!recv", "!recv",
			"!recv", "!recv", "!do", "PING",
		}},
		{"do-empty", []string{
			"> SET a 1", "> INCR a", "!do", "> NOSUCH", "!do", "> PING", "> NOSUCH", "> ECHO x", "!do", "!do",
			"> RPUSH l a b", "> LRANGE l 0 -1", "> EXEC", "!do",
		}},
		{"do-after-send", []string{
			"> SET k 1", "> INCR k", "GET k", "> NOSUCH", "GET k", "> INCR k", "> GET k", "NOSUCH", "GET k",
		}},
		{"send-errors", []string{
			"> SET k", "!flush", "!recv", "> SUBSCRIBE", "!flush", "!recv", "PING",
		}},
	}
}

func errorCases() []diffCase {
	return []diffCase{
		{"server-errors", []string{
			"SET k v", "LPUSH k x", "HGET k f", "NOSUCHCOMMAND a b", "NOSUCHCOMMAND", "GET", "GET a b",
			"SET k v BADOPT", "SELECT 99", "SELECT x", "CONFIG GET", "CLIENT NOSUCH", "HSET h f", "ZADD z 1",
			"LRANGE l a b", "OBJECT", "ECHO", "PING hello", "PING a b", "AUTH nopass", "AUTH user pass",
			"SUBSCRIBE", "WAIT 0 0", "DEBUG NOSUCH",
		}},
		{"introspection", []string{
			"COMMAND COUNT", "COMMAND INFO GET SET NOSUCH", "COMMAND GETKEYS SET k v", "COMMAND GETKEYS GET",
			"COMMAND GETKEYSANDFLAGS LMOVE a b LEFT RIGHT", "CLIENT SETNAME diff", "CLIENT GETNAME", "CLIENT SETNAME ''",
			"CLIENT GETNAME", "CLIENT SETNAME 'has space'", "ECHO ''", "ECHO 'with space'", "CONFIG GET maxmemory",
			"CONFIG GET no-such-param", "OBJECT HELP", "DBSIZE", "LASTSAVE x",
		}},
	}
}
