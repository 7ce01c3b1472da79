// Package kv is the keyspace of cmd/reactor-kv and the commands that act
// on it: strings with optional expiry, and the few server commands that
// redis-cli and redis-benchmark send when they connect. It is internal:
// only this repository uses it, cmd/reactor-kv and the benchmark's gnet
// peer (bench/peers, whose module path lies under this one), which runs
// the very same commands and differs only in its event loop.
//
// A Keyspace belongs to one goroutine, as a loop's state does: it has no
// lock. Keys expire in two ways, as in Redis: lazily, when a command finds
// an expired key, and actively, on a timer per expiring key that the
// Keyspace arms through its Scheduler (reactor.Loop.AfterFunc in
// reactor-kv, so that expiry runs on the loop's goroutine, between its
// other work). With no Scheduler, keys expire lazily only.
//
// Commands are looked up by name without allocating (Lookup), and Exec
// appends the RESP2 reply to a byte slice. Each Command says where its
// keys are (Keys), so that a server that shards keys over several
// keyspaces can tell which keyspace must run it.
package kv
