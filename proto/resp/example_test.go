package resp_test

import (
	"fmt"

	"github.com/goreactor/reactor/proto/resp"
)

// A server's read: every whole request in the input, each answered; the
// partial one at the end waits for more bytes.
func Example() {
	ps, err := resp.NewParser(resp.DefaultLimits())
	if err != nil {
		panic(err)
	}
	in := []byte("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n*1\r\n$4\r\nPI")
	var out []byte
	for {
		args, n, err := ps.Parse(in)
		if err != nil {
			out = resp.AppendProtocolError(out, err) // then close the connection
			break
		}
		if n == 0 {
			break // keep in for the next read
		}
		in = in[n:]
		switch string(args[0]) {
		case "ECHO":
			out = resp.AppendBulk(out, args[1])
		case "PING":
			out = resp.AppendSimple(out, "PONG")
		}
	}
	fmt.Printf("replies %q, left %q\n", out, in)
	// Output: replies "$2\r\nhi\r\n+PONG\r\n", left "*1\r\n$4\r\nPI"
}
