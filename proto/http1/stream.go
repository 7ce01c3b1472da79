package http1

import (
	"errors"
	"strconv"

	"github.com/goreactor/reactor/reactor"
)

// Stream is the body of a response that streams: see
// ResponseWriter.Stream. It is valid during the call of the producer it
// is given to.
type Stream struct {
	ls      *loopServer
	c       *reactor.Conn
	chunked bool // HTTP/1.1: each Write is a chunk; HTTP/1.0: the bytes as they are, until the close
	closes  bool // the connection closes once the stream is done
	wrote   bool // a Write in this call of the producer
}

// Stream makes the response's body stream: a body too large to build at
// once (a file, a long listing), produced piece by piece as the client
// reads it. When ServeHTTP returns, the head leaves with
// "Transfer-Encoding: chunked" (to HTTP/1.1; to HTTP/1.0 without a length,
// and the connection closes after the body), preceded by the responses
// gathered before it and followed by what Write put in the body, if
// anything. Then produce is called at once, and again each time the
// connection's output has drained (reactor.WritableHandler), until it
// returns done. Each call writes pieces with s.Write while s.Available()
// is above 0: so a client that does not read holds the server's output at
// its cap (reactor.WithMaxOutput), no more, and a fast one gets the body
// as fast as it reads. A call that returns false while there is room left
// must have written something; one that wrote nothing cannot be called
// again for want of an event, so the connection closes, the body cut
// short. Requests pipelined behind a streamed response wait in the input,
// with reading paused, and are served once the stream is done.
//
// A response to HEAD has the streamed response's head and no body:
// produce is not called. Stream does nothing after TakeOver, nor for a
// nil produce; a second call replaces the first's produce.
func (w *ResponseWriter) Stream(produce func(s *Stream) (done bool)) {
	if produce == nil || w.takeover != nil {
		return
	}
	w.produce = produce
}

// chunkReserve is what the framing of one chunk and of the last one may
// take: a size line of up to 16 hex digits, the line ends, "0\r\n\r\n".
const chunkReserve = 32

// errStreamStalled closes a connection whose stream's producer returned
// without writing anything while the output had room.
var errStreamStalled = errors.New("http1: a stream's producer wrote nothing and was not done")

// Available returns the most bytes Write takes now, framing aside: 0 once
// the connection's output is full.
func (s *Stream) Available() int {
	n := s.c.Available()
	if s.chunked {
		n -= chunkReserve
	}
	return max(n, 0)
}

// Write queues p, a piece of the body (a chunk of its own to HTTP/1.1),
// and returns len(p). If p is longer than Available it queues nothing and
// returns reactor.ErrOutputFull. p is copied: it may be reused at once.
func (s *Stream) Write(p []byte) (int, error) {
	switch {
	case len(p) == 0:
		return 0, nil
	case len(p) > s.Available():
		return 0, reactor.ErrOutputFull
	case !s.chunked:
		n, err := s.c.Write(p)
		s.wrote = s.wrote || n > 0
		return n, err
	}
	buf := appendChunkHead(s.ls.chunk[:0], len(p))
	buf = append(buf, p...)
	buf = append(buf, "\r\n"...)
	s.ls.chunk = buf
	if _, err := s.c.Write(buf); err != nil {
		return 0, err
	}
	s.wrote = true
	return len(p), nil
}

// appendChunkHead appends the size line of a chunk of n bytes.
func appendChunkHead(dst []byte, n int) []byte {
	dst = strconv.AppendInt(dst, int64(n), 16)
	return append(dst, "\r\n"...)
}

// streamState is where a stream is after pump.
type streamState uint8

const (
	streamMore   streamState = iota // the output is full: OnWritable goes on
	streamDone                      // the body is whole; the connection serves its next request
	streamClosed                    // the connection closes
)

// startStream starts the stream of the response just written on c (its
// head has been written) and returns stopEmpty if it is done at once and
// the connection goes on, stopWaiting if it goes on as the output drains,
// stopClose if the connection closes.
func (ls *loopServer) startStream(c *reactor.Conn) stopReason {
	x := ls.exchangeOf(c)
	x.produce = ls.w.produce
	x.stream = Stream{ls: ls, c: c, chunked: ls.head.Minor == 1, closes: ls.w.closes}
	switch ls.pump(c, x) {
	case streamMore:
		return stopWaiting
	case streamClosed:
		return stopClose
	}
	return stopEmpty
}

// pump calls the producer of c's stream while the output has room, and
// ends the stream once it is done. While the stream waits for the output
// to drain, reading is paused: the requests behind it wait in the input.
func (ls *loopServer) pump(c *reactor.Conn, x *exchange) streamState {
	s := &x.stream
	for {
		s.wrote = false
		if x.produce(s) {
			return ls.endStream(c, x)
		}
		switch {
		case s.Available() == 0:
			c.PauseRead()
			return streamMore
		case !s.wrote:
			x.produce = nil
			c.CloseWithError(errStreamStalled)
			return streamClosed
		}
	}
}

// endStream ends c's stream: the last chunk, then the next request, or
// the close.
func (ls *loopServer) endStream(c *reactor.Conn, x *exchange) streamState {
	s := &x.stream
	x.produce = nil
	if s.chunked {
		c.WriteString("0\r\n\r\n") // Available kept room for it
	}
	c.ResumeRead()
	if s.closes {
		c.Close()
		return streamClosed
	}
	return streamDone
}
