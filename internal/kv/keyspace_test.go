package kv

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeTimers is a Scheduler whose timers run when the test says.
type fakeTimers struct{ timers []*fakeTimer }

type fakeTimer struct {
	d       time.Duration
	f       func()
	pending bool
}

func (s *fakeTimers) AfterFunc(d time.Duration, f func()) Timer {
	t := &fakeTimer{d: d, f: f, pending: true}
	s.timers = append(s.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool { p := t.pending; t.pending = false; return p }

func (t *fakeTimer) Reset(d time.Duration) bool {
	p := t.pending
	t.d, t.pending = d, true
	return p
}

// fire runs the pending timers due within d.
func (s *fakeTimers) fire(d time.Duration) {
	for _, t := range s.timers {
		if t.pending && t.d <= d {
			t.pending = false
			t.f()
		}
	}
}

// pending counts the timers armed.
func (s *fakeTimers) pending() int {
	n := 0
	for _, t := range s.timers {
		if t.pending {
			n++
		}
	}
	return n
}

// newKeyspace returns a keyspace whose clock stands still but for
// advance, so that no test depends on how fast the machine runs it.
func newKeyspace(s Scheduler) *Keyspace {
	ks := NewKeyspace(s)
	at := new(time.Duration)
	ks.clock = func() time.Duration { return *at }
	stopped[ks] = at
	return ks
}

// stopped holds the clocks of the keyspaces newKeyspace made.
var stopped = map[*Keyspace]*time.Duration{}

// advance moves the stopped clock of ks forward by d.
func advance(ks *Keyspace, d time.Duration) { *stopped[ks] += d }

// do runs a command given as words separated by spaces.
func do(ks *Keyspace, cmd string) string {
	var args [][]byte
	for _, w := range strings.Fields(cmd) {
		args = append(args, []byte(w))
	}
	return string(ks.Do(nil, args))
}

func TestCommands(t *testing.T) {
	ks := newKeyspace(nil)
	for _, c := range []struct{ cmd, reply string }{
		{"PING", "+PONG\r\n"},
		{"ping hi", "$2\r\nhi\r\n"},
		{"PING a b", "-ERR wrong number of arguments for 'ping' command\r\n"},
		{"ECHO x", "$1\r\nx\r\n"},
		{"GET k", "$-1\r\n"},
		{"SET k v", "+OK\r\n"},
		{"GET k", "$1\r\nv\r\n"},
		{"STRLEN k", ":1\r\n"},
		{"SET k w NX", "$-1\r\n"},
		{"SET k w XX GET", "$1\r\nv\r\n"},
		{"SET j w XX", "$-1\r\n"},
		{"SET j w NX GET", "$-1\r\n"},
		{"GET j", "$1\r\nw\r\n"},
		{"SET k v NX XX", "-ERR syntax error\r\n"},
		{"SET k v EX", "-ERR syntax error\r\n"},
		{"SET k v EX x", "-ERR value is not an integer or out of range\r\n"},
		{"SET k v EX 0", "-ERR invalid expire time in 'set' command\r\n"},
		{"SET k v PX 9223372036854775807", "-ERR invalid expire time in 'set' command\r\n"},
		{"SET k v EX 1 PX 1", "-ERR syntax error\r\n"},
		{"SET k v KEEPTTL EX 1", "-ERR syntax error\r\n"},
		{"SET k", "-ERR wrong number of arguments for 'set' command\r\n"},
		{"INCR n", ":1\r\n"},
		{"INCRBY n 41", ":42\r\n"},
		{"DECR n", ":41\r\n"},
		{"DECRBY n -9", ":50\r\n"},
		{"INCR k", "-ERR value is not an integer or out of range\r\n"},
		{"INCRBY n 1x", "-ERR value is not an integer or out of range\r\n"},
		{"SET big 9223372036854775807", "+OK\r\n"},
		{"INCR big", "-ERR increment or decrement would overflow\r\n"},
		{"DECRBY n -9223372036854775808", "-ERR decrement would overflow\r\n"},
		{"DECRBY n -9223372036854775807", "-ERR increment or decrement would overflow\r\n"},
		{"SET z 007", "+OK\r\n"},
		{"INCR z", "-ERR value is not an integer or out of range\r\n"},
		{"MSET a 1 b 2", "+OK\r\n"},
		{"MSET a 1 b", "-ERR wrong number of arguments for 'mset' command\r\n"},
		{"MGET a x b", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"},
		{"EXISTS a a x b", ":3\r\n"},
		{"DEL a x b", ":2\r\n"},
		{"UNLINK j", ":1\r\n"},
		{"DBSIZE", ":4\r\n"},
		{"TTL k", ":-1\r\n"},
		{"TTL nope", ":-2\r\n"},
		{"EXPIRE nope 10", ":0\r\n"},
		{"EXPIRE k 10 XX", ":0\r\n"},
		{"EXPIRE k 10 NX", ":1\r\n"},
		{"TTL k", ":10\r\n"},
		{"PTTL k", ":10000\r\n"},
		{"EXPIRE k 5 GT", ":0\r\n"},
		{"EXPIRE k 5 LT", ":1\r\n"},
		{"EXPIRE k 5 NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"},
		{"EXPIRE k 5 GT LT", "-ERR GT and LT options at the same time are not compatible\r\n"},
		{"EXPIRE k 5 YY", "-ERR Unsupported option YY\r\n"},
		{"EXPIRE k x", "-ERR value is not an integer or out of range\r\n"},
		{"PERSIST k", ":1\r\n"},
		{"PERSIST k", ":0\r\n"},
		{"SET k v KEEPTTL", "+OK\r\n"},
		{"TTL k", ":-1\r\n"},
		{"EXPIRE k 0", ":1\r\n"},
		{"GET k", "$-1\r\n"},
		{"SELECT 0", "+OK\r\n"},
		{"SELECT 1", "-ERR DB index is out of range\r\n"},
		{"FLUSHALL NOW", "-ERR syntax error\r\n"},
		{"FLUSHALL", "+OK\r\n"},
		{"DBSIZE", ":0\r\n"},
		{"COMMAND DOCS", "*0\r\n"},
		{"COMMAND NOPE", "-ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try COMMAND HELP.\r\n"},
		{"CLIENT SETNAME me", "+OK\r\n"},
		{"CLIENT GETNAME", "$-1\r\n"},
		{"CONFIG GET save appendonly nope", "*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"},
		{"CONFIG GET nope", "*0\r\n"},
		{"HELLO 3", "-NOPROTO unsupported protocol version\r\n"},
		{"HELLO x", "-ERR Protocol version is not an integer or out of range\r\n"},
		{"QUIT", "+OK\r\n"},
		{"NOPE a b", "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b'\r\n"},
	} {
		require.Equal(t, c.reply, do(ks, c.cmd), c.cmd)
	}
	require.True(t, strings.HasPrefix(do(ks, "HELLO 2"), "*12\r\n$6\r\nserver\r\n"))
	require.Equal(t, ":"+strconv.Itoa(len(table))+"\r\n", do(ks, "COMMAND COUNT"))
}

func TestParseInt(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "-1": -1, "9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64} {
		n, ok := parseInt([]byte(s))
		require.True(t, ok, s)
		require.Equal(t, want, n, s)
	}
	for _, s := range []string{"", "-", "+1", " 1", "1 ", "01", "-0", "-01", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e3"} {
		_, ok := parseInt([]byte(s))
		require.False(t, ok, s)
	}
}

// TestLazyExpiry: with no scheduler, an expired key is gone the moment a
// command looks for it, though it still counts until then.
func TestLazyExpiry(t *testing.T) {
	ks := newKeyspace(nil)
	require.Equal(t, "+OK\r\n", do(ks, "SET k v PX 100"))
	require.Equal(t, ":100\r\n", do(ks, "PTTL k"))
	advance(ks, 99*time.Millisecond)
	require.Equal(t, "$1\r\nv\r\n", do(ks, "GET k"))
	advance(ks, time.Millisecond)
	require.Equal(t, 1, ks.Len(), "nothing looked at it yet")
	require.Equal(t, ":0\r\n", do(ks, "EXISTS k"))
	require.Equal(t, 0, ks.Len())
}

// TestActiveExpiry: the scheduler's timer removes the key with no command
// looking at it; overwriting, persisting or deleting a key stops its
// timer, and a key's timer is made once and then reset.
func TestActiveExpiry(t *testing.T) {
	s := &fakeTimers{}
	ks := newKeyspace(s)
	do(ks, "SET a 1 EX 1")
	do(ks, "SET b 1 PX 500")
	do(ks, "SET c 1 EX 1")
	do(ks, "SET d 1 EX 1")
	do(ks, "SET e 1 EX 1")
	require.Equal(t, 5, s.pending())
	do(ks, "SET c 2")    // no expiry any more
	do(ks, "PERSIST d")  // likewise
	do(ks, "DEL e")      // gone
	do(ks, "EXPIRE a 2") // later: the same timer, reset
	require.Len(t, s.timers, 5, "a key's timer is reused")
	require.Equal(t, 2, s.pending())

	advance(ks, 500*time.Millisecond)
	s.fire(500 * time.Millisecond)
	require.Equal(t, 3, ks.Len(), "b expired on its timer")
	require.Equal(t, ":-2\r\n", do(ks, "TTL b"))

	// A timer that runs early (its clock ahead of the keyspace's) is
	// reset for the time left, and the key stays.
	s.fire(2 * time.Second)
	require.Equal(t, 3, ks.Len())
	require.Equal(t, 1, s.pending())
	advance(ks, 1500*time.Millisecond)
	s.fire(2 * time.Second)
	require.Equal(t, 2, ks.Len(), "a expired")
	require.Equal(t, 0, s.pending())

	do(ks, "SET f 1 EX 9")
	do(ks, "FLUSHALL")
	require.Equal(t, 0, s.pending(), "FLUSHALL stops the timers")
}

// TestExecDoesNotAllocate: GET and SET of an existing key, with a value of
// the same size, and the lookup of their names, allocate nothing.
func TestExecDoesNotAllocate(t *testing.T) {
	ks := newKeyspace(nil)
	set := [][]byte{[]byte("set"), []byte("key"), []byte("value")}
	get := [][]byte{[]byte("GET"), []byte("key")}
	dst := ks.Do(nil, set)
	allocs := testing.AllocsPerRun(1000, func() {
		dst = ks.Do(dst[:0], set)
		dst = ks.Do(dst, get)
	})
	require.Zero(t, allocs)
	require.Equal(t, "+OK\r\n$5\r\nvalue\r\n", string(dst))
}
