// Command peer-http runs an HTTP server of another library, for
// bench/http.sh to hold cmd/reactor-http against under the same load:
//
//	peer-http -server gnet -addr 127.0.0.1:8081
//	peer-http -server net -addr 127.0.0.1:8082
//
// Both answer GET / (and HEAD /) with the bytes reactor-http sends:
// "Hello, World!" as text/plain; charset=utf-8, with a Date field that
// changes once a second, and the same fields in the same order. Each is
// the plain way to write that server with its library:
//
//   - net: net/http, a goroutine per connection; the handler sets
//     Content-Type and writes the body, net/http adds Date and
//     Content-Length. It answers pipelined requests one after another, a
//     write each.
//   - gnet: gnet v2 with one event loop. gnet has no HTTP parser, so it
//     parses with reactor-http's own, the protocol package
//     github.com/goreactor/reactor/proto/http1: the two servers differ
//     in their event loop only. It answers every request of a read
//     in one buffer, written once at the end of OnTraffic, as gnet's own
//     HTTP examples do; the Date is formatted once a second in OnTick.
//     Any request other than GET or HEAD of / gets 404 and the connection
//     closes: it exists for the benchmark.
//
// It listens only on the loopback address given, prints "listening on
// ADDR" on stdout once it accepts connections, and exits with status 0 on
// SIGINT or SIGTERM. GOMAXPROCS comes from the caller's environment.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/goreactor/reactor/bench/peers/internal/loopback"
)

// serveFunc runs one HTTP server on addr until ctx is done. It calls ready
// with the bound address once connections are being accepted.
type serveFunc func(ctx context.Context, addr string, ready func(net.Addr)) error

// servers maps the names of -server to their servers.
func servers() map[string]serveFunc {
	return map[string]serveFunc{"net": serveNet, "gnet": serveGnet}
}

func main() {
	name := flag.String("server", "", "which HTTP server to run: gnet | net")
	addr := flag.String("addr", "127.0.0.1:8081", "loopback address to listen on")
	flag.Parse()
	if err := run(*name, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "peer-http:", err)
		os.Exit(1)
	}
}

func run(name, addr string) error {
	serve, ok := servers()[name]
	if !ok {
		return fmt.Errorf("unknown -server %q (want gnet or net)", name)
	}
	if err := loopback.Check(addr); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, addr, func(a net.Addr) {
		fmt.Printf("listening on %s\n", a)
	})
}
