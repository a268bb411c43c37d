package observability

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/ocredigo/redigo/internal/resp"
)

// Op is where an error happened.
type Op uint8

const (
	OpDial Op = iota
	OpWrite
	OpRead
)

// Error kinds: the values of the kind tag.
const (
	KindDial     = "dial"
	KindWrite    = "write"
	KindRead     = "read"
	KindTimeout  = "timeout"
	KindCanceled = "canceled"
	KindServer   = "server"
	KindProtocol = "protocol"
	KindPool     = "pool"
)

// Error details of network and pool errors: values of the detail tag
// besides the Redis error prefixes.
const (
	DetailEOF          = "eof"
	DetailReset        = "reset"
	DetailRefused      = "refused"
	DetailTimeout      = "timeout"
	DetailClosed       = "closed"
	DetailTLS          = "tls"
	DetailDNS          = "dns"
	DetailOther        = "other"
	DetailExhausted    = "exhausted"
	DetailWaitCanceled = "wait_canceled"
)

// serverPrefixes are the error prefixes of Redis and Valkey that become
// detail values; any other prefix is OTHER.
var serverPrefixes = map[string]bool{
	"ERR": true, "WRONGTYPE": true, "NOSCRIPT": true, "MOVED": true, "ASK": true,
	"NOAUTH": true, "WRONGPASS": true, "NOPERM": true, "OOM": true, "BUSY": true,
	"BUSYKEY": true, "BUSYGROUP": true, "LOADING": true, "READONLY": true,
	"EXECABORT": true, "MASTERDOWN": true, "MISCONF": true, "NOREPLICAS": true,
	"NOTBUSY": true, "NOGROUP": true, "NOPROTO": true, "UNBLOCKED": true,
	"CLUSTERDOWN": true, "CROSSSLOT": true, "TRYAGAIN": true, "UNKILLABLE": true,
	"NOQUORUM": true, "UNKNOWN": true, "DENIED": true,
}

// ServerDetail returns the detail value of an error reply: its prefix when
// known, OTHER otherwise.
func ServerDetail(msg string) string {
	prefix, _, _ := strings.Cut(msg, " ")
	if serverPrefixes[prefix] {
		return prefix
	}
	return "OTHER"
}

// ServerDetails returns every detail value of error replies.
func ServerDetails() []string {
	details := []string{"OTHER"}
	for p := range serverPrefixes {
		details = append(details, p)
	}
	return details
}

// Classify returns the kind and detail of a failed dial, write or read.
// Error replies are classified by the caller (KindServer, ServerDetail).
func Classify(err error, op Op) (kind, detail string) {
	switch {
	case errors.Is(err, context.Canceled):
		return KindCanceled, DetailOther
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout, DetailTimeout
	}
	var protoErr *resp.ProtocolError
	if errors.As(err, &protoErr) {
		return KindProtocol, DetailOther
	}
	detail = networkDetail(err)
	if detail == DetailTimeout && op != OpDial {
		return KindTimeout, DetailTimeout
	}
	switch op {
	case OpDial:
		return KindDial, detail
	case OpWrite:
		return KindWrite, detail
	}
	return KindRead, detail
}

func networkDetail(err error) string {
	var te interface{ Timeout() bool }
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return DetailEOF
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return DetailReset
	case errors.Is(err, syscall.ECONNREFUSED):
		return DetailRefused
	case errors.Is(err, net.ErrClosed):
		return DetailClosed
	case errors.As(err, &dnsErr):
		return DetailDNS
	case errors.As(err, &certErr), errors.As(err, &recordErr), errors.As(err, &alertErr),
		errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr):
		return DetailTLS
	case errors.As(err, &te) && te.Timeout():
		return DetailTimeout
	}
	return DetailOther
}
