package kv

import (
	"sort"

	"github.com/goreactor/reactor/proto/resp"
)

// The command table, and the commands that concern the server rather than
// the keys: what redis-cli and redis-benchmark send as they connect.

var table = []*Command{
	{name: "get", arity: 2, keys: FirstKey, run: (*Keyspace).get},
	{name: "set", arity: -3, keys: FirstKey, run: (*Keyspace).set},
	{name: "strlen", arity: 2, keys: FirstKey, run: (*Keyspace).strlen},
	{name: "incr", arity: 2, keys: FirstKey, run: (*Keyspace).incr},
	{name: "decr", arity: 2, keys: FirstKey, run: (*Keyspace).decr},
	{name: "incrby", arity: 3, keys: FirstKey, run: (*Keyspace).incrby},
	{name: "decrby", arity: 3, keys: FirstKey, run: (*Keyspace).decrby},
	{name: "expire", arity: -3, keys: FirstKey, run: (*Keyspace).expire},
	{name: "pexpire", arity: -3, keys: FirstKey, run: (*Keyspace).pexpire},
	{name: "ttl", arity: 2, keys: FirstKey, run: (*Keyspace).ttl},
	{name: "pttl", arity: 2, keys: FirstKey, run: (*Keyspace).pttl},
	{name: "persist", arity: 2, keys: FirstKey, run: (*Keyspace).persistCmd},
	{name: "del", arity: -2, keys: EveryKey, run: (*Keyspace).del},
	{name: "unlink", arity: -2, keys: EveryKey, run: (*Keyspace).del},
	{name: "exists", arity: -2, keys: EveryKey, run: (*Keyspace).exists},
	{name: "mget", arity: -2, keys: EveryKey, run: (*Keyspace).mget},
	{name: "mset", arity: -3, keys: KeyValuePairs, run: (*Keyspace).mset},
	{name: "dbsize", arity: 1, keys: EveryKeyspace, run: (*Keyspace).dbsize},
	{name: "flushall", arity: -1, keys: EveryKeyspace, run: (*Keyspace).flushall},
	{name: "flushdb", arity: -1, keys: EveryKeyspace, run: (*Keyspace).flushall},
	{name: "ping", arity: -1, run: ping},
	{name: "echo", arity: 2, run: echo},
	{name: "select", arity: 2, run: selectDB},
	{name: "quit", arity: -1, quit: true, run: ok},
	{name: "command", arity: -1, run: command},
	{name: "hello", arity: -1, run: hello},
	{name: "client", arity: -2, run: client},
	{name: "config", arity: -2, run: config},
}

// commands indexes the table by name; filled once, by init, and only read
// after that.
var commands = map[string]*Command{}

func init() {
	for _, c := range table {
		commands[c.name] = c
	}
}

func (ks *Keyspace) dbsize(dst []byte, _ [][]byte) []byte {
	return resp.AppendInt(dst, int64(ks.Len()))
}

// flushall: FLUSHALL [ASYNC | SYNC], both done at once.
func (ks *Keyspace) flushall(dst []byte, args [][]byte) []byte {
	if len(args) > 2 || len(args) == 2 && !is(args[1], "async") && !is(args[1], "sync") {
		return resp.AppendError(dst, errSyntax)
	}
	ks.flush()
	return resp.AppendSimple(dst, "OK")
}

func ping(_ *Keyspace, dst []byte, args [][]byte) []byte {
	switch len(args) {
	case 1:
		return resp.AppendSimple(dst, "PONG")
	case 2:
		return resp.AppendBulk(dst, args[1])
	}
	return AppendArityError(dst, commands["ping"])
}

func echo(_ *Keyspace, dst []byte, args [][]byte) []byte { return resp.AppendBulk(dst, args[1]) }

func ok(_ *Keyspace, dst []byte, _ [][]byte) []byte { return resp.AppendSimple(dst, "OK") }

// selectDB: there is one database, 0.
func selectDB(_ *Keyspace, dst []byte, args [][]byte) []byte {
	n, valid := parseInt(args[1])
	switch {
	case !valid:
		return resp.AppendError(dst, errNotInt)
	case n != 0:
		return resp.AppendError(dst, "ERR DB index is out of range")
	}
	return resp.AppendSimple(dst, "OK")
}

