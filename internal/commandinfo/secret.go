package commandinfo

// Secret reports whether args[i] of c (the command name excluded) must
// never be recorded: not in trace text, not in logs. Options are matched
// case-insensitively as the encoder sends them, whatever their Go type (a
// named string type, an Argument, ...); a secret position is secret
// whatever the type of the argument in it. It does not allocate for the
// argument types argIs lists.
//
// Secret arguments:
//   - AUTH: every argument; the username of AUTH user pass too, so that
//     the one- and two-argument forms need no telling apart.
//   - HELLO ... AUTH username password: the username and the password.
//   - CONFIG SET name value [name value ...]: the value after requirepass,
//     masterauth, masteruser, primaryauth, primaryuser (Valkey),
//     tls-key-file-pass and tls-client-key-file-pass.
//   - ACL SETUSER username rule...: every rule (>pass, <pass, #hash and
//     !hash hide among them).
//   - MIGRATE ... AUTH password / AUTH2 username password: the username
//     and the password.
//   - SENTINEL SET master option value ...: the value after auth-pass and
//     auth-user; SENTINEL CONFIG SET name value ...: the value after
//     sentinel-pass and sentinel-user.
//
// Commands not in the table (Other) have no secret arguments as far as
// this package knows: recording their full text should stay an explicit
// opt-in of the user.
func (c *Command) Secret(args []interface{}, i int) bool {
	if c == nil || c.Flags&SecretArgs == 0 || i < 0 || i >= len(args) {
		return false
	}
	switch c.Name {
	case "AUTH":
		return true
	case "HELLO":
		return helloSecret(args, i)
	case "CONFIG":
		return argIs(args[0], "SET") && pairSecret(args, 1, i, isConfigSecret)
	case "ACL":
		return argIs(args[0], "SETUSER") && i >= 2
	case "MIGRATE":
		return migrateSecret(args, i)
	case "SENTINEL":
		if argIs(args[0], "SET") {
			return pairSecret(args, 2, i, isSentinelMasterSecret)
		}
		return len(args) > 1 && argIs(args[0], "CONFIG") && argIs(args[1], "SET") &&
			pairSecret(args, 2, i, isSentinelConfigSecret)
	}
	return false
}

// helloSecret parses HELLO [protover [AUTH username password] [SETNAME
// name]] as the server does. It starts at args[0] rather than after the
// protocol version so that a HELLO AUTH user pass missing its version,
// which the server rejects, still hides the password.
func helloSecret(args []interface{}, i int) bool {
	for j := 0; j < len(args) && j < i; {
		switch {
		case argIs(args[j], "AUTH"):
			if i <= j+2 {
				return true
			}
			j += 3
		case argIs(args[j], "SETNAME"):
			j += 2
		default:
			j++
		}
	}
	return false
}

// migrateSecret parses the options of MIGRATE host port key db timeout
// [COPY] [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key...]
// as the server does: the options start at args[5], and everything after
// KEYS is a key, even one named AUTH.
func migrateSecret(args []interface{}, i int) bool {
	for j := 5; j < len(args) && j < i; {
		switch {
		case argIs(args[j], "AUTH"):
			if i == j+1 {
				return true
			}
			j += 2
		case argIs(args[j], "AUTH2"):
			if i <= j+2 {
				return true
			}
			j += 3
		case argIs(args[j], "KEYS"):
			return false
		default:
			j++
		}
	}
	return false
}

// pairSecret reports whether args[i] is the value of a name/value pair
// starting at args[first] whose name isSecretName accepts.
func pairSecret(args []interface{}, first, i int, isSecretName func(interface{}) bool) bool {
	if i <= first || (i-first)%2 != 1 {
		return false
	}
	return isSecretName(args[i-1])
}

func isConfigSecret(name interface{}) bool {
	return argIs(name, "REQUIREPASS") || argIs(name, "MASTERAUTH") || argIs(name, "MASTERUSER") ||
		argIs(name, "PRIMARYAUTH") || argIs(name, "PRIMARYUSER") ||
		argIs(name, "TLS-KEY-FILE-PASS") || argIs(name, "TLS-CLIENT-KEY-FILE-PASS")
}

func isSentinelMasterSecret(name interface{}) bool {
	return argIs(name, "AUTH-PASS") || argIs(name, "AUTH-USER")
}

func isSentinelConfigSecret(name interface{}) bool {
	return argIs(name, "SENTINEL-PASS") || argIs(name, "SENTINEL-USER")
}
