package redis_test

import (
	"context"
	"fmt"

	"github.com/ocredigo/redigo/redis"
	"go.opencensus.io/metric/metricdata"
	"go.opencensus.io/metric/metricexport"
)

// latencyCounter is a metric exporter: it counts the commands in the
// roundtrip latency series of one client name and command.
type latencyCounter struct {
	name, cmd string
	count     int64
}

func (lc *latencyCounter) ExportMetrics(_ context.Context, metrics []*metricdata.Metric) error {
	for _, m := range metrics {
		if m.Descriptor.Name != "redis/client/roundtrip_latency" {
			continue
		}
		for _, ts := range m.TimeSeries {
			labels := map[string]string{}
			for i, k := range m.Descriptor.LabelKeys {
				labels[k.Key] = ts.LabelValues[i].Value
			}
			if labels["name"] == lc.name && labels["cmd"] == lc.cmd {
				lc.count += ts.Points[0].Value.(*metricdata.Distribution).Count
			}
		}
	}
	return nil
}

// commandsSoFar reads every metric producer, as an exporter does, and
// returns how many cmd commands the client name has completed.
func commandsSoFar(name, cmd string) int64 {
	lc := &latencyCounter{name: name, cmd: cmd}
	metricexport.NewReader().ReadAndExport(lc)
	return lc.count
}

// EnableMetrics turns on the fast metric path once, at start-up. Any
// exporter that reads OpenCensus's metric producers sees the catalogue:
// the Prometheus exporter (prometheus.NewExporter), the OpenTelemetry
// bridge, or, as here, a metricexport reader.
func ExampleEnableMetrics() {
	redis.EnableMetrics()
	defer redis.DisableMetrics()

	c, err := redis.Dial("tcp", plainServer.Addr(),
		redis.DialTraceOptions(redis.TraceOptions{Name: "example-fast"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	before := commandsSoFar("example-fast", "PING") // the series are cumulative
	for i := 0; i < 3; i++ {
		if _, err := c.Do("PING"); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("PING commands measured:", commandsSoFar("example-fast", "PING")-before)
	// Output:
	// PING commands measured: 3
}
