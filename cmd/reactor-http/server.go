package main

import (
	"bytes"
	"errors"
	"time"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
)

// server is the Handler of one loop. The connections of the loop share it,
// and with it the request being parsed, the response being built and the
// Date field: the loop's goroutine is the only one that touches them, and
// nothing of it is shared with another loop.
//
// A request is answered once it has all arrived (head and body), then
// consumed; a partial one stays in the connection's input for the next
// OnData. Answers are written with c.Write and leave together at the end of
// the loop's pass, so pipelined requests read in one pass are answered
// with one system call, in order.
//
// The request at the front of a connection's input goes through these
// steps, each call of serve taking it as far as the bytes allow:
//
//	head arriving --head whole--> body arriving (its exchange: how far the
//	    chunks were scanned, whether 100 Continue was sent)
//	body arriving --body whole--> answered, consumed; the next request is
//	    at the front, or the connection closes (Connection: close, HTTP/1.0)
//	any step --error, limit--> refused: the error's answer, then close
//	body whole --no room for the answer--> waits for OnWritable
//	any step --peer's FIN--> what is whole is answered, then close
type server struct {
	lim  http1.Limits
	req  http1.Head // the request at the front of the connection served
	out  []byte     // the answers being gathered, written once per serve
	date dateField

	// The whole answer to GET / from an HTTP/1.1 client, the commonest
	// request, made once per Date value rather than once per request.
	helloGet  []byte
	helloDate []byte // the Date value helloGet was made with
}

func newServer(lim http1.Limits) *server {
	return &server{lim: lim, date: dateField{now: time.Now}}
}

// exchange is what a connection must remember between two calls while the
// body of its next request arrives: how far the chunked body was scanned,
// and whether "100 Continue" was sent. Connections whose requests have no
// body never get one.
type exchange struct {
	body      http1.ChunkedBody
	continued bool
}

// exchangeOf returns c's exchange, making it on first use.
func exchangeOf(c *reactor.Conn) *exchange {
	if x, ok := c.Context().(*exchange); ok {
		return x
	}
	x := &exchange{}
	c.SetContext(x)
	return x
}

// errNoRoom stops serve when the output has no room for the next
// response: OnWritable resumes once it has drained.
var errNoRoom = errors.New("reactor-http: no room in the output for the response")

func (s *server) OnOpen(c *reactor.Conn) { s.date.open(c.Loop()) }

func (s *server) OnClose(*reactor.Conn, error) { s.date.close() }

func (s *server) OnData(c *reactor.Conn) { s.serve(c) }

// OnPeerClose: the client sent FIN after its requests (an HTTP/1.0 client
// may do so and wait for the answer). They are answered, and then the
// connection closes.
func (s *server) OnPeerClose(c *reactor.Conn) { s.finish(c) }

// OnWritable: the output that stopped serve has drained; go on with the
// requests waiting in the input.
func (s *server) OnWritable(c *reactor.Conn) {
	if c.PeerClosed() {
		s.finish(c)
		return
	}
	s.serve(c)
}

// finish answers what a client that sent FIN has sent, then closes: at
// once, or once OnWritable has let serve answer the rest.
func (s *server) finish(c *reactor.Conn) {
	if !s.serve(c) {
		c.Close() // a request cut short by the FIN stays unanswered
	}
}

// serve answers the requests buffered on c, in order, until one has not
// all arrived, the output has no room for the next answer, or the
// connection closes. It reports whether it stopped for want of room.
//
// The answers are gathered in s.out and written with one c.Write when
// serve stops, and the requests answered are consumed with one c.Discard:
// pipelined requests cost one call of each, not one per request.
func (s *server) serve(c *reactor.Conn) (blocked bool) {
	buf, _ := c.Peek(0)
	off := 0
	defer func() {
		s.flush(c)
		c.Discard(off)
	}()
	for off < len(buf) {
		n, err := s.answer(c, buf[off:])
		switch {
		case err == errNoRoom:
			return true
		case err != nil:
			s.refuse(c, err)
			return false
		case n == 0:
			return false // the rest has not arrived
		}
		off += n
		if x, ok := c.Context().(*exchange); ok {
			*x = exchange{}
		}
		if s.req.Close {
			s.flush(c)
			c.Close()
			return false
		}
	}
	return false
}

// flush writes the answers gathered in s.out; serve made sure they fit.
func (s *server) flush(c *reactor.Conn) {
	if len(s.out) > 0 {
		c.Write(s.out)
		s.out = s.out[:0]
	}
}

// answer answers the request at the start of buf, if it has all arrived,
// and returns its length (head and body); 0 if it has not. An error is the
// client's (an *http1.Error), or errNoRoom.
func (s *server) answer(c *reactor.Conn, buf []byte) (int, error) {
	r := &s.req
	n, err := http1.Parse(buf, r, s.lim)
	if n == 0 || err != nil {
		return 0, err
	}
	var end int
	switch {
	case r.Chunked:
		m, err := exchangeOf(c).body.Scan(buf[n:], s.lim)
		if err != nil {
			return 0, err
		}
		end = n + m
		if m == 0 {
			end = 0
		}
	case n+max(r.ContentLength, 0) <= len(buf):
		end = n + max(r.ContentLength, 0)
	}
	if end == 0 {
		return 0, s.await(c, len(buf) == c.Buffered())
	}
	return end, s.respond(c, buf[n:end])
}

