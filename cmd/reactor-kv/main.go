// Command reactor-kv is an in-memory key-value server that speaks RESP2, the
// Redis protocol, on goreactor loops: a demo to read, to try with redis-cli
// and to measure with redis-benchmark (bench/redis.sh).
//
//	go run ./cmd/reactor-kv                    # one loop, on 127.0.0.1:6380
//	redis-cli -p 6380 set greeting hello EX 60
//	redis-benchmark -p 6380 -t ping,set,get -P 16 -q
//	go run ./cmd/reactor-kv -loops 2           # keys sharded over two loops
//
// Commands: PING, ECHO, SET (NX, XX, GET, EX, PX, KEEPTTL), GET, STRLEN,
// DEL, UNLINK, EXISTS, INCR, DECR, INCRBY, DECRBY, MGET, MSET, EXPIRE and
// PEXPIRE (NX, XX, GT, LT), TTL, PTTL, PERSIST, DBSIZE, FLUSHALL, FLUSHDB,
// SELECT 0, QUIT, and what clients send as they connect: COMMAND (COUNT,
// LIST, DOCS), HELLO 2, CLIENT SETNAME/GETNAME/SETINFO, CONFIG GET. Values
// are strings. Requests come as RESP arrays or as inline lines (telnet).
//
// How a request goes: OnData parses every whole request in the input
// (package resp, on the bytes of Conn.Peek, without copying them), runs
// each (package kv) and appends its reply to one buffer, written once at
// the end; the loop sends the replies of every request of the pass with one
// system call, so pipelining costs nothing more. A partial request waits
// for the next OnData. Keys expire on the loop's timers (Loop.AfterFunc),
// one per expiring key, and lazily when a command finds them expired.
//
// With one loop (the default), as in Redis, the whole keyspace belongs to
// one goroutine and needs no lock. With -loops N, the loops are a
// reactor.Group: each owns the keys that hash to it and serves the
// connections the group gives it (SO_REUSEPORT where the kernel spreads
// them, else handed off by the first loop). A
// request for a key of another loop is forwarded to it and its reply comes
// back in order (forward.go); replies awaited from other loops, and those
// queued behind them, count against the connection's output as the
// replies of one loop do, so a client that sends more than it reads finds
// its requests waiting in the input, and still gets every reply
// (client.go). MGET, MSET, DEL and EXISTS whose keys are on
// several loops are split, one part per key, and their replies gathered;
// FLUSHALL, FLUSHDB and DBSIZE run on every loop. Such a command is atomic only when
// its keys share a loop: another client may see part of an MSET.
//
// A request over the limits (-max-bulk, -max-args, -max-request) or one
// that breaks the protocol gets "-ERR Protocol error: ..." and the
// connection is closed, as Redis does; other errors (unknown command, wrong
// number of arguments, not an integer) get their error reply and the
// connection goes on. On SIGINT or SIGTERM the server stops accepting,
// sends the replies it owes and exits.
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

	"github.com/goreactor/reactor/internal/kv"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/goreactor/reactor/reactor"
)

// config is what the flags set.
type config struct {
	addr   string
	loops  int
	limits resp.Limits
}

func main() {
	cfg := config{limits: resp.DefaultLimits()}
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:6380", "TCP address to listen on")
	flag.IntVar(&cfg.loops, "loops", 1, "event loops, each owning the keys that hash to it")
	flag.IntVar(&cfg.limits.MaxBulk, "max-bulk", resp.DefaultMaxBulk, "largest argument (key or value) accepted, in bytes")
	flag.IntVar(&cfg.limits.MaxArgs, "max-args", resp.DefaultMaxArgs, "most arguments in one request, the command's name included")
	flag.IntVar(&cfg.limits.MaxRequest, "max-request", resp.DefaultMaxRequest, "largest request accepted, in bytes; also what a connection may buffer")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	err := run(ctx, cfg, func(_ *server, a net.Addr) { fmt.Printf("reactor-kv listening on %s %s\n", a.Network(), a) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "reactor-kv:", err)
		os.Exit(1)
	}
}

// run serves cfg until ctx ends; ready is called with the address once
// connections are accepted.
func run(ctx context.Context, cfg config, ready func(*server, net.Addr)) error {
	srv, err := newServer(cfg)
	if err != nil {
		return err
	}
	addr, err := srv.listen(cfg.addr)
	if err != nil {
		srv.release()
		return err
	}
	ready(srv, addr)
	return srv.run(ctx)
}

// newServer makes the loops, one shard each.
func newServer(cfg config) (*server, error) {
	if cfg.loops < 1 {
		return nil, fmt.Errorf("-loops %d: must be at least 1", cfg.loops)
	}
	srv := &server{highWater: reactor.DefaultHighWatermark, shards: make([]*shard, cfg.loops)}
	srv.maxOutput = max(reactor.DefaultMaxOutput, srv.highWater+2*cfg.limits.MaxBulk)
	for i := range srv.shards {
		parser, err := resp.NewParser(cfg.limits)
		if err != nil {
			return nil, fmt.Errorf("-max-bulk %d, -max-args %d, -max-request %d: %w",
				cfg.limits.MaxBulk, cfg.limits.MaxArgs, cfg.limits.MaxRequest, err)
		}
		srv.shards[i] = &shard{id: i, srv: srv, parser: parser, outbox: make([]*batch, cfg.loops)}
	}
	g, err := reactor.NewGroup(func(i int) reactor.Handler { return srv.shards[i] },
		reactor.WithLoops(cfg.loops),
		// Every loop listens on the address where the kernel spreads
		// connections; elsewhere the first accepts and hands them off.
		reactor.WithLoopOptions(
			// A request waits in the input until it is whole: the input
			// holds the largest. Replies are bounded by the watermark
			// (serve, client.go), but for an MGET of many large values,
			// which disconnects its client.
			reactor.WithMaxInput(cfg.limits.MaxRequest),
			reactor.WithMaxOutput(srv.maxOutput),
			reactor.WithWriteWatermarks(reactor.DefaultLowWatermark, srv.highWater),
		))
	if err != nil {
		return nil, err
	}
	srv.g = g
	for i, s := range srv.shards {
		s.loop = g.Loop(i)
		s.ks = kv.NewKeyspace(loopScheduler{s.loop})
	}
	return srv, nil
}

// run runs every loop until ctx ends; if one fails, the others stop too,
// and run returns its error.
func (srv *server) run(ctx context.Context) error { return srv.g.Run(ctx) }

// listen opens the listening socket (one per loop with SO_REUSEPORT where
// the kernel spreads connections over them).
func (srv *server) listen(addr string) (net.Addr, error) { return srv.g.Listen("tcp", addr) }

// release frees loops that will not run.
func (srv *server) release() {
	srv.g.Stop()
	if err := srv.g.Run(context.Background()); err != nil && !errors.Is(err, reactor.ErrStopped) {
		fmt.Fprintln(os.Stderr, "reactor-kv:", err)
	}
}
