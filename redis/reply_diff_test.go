package redis_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"

	upstream "github.com/gomodule/redigo/redis"
	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/redis"
)

// The differential test feeds every reply helper of upstream redigo and ours
// the asIs synthetic replies and requires the asIs results: values, error
// texts, and what errors.Is / errors.As find in the errors.

// diffHelper calls one helper of each implementation. Results come back in a
// canonical form that reflect.DeepEqual can compare: floats as strings (so
// NaN equals NaN), positions dereferenced, upstream's Error and structs
// turned into ours.
type diffHelper struct {
	name string
	up   func(reply interface{}, err error) (interface{}, error)
	our  func(reply interface{}, err error) (interface{}, error)
}

func helperPair[U, O any](name string,
	up func(interface{}, error) (U, error), upCanon func(U) interface{},
	our func(interface{}, error) (O, error), ourCanon func(O) interface{},
) diffHelper {
	return diffHelper{
		name: name,
		up: func(reply interface{}, err error) (interface{}, error) {
			v, err := up(reply, err)
			return upCanon(v), err
		},
		our: func(reply interface{}, err error) (interface{}, error) {
			v, err := our(reply, err)
			return ourCanon(v), err
		},
	}
}

func asIs[T any](v T) interface{} { return v }

func floatText(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func canonFloat(f float64) interface{} { return floatText(f) }

func canonFloats(fs []float64) interface{} {
	if fs == nil {
		return []string(nil)
	}
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = floatText(f)
	}
	return keys
}

func canonFloatMap(m map[string]float64) interface{} {
	if m == nil {
		return map[string]string(nil)
	}
	keys := make(map[string]string, len(m))
	for k, f := range m {
		keys[k] = floatText(f)
	}
	return keys
}

func canonPositions(ps []*[2]float64) interface{} {
	if ps == nil {
		return []interface{}(nil)
	}
	out := make([]interface{}, len(ps))
	for i, p := range ps {
		if p != nil {
			out[i] = [2]string{floatText(p[0]), floatText(p[1])}
		}
	}
	return out
}

// fromUpstream maps upstream's Error to ours, inside arrays too.
func fromUpstream(v interface{}) interface{} {
	switch v := v.(type) {
	case upstream.Error:
		return redis.Error(v)
	case []interface{}:
		if v == nil {
			return v
		}
		out := make([]interface{}, len(v))
		for i := range v {
			out[i] = fromUpstream(v[i])
		}
		return out
	}
	return v
}

// toUpstream maps our Error to upstream's, inside arrays too.
func toUpstream(v interface{}) interface{} {
	switch v := v.(type) {
	case redis.Error:
		return upstream.Error(v)
	case []interface{}:
		if v == nil {
			return v
		}
		out := make([]interface{}, len(v))
		for i := range v {
			out[i] = toUpstream(v[i])
		}
		return out
	}
	return v
}

func canonUpValues(v []interface{}) interface{} { return fromUpstream(v) }

func canonUpSlowLogs(logs []upstream.SlowLog) interface{} {
	if logs == nil {
		return []redis.SlowLog(nil)
	}
	out := make([]redis.SlowLog, len(logs))
	for i, l := range logs {
		out[i] = redis.SlowLog(l)
	}
	return out
}

func canonUpLatencies(ls []upstream.Latency) interface{} {
	if ls == nil {
		return []redis.Latency(nil)
	}
	out := make([]redis.Latency, len(ls))
	for i, l := range ls {
		out[i] = redis.Latency(l)
	}
	return out
}

func canonUpHistories(hs []upstream.LatencyHistory) interface{} {
	if hs == nil {
		return []redis.LatencyHistory(nil)
	}
	out := make([]redis.LatencyHistory, len(hs))
	for i, h := range hs {
		out[i] = redis.LatencyHistory(h)
	}
	return out
}

