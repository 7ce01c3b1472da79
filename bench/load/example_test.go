package load_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/goreactor/reactor/bench/load"
	"github.com/goreactor/reactor/reactor"
)

// echo is the server under test: every byte comes back.
type echo struct{}

func (echo) OnOpen(*reactor.Conn) {}
func (echo) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	c.Write(p)
}
func (echo) OnClose(*reactor.Conn, error) {}

func Example() {
	// An echo server on a loop of its own. In a benchmark it is another
	// process, and Config.ServerPID names it.
	server, err := reactor.New(echo{})
	if err != nil {
		panic(err)
	}
	addr, err := server.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go server.Run(context.Background())
	defer server.Stop()

	r, err := load.Run(context.Background(), load.Config{
		Addr:     addr.String(),
		Conns:    10,
		Depth:    16, // pipelined
		Warmup:   50 * time.Millisecond,
		Duration: 200 * time.Millisecond,
		Log:      os.Stderr,
	})
	if err != nil {
		panic(err)
	}
	// r.WriteSummary(os.Stdout) prints the figures, which vary from run
	// to run; here only what does not.
	fmt.Println("echoes checked:", r.Msgs > 0, "errors:", r.Errors)
	// Output: echoes checked: true errors: 0
}
