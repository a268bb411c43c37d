package redis_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ocredigo/redigo/redis"
)

// This example subscribes to a channel and a pattern, publishes once both
// subscriptions are confirmed, and unsubscribes after the last message.
func ExamplePubSubConn() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	pub, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pub.Close()

	psc := redis.PubSubConn{Conn: c}
	if err := psc.Subscribe("pubsub-example:news"); err != nil {
		fmt.Println(err)
		return
	}
	if err := psc.PSubscribe("pubsub-example:sport:*"); err != nil {
		fmt.Println(err)
		return
	}
	for {
		switch v := psc.Receive().(type) {
		case redis.Subscription:
			fmt.Printf("%s %s (%d)\n", v.Kind, v.Channel, v.Count)
			switch {
			case v.Kind == "psubscribe":
				// Both subscriptions are in place: messages cannot be missed.
				pub.Do("PUBLISH", "pubsub-example:news", "hello")
				pub.Do("PUBLISH", "pubsub-example:sport:chess", "check")
			case v.Count == 0:
				return
			}
		case redis.Message:
			if v.Pattern != "" {
				fmt.Printf("%s via %s: %s\n", v.Channel, v.Pattern, v.Data)
				psc.Ping("bye")
			} else {
				fmt.Printf("%s: %s\n", v.Channel, v.Data)
			}
		case redis.Pong:
			fmt.Println("pong", v.Data)
			psc.Unsubscribe()
			psc.PUnsubscribe()
		case error:
			fmt.Println(v)
			return
		}
	}
	// Output:
	// subscribe pubsub-example:news (1)
	// psubscribe pubsub-example:sport:* (2)
	// pubsub-example:news: hello
	// pubsub-example:sport:chess via pubsub-example:sport:*: check
	// pong bye
	// unsubscribe pubsub-example:news (1)
	// punsubscribe pubsub-example:sport:* (0)
}

// This example adds to a counter with a limit in one round trip.
func ExampleScript() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	// KEYS[1] is the counter, ARGV[1] the increment, ARGV[2] the limit.
	addCapped := redis.NewScript(1, `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n > tonumber(ARGV[2]) then
	redis.call('SET', KEYS[1], ARGV[2])
	return tonumber(ARGV[2])
end
return n`)

	const counter = "script-example:counter"
	if _, err := c.Do("DEL", counter); err != nil {
		fmt.Println(err)
		return
	}
	for _, add := range []int{4, 4, 4} {
		// Do sends the script's hash, and the script itself only if the
		// server does not know it yet.
		n, err := redis.Int(addCapped.Do(c, counter, add, 10))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(n)
	}

	// In a pipeline: Send sends the source, SendHash the hash of a script
	// that the server knows (here thanks to Do).
	addCapped.Send(c, counter, -5, 10)
	addCapped.SendHash(c, counter, -5, 10)
	c.Flush()
	for i := 0; i < 2; i++ {
		n, err := redis.Int(c.Receive())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(n)
	}
	// Output:
	// 4
	// 8
	// 10
	// 5
	// 0
}

// This example logs every command and reply of a connection; the password
// is not logged.
func ExampleNewLoggingConn() {
	c, err := redis.Dial("tcp", aclServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	c = redis.NewLoggingConn(c, log.New(os.Stdout, "", 0), "cache")
	defer c.Close()

	c.Do("AUTH", aclPassword)
	c.Do("SET", "log-example:greeting", "hello")
	c.Do("GET", "log-example:greeting")
	c.Send("INCR", "log-example:greeting")
	c.Flush()
	c.Receive()
	// Output:
	// cache.Do(AUTH, "[redacted]") -> ("OK", <nil>)
	// cache.Do(SET, "log-example:greeting", "hello") -> ("OK", <nil>)
	// cache.Do(GET, "log-example:greeting") -> ("hello", <nil>)
	// cache.Send(INCR, "log-example:greeting") -> (<nil>)
	// cache.Receive() -> (<nil>, ERR value is not an integer or out of range)
	// cache.Close() -> (<nil>)
}