// command: COMMAND, COMMAND COUNT, COMMAND LIST; DOCS and INFO answer with
// no documentation, which redis-cli accepts.
func command(_ *Keyspace, dst []byte, args [][]byte) []byte {
	switch {
	case len(args) == 1, is(args[1], "docs"), is(args[1], "info"):
		return resp.AppendArray(dst, 0)
	case is(args[1], "count") && len(args) == 2:
		return resp.AppendInt(dst, int64(len(commands)))
	case is(args[1], "list") && len(args) == 2:
		names := make([]string, 0, len(commands))
		for name := range commands {
			names = append(names, name)
		}
		sort.Strings(names)
		dst = resp.AppendArray(dst, len(names))
		for _, n := range names {
			dst = resp.AppendBulk(dst, n)
		}
		return dst
	}
	return unknownSubcommand(dst, args)
}

// hello: HELLO [2 [SETNAME name]]. Only RESP2 is spoken; a client that
// asks for RESP3 gets NOPROTO and, as clients do, goes on in RESP2.
func hello(_ *Keyspace, dst []byte, args [][]byte) []byte {
	if len(args) > 1 {
		v, valid := parseInt(args[1])
		switch {
		case !valid:
			return resp.AppendError(dst, "ERR Protocol version is not an integer or out of range")
		case v != 2:
			return resp.AppendError(dst, "NOPROTO unsupported protocol version")
		}
		for i := 2; i < len(args); i++ {
			switch {
			case is(args[i], "setname") && i+1 < len(args):
				i++
			case is(args[i], "auth"):
				return resp.AppendError(dst, "ERR AUTH is not supported: this server has no users")
			default:
				return resp.AppendError(dst, errSyntax)
			}
		}
	}
	// A map, as RESP2 has it: keys and values in turn. The version is that
	// of the Redis whose replies this server's commands follow.
	dst = resp.AppendArray(dst, 12)
	dst = resp.AppendBulk(resp.AppendBulk(dst, "server"), "reactor-kv")
	dst = resp.AppendBulk(resp.AppendBulk(dst, "version"), "7.0.0")
	dst = resp.AppendInt(resp.AppendBulk(dst, "proto"), 2)
	dst = resp.AppendBulk(resp.AppendBulk(dst, "mode"), "standalone")
	dst = resp.AppendBulk(resp.AppendBulk(dst, "role"), "master")
	return resp.AppendArray(resp.AppendBulk(dst, "modules"), 0)
}

// client: CLIENT SETNAME and SETINFO are accepted and forgotten; GETNAME
// has nothing to tell.
func client(_ *Keyspace, dst []byte, args [][]byte) []byte {
	switch {
	case is(args[1], "setname") && len(args) == 3, is(args[1], "setinfo") && len(args) == 4:
		return resp.AppendSimple(dst, "OK")
	case is(args[1], "getname") && len(args) == 2:
		return resp.AppendNull(dst)
	}
	return unknownSubcommand(dst, args)
}

// config: CONFIG GET answers the parameters that redis-benchmark asks
// about at start (save, appendonly): this server keeps nothing on disk.
// Other parameters are unknown, so their names get no value, as in Redis.
func config(_ *Keyspace, dst []byte, args [][]byte) []byte {
	switch {
	case is(args[1], "get") && len(args) >= 3:
		var pairs [2][2]string
		n := 0
		for _, p := range args[2:] {
			switch {
			case is(p, "save") && pairs[0][0] == "":
				pairs[0] = [2]string{"save", ""}
				n++
			case is(p, "appendonly") && pairs[1][0] == "":
				pairs[1] = [2]string{"appendonly", "no"}
				n++
			}
		}
		dst = resp.AppendArray(dst, 2*n)
		for _, p := range pairs {
			if p[0] != "" {
				dst = resp.AppendBulk(resp.AppendBulk(dst, p[0]), p[1])
			}
		}
		return dst
	case is(args[1], "resetstat") && len(args) == 2:
		return resp.AppendSimple(dst, "OK")
	case is(args[1], "set"):
		return resp.AppendError(dst, "ERR CONFIG SET is not supported by this server")
	}
	return unknownSubcommand(dst, args)
}

// unknownSubcommand appends the error reply to a subcommand that the
// command does not know, or that has the wrong number of arguments.
func unknownSubcommand(dst []byte, args [][]byte) []byte {
	dst = append(dst, "-ERR unknown subcommand or wrong number of arguments for '"...)
	dst = resp.AppendLine(dst, args[1][:min(len(args[1]), 64)])
	dst = append(dst, "'. Try "...)
	dst = resp.AppendLine(dst, args[0][:min(len(args[0]), 16)])
	return append(dst, " HELP.\r\n"...)
}
