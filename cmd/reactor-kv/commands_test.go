package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCommands: each command through a real connection, as RESP arrays,
// and errors that leave the connection open.
func TestCommands(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	for _, step := range []struct {
		args  []string
		reply string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"ECHO", "a\r\nb"}, bulk("a\r\nb")},
		{[]string{"SET", "k", "v"}, "+OK\r\n"},
		{[]string{"GET", "k"}, bulk("v")},
		{[]string{"SET", "k", "w", "NX"}, "$-1\r\n"},
		{[]string{"SET", "e", "1", "EX", "100"}, "+OK\r\n"},
		{[]string{"TTL", "e"}, ":100\r\n"},
		{[]string{"INCR", "e"}, ":2\r\n"},
		{[]string{"DECR", "e"}, ":1\r\n"},
		{[]string{"MSET", "a", "1", "b", "2"}, "+OK\r\n"},
		{[]string{"MGET", "a", "nope", "b"}, "*3\r\n" + bulk("1") + "$-1\r\n" + bulk("2")},
		{[]string{"EXISTS", "a", "b", "nope"}, ":2\r\n"},
		{[]string{"DEL", "a", "b", "nope"}, ":2\r\n"},
		{[]string{"EXPIRE", "k", "50"}, ":1\r\n"},
		{[]string{"TTL", "k"}, ":50\r\n"},
		{[]string{"DBSIZE"}, ":2\r\n"},
		{[]string{"FLUSHALL"}, "+OK\r\n"},
		{[]string{"DBSIZE"}, ":0\r\n"},
		{[]string{"CONFIG", "GET", "save"}, "*2\r\n" + bulk("save") + bulk("")},
		{[]string{"COMMAND", "DOCS"}, "*0\r\n"},
		{[]string{"CLIENT", "SETNAME", "test"}, "+OK\r\n"},
		// Errors: a reply, and the connection goes on.
		{[]string{"NOSUCH", "x"}, "-ERR unknown command 'NOSUCH', with args beginning with: 'x'\r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"SET", "k", "abc"}, "+OK\r\n"},
		{[]string{"INCR", "k"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "k", "v", "PX", "-5"}, "-ERR invalid expire time in 'set' command\r\n"},
		{[]string{"PING"}, "+PONG\r\n"},
	} {
		require.Equal(t, step.reply, c.do(t, step.args...), "%q", step.args)
	}
}

// TestInline: commands typed as lines, as telnet sends them, mixed with
// arrays; a blank line gets no reply.
func TestInline(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	c.send(t, "SET greeting hello\r\n\r\nGET greeting\n"+command("STRLEN", "greeting")+"  ping  \r\n")
	require.Equal(t, "+OK\r\n", c.reply(t))
	require.Equal(t, bulk("hello"), c.reply(t))
	require.Equal(t, ":5\r\n", c.reply(t))
	require.Equal(t, "+PONG\r\n", c.reply(t))
}

// TestInlineQuotes: an inline command's words are split as redis-server
// splits them: quotes keep a word's spaces, double quotes take escapes.
// Unbalanced quotes are a protocol error, which closes the connection.
func TestInlineQuotes(t *testing.T) {
	c := dial(t, startServer(t, defaults(1)))
	c.send(t, `SET q "hello world"`+"\r\n"+"GET q\r\n")
	require.Equal(t, "+OK\r\n", c.reply(t))
	require.Equal(t, bulk("hello world"), c.reply(t))
	c.send(t, `SET 'a key' "tab\there\x21 \"quoted\""`+"\r\n"+`GET "a key"`+"\r\n")
	require.Equal(t, "+OK\r\n", c.reply(t))
	require.Equal(t, bulk("tab\there! \"quoted\""), c.reply(t))
	c.send(t, `SET q "unbalanced`+"\r\n"+"PING\r\n")
	require.Equal(t, "-ERR Protocol error: unbalanced quotes in request\r\n", c.reply(t))
	c.eof(t)
}

// TestQuit: QUIT is answered, then the connection closes; what the client
// sent after it is not run.
func TestQuit(t *testing.T) {
	addr := startServer(t, defaults(1))
	c := dial(t, addr)
	c.send(t, command("SET", "k", "1")+"QUIT\r\n"+command("SET", "k", "2"))
	require.Equal(t, "+OK\r\n", c.reply(t))
	require.Equal(t, "+OK\r\n", c.reply(t))
	c.eof(t)
	require.Equal(t, bulk("1"), dial(t, addr).do(t, "GET", "k"))
}