// await is called while the body of a request is arriving; first says
// that the request is at the front of the input, with no answered request
// before it waiting to be consumed.
func (s *server) await(c *reactor.Conn, first bool) error {
	if c.InputFull() && first {
		// The input holds the largest request within the limits
		// (loopOptions), and Scan refuses a chunked body before it
		// passes them, so this one has passed a limit. (Behind answered
		// requests it waits: consuming them makes room.)
		return http1.ErrBodyTooLarge
	}
	r := &s.req
	if r.Expect100 && r.Minor == 1 {
		if x := exchangeOf(c); !x.continued {
			x.continued = true
			s.out = append(s.out, status100...) // after the answers gathered before it
		}
	}
	return nil
}

// respond answers the request in s.req, whose body is body (as sent: for
// a chunked request, the chunks). It writes nothing and returns errNoRoom
// if the output cannot take the whole answer.
func (s *server) respond(c *reactor.Conn, body []byte) error {
	r := &s.req
	switch string(r.Path) {
	case "/", "": // an absolute-form target without a path means "/"
		switch string(r.Method) {
		case "GET":
			if connection(r) == "" {
				return s.replyHello(c)
			}
			return s.reply(c, status200, textPlain, hello, "")
		case "HEAD":
			return s.reply(c, status200, textPlain, hello, "")
		}
		return s.reply(c, status405, textPlain, "method not allowed\n", "Allow: GET, HEAD\r\n")
	case "/echo":
		if string(r.Method) == "POST" {
			return s.echo(c, body)
		}
		return s.reply(c, status405, textPlain, "method not allowed\n", "Allow: POST\r\n")
	}
	return s.reply(c, status404, textPlain, "not found\n", "")
}

// reply adds a response with body text, or only its head for HEAD, to the
// answers in s.out; if the output could not take them all, it leaves s.out
// as it was and returns errNoRoom.
func (s *server) reply(c *reactor.Conn, status, ctype, text, extra string) error {
	mark := len(s.out)
	s.head(status, ctype, len(text), connection(&s.req))
	s.out = append(s.out, extra...)
	s.out = append(s.out, "\r\n"...)
	if string(s.req.Method) != "HEAD" {
		s.out = append(s.out, text...)
	}
	if c.Available() < len(s.out) {
		s.out = s.out[:mark]
		return errNoRoom
	}
	return nil
}

// replyHello adds the answer to GET / from an HTTP/1.1 client, made anew
// only when the Date has changed.
func (s *server) replyHello(c *reactor.Conn) error {
	if !bytes.Equal(s.helloDate, s.date.value) {
		mark := len(s.out)
		s.head(status200, textPlain, len(hello), "")
		s.out = append(s.out, "\r\n"...)
		s.out = append(s.out, hello...)
		s.helloGet = append(s.helloGet[:0], s.out[mark:]...)
		s.helloDate = append(s.helloDate[:0], s.date.value...)
		s.out = s.out[:mark]
	}
	if c.Available() < len(s.out)+len(s.helloGet) {
		return errNoRoom
	}
	s.out = append(s.out, s.helloGet...)
	return nil
}

// echo answers POST /echo with the request's body: the data of its chunks
// for a chunked one, each written as it lies in the input.
func (s *server) echo(c *reactor.Conn, body []byte) error {
	size := len(body)
	if s.req.Chunked {
		size = exchangeOf(c).body.Size()
	}
	mark := len(s.out)
	s.head(status200, octetStream, size, connection(&s.req))
	s.out = append(s.out, "\r\n"...)
	if c.Available() < len(s.out)+size {
		s.out = s.out[:mark]
		return errNoRoom
	}
	s.flush(c) // the answers before it and this head, then the body as it lies in the input
	if !s.req.Chunked {
		c.Write(body)
		return nil
	}
	for {
		data, rest := http1.NextChunk(body)
		if data == nil {
			return nil
		}
		c.Write(data)
		body = rest
	}
}

// refuse answers a request that broke the protocol or a limit with the
// status its error gives, and closes the connection: what follows the bad
// request in the input cannot be trusted to start where a request does.
func (s *server) refuse(c *reactor.Conn, err error) {
	reason := "bad request"
	var e *http1.Error
	if errors.As(err, &e) {
		reason = e.Reason
	}
	mark := len(s.out)
	s.head(statusLine(http1.StatusOf(err)), textPlain, len(reason)+1, connClose)
	s.out = append(s.out, "\r\n"...)
	s.out = append(s.out, reason...)
	s.out = append(s.out, '\n')
	if c.Available() < len(s.out) {
		s.out = s.out[:mark] // no room for the refusal: the answers before it still go
	}
	s.flush(c)
	c.CloseWithError(err)
}
