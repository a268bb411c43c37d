package redis_test

import (
	"fmt"
	"sort"

	"github.com/ocredigo/redigo/redis"
)

// This example walks a hash with HSCAN: Scan splits each reply into the
// next cursor and the page of field/value pairs.
func ExampleScan() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	const key = "scan-cursor-example:stock"
	c.Do("DEL", key)
	c.Do("HSET", key, "apples", 3, "pears", 0, "plums", 12)

	stock := map[string]int{}
	cursor := 0
	for {
		reply, err := redis.Values(c.Do("HSCAN", key, cursor, "COUNT", 2))
		if err != nil {
			fmt.Println(err)
			return
		}
		var page []string
		if _, err := redis.Scan(reply, &cursor, &page); err != nil {
			fmt.Println(err)
			return
		}
		for i := 0; i+1 < len(page); i += 2 {
			var n int
			fmt.Sscan(page[i+1], &n)
			stock[page[i]] = n
		}
		if cursor == 0 {
			break
		}
	}
	fruits := make([]string, 0, len(stock))
	for f := range stock {
		fruits = append(fruits, f)
	}
	sort.Strings(fruits)
	for _, f := range fruits {
		fmt.Println(f, stock[f])
	}
	// Output:
	// apples 3
	// pears 0
	// plums 12
}

// This example reads a sorted set with its scores into a slice of structs:
// ScanSlice fills the fields of each element, in order, from consecutive
// values of the reply.
func ExampleScanSlice() {
	c, err := redis.Dial("tcp", plainServer.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	const key = "scanslice-example:scores"
	c.Do("DEL", key)
	c.Do("ZADD", key, 310, "ada", 275, "alan", 402, "grace")

	values, err := redis.Values(c.Do("ZREVRANGE", key, 0, -1, "WITHSCORES"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var board []struct {
		Player string
		Score  int
	}
	if err := redis.ScanSlice(values, &board); err != nil {
		fmt.Println(err)
		return
	}
	for i, e := range board {
		fmt.Printf("%d. %s %d\n", i+1, e.Player, e.Score)
	}
	// Output:
	// 1. grace 402
	// 2. ada 310
	// 3. alan 275
}
