package http1_test

import (
	"fmt"

	"github.com/goreactor/reactor/proto/http1"
)

// Two pipelined requests arrive in pieces, as reads cut them: Parse
// reports a head only once it is whole, and the caller consumes each
// request (head and body) once it has answered it. On a reactor loop the
// input is c.Peek(0) and consuming is c.Discard(n).
func ExampleParse() {
	var (
		in  []byte
		req http1.Head
		lim = http1.DefaultLimits()
	)
	for _, read := range []string{
		"GET /hello?x=1 HTTP/1.1\r\nHost: exa",
		"mple.com\r\n\r\nPOST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Len",
		"gth: 5\r\n\r\nhel",
		"lo",
	} {
		in = append(in, read...)
		for {
			n, err := http1.Parse(in, &req, lim)
			if err != nil {
				fmt.Println("answer", http1.StatusOf(err), "and close:", err)
				return
			}
			if n == 0 {
				break // the head has not all arrived
			}
			end := n + max(req.ContentLength, 0)
			if end > len(in) {
				break // nor has the body
			}
			fmt.Printf("%s %s (path %s), body %q\n", req.Method, req.Target, req.Path, in[n:end])
			in = in[end:]
		}
	}
	// Output:
	// GET /hello?x=1 (path /hello), body ""
	// POST /echo (path /echo), body "hello"
}
