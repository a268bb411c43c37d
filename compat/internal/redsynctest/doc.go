// Package redsynctest runs code written for upstream redigo on ocredigo
// through the compat module: a real dependent from the module proxy,
// github.com/go-redsync/redsync/v4 with its redigo adapter, and the compat
// module's redisx. Its go.mod replaces github.com/gomodule/redigo with
// ../.. exactly as a user's go.mod would (plus a replace of
// github.com/ocredigo/redigo with this checkout). It has no code of its
// own; the tests start their own redis-server.
package redsynctest
