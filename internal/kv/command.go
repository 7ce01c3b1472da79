package kv

import (
	"math"

	"github.com/goreactor/reactor/proto/resp"
)

// KeyMode says where a command's keys are, for a server that spreads keys
// over several keyspaces.
type KeyMode uint8

const (
	// NoKey: the command touches no key (PING, ECHO, CONFIG...); any
	// keyspace can run it.
	NoKey KeyMode = iota
	// FirstKey: one key, the first argument.
	FirstKey
	// EveryKey: every argument is a key (DEL, EXISTS, MGET).
	EveryKey
	// KeyValuePairs: the arguments are key, value, key, value... (MSET).
	KeyValuePairs
	// EveryKeyspace: the command acts on the whole keyspace (FLUSHALL,
	// DBSIZE): a sharded server runs it on every shard and combines the
	// replies.
	EveryKeyspace
)

// Command is one command of the table. Its fields are fixed: Lookup returns
// pointers into a table shared by every caller.
type Command struct {
	name  string // lower case, as error replies name it
	arity int    // > 0: exactly that many arguments, the name included; < 0: at least -arity
	keys  KeyMode
	quit  bool // the connection closes once the reply has left
	run   func(ks *Keyspace, dst []byte, args [][]byte) []byte
}

// Name returns the command's name in lower case.
func (c *Command) Name() string { return c.name }

// Keys says where the command's keys are.
func (c *Command) Keys() KeyMode { return c.keys }

// Quit reports whether the connection must close once the command's reply
// has left (QUIT).
func (c *Command) Quit() bool { return c.quit }

// Accepts reports whether n arguments, the name included, suit the
// command's arity; if not, the reply is AppendArityError's.
func (c *Command) Accepts(n int) bool {
	if c.arity > 0 {
		return n == c.arity
	}
	return n >= -c.arity
}

// Lookup returns the command named name, in any case, or nil if there is
// none. It does not allocate.
func Lookup(name []byte) *Command {
	var buf [16]byte
	if len(name) > len(buf) {
		return nil
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return commands[string(buf[:len(name)])]
}

// Exec runs cmd with args (args[0] is the command's name) and appends its
// reply to dst.
func (ks *Keyspace) Exec(dst []byte, cmd *Command, args [][]byte) []byte {
	if !cmd.Accepts(len(args)) {
		return AppendArityError(dst, cmd)
	}
	return cmd.run(ks, dst, args)
}

// Do looks up the command args[0] and runs it, appending its reply to dst:
// an error reply for an unknown command.
func (ks *Keyspace) Do(dst []byte, args [][]byte) []byte {
	cmd := Lookup(args[0])
	if cmd == nil {
		return AppendUnknown(dst, args)
	}
	return ks.Exec(dst, cmd, args)
}

// AppendUnknown appends the error reply to an unknown command, naming it
// and its first few arguments.
func AppendUnknown(dst []byte, args [][]byte) []byte {
	dst = append(dst, "-ERR unknown command '"...)
	dst = resp.AppendLine(dst, args[0][:min(len(args[0]), 64)])
	dst = append(dst, "', with args beginning with:"...)
	for _, a := range args[1:min(len(args), 9)] {
		dst = append(dst, " '"...)
		dst = resp.AppendLine(dst, a[:min(len(a), 64)])
		dst = append(dst, '\'')
	}
	return append(dst, '\r', '\n')
}

// AppendArityError appends the error reply to a command given the wrong
// number of arguments.
func AppendArityError(dst []byte, cmd *Command) []byte {
	dst = append(dst, "-ERR wrong number of arguments for '"...)
	dst = append(dst, cmd.name...)
	return append(dst, "' command\r\n"...)
}

// Error replies shared by several commands.
const (
	errNotInt   = "ERR value is not an integer or out of range"
	errSyntax   = "ERR syntax error"
	errOverflow = "ERR increment or decrement would overflow"
)

// parseInt parses a value as Redis reads an integer: an optional '-' and
// decimal digits, no '+', no spaces, no leading zero, within int64.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 19 || digits[0] == '0' && len(b) > 1 {
		return 0, false
	}
	var n uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0') // 19 digits fit a uint64
	}
	switch {
	case !neg && n <= math.MaxInt64:
		return int64(n), true
	case neg && n <= 1<<63:
		return int64(-n), true // -(1<<63) wraps to itself: MinInt64
	}
	return 0, false
}

// is reports whether b is word, which is in lower case, in any case.
func is(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}