func diffHelpers() []diffHelper {
	return []diffHelper{
		helperPair("Int", upstream.Int, asIs[int], redis.Int, asIs[int]),
		helperPair("Int64", upstream.Int64, asIs[int64], redis.Int64, asIs[int64]),
		helperPair("Uint64", upstream.Uint64, asIs[uint64], redis.Uint64, asIs[uint64]),
		helperPair("Float64", upstream.Float64, canonFloat, redis.Float64, canonFloat),
		helperPair("String", upstream.String, asIs[string], redis.String, asIs[string]),
		helperPair("Bytes", upstream.Bytes, asIs[[]byte], redis.Bytes, asIs[[]byte]),
		helperPair("Bool", upstream.Bool, asIs[bool], redis.Bool, asIs[bool]),
		//lint:ignore SA1019 the deprecated helper must match upstream too
		helperPair("MultiBulk", upstream.MultiBulk, canonUpValues, redis.MultiBulk, asIs[[]interface{}]),
		helperPair("Values", upstream.Values, canonUpValues, redis.Values, asIs[[]interface{}]),
		helperPair("Float64s", upstream.Float64s, canonFloats, redis.Float64s, canonFloats),
		helperPair("Strings", upstream.Strings, asIs[[]string], redis.Strings, asIs[[]string]),
		helperPair("ByteSlices", upstream.ByteSlices, asIs[[][]byte], redis.ByteSlices, asIs[[][]byte]),
		helperPair("Int64s", upstream.Int64s, asIs[[]int64], redis.Int64s, asIs[[]int64]),
		helperPair("Ints", upstream.Ints, asIs[[]int], redis.Ints, asIs[[]int]),
		helperPair("Uint64s", upstream.Uint64s, asIs[[]uint64], redis.Uint64s, asIs[[]uint64]),
		helperPair("StringMap", upstream.StringMap, asIs[map[string]string], redis.StringMap, asIs[map[string]string]),
		helperPair("IntMap", upstream.IntMap, asIs[map[string]int], redis.IntMap, asIs[map[string]int]),
		helperPair("Int64Map", upstream.Int64Map, asIs[map[string]int64], redis.Int64Map, asIs[map[string]int64]),
		helperPair("Uint64Map", upstream.Uint64Map, asIs[map[string]uint64], redis.Uint64Map, asIs[map[string]uint64]),
		helperPair("Float64Map", upstream.Float64Map, canonFloatMap, redis.Float64Map, canonFloatMap),
		helperPair("Positions", upstream.Positions, canonPositions, redis.Positions, canonPositions),
		helperPair("SlowLogs", upstream.SlowLogs, canonUpSlowLogs, redis.SlowLogs, asIs[[]redis.SlowLog]),
		helperPair("Latencies", upstream.Latencies, canonUpLatencies, redis.Latencies, asIs[[]redis.Latency]),
		helperPair("LatencyHistories", upstream.LatencyHistories, canonUpHistories, redis.LatencyHistories, asIs[[]redis.LatencyHistory]),
	}
}

type replyArray = []interface{}

func bulkReply(s string) []byte { return []byte(s) }

// scalarReplies are replies of every type, with values chosen to hit the
// edges of each conversion.
func scalarReplies() []interface{} {
	replies := []interface{}{
		int64(0), int64(1), int64(-1), int64(42), int64(-42),
		int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt32) + 1,
		int64(math.MinInt32) - 1, int64(math.MaxUint32),
		"", "OK", "QUEUED", "12", "-3", "1.5", "true",
		nil, redis.Error("ERR boom"), redis.Error(""),
		// Go types no reply has.
		1, int8(1), int16(1), int32(3), uint(1), uint8(1), uint16(1), uint32(1),
		uint64(4), uint64(math.MaxUint64), uintptr(1), float32(1), 1.5, complex(1, 0),
		true, []string{"a"}, [1]byte{'1'}, map[string]string{}, struct{}{},
	}
	for _, s := range []string{
		"", "0", "1", "-1", "12", " 12", "12 ", "+5", "0x10", "1_000", "007",
		"1.5", "-1.5", "1e3", "1E400", "-1e400", "1e-400", "-0", "0.0",
		"inf", "-inf", "+Inf", "Infinity", "nan", "NaN",
		"abc", "t", "T", "TRUE", "True", "f", "F", "FALSE", "yes", "\x00", "é",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"2147483648", "-2147483649", "4294967296",
	} {
		replies = append(replies, bulkReply(s))
	}
	return replies
}

