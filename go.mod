module github.com/ocredigo/redigo

go 1.24

require (
	github.com/gomodule/redigo v1.9.3
	github.com/stretchr/testify v1.12.1
	go.opencensus.io v0.24.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/golang/groupcache v0.0.0-20200121045136-8c9f03a8e57e // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
