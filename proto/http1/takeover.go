package http1

import "github.com/goreactor/reactor/reactor"

// TakeOver hands the connection to h once this response has been queued:
// the way to upgrade it to another protocol (WebSocket, or any other
// that starts after a "101 Switching Protocols"), or to hand it to a
// tunnel after any response. The response is written as set, whatever
// its status, without Content-Length or a Connection field of the
// server's (the handler sets "Connection: Upgrade" and "Upgrade: ..."
// itself); what Write put in its body follows the head as it is.
//
// When ServeHTTP returns, the responses gathered before this one and this
// one are queued, the request is consumed, and then the connection is
// h's: the server calls c.SetHandler(h), then h.OnOpen(c), then
// h.OnData(c) at once if bytes followed the request in the input (they
// are the new protocol's). If the client had already sent FIN, h then
// hears of it: h.OnPeerClose(c) if h is a reactor.HalfCloser, else the
// connection closes. The server sends nothing more on the connection;
// the connection's Context, which it used, is cleared for h; the idle timeout it set (reactor.Conn.SetReadTimeout)
// stays, for h to change. Write and Header return ErrStreaming after
// TakeOver, and Stream does nothing; a nil h is ignored.
func (w *ResponseWriter) TakeOver(h reactor.Handler) {
	if h == nil {
		return
	}
	w.takeover, w.produce = h, nil
}

// handOver gives c to h, its response written and its request consumed.
func (ls *loopServer) handOver(c *reactor.Conn, h reactor.Handler) {
	if x, ok := c.Context().(*exchange); ok {
		ls.release(c, x)
	}
	c.SetContext(nil)
	c.SetHandler(h)
	h.OnOpen(c)
	if c.Buffered() > 0 {
		h.OnData(c)
	}
	if c.PeerClosed() {
		if hc, ok := h.(reactor.HalfCloser); ok {
			hc.OnPeerClose(c)
		} else {
			c.Close()
		}
	}
}
