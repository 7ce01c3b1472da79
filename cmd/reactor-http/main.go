// Command reactor-http is an HTTP/1.1 server on goreactor loops: a demo of
// the HTTP package (proto/http1) on the library, to read, run and
// benchmark.
//
//	go run ./cmd/reactor-http                     # listens on 127.0.0.1:8080
//	go run ./cmd/reactor-http -loops 1 -addr 127.0.0.1:0
//	curl -i http://127.0.0.1:8080/
//	curl -i --data-binary @file http://127.0.0.1:8080/echo
//
// GET / and HEAD / answer "Hello, World!" as text/plain; POST /echo
// answers with the request's body, sent with a Content-Length or chunked.
// Other paths get 404, other methods 405 with an Allow field. Connections
// are persistent (HTTP/1.1, or HTTP/1.0 with "Connection: keep-alive") and
// pipelined requests are answered in order; "Connection: close" (or
// HTTP/1.0 without keep-alive) gets its answer, then the connection closes.
// "Expect: 100-continue" gets "100 Continue" before the body is read.
//
// The limits, each a flag, are answered with the status RFC 9112 gives and
// the connection closes after the answer: a request line over
// -max-request-line gets 414, a header section over -max-header-bytes or
// with more fields than -max-headers gets 431, a body over -max-body gets
// 413 (told by its Content-Length, or by its chunks' sizes as they come:
// the decoded data is what counts), a chunked body whose framing (size
// lines, extensions, line ends) passes -max-chunk-overhead gets 413 too,
// a head not whole within -header-timeout of its first byte gets 408, and
// a malformed request 400.
//
// Each loop is a goroutine with its own connections (reactor.Group; -loops,
// by default GOMAXPROCS), served by an http1.Server (routes.go): requests
// are parsed in the input the loop buffered, without copying or
// allocating, and the answers to the requests read in one pass leave
// together, with one system call, at the end of the pass. The Date field
// is formatted once a second by a timer of each loop. -idle-timeout closes
// connections that send nothing for that long. On SIGINT or SIGTERM it
// stops accepting, sends what it has queued and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
)

// config is what the flags set.
type config struct {
	addr          string
	loops         int
	lim           http1.Limits
	headerTimeout time.Duration // 0: a head may take for ever
	idle          time.Duration // 0: connections may stay idle for ever
}

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on")
	flag.IntVar(&cfg.loops, "loops", runtime.GOMAXPROCS(0), "event loops, one goroutine each; connections are spread over them")
	flag.IntVar(&cfg.lim.MaxRequestLine, "max-request-line", http1.DefaultMaxRequestLine, "longest request line, in bytes (longer: 414)")
	flag.IntVar(&cfg.lim.MaxHeaderBytes, "max-header-bytes", http1.DefaultMaxHeaderBytes, "largest header section, in bytes (larger: 431)")
	flag.IntVar(&cfg.lim.MaxHeaders, "max-headers", http1.DefaultMaxHeaders, "most header fields in a request (more: 431)")
	flag.IntVar(&cfg.lim.MaxBody, "max-body", http1.DefaultMaxBody, "largest request body, in bytes, after chunked decoding (larger: 413)")
	flag.IntVar(&cfg.lim.MaxChunkOverhead, "max-chunk-overhead", http1.DefaultMaxChunkOverhead, "most bytes of a chunked body's framing, besides its data (more: 413)")
	flag.DurationVar(&cfg.headerTimeout, "header-timeout", http1.DefaultHeaderTimeout, "answer 408 and close if a request's head is not whole this long after its first byte (0: never)")
	flag.DurationVar(&cfg.idle, "idle-timeout", http1.DefaultIdleTimeout, "close a connection that sends nothing for this long (0: never)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	err := serve(ctx, cfg, func(addr net.Addr, _ *reactor.Group) {
		fmt.Printf("reactor-http listening on %s, %d loop(s)\n", addr, cfg.loops)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "reactor-http:", err)
		os.Exit(1)
	}
}

// serve runs the server until ctx ends; ready is called with the address
// bound, and the group of loops (for its Stats), once connections are
// accepted.
func serve(ctx context.Context, cfg config, ready func(net.Addr, *reactor.Group)) error {
	srv, err := newServer(cfg)
	if err != nil {
		return err
	}
	g, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() },
		reactor.WithLoops(cfg.loops), reactor.WithLoopOptions(srv.LoopOptions()...))
	if err != nil {
		return err
	}
	addr, err := g.Listen("tcp", cfg.addr)
	if err != nil {
		g.Stop()
		g.Run(ctx) // releases the pollers
		return err
	}
	ready(addr, g)
	return g.Run(ctx)
}

// newServer is the HTTP server of cfg. Its output keeps room for the
// largest answer, an echo of the largest body, so that every echo is
// answered whole (http1.WithResponseRoom).
func newServer(cfg config) (*http1.Server, error) {
	return http1.NewServer(routes(),
		http1.WithLimits(cfg.lim),
		http1.WithHeaderTimeout(cfg.headerTimeout),
		http1.WithIdleTimeout(cfg.idle),
		http1.WithResponseRoom(max(http1.DefaultResponseRoom, cfg.lim.MaxBody+maxResponseHead)))
}

// maxResponseHead is more than the head of any answer of routes.go.
const maxResponseHead = 1 << 10
