package websocket_test

import (
	"context"
	"fmt"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// echo is a server's Handler: every message comes back.
type echo struct{}

func (echo) OnOpen(c *websocket.Conn) {}

func (echo) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	c.WriteMessage(op, data) // data is valid during the call: the write copies it
}

func (echo) OnClose(c *websocket.Conn, code uint16, err error) {}

// greeter is a client's Handler: it says hello, prints the answer, and
// closes.
type greeter struct{ done chan struct{} }

func (g greeter) OnOpen(c *websocket.Conn) { c.WriteText([]byte("hello, loop")) }

func (g greeter) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	fmt.Printf("got %v: %s\n", op, data)
	c.Close(websocket.CloseNormal, "thanks")
}

func (g greeter) OnClose(c *websocket.Conn, code uint16, err error) {
	fmt.Println("closed:", code, err)
	close(g.done)
}

// dialer is the Handler of the client's loop, which only dials.
type dialer struct{}

func (dialer) OnOpen(*reactor.Conn)         {}
func (dialer) OnData(*reactor.Conn)         {}
func (dialer) OnClose(*reactor.Conn, error) {}

// A WebSocket echo server on a loop, mounted on an http1 router, and a
// client on another loop that talks to it.
func ExampleUpgrader() {
	u, err := websocket.NewUpgrader(echo{})
	if err != nil {
		panic(err)
	}
	rt := http1.NewRouter()
	rt.Handle("/echo", u)
	srv, err := http1.NewServer(rt)
	if err != nil {
		panic(err)
	}
	server, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
	if err != nil {
		panic(err)
	}
	addr, err := server.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	client, err := reactor.New(dialer{})
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	// Before Run, the loop belongs to this goroutine: it may dial.
	if _, err := websocket.Dial(client, "ws://"+addr.String()+"/echo", greeter{done}); err != nil {
		panic(err)
	}
	ran := make(chan error, 2)
	go func() { ran <- server.Run(context.Background()) }()
	go func() { ran <- client.Run(context.Background()) }()
	<-done
	client.Stop()
	server.Stop()
	<-ran
	<-ran
	// Output:
	// got text: hello, loop
	// closed: 1000 <nil>
}
