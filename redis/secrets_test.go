package redis_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ocredigo/redigo/internal/redistest"
	"github.com/ocredigo/redigo/internal/tracetest"
	"github.com/ocredigo/redigo/redis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opencensus.io/stats/view"
	"go.opencensus.io/trace"
)

// Secrets of these tests: distinctive strings that can only show up where
// they leaked.
const (
	adminSecret   = "admin-3c9e-secret"   // requirepass of the dedicated server
	wrongSecret   = "wrong-8d1f-secret"   // a password that is refused
	setuserSecret = "setuser-5e4d-secret" // set by ACL SETUSER
	migrateSecret = "migrate-1a6f-secret" // MIGRATE ... AUTH
	configSecret  = "config-7b2a-secret"  // CONFIG SET requirepass
	urlSecret     = "url-0e5b-secret"     // in URLs that fail before dialing
)

var allSecrets = []string{adminSecret, wrongSecret, setuserSecret, migrateSecret, configSecret, urlSecret,
	aclPassword, aclUserPassword, url.QueryEscape(aclUserPassword), url.PathEscape(aclUserPassword)}

// spanText returns everything the spans carry as text: names,
// attributes, status, annotations.
func spanText(spans []*trace.SpanData) []string {
	var out []string
	for _, d := range spans {
		out = append(out, d.Name, d.Status.Message)
		for k, v := range d.Attributes {
			out = append(out, fmt.Sprintf("%s=%v", k, v))
		}
		for _, a := range d.Annotations {
			out = append(out, a.Message, fmt.Sprint(a.Attributes))
		}
		for _, e := range d.MessageEvents {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

// queryTexts returns the db.query.text of the spans named name.
func queryTexts(spans []*trace.SpanData, name string) []string {
	var out []string
	for _, d := range spans {
		if q, ok := d.Attributes["db.query.text"].(string); ok && d.Name == name {
			out = append(out, q)
		}
	}
	return out
}

// metricTagValues returns the tag values of every row of every view of
// the catalogue.
func metricTagValues(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, v := range redis.ObservabilityMetricViews {
		rows, err := view.RetrieveData(v.Name)
		require.NoError(t, err)
		for _, row := range rows {
			for _, tg := range row.Tags {
				out = append(out, tg.Value)
			}
		}
	}
	return out
}

func TestSecretsNeverRecorded(t *testing.T) {
	useMetricViews(t)
	spans := tracetest.Record(t, true)
	const name = "secrets"
	traced := redis.DialTraceOptions(redis.TraceOptions{Name: name, QueryText: redis.QueryTextFull, RootSpans: true})
	var logged bytes.Buffer
	logger := log.New(&logged, "", 0)
	var errTexts []string
	failed := func(err error) {
		t.Helper()
		require.Error(t, err)
		errTexts = append(errTexts, err.Error())
	}

	server := redistest.Start(t, redistest.Options{Password: adminSecret})
	raw, err := redis.Dial("tcp", server.Addr(), redis.DialPassword(adminSecret), traced)
	require.NoError(t, err)
	c := redis.NewLoggingConn(raw, logger, "secrets").(redis.ConnWithContext)
	defer c.Close()

	do := func(cmd string, args ...interface{}) interface{} {
		t.Helper()
		reply, err := c.Do(cmd, args...)
		require.NoError(t, err, cmd)
		return reply
	}
	do("AUTH", adminSecret)
	do("auth", "default", []byte(adminSecret))
	_, err = c.Do("AUTH", wrongSecret)
	failed(err)
	do("HELLO", 2, "AUTH", "default", adminSecret, "SETNAME", "secrets-test")
	do("ACL", "SETUSER", "bob", "on", ">"+setuserSecret, "~*", "&*", "+@all")
	do("Auth", "bob", setuserSecret)
	require.NoError(t, c.Send("MIGRATE", server.Host(), server.Port(), "", 0, 1000, "AUTH", migrateSecret, "KEYS", "missing"))
	require.NoError(t, c.Send("migrate", server.Host(), server.Port(), "", 0, 1000, "auth2", "bob", []byte(migrateSecret), "KEYS", "missing"))
	require.NoError(t, c.Flush())
	for i := 0; i < 2; i++ {
		reply, err := c.Receive()
		require.NoError(t, err)
		assert.Equal(t, "NOKEY", reply)
	}
	do("Config", "set", "RequirePass", configSecret)
	do("SET", key(t, "visible"), "a visible value")

	// Dials with the new password: plain, by URL, through a pool.
	c2, err := redis.Dial("tcp", server.Addr(), redis.DialPassword(configSecret), traced)
	require.NoError(t, err)
	c2.Close()
	c2, err = redis.DialURL("redis://:"+configSecret+"@"+server.Addr(), traced)
	require.NoError(t, err)
	c2.Close()
	pool := newTestPool(t, &redis.Pool{
		MaxIdle:      1,
		TraceOptions: redis.TraceOptions{Name: name, RootSpans: true},
		Dial: func() (redis.Conn, error) {
			return redis.Dial("tcp", server.Addr(), redis.DialPassword(configSecret), traced)
		},
	})
	pc := pool.Get()
	_, err = pc.Do("AUTH", configSecret)
	require.NoError(t, err)
	pc.Close()
	c2, err = redis.Dial("tcp", aclServer.Addr(), redis.DialUsername(aclUser), redis.DialPassword(aclUserPassword), traced)
	require.NoError(t, err)
	_, err = c2.Do("HELLO", 2, "AUTH", aclUser, aclUserPassword)
	require.NoError(t, err)
	c2.Close()
	c2, err = redis.DialURL("redis://"+aclUser+":"+url.PathEscape(aclUserPassword)+"@"+aclServer.Addr(), traced)
	require.NoError(t, err)
	c2.Close()

	// Refused passwords and URLs that fail before dialing.
	_, err = redis.Dial("tcp", server.Addr(), redis.DialPassword(wrongSecret), traced)
	failed(err)
	_, err = redis.Dial("tcp", server.Addr(), redis.DialUsername("bob"), redis.DialPassword(wrongSecret), traced)
	failed(err)
	_, err = redis.DialURL("redis://bob:"+wrongSecret+"@"+server.Addr(), traced)
	failed(err)
	_, err = redis.DialURL("redis://:"+wrongSecret+"@"+server.Addr()+"/3", traced)
	failed(err)
	failed(redis.NewPool(func() (redis.Conn, error) {
		return redis.Dial("tcp", server.Addr(), redis.DialPassword(wrongSecret), traced)
	}, 1).Get().Err())
	for _, u := range []string{
		"http://bob:" + urlSecret + "@" + server.Addr(),
		"redis://bob:" + urlSecret + "@" + server.Addr() + "/not-a-db",
		"redis://bob:" + urlSecret + "@127.0.0.1:1", // refused
	} {
		_, err := redis.DialURL(u, traced)
		failed(err)
	}

	leaks := map[string][]string{
		"span":         spanText(spans.Spans()),
		"metric tag":   metricTagValues(t),
		"error text":   errTexts,
		"logging conn": {logged.String()},
	}
	for where, texts := range leaks {
		for _, text := range texts {
			for _, secret := range allSecrets {
				assert.NotContains(t, text, secret, "a secret in a %s", where)
			}
		}
	}

	// The test saw what it means to check: full query texts, with the
	// secrets redacted.
	assert.Contains(t, queryTexts(spans.Spans(), "SET"), "SET "+key(t, "visible")+" a visible value")
	assert.Contains(t, queryTexts(spans.Spans(), "AUTH"), "AUTH [redacted]")
	assert.Contains(t, queryTexts(spans.Spans(), "AUTH"), "auth [redacted] [redacted]")
	assert.Contains(t, queryTexts(spans.Spans(), "HELLO"), "HELLO 2 AUTH [redacted] [redacted] SETNAME secrets-test")
	assert.Contains(t, queryTexts(spans.Spans(), "ACL"), "ACL SETUSER bob [redacted] [redacted] [redacted] [redacted] [redacted]")
	assert.Contains(t, queryTexts(spans.Spans(), "CONFIG"), "Config set RequirePass [redacted]")
	assert.Contains(t, queryTexts(spans.Spans(), "MIGRATE"),
		fmt.Sprintf("MIGRATE %s %d  0 1000 AUTH [redacted] KEYS missing", server.Host(), server.Port()))
	assert.Contains(t, queryTexts(spans.Spans(), "MIGRATE"),
		fmt.Sprintf("migrate %s %d  0 1000 auth2 [redacted] [redacted] KEYS missing", server.Host(), server.Port()))
	assert.Contains(t, logged.String(), `[redacted]`)
	assert.Len(t, errTexts, 9, "every failure was checked")
}

// TestDialURLErrorsHidePassword checks the errors of URLs that net/url
// itself rejects, or that the package rejects as opaque.
func TestDialURLErrorsHidePassword(t *testing.T) {
	for _, u := range []string{
		"redis://bob:" + urlSecret + "@[::1",
		"redis://bob:" + urlSecret + "@host:6379:x/0",
		"redis://bob:" + urlSecret + "@127.0.0.1:not-a-port",
		"redis://bob:" + urlSecret + "%zz@host",
		"redis://bob:" + urlSecret + "@ho st/",
		"redis:bob:" + urlSecret + "@host",
	} {
		_, err := redis.DialURL(u)
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), urlSecret)
	}
}

func TestTLSVerifiesServerByDefault(t *testing.T) {
	useMetricViews(t)
	const name = "tls-verify"
	errs := errorsSince(t, name)
	traced := redis.DialTraceOptions(redis.TraceOptions{Name: name})

	// A CA other than the server's.
	other := tlsServer.TLSConfig()
	other.RootCAs = otherCA(t)
	_, err := redis.Dial("tcp", tlsServer.Addr(), redis.DialUseTLS(true), redis.DialTLSConfig(other), traced)
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)

	// The system roots, by URL.
	_, err = redis.DialURL(tlsServer.URL(), traced)
	assert.ErrorAs(t, err, &unknown)
	assert.Equal(t, map[string]int64{"- dial tls": 2}, errs())

	// Verification is off only when asked.
	c, err := redis.DialURL(tlsServer.URL(), redis.DialTLSSkipVerify(true))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, echo(t, c, "unverified"))
	c, err = redis.DialURL(tlsServer.URL(), redis.DialTLSConfig(tlsServer.TLSConfig()))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, echo(t, c, "verified"))
}

