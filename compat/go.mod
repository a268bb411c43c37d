module github.com/gomodule/redigo

go 1.24

require (
	github.com/ocredigo/redigo v0.0.0-00010101000000-000000000000
	go.opencensus.io v0.24.0
)

require github.com/golang/groupcache v0.0.0-20210331224755-41bb18bfe9da // indirect

replace github.com/ocredigo/redigo => ../
