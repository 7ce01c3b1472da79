// Command reactor-rpc is the second demo of goreactor: a request/response
// protocol over length-prefixed frames (a 4-byte length in network byte
// order, then the payload), with the server and a client on the same loop.
//
//	go run ./cmd/reactor-rpc                      # 5 requests, printed with their replies
//	go run ./cmd/reactor-rpc -n 1000 -quiet       # many requests, pipelined
//	go run ./cmd/reactor-rpc -serve -addr 127.0.0.1:7778   # the server alone
//
// The server answers each request with its payload reversed. A request over
// the maximum size (-max) closes that client's connection with
// frame.ErrTooLarge as the reason; other clients are not affected. The
// client dials the server through the loop (a non-blocking connect), sends
// all its requests at once, checks every reply, and stops the loop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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

// client is the state of the client connection.
type client struct {
	requests []string
	next     int // index of the next reply expected
}

func (a *app) OnOpen(c *reactor.Conn) {
	cl, ok := c.Context().(*client)
	if !ok {
		return // a server-side connection: it waits for requests
	}
	for _, r := range cl.requests {
		if err := frame.WriteLengthPrefixed(c, prefix, []byte(r)); err != nil {
			c.CloseWithError(err)
			return
		}
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
			a.reply(c, cl, msg)
			continue
		}
		if err := frame.WriteLengthPrefixed(c, prefix, reverse(msg)); err != nil {
			c.CloseWithError(err)
			return
		}
	}
}

// reply checks one reply on the client side.
func (a *app) reply(c *reactor.Conn, cl *client, msg []byte) {
	want := string(reverse([]byte(cl.requests[cl.next])))
	if string(msg) != want {
		c.CloseWithError(fmt.Errorf("reply %d is %q, want %q", cl.next, msg, want))
		return
	}
	if !a.quiet {
		fmt.Printf("%q -> %q\n", cl.requests[cl.next], msg)
	}
	cl.next++
	if cl.next == len(cl.requests) {
		c.Close()
	}
}

func (a *app) OnClose(c *reactor.Conn, err error) {
	cl, ok := c.Context().(*client)
	switch {
	case ok && cl.next < len(cl.requests):
		a.done(fmt.Errorf("client closed after %d of %d replies: %v", cl.next, len(cl.requests), err))
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
	if err := run(*addr, *n, *maxSize, *serve, *quiet); err != nil {
		fmt.Fprintln(os.Stderr, "reactor-rpc:", err)
		os.Exit(1)
	}
}

func run(addr string, n, maxSize int, serveOnly, quiet bool) error {
	framer, err := frame.LengthPrefixed(prefix, maxSize)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
		loop.Stop()
		loop.Run(ctx)
		return err
	}
	fmt.Printf("reactor-rpc server on %s\n", bound)
	if !serveOnly {
		cl := &client{}
		for i := range n {
			cl.requests = append(cl.requests, fmt.Sprintf("request %d", i))
		}
		c, err := loop.Dial("tcp", bound.String(), 5*time.Second)
		if err != nil {
			loop.Stop()
			loop.Run(ctx)
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
