package redis

import (
	"context"
	"errors"
	"time"
)

// Subscription is the server's confirmation of a SUBSCRIBE, PSUBSCRIBE,
// UNSUBSCRIBE or PUNSUBSCRIBE, one per channel or pattern named in the
// command (UNSUBSCRIBE without arguments confirms each channel it leaves).
type Subscription struct {
	// Kind is the command confirmed, in lower case: "subscribe",
	// "psubscribe", "unsubscribe" or "punsubscribe".
	Kind string

	// Channel is the channel or pattern that the command added or removed.
	Channel string

	// Count is how many channels and patterns the connection is subscribed
	// to after the command. At 0 the connection has left subscribed mode
	// and takes ordinary commands again.
	Count int
}

// Message is a message published to a channel the connection is subscribed
// to, directly or through a pattern.
type Message struct {
	// Channel is the channel the message was published to.
	Channel string

	// Pattern is the PSUBSCRIBE pattern that matched Channel, or "" for a
	// message received through SUBSCRIBE.
	Pattern string

	// Data is the message as published, byte for byte.
	Data []byte
}

// Pong is the answer to PubSubConn.Ping while the connection is subscribed.
type Pong struct {
	// Data is the text given to Ping.
	Data string
}

// PubSubConn is a Conn used for subscribing: its methods send the pub/sub
// commands, and Receive returns what the server pushes as a Subscription,
// Message or Pong value (or an error) for a type switch. One goroutine may
// call Receive while one other calls the subscribe methods and Ping, which
// only write; nothing else may run on Conn at the same time.
//
// While subscribed, the server takes only the pub/sub commands and PING:
// unsubscribe from everything (or Close) before using Conn otherwise.
// Closing a pooled connection does that on its own before it is reused.
type PubSubConn struct {
	Conn Conn
}

// Close closes Conn: a pooled one goes back to its pool, unsubscribed.
func (c PubSubConn) Close() error {
	return c.Conn.Close()
}

// Subscribe sends SUBSCRIBE for the channels. It returns once the command
// is written; each channel's confirmation comes later through Receive, as a
// Subscription. A write error (the connection is then broken) is returned.
func (c PubSubConn) Subscribe(channel ...interface{}) error {
	return c.write("SUBSCRIBE", channel)
}

// PSubscribe sends PSUBSCRIBE for the glob-style patterns (news.*, say),
// with confirmations through Receive as for Subscribe.
func (c PubSubConn) PSubscribe(channel ...interface{}) error {
	return c.write("PSUBSCRIBE", channel)
}

// Unsubscribe sends UNSUBSCRIBE for the channels, or for every channel the
// connection is subscribed to when none is given. Confirmations come
// through Receive; messages already on their way may still arrive first.
func (c PubSubConn) Unsubscribe(channel ...interface{}) error {
	return c.write("UNSUBSCRIBE", channel)
}

// PUnsubscribe sends PUNSUBSCRIBE for the patterns, or for every pattern
// when none is given, with confirmations as for Unsubscribe.
func (c PubSubConn) PUnsubscribe(channel ...interface{}) error {
	return c.write("PUNSUBSCRIBE", channel)
}

// Ping sends PING with data, to check that a quiet subscribed connection is
// alive; the answer comes through Receive as a Pong carrying data. The
// connection must be subscribed to at least one channel or pattern: outside
// subscribed mode the server answers with a plain "PONG"/data reply that
// Receive does not recognise.
func (c PubSubConn) Ping(data string) error {
	return c.write("PING", []interface{}{data})
}

// write sends one command and flushes it, without reading: in subscribed
// mode the replies are read by Receive.
func (c PubSubConn) write(cmd string, args []interface{}) error {
	if err := c.Conn.Send(cmd, args...); err != nil {
		return err
	}
	return c.Conn.Flush()
}

// Receive waits for the next push from the server, within the connection's
// read timeout (DialReadTimeout; none by default), and returns it as a
// Subscription, Message or Pong value, or as an error: a read error (a
// timeout included; the connection is then broken), an error reply, or
// "redigo: unknown pubsub notification" for a push of another kind (the
// sharded ssubscribe and smessage ones included, as upstream).
func (c PubSubConn) Receive() interface{} {
	return c.decode(c.Conn.Receive())
}

// ReceiveWithTimeout is Receive with timeout in place of the connection's
// read timeout, so that a subscriber can wait longer than ordinary commands
// are allowed to. Conn must implement ConnWithTimeout, as this package's
// connections do; otherwise the result is an error.
func (c PubSubConn) ReceiveWithTimeout(timeout time.Duration) interface{} {
	return c.decode(ReceiveWithTimeout(c.Conn, timeout))
}

// ReceiveContext is Receive bounded by ctx as well as by the read timeout.
// When ctx ends first the result is ctx's error and the connection is
// broken (closed, so that no later read sees a half-read push): a
// subscriber that cancels must dial again. Conn must implement
// ConnWithContext, as this package's connections do; otherwise the result
// is an error.
func (c PubSubConn) ReceiveContext(ctx context.Context) interface{} {
	return c.decode(ReceiveContext(c.Conn, ctx))
}

var errUnknownNotification = errors.New("redigo: unknown pubsub notification")

// decode turns one push, an array whose first element names its kind, into
// the value Receive returns. The errors of a malformed push are Scan's.
func (c PubSubConn) decode(reply interface{}, err error) interface{} {
	fields, err := Values(reply, err)
	if err != nil {
		return err
	}
	var kind string
	if fields, err = Scan(fields, &kind); err != nil {
		return err
	}
	switch kind {
	case "message":
		var m Message
		return fill(&m, fields, &m.Channel, &m.Data)
	case "pmessage":
		var m Message
		return fill(&m, fields, &m.Pattern, &m.Channel, &m.Data)
	case "subscribe", "psubscribe", "unsubscribe", "punsubscribe":
		s := Subscription{Kind: kind}
		return fill(&s, fields, &s.Channel, &s.Count)
	case "pong":
		var p Pong
		return fill(&p, fields, &p.Data)
	}
	return errUnknownNotification
}

// fill scans fields into the parts of *v that dest points at, and returns
// *v, or the error.
func fill[T any](v *T, fields []interface{}, dest ...interface{}) interface{} {
	if _, err := Scan(fields, dest...); err != nil {
		return err
	}
	return *v
}
