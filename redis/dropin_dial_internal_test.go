package redis

import (
	"testing"
	"time"
)

// TestDialDefaultConnectTimeout checks the connect limit a dial uses: 30 s
// without DialConnectTimeout, as upstream, so that a dial to an address that
// drops SYNs fails instead of waiting out the kernel's retries (minutes).
// Waiting 30 s for a black hole would make a slow test; the limit is read
// from the net.Dialer that the dial uses instead.
func TestDialDefaultConnectTimeout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options []DialOption
		want    time.Duration
	}{
		{"default", nil, 30 * time.Second},
		{"other options", []DialOption{DialReadTimeout(time.Second), DialKeepAlive(time.Minute)}, 30 * time.Second},
		{"DialConnectTimeout", []DialOption{DialConnectTimeout(time.Second)}, time.Second},
		{"DialConnectTimeout(0) means none", []DialOption{DialConnectTimeout(0)}, 0},
	} {
		do := newDialOptions(tc.options)
		if got := do.dialer.Timeout; got != tc.want {
			t.Errorf("%s: connect timeout %v, want %v", tc.name, got, tc.want)
		}
	}
	if do := newDialOptions(nil); do.dialer.KeepAlive != 5*time.Minute || do.tlsHandshakeTimeout != 10*time.Second {
		t.Errorf("keep-alive %v and TLS handshake timeout %v, want upstream's 5m and 10s",
			do.dialer.KeepAlive, do.tlsHandshakeTimeout)
	}
}