// otherCA returns a pool holding a fresh self-signed CA.
func otherCA(t *testing.T) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "another CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

func TestACLErrors(t *testing.T) {
	useMetricViews(t)
	const name = "acl-errors"
	errs := errorsSince(t, name)
	traced := redis.DialTraceOptions(redis.TraceOptions{Name: name})

	// WRONGPASS at dial time: the dial fails with the server's error.
	_, err := redis.Dial("tcp", aclServer.Addr(), redis.DialUsername("reader"), redis.DialPassword(wrongSecret), traced)
	var replyErr redis.Error
	require.ErrorAs(t, err, &replyErr)
	assert.True(t, strings.HasPrefix(string(replyErr), "WRONGPASS "), "%v", err)

	c, err := redis.Dial("tcp", aclServer.Addr(), redis.DialUsername("reader"), redis.DialPassword("reader-pass"), traced)
	require.NoError(t, err)
	defer c.Close()
	// NOPERM: the reader may GET, not SET; the connection stays usable.
	_, err = c.Do("SET", key(t, "k"), "v")
	require.ErrorAs(t, err, &replyErr)
	assert.True(t, strings.HasPrefix(string(replyErr), "NOPERM "), "%v", err)
	require.NoError(t, c.Err())
	_, err = c.Do("GET", key(t, "k"))
	require.NoError(t, err)
	// WRONGPASS of an AUTH on an open connection keeps it authenticated.
	_, err = c.Do("AUTH", "reader", wrongSecret)
	require.ErrorAs(t, err, &replyErr)
	assert.True(t, strings.HasPrefix(string(replyErr), "WRONGPASS "), "%v", err)
	_, err = c.Do("GET", key(t, "k"))
	require.NoError(t, err)

	// NOAUTH before any AUTH.
	c2, err := redis.Dial("tcp", aclServer.Addr(), traced)
	require.NoError(t, err)
	defer c2.Close()
	_, err = c2.Do("GET", key(t, "k"))
	require.ErrorAs(t, err, &replyErr)
	assert.True(t, strings.HasPrefix(string(replyErr), "NOAUTH "), "%v", err)

	assert.Equal(t, map[string]int64{
		"AUTH server WRONGPASS": 2, // the dial's and the open connection's
		"- dial WRONGPASS":      1,
		"SET server NOPERM":     1,
		"GET server NOAUTH":     1,
	}, errs())
}
