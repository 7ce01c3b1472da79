package http1

import (
	"time"

	"github.com/goreactor/reactor/reactor"
)

// loopServer is the reactor.Handler of one loop (Server.Handler). The
// connections of the loop share it, and with it the request being served,
// the response being built, the responses gathered and the Date field: the
// loop's goroutine is the only one that touches them.
//
// What a connection must remember between two calls (a request whose body
// is arriving, a head under its deadline, a response that streams) is in
// an exchange, which only such a connection has (see exchange.go).
type loopServer struct {
	srv  *Server
	head Head           // the head of the request being served
	req  Request        // the handler's view of it
	w    ResponseWriter // the handler's writer of its response

	out     []byte      // the responses gathered, written with one Write per serve
	hdr     []byte      // the fields the handler set on the response being built
	body    []byte      // the body of the response being built
	scratch []byte      // decoded chunked bodies and query values, for one request
	chunks  ChunkedBody // the scan of a chunked body on a connection without an exchange
	chunk   []byte      // a streamed piece with its chunk framing
	root    [1]byte     // "/": the path of an absolute-form target without one

	date dateField
	free []*exchange // exchanges not in use, for the next connection that needs one

	last  lastHead        // the head of the last response of a common kind, to write again
	avail int             // Conn.Available of the connection served, as of the start of serveBuffered
	known [4]checkedField // fields found valid lately (see ResponseWriter.Header)
	next  int             // where the next field found valid goes in known
}

// checkedField is a field that Header found valid: a handler sets the
// same fields with the same strings (its constants) on every response,
// and a string compares equal to itself without reading its bytes.
type checkedField struct {
	name, value string
	connection  bool // a Connection field
}

func newLoopServer(s *Server) *loopServer {
	ls := &loopServer{srv: s, date: dateField{now: time.Now}}
	ls.root[0] = '/'
	ls.w.ls = ls
	return ls
}

// OnOpen sets the connection's idle timeout.
func (ls *loopServer) OnOpen(c *reactor.Conn) {
	if d := ls.srv.cfg.idleTimeout; d > 0 {
		c.SetReadTimeout(d)
	}
}

// OnData serves the requests that have arrived.
func (ls *loopServer) OnData(c *reactor.Conn) { ls.serve(c) }

// OnClose lets the connection's exchange go, if it has one.
func (ls *loopServer) OnClose(c *reactor.Conn, _ error) {
	if x, ok := c.Context().(*exchange); ok {
		ls.release(c, x)
	}
}

// OnPeerClose: the client sent FIN after its requests (an HTTP/1.0 client
// may do so and wait for the answer). They are answered, and then the
// connection closes; a request cut short by the FIN is not.
func (ls *loopServer) OnPeerClose(c *reactor.Conn) { ls.settle(c, ls.serve(c)) }

// OnWritable: the output has drained. A streamed response goes on; else
// the requests that waited for room in the output are served.
func (ls *loopServer) OnWritable(c *reactor.Conn) {
	if x, ok := c.Context().(*exchange); ok && x.produce != nil {
		if ls.pump(c, x) != streamDone {
			return
		}
	}
	ls.settle(c, ls.serve(c))
}

// OnIdle: nothing has arrived for the idle timeout. A request partly
// arrived gets 408; either way the connection closes.
func (ls *loopServer) OnIdle(c *reactor.Conn) bool {
	if p, _ := c.Peek(0); !onlyLineEnds(p) {
		ls.refuse(c, ErrRequestTimeout)
	}
	return false
}

// settle closes a connection whose peer has sent FIN once serve has
// nothing more to answer on it.
func (ls *loopServer) settle(c *reactor.Conn, why stopReason) {
	if c.PeerClosed() && (why == stopEmpty || why == stopHead || why == stopBody) {
		c.Close()
	}
}
