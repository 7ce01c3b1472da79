// Package load is a load generator for echo servers, built on the reactor it
// measures: one goroutine runs one reactor loop, and every client connection
// is dialed on that loop. So the generator costs about as little per message
// as a good server, and on a small machine leaves the server its core.
//
// Run drives a server in one of two ways. Closed loop (Rate 0): each
// connection keeps Depth messages in flight, sending the next when an echo
// completes (Depth 1 is ping-pong). Open loop (Rate > 0): messages are due
// on a fixed schedule, Rate per second over all connections, and each
// latency counts from when its message was due, so a server that falls
// behind cannot hide the queueing delay (coordinated omission). The
// generator also accounts for its own lag, how late it sent each message
// after it could have, and calls a run whose lag or shortfall is too large
// generator-bound (Result.Open; see schedule.go and lag.go): such a run
// measured the generator. Every echoed byte is checked against what was
// sent, in order, whatever the chunking. Latencies go into a log-linear Histogram (0.8% precision, no
// allocation per message). With the server's pid, the server's CPU time per
// message is measured from /proc (Linux), beside the generator's own.
//
// RunIdle instead measures the server's memory per idle connection, and
// RunHandshakes how many connections per second the server sets up: dial,
// handshake, one echo, close. RunUDP drives a UDP echo server from
// connected sockets, a goroutine each, counting the datagrams echoed and
// those lost (see udp.go).
//
// With Config.TLS the connections speak TLS through crypto/tls's client,
// a goroutine each rather than the loop (see crowd.go), and in open loop a
// goroutine more keeps the schedule (see pacer.go); TLSClientConfig makes
// the configuration the benchmarks use.
//
// With Config.WebSocket the connections are WebSocket clients on the loop
// (ws.go): each upgrades (an HTTP/1.1 GET of Config.Path, the 101 and its
// Sec-WebSocket-Accept checked), then sends its messages as masked binary
// frames, a fresh masking key each, and checks the echoed messages in
// whatever frames the server cuts them into, without allocating per
// message. Run, open or closed loop, and RunIdle drive them; with
// Config.TLS too (wss) the loop's own TLS carries them.
//
// Traffic goes only to loopback addresses and unix sockets (CheckLoopback).
// The command bench/cmd/reactor-load is the way to run it.
package load
