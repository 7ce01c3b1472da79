package main

import "github.com/goreactor/reactor/proto/http1"

// routes is the server's handler: GET and HEAD of / say hello, POST /echo
// echoes, other paths get 404 and other methods 405 with an Allow field.
func routes() http1.Handler {
	rt := http1.NewRouter()
	hello := http1.Methods(http1.HandlerFunc(sayHello), "GET", "HEAD")
	rt.HandleFunc("/", func(w *http1.ResponseWriter, r *http1.Request) {
		if string(r.Path()) != "/" { // "/" routes every path not routed otherwise
			http1.NotFound(w, r)
			return
		}
		hello.ServeHTTP(w, r)
	})
	rt.Handle("/echo", http1.Methods(http1.HandlerFunc(echo), "POST"))
	return rt
}

const hello = "Hello, World!"

// sayHello answers "Hello, World!" (to HEAD, its head alone).
func sayHello(w *http1.ResponseWriter, _ *http1.Request) {
	w.Header("Content-Type", "text/plain; charset=utf-8")
	w.WriteString(hello)
}

// echo answers with the request's body: for a chunked request, the data
// of its chunks.
func echo(w *http1.ResponseWriter, r *http1.Request) {
	w.Header("Content-Type", "application/octet-stream")
	w.Write(r.Body())
}
