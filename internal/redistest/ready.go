package redistest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"
)

// ping checks that the server answers on its TCP (or TLS) port and, when
// configured, its unix socket.
func (s *Server) ping() error {
	if err := s.pingOne("tcp", s.Addr(), s.TLSConfig()); err != nil {
		return err
	}
	if s.socket != "" {
		return s.pingOne("unix", s.socket, nil)
	}
	return nil
}

// pingOne sends a raw RESP PING. The server counts as ready when it
// answers +PONG, or -NOAUTH when a password is required.
func (s *Server) pingOne(network, addr string, tlsConfig *tls.Config) error {
	const timeout = time.Second
	d := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		conn, err = tls.DialWithDialer(d, network, addr, tlsConfig)
	} else {
		conn, err = d.Dial(network, addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	reply = strings.TrimRight(reply, "\r\n")
	if reply == "+PONG" || strings.HasPrefix(reply, "-NOAUTH") {
		return nil
	}
	return fmt.Errorf("PING on %s %s: unexpected reply %q", network, addr, reply)
}
