package redis_test

import (
	"fmt"

	"github.com/ocredigo/redigo/redis"
)

// This example stores a struct in a hash with Args.AddFlat and reads it
// back with ScanStruct; the redis tag names a field's hash field.
func ExampleScanStruct() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	type profile struct {
		Name    string `redis:"name"`
		Age     int    `redis:"age"`
		Admin   bool   `redis:"admin"`
		Skipped string `redis:"-"`
	}
	const key = "scan-example:profile:1"
	in := profile{Name: "Grace", Age: 85, Admin: true, Skipped: "not stored"}
	if _, err := c.Do("HSET", redis.Args{key}.AddFlat(&in)...); err != nil {
		fmt.Println(err)
		return
	}

	values, err := redis.Values(c.Do("HGETALL", key))
	if err != nil {
		fmt.Println(err)
		return
	}
	var out profile
	if err := redis.ScanStruct(values, &out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", out)
	// Output:
	// {Name:Grace Age:85 Admin:true Skipped:}
}
