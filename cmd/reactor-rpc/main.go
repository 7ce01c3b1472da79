// Command reactor-rpc is the second demo of goreactor: a request/response
// protocol over length-prefixed frames (a 4-byte length in network byte
// order, then the payload), with the server and a client on the same loop.
//
//	go run ./cmd/reactor-rpc                      # 5 requests, printed with their replies
//	go run ./cmd/reactor-rpc -n 300000 -quiet     # many requests, pipelined
//	go run ./cmd/reactor-rpc -serve -addr 127.0.0.1:7778   # the server alone
//
// The server answers each request with its payload reversed. A request over
// the maximum size (-max) closes that client's connection with
// frame.ErrTooLarge as the reason; other clients are not affected. The
// client dials the server through the loop (a non-blocking connect), keeps
// up to window requests in flight, checks every reply, and stops the loop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/goreactor/reactor/reactor"
	"github.com/goreactor/reactor/reactor/frame"
)

// prefix is the width of the length header: 4 bytes, big-endian.
const prefix = 4

// app is the handler of every connection of the loop, server side and
// client side; a client connection carries a *client as its context.
type app struct {
	framer frame.Framer
	quiet  bool
	done   func(error) // called once the client has all its replies, or failed
}

// window is how many requests the client keeps in flight: it sends that
// many, then one more as each reply arrives. A window bounds what both ends
// queue, tens of KiB here, however large -n is; a client that wrote up to the
// high watermark and refilled in OnWritable would keep its own reading
// paused (the loop reads no input while output is above the watermark)
// until the server, its replies unread, stopped reading too.
const window = 1024

// client is the state of the client connection.
type client struct {
	n    int // requests to send
	sent int // requests written so far
	next int // index of the next reply expected
}

// request returns the payload of request i.
func request(i int) []byte {
	return strconv.AppendInt([]byte("request "), int64(i), 10)
}

func (a *app) OnOpen(c *reactor.Conn) {
	cl, ok := c.Context().(*client)
	if !ok {
		return // a server-side connection: it waits for requests
	}
	a.send(c, cl)
}

// send writes requests until window of them await their reply, or all are
// sent; once every reply has come, it closes the connection.
func (a *app) send(c *reactor.Conn, cl *client) {
	if cl.next == cl.n {
		c.Close()
		return
	}
	for cl.sent < cl.n && cl.sent-cl.next < window {
		if err := frame.WriteLengthPrefixed(c, prefix, request(cl.sent)); err != nil {
			c.CloseWithError(err)
			return
		}
		cl.sent++
	}
}

func (a *app) OnData(c *reactor.Conn) {
	for {
		msg, err := a.framer.Next(c)
		if err != nil {
			c.CloseWithError(err) // over the maximum: this connection only
			return
		}
		if msg == nil {
			return // the rest of the frame has not arrived yet
		}
		if cl, ok := c.Context().(*client); ok {
			if err := a.reply(c, cl, msg); err != nil {
				c.CloseWithError(err)
				return
			}
			continue
		}
		if err := frame.WriteLengthPrefixed(c, prefix, reverse(msg)); err != nil {
			c.CloseWithError(err)
			return
		}
	}
}

// reply checks one reply on the client side; its slot in the window goes
// to the next request.
func (a *app) reply(c *reactor.Conn, cl *client, msg []byte) error {
	if cl.next == cl.sent {
		return fmt.Errorf("reply %q to no request", msg)
	}
	req := request(cl.next)
	if want := reverse(req); string(msg) != string(want) {
		return fmt.Errorf("reply %d is %q, want %q", cl.next, msg, want)
	}
	if !a.quiet {
		fmt.Printf("%q -> %q\n", req, msg)
	}
	cl.next++
	a.send(c, cl)
	return nil
}

func (a *app) OnClose(c *reactor.Conn, err error) {
	cl, ok := c.Context().(*client)
	switch {
	case ok && cl.next < cl.n:
		a.done(fmt.Errorf("client closed after %d of %d replies: %v", cl.next, cl.n, err))
	case ok:
		a.done(nil)
	case err != nil && !errors.Is(err, reactor.ErrStopped) && !errors.Is(err, io.EOF):
		fmt.Fprintf(os.Stderr, "server: closed a connection: %v\n", err)
	}
}

func reverse(p []byte) []byte {
	r := make([]byte, len(p))
	for i, b := range p {
		r[len(p)-1-i] = b
	}
	return r
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address the server listens on")
	n := flag.Int("n", 5, "requests the client sends")
	maxSize := flag.Int("max", 64<<10, "largest request or reply payload accepted, in bytes")
	serve := flag.Bool("serve", false, "run the server only, until SIGINT or SIGTERM")
	quiet := flag.Bool("quiet", false, "do not print each request and reply")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *n, *maxSize, *serve, *quiet); err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "reactor-rpc:", err)
		os.Exit(1)
	}
}

// run serves on addr and, unless serveOnly, runs a client of n requests
// on the same loop; it returns when the client has checked every reply,
// or failed, or when ctx ends.
func run(ctx context.Context, addr string, n, maxSize int, serveOnly, quiet bool) error {
	if n < 0 {
		return fmt.Errorf("-n %d: must not be negative", n)
	}
	framer, err := frame.LengthPrefixed(prefix, maxSize)
	if err != nil {
		return err
	}
	var result error
	a := &app{framer: framer, quiet: quiet}
	loop, err := reactor.New(a, reactor.WithMaxInput(maxSize+prefix))
	if err != nil {
		return err
	}
	a.done = func(err error) {
		result = err
		loop.Stop()
	}
	bound, err := loop.Listen("tcp", addr)
	if err != nil {
		loop.Close()
		return err
	}
	fmt.Printf("reactor-rpc server on %s\n", bound)
	if !serveOnly {
		cl := &client{n: n}
		c, err := loop.Dial("tcp", bound.String(), 5*time.Second)
		if err != nil {
			loop.Close()
			return err
		}
		c.SetContext(cl)
	}
	if err := loop.Run(ctx); err != nil {
		return err
	}
	if result == nil && !serveOnly {
		fmt.Printf("%d replies checked\n", n)
	}
	return result
}
