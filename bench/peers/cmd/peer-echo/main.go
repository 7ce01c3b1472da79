// Command peer-echo runs the echo server of one peer library, so that the
// benchmarks can hold the goreactor loop against it under the same load:
//
//	peer-echo -server gnet -addr 127.0.0.1:7001
//
// Each server is the simplest idiomatic echo of its library, set up for one
// event loop where the library allows it; GOMAXPROCS comes from the caller's
// environment. It listens only on the loopback address given, prints
// "listening on ADDR" on stdout once it accepts connections, echoes every
// byte, and exits with status 0 on SIGINT or SIGTERM.
//
// Servers: net (a goroutine per connection, 64 KiB read buffer), reactor,
// gnet, evio, nbio, netpoll.
//
// With -tls the server speaks TLS and echoes the plaintext: net with
// crypto/tls (tls.NewListener), reactor with Loop.ListenTLS, nbio with
// llib's fork of crypto/tls, the one nbio's HTTPS server uses. The
// certificate is -tls-cert and -tls-key, or else a self-signed ECDSA P-256
// one for 127.0.0.1, ::1 and localhost, made at start:
//
//	peer-echo -server reactor -addr 127.0.0.1:7001 -tls
//
// With -network udp the server echoes datagrams instead, each to its
// sender, on one UDP socket: reactor with Loop.ListenPacket (a batch of
// datagrams per receive and per send system call where the system has
// recvmmsg and sendmmsg), net with one goroutine reading and writing a
// net.UDPConn, gnet with its UDP engine. The reactor server prints, once
// it has stopped, one more line with its loop's datagram counters (see
// udp.go), from which the benchmark scripts work out how many datagrams
// each system call moved:
//
//	peer-echo -server reactor -addr 127.0.0.1:7001 -network udp
package main

import (
	"context"
	"errors"
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

// readBufferSize is the read buffer of every server that lets us choose it:
// 64 KiB, so that the bulk workload is not decided by buffer size. The
// goroutine-per-connection net server would idiomatically use 4 KiB.
const readBufferSize = 64 << 10

// serveFunc runs one echo server on addr until ctx is done. It calls ready
// with the bound address once connections are being accepted.
type serveFunc func(ctx context.Context, addr string, ready func(net.Addr)) error

var servers = map[string]serveFunc{
	"net":     serveNet,
	"reactor": serveReactor,
	"gnet":    serveGnet,
	"evio":    serveEvio,
	"nbio":    serveNbio,
	"netpoll": serveNetpoll,
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
	name := flag.String("server", "", "which echo server to run: "+names())
	addr := flag.String("addr", "127.0.0.1:7001", "loopback address to listen on")
	network := flag.String("network", "tcp", `"tcp", or "udp" to echo datagrams (servers: `+udpNames()+")")
	useTLS := flag.Bool("tls", false, "serve TLS (servers: "+tlsNames()+"); the certificate is -tls-cert, or a self-signed ECDSA P-256 one made at start")
	certFile := flag.String("tls-cert", "", "with -tls: a PEM certificate (chain) file; needs -tls-key")
	keyFile := flag.String("tls-key", "", "with -tls: the PEM private key of -tls-cert")
	flag.Parse()
	if err := run(*name, *network, *addr, *useTLS, *certFile, *keyFile); err != nil {
		fmt.Fprintln(os.Stderr, "peer-echo:", err)
		os.Exit(1)
	}
}

func run(name, network, addr string, useTLS bool, certFile, keyFile string) error {
	serve, ok := servers[name]
	if !ok {
		return fmt.Errorf("unknown -server %q (want %s)", name, names())
	}
	if err := loopback.Check(addr); err != nil {
		return err
	}
	switch network {
	case "tcp":
	case "udp":
		if useTLS || certFile != "" || keyFile != "" {
			return errors.New("-tls is for -network tcp")
		}
		if serve, ok = udpServers[name]; !ok {
			return fmt.Errorf("-server %s has no UDP here (-network udp: %s)", name, udpNames())
		}
	default:
		return fmt.Errorf(`-network %q: want "tcp" or "udp"`, network)
	}
	if useTLS {
		serveTLS, ok := tlsServers[name]
		if !ok {
			return fmt.Errorf("-server %s has no TLS here (-tls: %s)", name, tlsNames())
		}
		kp, err := keypair.Load(certFile, keyFile, "peer-echo")
		if err != nil {
			return err
		}
		serve = func(ctx context.Context, addr string, ready func(net.Addr)) error {
			return serveTLS(ctx, addr, kp, ready)
		}
	} else if certFile != "" || keyFile != "" {
		return errors.New("-tls-cert and -tls-key need -tls")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, addr, func(a net.Addr) {
		fmt.Printf("listening on %s\n", a)
	})
}

// tcpAddr turns a socket address from getsockname into a net.Addr.
func tcpAddr(sa syscall.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	}
	return nil
}
