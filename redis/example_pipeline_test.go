package redis_test

import (
	"fmt"

	"github.com/ocredigo/redigo/redis"
)

// This example pipelines three commands: Send buffers them, Flush writes
// them in one go, and each Receive reads the next reply, in order. Every
// pipelined command still gets its own latency, byte counts and span.
func ExampleConn_pipelining() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	c.Send("DEL", "pipeline-example:list")
	c.Send("RPUSH", "pipeline-example:list", "a", "b", "c")
	c.Send("LRANGE", "pipeline-example:list", 0, -1)
	if err := c.Flush(); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Receive(); err != nil { // DEL
		fmt.Println(err)
		return
	}
	n, err := redis.Int(c.Receive()) // RPUSH
	if err != nil {
		fmt.Println(err)
		return
	}
	items, err := redis.Strings(c.Receive()) // LRANGE
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, items)

	// Do("") flushes and returns every pending reply at once; a
	// transaction is a pipeline whose EXEC reply holds the others'.
	c.Send("MULTI")
	c.Send("LPOP", "pipeline-example:list")
	c.Send("LLEN", "pipeline-example:list")
	c.Send("EXEC")
	replies, err := redis.Values(c.Do(""))
	if err != nil {
		fmt.Println(err)
		return
	}
	exec, err := redis.Values(replies[len(replies)-1], nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	popped, _ := redis.String(exec[0], nil)
	left, _ := redis.Int(exec[1], nil)
	fmt.Println(len(replies), "replies; popped", popped+";", left, "left")
	// Output:
	// 3 [a b c]
	// 4 replies; popped a; 2 left
}
