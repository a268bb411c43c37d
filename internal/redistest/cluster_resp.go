package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// A minimal RESP2 client for setting up and inspecting clusters: the
// package imports only the standard library, so it cannot use the driver.

// command dials addr, sends args as an array of bulk strings and reads one
// reply.
func command(addr string, timeout time.Duration, args ...string) (interface{}, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return nil, err
	}
	reply, err := readReply(bufio.NewReader(conn), 0)
	var re replyError
	if errors.As(err, &re) {
		return nil, re
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", addr, strings.Join(args, " "), err)
	}
	return reply, nil
}

// replyError is an error reply of the server.
type replyError string

func (e replyError) Error() string { return string(e) }

// readReply reads one reply. Error replies are returned as the reply (a
// replyError), not as the error, so that arrays of them stay readable.
func readReply(r *bufio.Reader, depth int) (interface{}, error) {
	if depth > 8 {
		return nil, errors.New("reply nested too deeply")
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty reply line")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return nil, replyError(line[1:])
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < -1 || n > 64<<20 {
			return nil, fmt.Errorf("bad bulk length %q", line)
		}
		if n == -1 {
			return nil, nil
		}
		data := make([]byte, n+2)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, err
		}
		return string(data[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < -1 || n > 1<<20 {
			return nil, fmt.Errorf("bad array length %q", line)
		}
		if n == -1 {
			return nil, nil
		}
		items := make([]interface{}, n)
		for i := range items {
			v, err := readReply(r, depth+1)
			var re replyError
			if errors.As(err, &re) {
				v, err = re, nil
			}
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return items, nil
	}
	return nil, fmt.Errorf("unexpected reply line %q", line)
}

// slotRange is one entry of CLUSTER SLOTS.
type slotRange struct {
	start, end int
	master     string // "ip:port"
	replicas   int
}

// clusterSlots asks the node at addr for CLUSTER SLOTS.
func clusterSlots(addr string) ([]slotRange, error) {
	reply, err := command(addr, time.Second, "CLUSTER", "SLOTS")
	if err != nil {
		return nil, err
	}
	entries, ok := reply.([]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: CLUSTER SLOTS: unexpected reply %T", addr, reply)
	}
	var out []slotRange
	for _, e := range entries {
		fields, ok := e.([]interface{})
		if !ok || len(fields) < 3 {
			return nil, fmt.Errorf("%s: CLUSTER SLOTS: malformed entry %v", addr, e)
		}
		start, ok1 := fields[0].(int64)
		end, ok2 := fields[1].(int64)
		node, ok3 := fields[2].([]interface{})
		if !ok1 || !ok2 || !ok3 || len(node) < 2 {
			return nil, fmt.Errorf("%s: CLUSTER SLOTS: malformed entry %v", addr, e)
		}
		host, _ := node[0].(string)
		port, _ := node[1].(int64)
		out = append(out, slotRange{
			start:    int(start),
			end:      int(end),
			master:   net.JoinHostPort(host, strconv.FormatInt(port, 10)),
			replicas: len(fields) - 3,
		})
	}
	return out, nil
}
