package reactor_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"

	"github.com/goreactor/reactor/reactor"
	"github.com/goreactor/reactor/reactor/frame"
)

// lines splits the input at newlines; a line over 4 KiB is an error.
var lines, _ = frame.Delimited([]byte("\n"), 4<<10)

// upper answers each line it receives in upper case. A line split across
// reads stays in the connection's input until its newline arrives; a line
// too long is answered with an error, and the connection closed once that
// answer has left.
type upper struct{}

func (upper) OnOpen(c *reactor.Conn) {}

func (upper) OnData(c *reactor.Conn) {
	for {
		line, err := lines.Next(c)
		if err != nil {
			c.WriteString("error: line too long\n")
			c.CloseWithError(err) // OnClose reports frame.ErrTooLarge
			return
		}
		if line == nil {
			return // wait for the rest of the line
		}
		c.Write(append(bytes.ToUpper(line), '\n'))
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
	fmt.Fprintf(conn, "%s\n", bytes.Repeat([]byte("x"), 5000))
	reply, _ = bufio.NewReader(conn).ReadString('\n')
	fmt.Print(reply)
	conn.Close()

	loop.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// HELLO, REACTOR
	// error: line too long
	// Run returned: <nil>
}
