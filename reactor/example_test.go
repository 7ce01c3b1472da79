package reactor_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"

	"github.com/goreactor/reactor/reactor"
)

// upper answers each line it receives in upper case. A line split across
// reads stays in the connection's input until its newline arrives.
type upper struct{}

func (upper) OnOpen(c *reactor.Conn) {}

func (upper) OnData(c *reactor.Conn) {
	for {
		p, _ := c.Peek(0)
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return // wait for the rest of the line
		}
		line, _ := c.Next(i + 1)
		c.Write(bytes.ToUpper(line))
	}
}

func (upper) OnClose(c *reactor.Conn, err error) {}

func Example() {
	loop, err := reactor.New(upper{})
	if err != nil {
		panic(err)
	}
	addr, err := loop.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan error)
	go func() { done <- loop.Run(context.Background()) }()

	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		panic(err)
	}
	fmt.Fprint(conn, "hello, ")
	fmt.Fprint(conn, "reactor\n")
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(reply)
	conn.Close()

	loop.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// HELLO, REACTOR
	// Run returned: <nil>
}
