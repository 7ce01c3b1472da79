// Command peer-ws runs the WebSocket echo server of one library, so that
// the benchmarks (bench/ws.sh) can hold goreactor's WebSocket layer against
// it under the same load:
//
//	peer-ws -server nbio -addr 127.0.0.1:7001
//	peer-ws -server gorilla -addr 127.0.0.1:7001 -tls   # wss
//
// Each server upgrades a GET at any path, echoes every message (text as
// text, binary as binary, whole, whatever frames it came in; nbio does not
// echo an empty message, which never reaches its OnMessage), answers the
// protocol's pings and closes as its library does, and offers no
// extension: no permessage-deflate, so that every server moves the same
// bytes. It listens only on the loopback address given, prints "listening
// on ADDR" on stdout once it accepts connections, and exits with status 0
// on SIGINT or SIGTERM. GOMAXPROCS comes from the caller's environment
// (the benchmark sets 1).
//
// Servers:
//
//   - reactor: proto/websocket's Upgrader on a proto/http1 server, on one
//     reactor loop (64 KiB read buffer, as peer-echo's).
//   - nbio: nbhttp's engine in non-blocking mode (IOModNonBlocking) with
//     its websocket Upgrader, set up as nbio's own benchmark sets it up
//     (lesismal/go-websocket-benchmark, frameworks/nbio_nonblocking):
//     ReleaseWebsocketPayload, the default executor (a goroutine from its
//     pool runs each message's handler, in order per connection), the read
//     deadline cleared after the upgrade; and one poller, as peer-echo's
//     nbio has. nbio writes a message longer than 32 KiB in 32 KiB frames
//     (MaxWebsocketFramePayloadSize, its default).
//   - gorilla: gorilla/websocket on net/http, a goroutine per connection
//     (net/http's), as gorilla's benchmark server in the same repository
//     does it: NextReader into a buffer the connection keeps, then
//     WriteMessage, one frame; the Upgrader's buffers are its defaults
//     (it reuses net/http's 4 KiB bufio buffers).
//
// With -tls the server speaks TLS (wss) with a self-signed ECDSA P-256
// certificate for 127.0.0.1, ::1 and localhost, made at start: reactor
// with Loop.ListenTLS, gorilla with crypto/tls (tls.NewListener), nbio
// with llib's fork of crypto/tls, which nbhttp's TLS listeners use.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
	"github.com/goreactor/reactor/bench/peers/internal/loopback"
)

// readBufferSize is the read buffer of the servers that let us choose it,
// as in peer-echo: 64 KiB, so that 64 KiB messages are not decided by
// buffer size.
const readBufferSize = 64 << 10

// serveFunc runs one WebSocket echo server on addr until ctx is done; with
// a key pair it serves wss. It calls ready with the bound address once
// connections are being accepted.
type serveFunc func(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error

var servers = map[string]serveFunc{
	"reactor": serveReactor,
	"nbio":    serveNbio,
	"gorilla": serveGorilla,
}

func names() string {
	var s []string
	for n := range servers {
		s = append(s, n)
	}
	sort.Strings(s)
	return strings.Join(s, " | ")
}

func main() {
	name := flag.String("server", "", "which WebSocket echo server to run: "+names())
	addr := flag.String("addr", "127.0.0.1:7001", "loopback address to listen on")
	useTLS := flag.Bool("tls", false, "serve wss, with a self-signed ECDSA P-256 certificate made at start")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "peer-ws: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *name, *addr, *useTLS, func(a net.Addr) { fmt.Printf("listening on %s\n", a) })
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer-ws:", err)
		os.Exit(1)
	}
}

// run checks the flags and runs the server until ctx is done.
func run(ctx context.Context, name, addr string, useTLS bool, ready func(net.Addr)) error {
	serve, ok := servers[name]
	if !ok {
		return fmt.Errorf("unknown -server %q (want %s)", name, names())
	}
	if err := loopback.Check(addr); err != nil {
		return err
	}
	var kp *keypair.KeyPair
	if useTLS {
		var err error
		if kp, err = keypair.SelfSigned("peer-ws"); err != nil {
			return err
		}
	}
	return serve(ctx, addr, kp, ready)
}
