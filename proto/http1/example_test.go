package http1_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
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

// A server on one loop: a router with a handler that reads the query and
// answers as text, requested with net/http's client.
func ExampleServer() {
	rt := http1.NewRouter()
	rt.HandleFunc("/hello", func(w *http1.ResponseWriter, r *http1.Request) {
		w.Header("Content-Type", "text/plain; charset=utf-8")
		w.WriteString("Hello, ")
		w.Write(r.QueryValue("name")) // valid during the call: written (copied) at once
		w.WriteString("!\n")
	})
	srv, err := http1.NewServer(rt, http1.WithIdleTimeout(time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	loop, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	addr, err := loop.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- loop.Run(context.Background()) }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, path := range []string{"/hello?name=reactor", "/nowhere"} {
		resp, err := client.Get("http://" + addr.String() + path)
		if err != nil {
			fmt.Println(err)
			break
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %s", resp.Status, body)
	}
	loop.Stop()
	<-done
	// Output:
	// 200 OK: Hello, reactor!
	// 404 Not Found: not found
}
