package observability

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ocredigo/redigo/internal/commandinfo"
	"github.com/ocredigo/redigo/internal/resp"
	"go.opencensus.io/stats"
	"go.opencensus.io/stats/view"
)

// The driver reads OpenCensus's unexported subscription flag; this fails
// if the layout it relies on ever changes.
func TestSubscribedFollowsViewRegistration(t *testing.T) {
	i := stats.Int64("observability_test/int", "test", stats.UnitDimensionless)
	f := stats.Float64("observability_test/float", "test", stats.UnitMilliseconds)
	if int64Subscribed(i) || float64Subscribed(f) {
		t.Fatal("subscribed before any view")
	}
	views := []*view.View{
		{Name: "observability_test/int", Measure: i, Aggregation: view.Count()},
		{Name: "observability_test/float", Measure: f, Aggregation: view.Count()},
	}
	if err := view.Register(views...); err != nil {
		t.Fatal(err)
	}
	defer view.Unregister(views...)
	if !int64Subscribed(i) || !float64Subscribed(f) {
		t.Fatal("not subscribed after view.Register")
	}
	other := stats.Int64("observability_test/other", "test", stats.UnitDimensionless)
	if int64Subscribed(other) {
		t.Fatal("a measure without views is subscribed")
	}
}

func TestClassify(t *testing.T) {
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: err}
	}
	tests := []struct {
		err          error
		op           Op
		kind, detail string
	}{
		{context.Canceled, OpRead, KindCanceled, DetailOther},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), OpWrite, KindTimeout, DetailTimeout},
		{&resp.ProtocolError{Msg: "bad"}, OpRead, KindProtocol, DetailOther},
		{io.EOF, OpRead, KindRead, DetailEOF},
		{io.ErrUnexpectedEOF, OpRead, KindRead, DetailEOF},
		{opErr("read", os.NewSyscallError("read", syscall.ECONNRESET)), OpRead, KindRead, DetailReset},
		{opErr("write", os.NewSyscallError("write", syscall.EPIPE)), OpWrite, KindWrite, DetailReset},
		{opErr("dial", os.NewSyscallError("connect", syscall.ECONNREFUSED)), OpDial, KindDial, DetailRefused},
		{opErr("read", os.ErrDeadlineExceeded), OpRead, KindTimeout, DetailTimeout},
		{opErr("dial", os.ErrDeadlineExceeded), OpDial, KindDial, DetailTimeout},
		{opErr("write", net.ErrClosed), OpWrite, KindWrite, DetailClosed},
		{&net.DNSError{Err: "no such host", Name: "x"}, OpDial, KindDial, DetailDNS},
		{tls.RecordHeaderError{Msg: "not TLS"}, OpDial, KindDial, DetailTLS},
		{errors.New("something else"), OpRead, KindRead, DetailOther},
	}
	for _, tt := range tests {
		kind, detail := Classify(tt.err, tt.op)
		if kind != tt.kind || detail != tt.detail {
			t.Errorf("Classify(%v) = %s/%s, want %s/%s", tt.err, kind, detail, tt.kind, tt.detail)
		}
	}
}

func TestServerDetail(t *testing.T) {
	for msg, want := range map[string]string{
		"ERR unknown command":                  "ERR",
		"WRONGTYPE Operation against a key":    "WRONGTYPE",
		"NOSCRIPT No matching script":          "NOSCRIPT",
		"MOVED 3999 127.0.0.1:6381":            "MOVED",
		"WRONGPASS invalid username-password":  "WRONGPASS",
		"CUSTOMERR from a module":              "OTHER",
		"":                                     "OTHER",
		"user:1 is not a prefix but a key say": "OTHER",
	} {
		if got := ServerDetail(msg); got != want {
			t.Errorf("ServerDetail(%q) = %q, want %q", msg, got, want)
		}
	}
}

type nested struct{}

func (nested) RedisArg() interface{} { return nested{} }

type wrapped string

func (w wrapped) RedisArg() interface{} { return string(w) }

func TestQueryTextOf(t *testing.T) {
	tests := []struct {
		mode QueryText
		name string
		args []interface{}
		want string
	}{
		{QueryTextSanitized, "SET", []interface{}{"user:1", "v", "EX", 10}, "SET user:1 ? ? ?"},
		{QueryTextSanitized, "PING", nil, "PING"},
		{QueryTextSanitized, "AUTH", []interface{}{"user", "pass"}, "AUTH [redacted] [redacted]"},
		{QueryTextFull, "set", []interface{}{[]byte("k"), 1.5, true, nil, int64(-3)}, "set k 1.5 1  -3"},
		{QueryTextFull, "SET", []interface{}{wrapped("k"), nested{}}, "SET k {}"},
		{QueryTextFull, "HELLO", []interface{}{"3", "AUTH", "u", "p"}, "HELLO 3 AUTH [redacted] [redacted]"},
		{QueryTextFull, "JSON.GET", []interface{}{"doc", "$"}, "JSON.GET doc $"},
	}
	for _, tt := range tests {
		got := QueryTextOf(tt.mode, tt.name, commandinfo.Lookup(tt.name), tt.args)
		if got != tt.want {
			t.Errorf("QueryTextOf(%v, %s %v) = %q, want %q", tt.mode, tt.name, tt.args, got, tt.want)
		}
	}
	long := QueryTextOf(QueryTextFull, "SET", commandinfo.Lookup("SET"), []interface{}{string(make([]byte, 100)), make([]byte, 5000)})
	if len(long) > maxQueryText+maxArgText+16 {
		t.Errorf("query text of %d bytes is not bounded", len(long))
	}
}

func TestSanitizeName(t *testing.T) {
	if got := NewClient(Options{}).Name(); got != DefaultName {
		t.Errorf("empty name = %q, want %q", got, DefaultName)
	}
	if got := NewClient(Options{Name: "cache\n\xff"}).Name(); got != "cache__" {
		t.Errorf("sanitized name = %q", got)
	}
	if got := NewClient(Options{Name: string(make([]byte, 300))}).Name(); len(got) != 255 {
		t.Errorf("long name has %d bytes, want 255", len(got))
	}
}

// With no view registered, recording a command allocates nothing.
func TestNoAllocationsWithoutViews(t *testing.T) {
	var mu noLock
	o := NewClient(Options{}).NewConn(Peer{}, mu)
	args := []interface{}{"k"}
	allocs := testing.AllocsPerRun(1000, func() {
		call := o.Begin(context.Background(), "GET", args)
		call.Written(20, 1)
		o.Push(call)
		o.End(o.Pop(), []byte("v"), 7, 1, "")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per command", allocs)
	}
}

type noLock struct{}

func (noLock) Lock()   {}
func (noLock) Unlock() {}
