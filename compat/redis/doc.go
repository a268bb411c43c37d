// Package redis puts ocredigo under the import path of
// github.com/gomodule/redigo/redis, so that a whole program, its
// dependencies included, runs on ocredigo after one line in its go.mod:
//
//	replace github.com/gomodule/redigo => /path/to/ocredigo/compat
//
// The right side is a directory (a checkout of ocredigo, or a copy of its
// compat directory): this module declares the path github.com/gomodule/redigo,
// which a directory replacement accepts. Until github.com/ocredigo/redigo
// resolves from a module proxy, also add
//
//	replace github.com/ocredigo/redigo => /path/to/ocredigo
//
// Every exported identifier of github.com/ocredigo/redigo/redis is declared
// here: each type is an alias of ocredigo's type, each function calls
// ocredigo's, and the variables and constants hold ocredigo's values. So a
// Pool or Conn made under either import path is the same value under the
// other, errors compare equal, and every command a dependency sends is in
// ocredigo's metrics and spans. Upstream's own identifiers are all here, with
// upstream's signatures; so is upstream's experimental package redisx
// (ConnMux), in ../redisx.
//
// redis.go is generated from ocredigo's export data: run go generate in this
// directory after ocredigo's API changes. The package's tests fail while it
// is out of date.
package redis

//go:generate go run ../internal/gen -o redis.go
