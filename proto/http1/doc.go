// Package http1 is HTTP/1.1 on a reactor loop: a server that parses
// requests where they lie, in the bytes a connection has buffered, runs
// the handler on the loop, and gathers the responses of one pass into one
// write; and, below it, the parser, for servers on other loops.
//
//	rt := http1.NewRouter()
//	rt.HandleFunc("/hello", func(w *http1.ResponseWriter, r *http1.Request) {
//		w.Header("Content-Type", "text/plain; charset=utf-8")
//		w.WriteString("Hello, ")
//		w.Write(r.QueryValue("name"))
//	})
//	srv, err := http1.NewServer(rt)
//	loop, err := reactor.New(srv.Handler(), srv.LoopOptions()...)
//	addr, err := loop.Listen("tcp", "127.0.0.1:8080") // or ListenTLS, or "unix"
//	err = loop.Run(ctx)
//
// On a Group, each loop gets a Handler of its own from the one Server:
//
//	g, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() },
//		reactor.WithLoopOptions(srv.LoopOptions()...))
//
// # Handlers
//
// A Handler's ServeHTTP runs on the loop's goroutine, as every reactor
// callback does, so it must not block: no file or network I/O that waits,
// no lock held by another goroutine. It reads the Request and writes the
// response with the ResponseWriter: a status (SetStatus), fields (Header,
// which refuses a name that is not a token and a value with CR, LF, NUL
// or another control byte), and a body (Write); the server adds Date,
// Content-Length and, where it is needed, Connection. A Router sends
// requests to handlers by path; Methods restricts a handler to some
// methods.
//
// A Request is a view of the connection's input: Method, Target, Path,
// Query, QueryValue, Header, Headers, Body return the bytes as they lie
// there, or in a buffer of the loop (a decoded query value, a chunked
// body decoded). So a Request and every slice it gives are valid only
// during the ServeHTTP call: a handler that needs a value later copies
// it. Nothing is allocated per request: no map of fields, no string but
// what the handler makes.
//
// # Pipelining and gathering
//
// The server answers the requests of a connection in order, each once it
// has all arrived (head and body), and leaves a partial one in the input
// for the next read. The responses to the requests of one read are
// gathered in one buffer and written with one Conn.Write, so the loop
// sends them with one system call, and the requests are consumed with one
// Conn.Discard. Connections are persistent: HTTP/1.1, and HTTP/1.0 with
// "Connection: keep-alive"; a request with "Connection: close", HTTP/1.0
// without keep-alive, and a response with "Connection: close" close the
// connection after the response. "Expect: 100-continue" gets "100
// Continue" while the body has not arrived. A client that sends FIN after
// its requests gets their answers, then the close.
//
// Before it answers a request, the server makes sure the connection's
// output has room for a response (WithResponseRoom): while it has not,
// the requests wait in the input, the loop reads no more from the
// connection (its output is past the high watermark), and serving
// resumes as the client reads. So a client that pipelines without reading
// holds at most the output cap of the server's memory. LoopOptions gives
// a loop the input and output sizes that this needs.
//
// # Limits and timeouts
//
// Every size a client chooses is bounded (Limits, WithLimits): the
// request line (414 URI Too Long), the header section and the number of
// fields (431 Request Header Fields Too Large), the body, by its
// Content-Length or its chunks (413 Content Too Large), and a chunked
// body's framing (413). Malformed input is 400, an HTTP version other
// than 1.0 and 1.1 is 505, a transfer coding other than chunked is 501.
// A head must arrive whole within WithHeaderTimeout of its first byte,
// however slowly it trickles (408 Request Timeout), and a connection that
// sends nothing for WithIdleTimeout closes (with 408 if a request was
// arriving). Each of these answers, with the error's reason as its body
// and "Connection: close", follows the answers to the requests before it,
// and then the connection closes: what follows a bad request cannot be
// trusted to start where a request does.
//
// # Streaming
//
// A response too large to build at once streams: ResponseWriter.Stream
// gives a producer that writes pieces (chunks, to HTTP/1.1) while the
// output has room, and is called again each time the output has drained
// (reactor.WritableHandler). The client's reading paces it, so a client
// that does not read holds the output at its cap and no more. Requests
// pipelined behind a stream wait in the input, with reading paused,
// until it is done. A loop that stops (reactor.Loop.Stop) cuts a stream
// short: what it queued leaves, then the connection closes.
//
// # Upgrades
//
// ResponseWriter.TakeOver hands the connection to another
// reactor.Handler once the response is queued: after "101 Switching
// Protocols" for an upgrade (WebSocket), or after any response. The new
// handler gets OnOpen, then OnData at once with the bytes that followed
// the request, and every callback after. The server keeps its own
// per-connection state, while a request needs some, in the connection's
// Context: a handler must not set it, and TakeOver clears it for the new
// handler.
//
// # The parser
//
// The server is built on a parser that other servers can use on their own
// loops (the gnet peer of the benchmarks, bench/peers, does). Parse looks
// at the start of the input for one request head (the request line and
// the header section, up to the empty line) and fills a Head, whose
// fields are slices of the input: it copies nothing and, once a Head has
// grown its header slice, allocates nothing. It returns the head's
// length; 0 and no error mean that the head has not all arrived: call
// again with more bytes. Nothing is consumed: the caller consumes the
// head, and the body after it, once it has answered.
//
// The body follows the head. With Content-Length it is the next
// ContentLength bytes. With Transfer-Encoding: chunked its end is known
// only by scanning it: a ChunkedBody scans the chunks as they arrive,
// resuming where it stopped, so a body that trickles in is not scanned
// again from its start; NextChunk then walks the chunks of a complete body
// for their data.
//
// A chunked body's data counts against the body's limit, and its framing
// (size lines, extensions, line ends) against a limit of its own: a chunk
// of one byte takes six on the wire, so an encoding several times the
// size of its data is legitimate, yet what a server holds must stay
// bounded. A limit is reported as soon as it is passed, before the rest
// arrives: a head that has not ended within the limits is an error, not a
// wait. The errors are *Error values with their status; StatusOf reads it
// from any error.
//
// # What it checks
//
// The grammar of RFC 9112, strictly where leniency has been used to smuggle
// requests past another server: single spaces in the request line, a token
// for the method and for every field name, no whitespace before a field's
// colon, no line folding, no control characters in values, one
// Content-Length (repeats must agree), Content-Length and
// Transfer-Encoding not both, no Transfer-Encoding in HTTP/1.0, exactly one
// Host in HTTP/1.1, no length or chunk size past 2^53. Lines may end with
// CRLF or, as RFC 9112 allows, a bare LF; empty lines before a request
// line are skipped. What RFC 9112 requires a server to accept is
// accepted: a target in absolute form (its authority is Request.Host),
// chunk extensions and trailer fields (skipped).
package http1