// arrayReplies are arrays for the slice, map and geo helpers.
func arrayReplies() []interface{} {
	replies := []interface{}{
		replyArray{}, replyArray(nil), replyArray{nil}, replyArray{nil, nil},
		replyArray{replyArray{}}, replyArray{replyArray{bulkReply("1")}}, replyArray{replyArray{nil}},
		replyArray{bulkReply("1"), int64(2), nil}, replyArray{bulkReply("1"), redis.Error("ERR e")},
		replyArray{redis.Error("ERR e"), bulkReply("x")}, replyArray{bulkReply("1"), bulkReply("x"), redis.Error("ERR e")},
		replyArray{bulkReply("1"), "2", bulkReply("3")}, replyArray{int64(1), int64(-2), int64(math.MaxInt64)},
		replyArray{bulkReply("1.5"), bulkReply("inf"), bulkReply("nan"), bulkReply("-2")},
		replyArray{bulkReply("18446744073709551615"), bulkReply("9223372036854775808")},
		replyArray{bulkReply("a"), bulkReply("1"), bulkReply("b"), bulkReply("2")},
		replyArray{bulkReply("a"), bulkReply("1"), bulkReply("a"), bulkReply("2")},
		replyArray{bulkReply("a"), bulkReply("1"), bulkReply("b"), bulkReply("x")},
		replyArray{bulkReply("a"), bulkReply("x"), int64(1), bulkReply("1")},
		replyArray{bulkReply("a"), bulkReply("1"), bulkReply("b")},
		replyArray{bulkReply("a"), bulkReply("1"), bulkReply("b"), bulkReply("2"), bulkReply("c")},
		replyArray{bulkReply(""), bulkReply("")},
	}
	// Every element kind alone, and every ordered pair of a smaller set
	// (key and value of a one-entry map).
	for _, s := range scalarReplies() {
		replies = append(replies, replyArray{s})
	}
	pairParts := []interface{}{
		nil, int64(7), int64(-7), "st", "12", bulkReply("k"), bulkReply("12"), bulkReply("-12"),
		bulkReply("1.5"), bulkReply("x"), bulkReply("99999999999999999999"), bulkReply("1e400"),
		redis.Error("ERR e"), replyArray{}, replyArray{bulkReply("1"), bulkReply("2")}, 1.5,
	}
	for _, a := range pairParts {
		for _, b := range pairParts {
			replies = append(replies, replyArray{a, b})
		}
	}
	return replies
}

// geoReplies are GEOPOS-shaped replies, well and badly formed.
func geoReplies() []interface{} {
	return []interface{}{
		replyArray{replyArray{bulkReply("13.361389"), bulkReply("38.115556")}, nil, replyArray{bulkReply("-1"), bulkReply("0")}},
		replyArray{replyArray{bulkReply("1")}}, replyArray{replyArray{bulkReply("1"), bulkReply("2"), bulkReply("3")}},
		replyArray{replyArray{bulkReply("x"), bulkReply("2")}}, replyArray{replyArray{bulkReply("1"), bulkReply("x")}},
		replyArray{replyArray{bulkReply("x"), bulkReply("y")}}, replyArray{replyArray{nil, bulkReply("2")}},
		replyArray{replyArray{bulkReply("1"), nil}}, replyArray{replyArray{int64(1), bulkReply("2")}},
		replyArray{replyArray{"1", bulkReply("2")}}, replyArray{replyArray{redis.Error("ERR e"), bulkReply("2")}},
		replyArray{replyArray{bulkReply("1e400"), bulkReply("nan")}}, replyArray{replyArray{bulkReply("1"), bulkReply("2")}, bulkReply("3")},
		replyArray{replyArray{bulkReply("1"), bulkReply("2")}, int64(3)}, replyArray{replyArray{bulkReply("1"), bulkReply("2")}, replyArray{}},
	}
}

// badEntryFields are values that fit no field of a diagnostics entry, or only
// some.
func badEntryFields() []interface{} {
	return []interface{}{
		nil, "status", bulkReply("7"), int64(-1), redis.Error("ERR f"), replyArray{},
		replyArray{bulkReply("GET")}, replyArray{int64(1)}, replyArray{nil}, replyArray{"GET"}, 1.5,
	}
}

// entryVariants returns good plus every truncation, extension, one bad field
// and two bad fields of it, each as a one-entry reply, and some two-entry
// replies.
func entryVariants(good replyArray) []interface{} {
	replies := []interface{}{replyArray{good}, replyArray{good, good}}
	for n := 0; n < len(good); n++ {
		replies = append(replies, replyArray{good[:n:n]})
	}
	replies = append(replies,
		replyArray{append(good[:len(good):len(good)], bulkReply("extra"))},
		replyArray{append(good[:len(good):len(good)], bulkReply("x"), bulkReply("y"))},
	)
	with := func(fields map[int]interface{}) replyArray {
		e := append(replyArray{}, good...)
		for i, v := range fields {
			e[i] = v
		}
		return e
	}
	bad := badEntryFields()
	for i := range good {
		for _, v := range bad {
			e := with(map[int]interface{}{i: v})
			replies = append(replies, replyArray{e}, replyArray{good, e})
			// The same bad field in a shortened entry.
			if i > 0 {
				replies = append(replies, replyArray{e[: i+1 : i+1]})
			}
		}
		for j := i + 1; j < len(good); j++ {
			for _, v := range []interface{}{nil, "status", redis.Error("ERR f")} {
				replies = append(replies, replyArray{with(map[int]interface{}{i: v, j: v})})
			}
		}
	}
	return replies
}

