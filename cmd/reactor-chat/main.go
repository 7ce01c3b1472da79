// Command reactor-chat is a chat room in a browser, on goreactor loops: it
// serves its own page at / (plain HTML and a few lines of JavaScript,
// embedded in the binary) and the room, a WebSocket, at /chat. One
// command starts it; open the URL it prints in a browser, in several
// tabs or on several machines of the network you let it listen on.
//
//	go run ./cmd/reactor-chat                    # http://127.0.0.1:8090/
//	go run ./cmd/reactor-chat -addr 0.0.0.0:8090 -loops 4
//	go run ./cmd/reactor-chat -tls-self-signed   # https:// and wss://
//
// Members connect to any loop of the group; what one says reaches the
// members of every loop (Group.PostAll). Nicknames are made unique (a
// number is added to a name taken) and bounded (-max-name); a message
// longer than -max-message closes its sender with 1009 (message too
// big), the others going on; a member silent for -idle-timeout is closed
// with 1001 (going away), and a browser gone without closing is found by
// the keepalive pings (-ping). On SIGINT or SIGTERM every member gets
// 1001, and the process exits.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/goreactor/reactor/internal/certs"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// config is what the flags set.
type config struct {
	addr        string
	loops       int
	maxMessage  int
	maxName     int
	idleTimeout time.Duration
	ping        time.Duration
	tls         *tls.Config
	handoff     bool // hand connections to the loops in turn (tests: a known spread)
}

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8090", "address to listen on")
	flag.IntVar(&cfg.loops, "loops", runtime.NumCPU(), "event loops, one goroutine each (members are spread over them)")
	flag.IntVar(&cfg.maxMessage, "max-message", 4<<10, "the longest message a member may send, in bytes (1009 past it)")
	flag.IntVar(&cfg.maxName, "max-name", 24, "the longest nickname, in bytes")
	flag.DurationVar(&cfg.idleTimeout, "idle-timeout", 5*time.Minute, "close a member that says nothing for this long (0: never)")
	flag.DurationVar(&cfg.ping, "ping", 30*time.Second, "ping a member after this long without a word from it, and drop it if it does not answer (0: never)")
	selfSigned := flag.Bool("tls-self-signed", false, "serve https and wss with a self-signed certificate made at start")
	flag.Parse()
	if *selfSigned {
		cert, err := certs.SelfSigned("reactor-chat")
		if err != nil {
			fail(err)
		}
		cfg.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	c, err := newChat(cfg)
	if err != nil {
		fail(err)
	}
	fmt.Printf("reactor-chat listening on %s\n", c.addr)
	fmt.Printf("open %s in a browser\n", c.url())
	if err := c.g.Run(ctx); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reactor-chat:", err)
	os.Exit(1)
}

// chat is the server: a group of loops, each serving HTTP with the page
// and the room.
type chat struct {
	g    *reactor.Group
	room *room
	addr net.Addr
	tls  bool
}

// newChat makes the server and listens; Run on its group serves.
func newChat(cfg config) (*chat, error) {
	if cfg.loops <= 0 || cfg.maxName <= 0 {
		return nil, errors.New("-loops and -max-name must be positive")
	}
	r := newRoom(cfg.loops, cfg.maxName)
	u, err := websocket.NewUpgrader(r, websocket.WithMaxMessage(cfg.maxMessage),
		websocket.WithIdleTimeout(cfg.idleTimeout), websocket.WithPingInterval(cfg.ping))
	if err != nil {
		return nil, err
	}
	srv, err := http1.NewServer(routes(r, u))
	if err != nil {
		return nil, err
	}
	opts := []reactor.GroupOption{reactor.WithLoops(cfg.loops), reactor.WithLoopOptions(srv.LoopOptions()...)}
	if cfg.handoff {
		opts = append(opts, reactor.WithAcceptMode(reactor.AcceptHandoff))
	}
	g, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() }, opts...)
	if err != nil {
		return nil, err
	}
	r.g = g
	c := &chat{g: g, room: r, tls: cfg.tls != nil}
	if cfg.tls != nil {
		c.addr, err = g.ListenTLS("tcp", cfg.addr, cfg.tls)
	} else {
		c.addr, err = g.Listen("tcp", cfg.addr)
	}
	if err != nil {
		g.Close()
		return nil, err
	}
	return c, nil
}

// url returns the page's address.
func (c *chat) url() string {
	if c.tls {
		return "https://" + c.addr.String() + "/"
	}
	return "http://" + c.addr.String() + "/"
}
