package redis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ocredigo/redigo/redis"
)

// This example bounds a blocking command by a context. The deadline
// interrupts the BLPOP; since its reply could still arrive, the connection
// is broken afterwards (Err is set), so that a late reply can never be read
// as the answer to another command, and a pool would close it.
func ExampleDoContext() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = redis.DoContext(c, ctx, "BLPOP", "context-example:empty-queue", 0)
	fmt.Println("deadline exceeded:", errors.Is(err, context.DeadlineExceeded))
	fmt.Println("connection broken:", c.Err() != nil)
	// Output:
	// deadline exceeded: true
	// connection broken: true
}
