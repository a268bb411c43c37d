package redis_test

import (
	"errors"
	"testing"

	redigo "github.com/gomodule/redigo/redis"
	ocredigo "github.com/ocredigo/redigo/redis"
)

// Values made under either import path are the other's: the compiler
// accepts them both ways without conversion.
var (
	_ *ocredigo.Pool           = &redigo.Pool{}
	_ *redigo.Pool             = &ocredigo.Pool{}
	_ redigo.Conn              = ocredigo.Conn(nil)
	_ ocredigo.ConnWithContext = redigo.ConnWithContext(nil)
	_ []ocredigo.DialOption    = []redigo.DialOption{redigo.DialDatabase(1)}
	_ ocredigo.Args            = redigo.Args{}.Add("k")
)

func TestErrorsAreOcredigos(t *testing.T) {
	if redigo.ErrNil != ocredigo.ErrNil || !errors.Is(ocredigo.ErrNil, redigo.ErrNil) {
		t.Error("ErrNil differs from ocredigo's")
	}
	if redigo.ErrPoolExhausted != ocredigo.ErrPoolExhausted {
		t.Error("ErrPoolExhausted differs from ocredigo's")
	}
	if _, err := redigo.String(nil, nil); err != ocredigo.ErrNil {
		t.Errorf("String(nil, nil) returned %v, want ocredigo's ErrNil", err)
	}
	if len(redigo.ObservabilityMetricViews) == 0 || redigo.ObservabilityMetricViews[0] != ocredigo.ObservabilityMetricViews[0] {
		t.Error("ObservabilityMetricViews are not ocredigo's views")
	}
}
