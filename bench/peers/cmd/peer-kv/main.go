// Command peer-kv serves the key-value protocol of cmd/reactor-kv (RESP2)
// on gnet, so that bench/redis.sh can hold reactor-kv against another
// event-loop library under the same load, with the same commands:
//
//	peer-kv -addr 127.0.0.1:7002
//
// It runs gnet with one event loop, and parses and runs requests with the
// very packages reactor-kv uses (proto/resp and internal/kv), so that the
// two servers differ in their event loop only. Like gnet's own examples, it writes the replies of each read with
// one Conn.Write from OnTraffic. gnet has no timer per loop to arm, so keys
// expire lazily only (when a command finds them expired); the benchmark
// sets no expiry.
//
// It listens only on the loopback address given, prints "listening on
// ADDR" on stdout once it accepts connections, and exits with status 0 on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/goreactor/reactor/internal/kv"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7002", "loopback address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := serve(ctx, *addr, func(a net.Addr) { fmt.Printf("listening on %s\n", a) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer-kv:", err)
		os.Exit(1)
	}
}

// server is the gnet handler: one event loop, so one parser, one keyspace
// and one reply buffer, used by OnTraffic alone.
type server struct {
	gnet.BuiltinEventEngine
	parser *resp.Parser
	ks     *kv.Keyspace
	out    []byte
	ready  func(net.Addr)
	eng    chan gnet.Engine
}

func (s *server) OnBoot(eng gnet.Engine) gnet.Action {
	// The listener is bound by now; ask it for its port in case the
	// caller passed port 0.
	if fd, err := eng.Dup(); err == nil {
		if sa, err := syscall.Getsockname(fd); err == nil {
			if in, ok := sa.(*syscall.SockaddrInet4); ok {
				s.ready(&net.TCPAddr{IP: in.Addr[:], Port: in.Port})
			}
		}
		syscall.Close(fd)
	}
	s.eng <- eng
	return gnet.None
}

// OnTraffic answers every whole request buffered, with one write, and
// leaves a partial one for later. A protocol error is answered, then the
// connection closes, as in reactor-kv.
func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	p, _ := c.Peek(-1)
	out, used, action := s.out[:0], 0, gnet.None
	for used < len(p) {
		args, n, err := s.parser.Parse(p[used:])
		if err != nil {
			out = resp.AppendProtocolError(out, err)
			used, action = len(p), gnet.Close
			break
		}
		if n == 0 {
			break
		}
		used += n
		if len(args) == 0 {
			continue
		}
		out = s.ks.Do(out, args)
		if cmd := kv.Lookup(args[0]); cmd != nil && cmd.Quit() {
			used, action = len(p), gnet.Close
			break
		}
	}
	c.Discard(used)
	if len(out) > 0 {
		if _, err := c.Write(out); err != nil {
			action = gnet.Close
		}
	}
	s.out = out
	return action
}

// serve runs the server on addr until ctx is done; ready gets the bound
// address.
func serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return errors.New("refusing to listen on " + addr + ": the host must be an IPv4 loopback address such as 127.0.0.1")
	}
	parser, err := resp.NewParser(resp.DefaultLimits())
	if err != nil {
		return err
	}
	s := &server{parser: parser, ks: kv.NewKeyspace(nil), ready: ready, eng: make(chan gnet.Engine, 1)}
	go func() {
		eng := <-s.eng // a signal before boot is handled once booted
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eng.Stop(sctx)
	}()
	return gnet.Run(s, "tcp://"+addr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(1),
		gnet.WithReadBufferCap(64<<10),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}
