package redistest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// validate rejects options that cannot be written into a config file.
func validate(opts Options) error {
	for _, u := range opts.Users {
		if u.Name == "" {
			return errors.New("ACL user with an empty name")
		}
	}
	for _, a := range opts.Args {
		// Each entry is one raw directive line; a line break would smuggle
		// in another directive.
		if strings.ContainsAny(a, "\r\n\x00") {
			return fmt.Errorf("config directive %q contains a line break or NUL", a)
		}
	}
	return nil
}

// config renders the redis.conf for the current port.
func (s *Server) config() string {
	var b strings.Builder
	line := func(directive string, values ...string) {
		b.WriteString(directive)
		for _, v := range values {
			b.WriteByte(' ')
			b.WriteString(quote(v))
		}
		b.WriteByte('\n')
	}
	line("bind", s.Host())
	if s.opts.TLS {
		line("port", "0")
		line("tls-port", strconv.Itoa(s.port))
	} else {
		line("port", strconv.Itoa(s.port))
	}
	line("save", "")
	line("appendonly", "no")
	line("dir", s.dir)
	line("logfile", s.logPath)
	line("daemonize", "no")
	line("protected-mode", "no")
	if s.opts.Unix {
		line("unixsocket", s.socket)
		line("unixsocketperm", "700")
	}
	if s.opts.Password != "" {
		line("requirepass", s.opts.Password)
	}
	for _, u := range s.opts.Users {
		line("user", userArgs(u)...)
	}
	if s.opts.TLS {
		line("tls-cert-file", filepath.Join(s.dir, certFile))
		line("tls-key-file", filepath.Join(s.dir, keyFile))
		line("tls-ca-cert-file", filepath.Join(s.dir, caFile))
		line("tls-auth-clients", "no")
	}
	if s.opts.Debug {
		line("enable-debug-command", "local")
	}
	for _, a := range s.opts.Args {
		b.WriteString(a)
		b.WriteByte('\n')
	}
	return b.String()
}

// userArgs returns the arguments of a "user" directive: the name, "on", the
// password and the rules.
func userArgs(u User) []string {
	args := []string{u.Name, "on"}
	if u.Password != "" {
		args = append(args, ">"+u.Password)
	} else {
		args = append(args, "nopass")
	}
	if len(u.Rules) == 0 {
		return append(args, "~*", "&*", "+@all")
	}
	return append(args, u.Rules...)
}

// quote renders v as a double-quoted redis config string. Printable ASCII
// is kept (with \" and \\ escaped); every other byte becomes \xHH, which
// the config parser decodes back to the same byte.
func quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func containsAddrInUse(log string) bool {
	return strings.Contains(log, "Address already in use")
}
