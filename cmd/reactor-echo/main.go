// Command reactor-echo is an echo server on goreactor loops, one per CPU
// unless -loops says otherwise: every byte a client sends comes back. It is
// the demo of the library.
//
//	go run ./cmd/reactor-echo                 # listens on 127.0.0.1:7777
//	go run ./cmd/reactor-echo -addr 127.0.0.1:0 -stats 1s
//	go run ./cmd/reactor-echo -network unix -addr /tmp/echo.sock
//	go run ./cmd/reactor-echo -idle-timeout 30s
//	go run ./cmd/reactor-echo -loops 1        # one loop (default: one per CPU)
//	go run ./cmd/reactor-echo -network udp    # datagrams: each one is echoed to its sender
//	go run ./cmd/reactor-echo -tls-self-signed   # TLS, with a certificate made at start
//	go run ./cmd/reactor-echo -tls-cert cert.pem -tls-key key.pem
//	go run ./cmd/reactor-echo -websocket     # WebSocket: every message echoed, at any path
//	go run ./cmd/reactor-echo -websocket -deflate -tls-self-signed   # wss, with permessage-deflate
//
// With TLS, try it with: openssl s_client -connect 127.0.0.1:7777
//
// With -websocket it is an HTTP/1.1 server whose every path upgrades to
// WebSocket (ws://127.0.0.1:7777/, or wss:// with TLS) and echoes every
// message, text as text and binary as binary; -idle-timeout then closes a
// WebSocket that sends nothing for that long with 1001.
//
// A client that half-closes (sends FIN) gets back everything it sent
// before, then the server closes. With -idle-timeout, a client that stays
// silent, or stops reading its echo, for that long is disconnected.
//
// On SIGINT or SIGTERM it stops accepting, sends every byte it has queued,
// closes the connections, prints its final counters and exits with status 0.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// echo is the whole server: whatever arrives is written back.
type echo struct{}

// OnPacket echoes a datagram to its sender (-network udp, udp6, unixgram).
func (echo) OnPacket(pc *reactor.PacketConn, p *reactor.Packet) {
	if p.Truncated {
		return // larger than the read buffer: nothing whole to send back
	}
	pc.Reply(p, p.Data) // an error (the queue full, an unnamed sender) drops the echo, as UDP may
}

// OnPacketError has nothing to do: the socket goes on.
func (echo) OnPacketError(*reactor.PacketConn, error) {}

func (echo) OnOpen(*reactor.Conn) {}

func (echo) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	if _, err := c.Write(p); err != nil {
		c.Close() // the output limit: the client does not read
	}
}

func (echo) OnClose(*reactor.Conn, error) {}

func main() {
	network := flag.String("network", "tcp", `"tcp", "tcp4", "tcp6", "unix"; or datagrams: "udp", "udp4", "udp6", "unixgram"`)
	addr := flag.String("addr", "", `address to listen on (default "127.0.0.1:7777", "[::1]:7777" for udp6, "/tmp/reactor-echo.sock" for unix and unixgram)`)
	every := flag.Duration("stats", 0, "print the loop's counters at this interval (0: only at exit)")
	grace := flag.Duration("grace", reactor.DefaultGracePeriod, "how long shutdown waits for queued output to leave")
	loops := flag.Int("loops", runtime.NumCPU(), "event loops, one goroutine each (connections are spread over them)")
	idle := flag.Duration("idle-timeout", 0, "close a connection that sends nothing, or does not read its echo, for this long (0: never)")
	certFile := flag.String("tls-cert", "", "serve TLS with this PEM certificate (chain); needs -tls-key")
	keyFile := flag.String("tls-key", "", "the PEM private key of -tls-cert")
	selfSigned := flag.Bool("tls-self-signed", false, "serve TLS with a self-signed certificate made at start (its fingerprint is printed)")
	ws := flag.Bool("websocket", false, "serve WebSocket at every path (HTTP/1.1 upgrades), echoing every message")
	deflate := flag.Bool("deflate", false, "with -websocket: permessage-deflate for clients that offer it")
	maxMessage := flag.Int("max-message", websocket.DefaultMaxMessage, "with -websocket: the largest message taken, in bytes (1009 past it)")
	flag.Parse()
	opts := []reactor.Option{reactor.WithGracePeriod(*grace)}
	if *idle > 0 {
		opts = append(opts, reactor.WithReadTimeout(*idle), reactor.WithWriteTimeout(*idle))
	}
	var newHandler func(int) reactor.Handler
	tlsCfg, note, err := tlsConfig(*certFile, *keyFile, *selfSigned)
	if err == nil && *ws {
		newHandler, err = websocketEcho(*maxMessage, *deflate, *idle, &opts)
	}
	if err == nil {
		err = run(*network, *addr, *every, *loops, tlsCfg, note, newHandler, opts...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reactor-echo:", err)
		os.Exit(1)
	}
}

// run serves network and addr with a group of loops, each with the
// handler newHandler makes (nil: the echo of bytes and datagrams).
func run(network, addr string, every time.Duration, loops int, tlsCfg *tls.Config, note string,
	newHandler func(int) reactor.Handler, opts ...reactor.Option) error {
	if addr == "" {
		switch network {
		case "unix", "unixgram":
			addr = "/tmp/reactor-echo.sock"
		case "tcp6", "udp6":
			addr = "[::1]:7777"
		default:
			addr = "127.0.0.1:7777"
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once

	if newHandler == nil {
		newHandler = func(int) reactor.Handler { return echo{} }
	}
	g, err := reactor.NewGroup(newHandler, reactor.WithLoops(loops), reactor.WithLoopOptions(opts...))
	if err != nil {
		return err
	}
	var bound net.Addr
	switch {
	case network == "udp" || network == "udp4" || network == "udp6" || network == "unixgram":
		if tlsCfg != nil {
			err = fmt.Errorf("TLS is for streams, not -network %s", network)
			break
		}
		var pcs []*reactor.PacketConn
		if pcs, err = g.ListenPacket(network, addr); err == nil {
			bound = pcs[0].LocalAddr()
		}
	case tlsCfg != nil:
		bound, err = g.ListenTLS(network, addr, tlsCfg)
	default:
		bound, err = g.Listen(network, addr)
	}
	if err != nil {
		g.Close()
		return err
	}
	fmt.Printf("reactor-echo listening on %s %s\n", bound.Network(), bound)
	if note != "" {
		fmt.Println("tls:", note)
	}
	if every > 0 {
		go func() {
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					printStats(g)
				}
			}
		}()
	}
	err = g.Run(ctx)
	printStats(g)
	return err
}

// printStats prints the counters summed over the loops.
func printStats(g *reactor.Group) {
	s, _ := g.Stats()
	fmt.Printf("conns=%d accepted=%d closed=%d bytes_in=%d bytes_out=%d reads=%d writes=%d waits=%d wakeups=%d tls_handshakes=%d tls_failures=%d"+
		" packets_in=%d packets_out=%d packet_reads=%d packet_writes=%d packets_dropped=%d\n",
		s.Conns, s.Accepted, s.Closed, s.BytesIn, s.BytesOut, s.Reads, s.Writes, s.Waits, s.Wakeups, s.TLSHandshakes, s.TLSFailures,
		s.PacketsIn, s.PacketsOut, s.PacketReads, s.PacketWrites, s.PacketsDropped)
}