func diagnosticReplies() []interface{} {
	slowlog := replyArray{int64(7), int64(1700000000), int64(1500), replyArray{bulkReply("GET"), bulkReply("k")}, bulkReply("127.0.0.1:5000"), bulkReply("name")}
	latency := replyArray{bulkReply("command"), int64(1700000000), int64(15), int64(20)}
	history := replyArray{int64(1700000000), int64(15)}
	replies := entryVariants(slowlog)
	replies = append(replies, entryVariants(slowlog[:4])...)
	replies = append(replies, entryVariants(slowlog[:5])...)
	replies = append(replies, entryVariants(latency)...)
	replies = append(replies, entryVariants(history)...)
	replies = append(replies,
		replyArray{replyArray{int64(1), int64(-5), int64(math.MaxInt64), replyArray{}, bulkReply(""), bulkReply("")}},
		replyArray{replyArray{int64(1), int64(2), int64(math.MinInt64), replyArray{nil, "s", bulkReply("b")}, "addr", "name"}},
		replyArray{replyArray{"cmd", int64(-1), int64(math.MaxInt64), int64(-3)}},
		replyArray{replyArray{int64(math.MinInt64), int64(math.MaxInt64)}},
	)
	return replies
}

func diffReplies() []interface{} {
	var replies []interface{}
	replies = append(replies, scalarReplies()...)
	replies = append(replies, arrayReplies()...)
	replies = append(replies, geoReplies()...)
	replies = append(replies, diagnosticReplies()...)
	return replies
}

// callRecovering runs f, turning a panic into panicked=true.
func callRecovering(f func(interface{}, error) (interface{}, error), reply interface{}, err error) (v interface{}, rerr error, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	v, rerr = f(reply, err)
	return v, rerr, false
}

// errorDiff describes how ours differs from upstream's error, or is "".
func errorDiff(upErr, ourErr, callErr error) string {
	if (upErr == nil) != (ourErr == nil) {
		return fmt.Sprintf("error: upstream %v, ours %v", upErr, ourErr)
	}
	if upErr == nil {
		return ""
	}
	if upErr.Error() != ourErr.Error() {
		return fmt.Sprintf("error text: upstream %q, ours %q", upErr.Error(), ourErr.Error())
	}
	if a, b := errors.Is(upErr, upstream.ErrNil), errors.Is(ourErr, redis.ErrNil); a != b {
		return fmt.Sprintf("errors.Is ErrNil: upstream %v, ours %v", a, b)
	}
	if callErr != nil && ourErr != callErr {
		return fmt.Sprintf("err argument not returned as is: %v", ourErr)
	}
	var upE upstream.Error
	var ourE redis.Error
	if a, b := errors.As(upErr, &upE), errors.As(ourErr, &ourE); a != b || string(upE) != string(ourE) {
		return fmt.Sprintf("errors.As Error: upstream %v %q, ours %v %q", a, upE, b, ourE)
	}
	_, upDirect := upErr.(upstream.Error)
	_, ourDirect := ourErr.(redis.Error)
	if upDirect != ourDirect {
		return fmt.Sprintf("error is an Error: upstream %v, ours %v", upDirect, ourDirect)
	}
	var upNum, ourNum *strconv.NumError
	if a, b := errors.As(upErr, &upNum), errors.As(ourErr, &ourNum); a != b || (a && *upNum != *ourNum) {
		return fmt.Sprintf("errors.As *strconv.NumError: upstream %v %+v, ours %v %+v", a, upNum, b, ourNum)
	}
	if a, b := errors.Unwrap(upErr) != nil, errors.Unwrap(ourErr) != nil; a != b {
		return fmt.Sprintf("wraps an error: upstream %v, ours %v", a, b)
	}
	return ""
}

// upstreamPanics lists the helpers upstream panics in on malformed input;
// ours must return an error there instead.
var upstreamPanics = map[string]bool{"LatencyHistories": true}

