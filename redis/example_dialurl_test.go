package redis_test

import (
	"fmt"
	"strings"

	"github.com/ocredigo/redigo/redis"
)

// This example connects with a URL: redis:// (or rediss:// for TLS, and
// valkey://, valkeys://) with the user and password before the host and
// the database number as the path.
func ExampleDialURL() {
	c, err := redis.DialURL("redis://" + plainServer.Addr() + "/3")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	// CLIENT INFO describes this connection: the URL selected database 3.
	info, err := redis.String(c.Do("CLIENT", "INFO"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, field := range strings.Fields(info) {
		if strings.HasPrefix(field, "db=") {
			fmt.Println(field)
		}
	}
	// Output:
	// db=3
}
