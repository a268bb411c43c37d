module github.com/ocredigo/redigo/compat/internal/redsynctest

go 1.26.0

replace (
	github.com/gomodule/redigo => ../..
	github.com/ocredigo/redigo => ../../..
)

require (
	github.com/go-redsync/redsync/v4 v4.18.1
	github.com/gomodule/redigo v1.9.3
	github.com/ocredigo/redigo v0.0.0-00010101000000-000000000000
	go.opencensus.io v0.24.0
)

require github.com/golang/groupcache v0.0.0-20210331224755-41bb18bfe9da // indirect
