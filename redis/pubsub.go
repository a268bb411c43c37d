package redis

import (
	"context"
	"errors"
	"time"
)

// Subscription represents a subscribe or unsubscribe notification.
type Subscription struct {
	// Kind is "subscribe", "unsubscribe", "psubscribe" or "punsubscribe"
	Kind string

	// The channel that was changed.
	Channel string

	// The current number of subscriptions for connection.
	Count int
}

// Message represents a message notification.
type Message struct {
	// The originating channel.
	Channel string

	// The matched pattern, if any
	Pattern string

	// The message data.
	Data []byte
}

// Pong represents a pubsub pong notification.
type Pong struct {
	Data string
}

// PubSubConn wraps a Conn with convenience methods for subscribers.
type PubSubConn struct {
	Conn Conn
}

// Close closes the connection.
func (c PubSubConn) Close() error {
	return c.Conn.Close()
}

// Subscribe subscribes the connection to the specified channels.
func (c PubSubConn) Subscribe(channel ...interface{}) error {
	return c.sendFlush("SUBSCRIBE", channel)
}

// PSubscribe subscribes the connection to the given patterns.
func (c PubSubConn) PSubscribe(channel ...interface{}) error {
	return c.sendFlush("PSUBSCRIBE", channel)
}

// Unsubscribe unsubscribes the connection from the given channels, or from
// all of them if none is given.
func (c PubSubConn) Unsubscribe(channel ...interface{}) error {
	return c.sendFlush("UNSUBSCRIBE", channel)
}

// PUnsubscribe unsubscribes the connection from the given patterns, or from
// all of them if none is given.
func (c PubSubConn) PUnsubscribe(channel ...interface{}) error {
	return c.sendFlush("PUNSUBSCRIBE", channel)
}

// Ping sends a PING to the server with the specified data.
//
// The connection must be subscribed to at least one channel or pattern when
// calling this method.
func (c PubSubConn) Ping(data string) error {
	return c.sendFlush("PING", []interface{}{data})
}

// sendFlush sends the command at once: its replies come back through
// Receive, not as the result of the call.
func (c PubSubConn) sendFlush(cmd string, args []interface{}) error {
	if err := c.Conn.Send(cmd, args...); err != nil {
		return err
	}
	return c.Conn.Flush()
}

// Receive returns a pushed message as a Subscription, Message, Pong or error.
// The return value is intended to be used directly in a type switch as
// illustrated in the PubSubConn example.
func (c PubSubConn) Receive() interface{} {
	return c.notification(c.Conn.Receive())
}

// ReceiveWithTimeout is like Receive, but it allows the application to
// override the connection's default timeout.
func (c PubSubConn) ReceiveWithTimeout(timeout time.Duration) interface{} {
	return c.notification(ReceiveWithTimeout(c.Conn, timeout))
}

// ReceiveContext is like Receive, but it allows termination of the receive
// via a Context. If the call returns due to closure of the context's Done
// channel the underlying Conn will have been closed.
func (c PubSubConn) ReceiveContext(ctx context.Context) interface{} {
	return c.notification(ReceiveContext(c.Conn, ctx))
}

var errUnknownNotification = errors.New("redigo: unknown pubsub notification")

// notification turns a reply read in subscribed mode into a Subscription,
// Message or Pong; anything else, a failed read included, is an error value.
// The sharded kinds (ssubscribe, smessage, ...) are unknown notifications,
// as they are to upstream redigo.
func (c PubSubConn) notification(reply interface{}, err error) interface{} {
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
		if _, err := Scan(fields, &m.Channel, &m.Data); err != nil {
			return err
		}
		return m
	case "pmessage":
		var m Message
		if _, err := Scan(fields, &m.Pattern, &m.Channel, &m.Data); err != nil {
			return err
		}
		return m
	case "subscribe", "psubscribe", "unsubscribe", "punsubscribe":
		s := Subscription{Kind: kind}
		if _, err := Scan(fields, &s.Channel, &s.Count); err != nil {
			return err
		}
		return s
	case "pong":
		var p Pong
		if _, err := Scan(fields, &p.Data); err != nil {
			return err
		}
		return p
	}
	return errUnknownNotification
}
