package frame_test

import (
	"context"
	"fmt"
	"net"

	"github.com/goreactor/reactor/buffer"
	"github.com/goreactor/reactor/reactor"
	"github.com/goreactor/reactor/reactor/frame"
)

// A *reactor.Conn is what framers read from and writers write to; these
// assertions keep it so.
var (
	_ frame.Input  = (*reactor.Conn)(nil)
	_ frame.Output = (*reactor.Conn)(nil)
)

// Lines arrive in reads that cut them anywhere, even inside "\r\n": the
// framer returns each whole line once, and leaves a partial one in the ring
// for the next read.
func Example() {
	lines, err := frame.Delimited([]byte("\r\n"), 64)
	if err != nil {
		panic(err)
	}
	r := buffer.New(0)
	in := &frame.RingInput{R: r}
	for _, read := range []string{"HELO a\r\nMAIL", " FROM:<b>\r", "\nDATA\r\nQUIT\r\n"} {
		r.WriteString(read)
		for {
			line, err := lines.Next(in)
			if err != nil {
				panic(err)
			}
			if line == nil {
				break // wait for the next read
			}
			fmt.Printf("%q\n", line)
		}
	}
	// Output:
	// "HELO a"
	// "MAIL FROM:<b>"
	// "DATA"
	// "QUIT"
}

// echo answers every length-prefixed message with the same message.
type echo struct {
	framer frame.Framer
}

func (echo) OnOpen(c *reactor.Conn)             {}
func (echo) OnClose(c *reactor.Conn, err error) {}

func (e echo) OnData(c *reactor.Conn) {
	for {
		msg, err := e.framer.Next(c)
		if err != nil {
			c.CloseWithError(err) // ErrTooLarge: OnClose reports it
			return
		}
		if msg == nil {
			return // the rest of the message comes with a later read
		}
		// msg points into c's input; the frame is copied into c's output.
		if err := frame.WriteLengthPrefixed(c, 2, msg); err != nil {
			c.CloseWithError(err) // ErrNoRoom: the peer does not read its replies
			return
		}
	}
}

// A server that echoes messages framed by a 2-byte length, and a client
// that sends two of them in one write and frames the replies out of what it
// reads.
func Example_echo() {
	framer, err := frame.LengthPrefixed(2, 1024)
	if err != nil {
		panic(err)
	}
	loop, err := reactor.New(echo{framer})
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
	var req []byte
	req, _ = frame.AppendLengthPrefixed(req, 2, []byte("hello"))
	req, _ = frame.AppendLengthPrefixed(req, 2, []byte("framed world"))
	if _, err := conn.Write(req); err != nil {
		panic(err)
	}

	replies := buffer.New(0)
	in := &frame.RingInput{R: replies}
	buf := make([]byte, 512)
	for got := 0; got < 2; {
		n, err := conn.Read(buf)
		if err != nil {
			panic(err)
		}
		replies.Write(buf[:n])
		for {
			msg, err := framer.Next(in)
			if err != nil {
				panic(err)
			}
			if msg == nil {
				break
			}
			fmt.Printf("reply: %s\n", msg)
			got++
		}
	}
	conn.Close()

	loop.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// reply: hello
	// reply: framed world
	// Run returned: <nil>
}
