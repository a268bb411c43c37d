package redis_test

import (
	"fmt"
	"sort"
	"strings"

	"go.opencensus.io/stats/view"

	"github.com/ocredigo/redigo/redis"
)

// This example registers the driver's views, without which nothing is
// recorded, and reads what a few commands recorded with view.RetrieveData,
// which needs no exporter. A program exports the views instead, with
// contrib.go.opencensus.io/exporter/prometheus for example.
func Example_metrics() {
	// Once, at start-up.
	if err := view.Register(redis.ObservabilityMetricViews...); err != nil {
		fmt.Println(err)
		return
	}
	// (The example leaves the process as it found it.)
	defer view.Unregister(redis.ObservabilityMetricViews...)

	c, err := redis.Dial("tcp", plainServer.Addr(),
		redis.DialTraceOptions(redis.TraceOptions{Name: "example-metrics"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Do("SET", "metrics-example:motd", "hello")
	c.Do("GET", "metrics-example:motd")
	c.Do("GET", "metrics-example:motd")
	c.Do("LPUSH", "metrics-example:motd", "x") // fails: WRONGTYPE
	// A connection hands its measurements to OpenCensus in batches: at the
	// latest 100 ms later, and when it closes.
	c.Close()

	for _, v := range []string{"redis/client/writes", "redis/client/errors"} {
		rows, err := view.RetrieveData(v)
		if err != nil {
			fmt.Println(err)
			return
		}
		var lines []string
		for _, row := range rows {
			tags := map[string]string{}
			for _, t := range row.Tags {
				tags[t.Key.Name()] = t.Value
			}
			if tags["name"] != "example-metrics" {
				continue // other clients of the process
			}
			var value float64
			switch d := row.Data.(type) {
			case *view.SumData:
				value = d.Value
			case *view.CountData:
				value = float64(d.Value)
			}
			line := fmt.Sprintf("%s cmd=%s", v, tags["cmd"])
			if tags["kind"] != "" {
				line += fmt.Sprintf(" kind=%s detail=%s", tags["kind"], tags["detail"])
			}
			lines = append(lines, fmt.Sprintf("%s: %g", line, value))
		}
		sort.Strings(lines)
		fmt.Println(strings.Join(lines, "\n"))
	}
	// Output:
	// redis/client/writes cmd=GET: 2
	// redis/client/writes cmd=LPUSH: 1
	// redis/client/writes cmd=SET: 1
	// redis/client/errors cmd=LPUSH kind=server detail=WRONGTYPE: 1
}
