package commandinfo

// extraCommands are written by hand: top-level commands of Redis and
// Valkey releases newer than the server table.go was generated from, and
// commands that server does not list. When a regenerated table.go lists
// one of them too, the generated entry wins.
var extraCommands = []Command{
	// Sentinel mode only (redis-server --sentinel); its CONFIG SET and
	// SET subcommands take passwords.
	{Name: "SENTINEL", FirstKey: -1},

	// Redis 7.2.
	{Name: "WAITAOF", FirstKey: -1},

	// Redis 7.4 (and Valkey 9.0): hash field expiration.
	{Name: "HEXPIRE", FirstKey: 0},
	{Name: "HEXPIREAT", FirstKey: 0},
	{Name: "HEXPIRETIME", FirstKey: 0},
	{Name: "HPERSIST", FirstKey: 0},
	{Name: "HPEXPIRE", FirstKey: 0},
	{Name: "HPEXPIREAT", FirstKey: 0},
	{Name: "HPEXPIRETIME", FirstKey: 0},
	{Name: "HPTTL", FirstKey: 0},
	{Name: "HTTL", FirstKey: 0},

	// Redis 8.0: hash commands.
	{Name: "HGETDEL", FirstKey: 0},
	{Name: "HGETEX", FirstKey: 0},
	{Name: "HSETEX", FirstKey: 0},

	// Redis 8.0: vector sets.
	{Name: "VADD", FirstKey: 0},
	{Name: "VCARD", FirstKey: 0},
	{Name: "VDIM", FirstKey: 0},
	{Name: "VEMB", FirstKey: 0},
	{Name: "VGETATTR", FirstKey: 0},
	{Name: "VINFO", FirstKey: 0},
	{Name: "VLINKS", FirstKey: 0},
	{Name: "VRANDMEMBER", FirstKey: 0},
	{Name: "VREM", FirstKey: 0},
	{Name: "VSETATTR", FirstKey: 0},
	{Name: "VSIM", FirstKey: 0},

	// Redis 8.2: stream deletion with consumer-group references.
	{Name: "XACKDEL", FirstKey: 0},
	{Name: "XDELEX", FirstKey: 0},

	// Valkey 8.1: the command log (slow, large-request and large-reply
	// commands).
	{Name: "COMMANDLOG", FirstKey: -1},
}