// compareWithUpstream calls h's two sides with reply and err and reports
// every difference. It returns whether upstream panicked.
func compareWithUpstream(t *testing.T, h diffHelper, reply interface{}, err error) (upPanic bool) {
	t.Helper()
	upErrArg := err
	if e, ok := err.(redis.Error); ok {
		upErrArg = upstream.Error(e) // Do's error for an error reply
	}
	upV, upErr, upPanic := callRecovering(h.up, toUpstream(reply), upErrArg)
	ourV, ourErr, ourPanic := callRecovering(h.our, reply, err)
	switch {
	case ourPanic:
		t.Errorf("%s(%#v, %v) panicked", h.name, reply, err)
		return upPanic
	case upPanic:
		if !upstreamPanics[h.name] {
			t.Errorf("%s(%#v, %v): upstream panicked; new case to review", h.name, reply, err)
		}
		if ourErr == nil {
			t.Errorf("%s(%#v, %v) = %#v, nil; want an error where upstream panics", h.name, reply, err, ourV)
		}
		return true
	}
	if !reflect.DeepEqual(upV, ourV) {
		t.Errorf("%s(%#v, %v) value:\n upstream %#v\n ours     %#v", h.name, reply, err, upV, ourV)
	}
	if d := errorDiff(upErr, ourErr, err); d != "" {
		t.Errorf("%s(%#v, %v) %s", h.name, reply, err, d)
	}
	return false
}

func TestReplyHelpersMatchUpstream(t *testing.T) {
	replies := diffReplies()
	callErr := errors.New("network down")
	errReplies := []interface{}{nil, int64(1), bulkReply("1"), "OK", redis.Error("ERR e"), replyArray{bulkReply("a"), bulkReply("1")}}
	compared, upstreamPanicked := 0, 0
	for _, h := range diffHelpers() {
		for _, reply := range replies {
			if compareWithUpstream(t, h, reply, nil) {
				upstreamPanicked++
			}
		}
		for _, reply := range errReplies {
			if compareWithUpstream(t, h, reply, callErr) {
				upstreamPanicked++
			}
		}
		compared += len(replies) + len(errReplies)
	}
	if compared < 10000 {
		t.Errorf("only %d comparisons; the tables lost cases", compared)
	}
	if upstreamPanicked == 0 {
		t.Error("no input reached upstream's LatencyHistories panic; the short-entry cases are gone")
	}
	t.Logf("%d comparisons, %d where upstream panicked", compared, upstreamPanicked)
}

// TestReplyHelpersMatchUpstreamOnServerReplies compares the helpers on
// replies of a real server, read by our Conn: SLOWLOG, LATENCY and GEOPOS
// shapes as Redis sends them, EXEC with an error inside, and more.
func TestReplyHelpersMatchUpstreamOnServerReplies(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{
		Debug: true,
		// Log every command, and every event of 1ms or more.
		Args: []string{"slowlog-log-slower-than 0", "latency-monitor-threshold 1"},
	})
	c, err := redis.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	commands := [][]interface{}{
		{"HSET", "h", "a", "1", "b", "-2", "c", "1.5", "d", "x"},
		{"HGETALL", "h"},
		{"HGETALL", "missing"},
		{"HMGET", "h", "a", "missing", "b"},
		{"CONFIG", "GET", "slowlog-*"},
		{"GEOADD", "g", "13.361389", "38.115556", "Palermo"},
		{"GEOPOS", "g", "Palermo", "Nowhere"},
		{"SET", "n", "42"},
		{"GET", "n"},
		{"INCR", "n"},
		{"GET", "missing"},
		{"MGET", "n", "missing", "h"},
		{"PING"},
		{"INCR", "h"}, // WRONGTYPE
		{"ZADD", "z", "1.5", "a", "inf", "b", "-3", "c"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"MULTI"},
		{"INCR", "n"},
		{"INCR", "h"},
		{"EXEC"}, // an Error inside the array
		{"DEBUG", "SLEEP", "0.01"},
		{"LATENCY", "LATEST"},
		{"LATENCY", "HISTORY", "command"},
		{"SLOWLOG", "GET"},
		{"SLOWLOG", "GET", "1"},
	}
	helpers := diffHelpers()
	for _, cmd := range commands {
		reply, err := c.Do(cmd[0].(string), cmd[1:]...)
		for _, h := range helpers {
			if compareWithUpstream(t, h, reply, err) {
				t.Errorf("%s on the reply to %v: upstream panicked", h.name, cmd)
			}
		}
		// The diagnostics helpers must have had something to parse.
		switch fmt.Sprint(cmd) {
		case "[LATENCY LATEST]":
			if l, err := redis.Latencies(reply, err); err != nil || len(l) == 0 {
				t.Errorf("Latencies(LATENCY LATEST) = %v, %v; want the DEBUG SLEEP event", l, err)
			}
		case "[SLOWLOG GET]":
			if l, err := redis.SlowLogs(reply, err); err != nil || len(l) == 0 || l[0].ClientAddr == "" {
				t.Errorf("SlowLogs(SLOWLOG GET) = %v, %v; want entries with client addresses", l, err)
			}
		}
	}
}
