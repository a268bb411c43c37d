package observability

import (
	"strconv"

	"go.opencensus.io/trace"
)

// QueryText says what of a command goes into a span's db.query.text.
type QueryText int

const (
	QueryTextOff       QueryText = iota // no db.query.text
	QueryTextSanitized                  // the command and its first key; other arguments as ?
	QueryTextFull                       // every argument, secrets redacted
)

// Options are the observability settings of a client: one connection, or
// a pool.
type Options struct {
	Name              string
	DefaultAttributes []trace.Attribute
	QueryText         QueryText
	RootSpans         bool // start spans even without a parent span
}

// Client is the observability state shared by the connections of one
// dial configuration: its settings and cached tag contexts.
type Client struct {
	names     *names
	named     bool // Options.Name was set
	attrs     []trace.Attribute
	queryText QueryText
	rootSpans bool
}

// NewClient returns the client for opts. A name that cannot be a tag value
// has its offending bytes replaced by '_'.
func NewClient(opts Options) *Client {
	return &Client{
		names:     namesFor(sanitizeName(opts.Name)),
		named:     opts.Name != "",
		attrs:     opts.DefaultAttributes,
		queryText: opts.QueryText,
		rootSpans: opts.RootSpans,
	}
}

// Name returns the client's name tag value.
func (c *Client) Name() string { return c.names.name }

// Named reports whether the client's options set a name.
func (c *Client) Named() bool { return c.named }

// withNames returns a copy of c recording under another name.
func (c *Client) withNames(n *names) *Client {
	copied := *c
	copied.names, copied.named = n, true
	return &copied
}

func sanitizeName(name string) string {
	if ValidName(name) {
		return name
	}
	b := []byte(name)
	if len(b) > 255 {
		b = b[:255]
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '_'
		}
	}
	return string(b)
}

// Peer describes the server end of a connection, for span attributes.
type Peer struct {
	Address string // server.address: the host dialed
	Port    int    // server.port, 0 if none (unix socket)
	IP      string // network.peer.address
	DB      int
}

func (p Peer) attributes() []trace.Attribute {
	attrs := []trace.Attribute{
		trace.StringAttribute("db.system", "redis"),
		trace.StringAttribute("db.namespace", strconv.Itoa(p.DB)),
		trace.StringAttribute("server.address", p.Address),
	}
	if p.Port != 0 {
		attrs = append(attrs, trace.Int64Attribute("server.port", int64(p.Port)))
	}
	if p.IP != "" {
		attrs = append(attrs, trace.StringAttribute("network.peer.address", p.IP))
	}
	return attrs
}
