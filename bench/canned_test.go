package bench

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"
)

// The canned workloads run the GET and pipeline workloads on a connection
// made with NewConn over a cannedConn: no kernel, no redis-server, so that
// what they measure is the client's own CPU per command.

// cannedConn is a net.Conn with a canned server behind it. The workloads
// send one fixed command (a GET of one key), so a byte count tells the
// commands written: every complete command written queues one canned reply,
// and Read returns the queued replies. One goroutine at a time uses it, as
// a redigo connection does with its net.Conn.
type cannedConn struct {
	cmdLen  int    // bytes of the command
	partial int    // bytes of a command written so far, across writes
	reply   []byte // the reply to every command
	queued  int    // replies written and not read yet
	off     int    // bytes of the first queued reply already read
	// expect, when set, is the command: Write checks every byte against it.
	expect   []byte
	commands int // complete commands written
	closed   bool
}

// errCannedEmpty is returned by a Read with no reply queued, which would
// block forever on a real connection.
var errCannedEmpty = errors.New("canned conn: read with no reply queued (a real server would never answer)")

// newCannedConn answers every command (of len(command) bytes) with reply.
func newCannedConn(command, reply []byte, verify bool) *cannedConn {
	c := &cannedConn{cmdLen: len(command), reply: reply}
	if verify {
		c.expect = command
	}
	return c
}

func (c *cannedConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	if c.expect != nil {
		for i, b := range p {
			if at := (c.partial + i) % c.cmdLen; b != c.expect[at] {
				return 0, fmt.Errorf("canned conn: byte %d of a command is %q, want %q (command %q)", at, b, c.expect[at], c.expect)
			}
		}
	}
	total := c.partial + len(p)
	n := total / c.cmdLen
	c.partial = total % c.cmdLen
	c.queued += n
	c.commands += n
	return len(p), nil
}

func (c *cannedConn) Read(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	if c.queued == 0 {
		return 0, errCannedEmpty
	}
	n := 0
	for n < len(p) && c.queued > 0 {
		m := copy(p[n:], c.reply[c.off:])
		n += m
		c.off += m
		if c.off == len(c.reply) {
			c.off = 0
			c.queued--
		}
	}
	return n, nil
}

func (c *cannedConn) Close() error {
	c.closed = true
	return nil
}

var (
	cannedLocal  = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	cannedRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6379}
)

func (c *cannedConn) LocalAddr() net.Addr              { return cannedLocal }
func (c *cannedConn) RemoteAddr() net.Addr             { return cannedRemote }
func (c *cannedConn) SetDeadline(time.Time) error      { return nil }
func (c *cannedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cannedConn) SetWriteDeadline(time.Time) error { return nil }

// getCommand is GET key as both libraries write it.
func getCommand(key string) []byte {
	return []byte("*2\r\n$3\r\nGET\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n")
}

// bulkReply is the reply to a GET of a value of size bytes.
func bulkReply(size int) []byte {
	var b bytes.Buffer
	b.WriteString("$" + strconv.Itoa(size) + "\r\n")
	b.Write(value(size))
	b.WriteString("\r\n")
	return b.Bytes()
}

// cannedConn opens a connection of the target over a cannedConn answering
// GET key with a value of size bytes.
func (t *redigoTarget) cannedConn(b *testing.B, key string, size int) conn {
	c := t.newConn(newCannedConn(getCommand(key), bulkReply(size), false))
	b.Cleanup(func() { c.Close() })
	return c
}

func (t *redigoTarget) cannedGet(b *testing.B, key string, size int) {
	t.getLoop(b, t.cannedConn(b, key, size), key, size)
}

func (t *redigoTarget) cannedPipeline(b *testing.B, key string, size int) {
	t.pipelineLoop(b, t.cannedConn(b, key, size), key, size)
}

// probeCanned runs a GET and a short pipeline as the canned workloads do,
// on a cannedConn that checks every byte written: the commands the client
// writes must be exactly those the byte count expects.
func (t *redigoTarget) probeCanned(key string, size int) error {
	nc := newCannedConn(getCommand(key), bulkReply(size), true)
	c := t.newConn(nc)
	defer c.Close()
	if err := t.checkModeSupported(c); err != nil {
		return err
	}
	ctx, end := t.newContext()
	defer end()
	if err := t.checkedGet(ctx, c, key, size); err != nil {
		return fmt.Errorf("canned GET: %w", err)
	}
	if err := t.pipelineGets(ctx, c, key, size, 3); err != nil {
		return fmt.Errorf("canned pipeline: %w", err)
	}
	if nc.commands != 4 || nc.queued != 0 || nc.partial != 0 {
		return fmt.Errorf("canned conn: %d commands written (%d bytes of a partial one), %d replies unread; want 4, 0, 0",
			nc.commands, nc.partial, nc.queued)
	}
	return nil
}

func TestCannedConn(t *testing.T) {
	cmd, reply := getCommand("k"), bulkReply(3)
	c := newCannedConn(cmd, reply, true)
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, errCannedEmpty) {
		t.Fatalf("Read before any command: %v, want errCannedEmpty", err)
	}
	// Two and a half commands, then the rest of the third, split anywhere.
	two := append(bytes.Repeat(cmd, 2), cmd[:5]...)
	if n, err := c.Write(two); err != nil || n != len(two) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if c.commands != 2 || c.queued != 2 || c.partial != 5 {
		t.Fatalf("after 2.5 commands: commands %d queued %d partial %d", c.commands, c.queued, c.partial)
	}
	if _, err := c.Write(cmd[5:]); err != nil {
		t.Fatal(err)
	}
	if c.commands != 3 || c.partial != 0 {
		t.Fatalf("after 3 commands: commands %d partial %d", c.commands, c.partial)
	}
	// Reads in small pieces return the three replies, then fail.
	var got []byte
	buf := make([]byte, 4)
	for {
		n, err := c.Read(buf)
		if err != nil {
			if !errors.Is(err, errCannedEmpty) {
				t.Fatal(err)
			}
			break
		}
		got = append(got, buf[:n]...)
	}
	if want := bytes.Repeat(reply, 3); !bytes.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}
	if _, err := c.Write([]byte("*2\r\n$3\r\nSET")); err == nil {
		t.Error("Write of another command: no error")
	}
	c.Close()
	if _, err := c.Write(cmd); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
}
