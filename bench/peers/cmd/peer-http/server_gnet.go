package main

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"

	"github.com/goreactor/reactor/proto/http1"
)

// The answer to GET /, as reactor-http writes it (cmd/reactor-http's
// handler sets Content-Type, proto/http1 adds Date and Content-Length):
// the same fields in the same order.
const (
	hello     = "Hello, World!"
	httpDate  = "Mon, 02 Jan 2006 15:04:05 GMT"
	helloHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: "
	notFound  = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nDate: "
)

// gnetHTTP serves HTTP on gnet's one event loop. Only that loop's goroutine
// calls OnTraffic, so req and out need no lock; OnTick runs on a goroutine
// of its own, so the date is swapped atomically.
type gnetHTTP struct {
	gnet.BuiltinEventEngine
	ready func(net.Addr)
	eng   chan gnet.Engine
	lim   http1.Limits
	req   http1.Head
	out   []byte                 // the answers to one read's requests
	date  atomic.Pointer[string] // the Date field's value
}

func (h *gnetHTTP) OnBoot(eng gnet.Engine) gnet.Action {
	if fd, err := eng.Dup(); err == nil {
		if sa, err := syscall.Getsockname(fd); err == nil {
			h.ready(tcpAddr(sa))
		}
		syscall.Close(fd)
	}
	h.eng <- eng
	return gnet.None
}

// OnTick formats the date, and asks to be called again when the next
// second begins.
func (h *gnetHTTP) OnTick() (time.Duration, gnet.Action) {
	now := time.Now().UTC()
	d := now.Format(httpDate)
	h.date.Store(&d)
	return time.Second - time.Duration(now.Nanosecond()), gnet.None
}

// OnTraffic answers every whole request buffered, in one write.
func (h *gnetHTTP) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	date := *h.date.Load()
	out := h.out[:0]
	used, action := 0, gnet.None
	for used < len(buf) {
		n, err := http1.Parse(buf[used:], &h.req, h.lim)
		if n == 0 && err == nil {
			break // the rest has not arrived
		}
		r := &h.req
		if err != nil || r.HasBody() || string(r.Path) != "/" || string(r.Method) != "GET" && string(r.Method) != "HEAD" {
			out = append(out, notFound...)
			out = append(out, date...)
			out = append(out, "\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n"...)
			action = gnet.Close
			break
		}
		used += n
		out = append(out, helloHead...)
		out = append(out, date...)
		out = append(out, "\r\nContent-Length: "...)
		out = strconv.AppendInt(out, int64(len(hello)), 10)
		out = append(out, "\r\n"...)
		switch {
		case r.Close:
			out = append(out, "Connection: close\r\n"...)
			action = gnet.Close
		case r.Minor == 0:
			out = append(out, "Connection: keep-alive\r\n"...)
		}
		out = append(out, "\r\n"...)
		if string(r.Method) == "GET" {
			out = append(out, hello...)
		}
		if action == gnet.Close {
			break
		}
	}
	c.Discard(used)
	if len(out) > 0 {
		if _, err := c.Write(out); err != nil {
			action = gnet.Close
		}
	}
	h.out = out
	return action
}

// serveGnet runs gnet v2 with one event loop (no multicore) and its
// ticker for the date.
func serveGnet(ctx context.Context, addr string, ready func(net.Addr)) error {
	h := &gnetHTTP{ready: ready, eng: make(chan gnet.Engine, 1), lim: http1.DefaultLimits()}
	h.OnTick() // a date before the first request
	go func() {
		eng := <-h.eng // a signal before boot is handled once booted
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eng.Stop(sctx)
	}()
	return gnet.Run(h, "tcp://"+addr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(1),
		gnet.WithTicker(true),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}

// tcpAddr turns a socket address from getsockname into a net.Addr.
func tcpAddr(sa syscall.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	}
	return nil
}
