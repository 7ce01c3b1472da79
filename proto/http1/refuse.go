package http1

import (
	"errors"
	"strconv"

	"github.com/goreactor/reactor/reactor"
)

// A request that breaks the protocol or a limit is answered with the
// status its error gives (StatusOf) and the error's reason as the body,
// with "Connection: close"; then the connection closes: what follows the
// bad request in the input cannot be trusted to start where a request
// does. The answers to the requests before it leave first, in order.

// refusal adds the answer to a request refused for err to the responses
// gathered, if the output has room for it (else only the responses before
// it leave), and returns stopRefused: the caller closes the connection
// once they are written.
func (ls *loopServer) refusal(c *reactor.Conn, err error) stopReason {
	reason := "bad request"
	var e *Error
	if errors.As(err, &e) {
		reason = e.Reason
	}
	mark := len(ls.out)
	out := appendStatusLine(ls.out, StatusOf(err))
	out = append(out, "Content-Type: text/plain; charset=utf-8\r\nDate: "...)
	out = append(out, ls.date.value...)
	out = append(out, "\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(reason)+1), 10)
	out = append(out, "\r\nConnection: close\r\n\r\n"...)
	out = append(out, reason...)
	out = append(out, '\n')
	ls.out = out
	if c.Available() < len(ls.out) {
		ls.out = ls.out[:mark] // no room for the refusal: the answers before it still go
	}
	return stopRefused
}

// refuse answers a request refused for err outside serve (a timer, an
// idle timeout), and closes the connection.
func (ls *loopServer) refuse(c *reactor.Conn, err error) {
	ls.out = ls.out[:0]
	ls.date.use(c.Loop())
	ls.refusal(c, err)
	ls.flush(c)
	c.CloseWithError(err)
}
