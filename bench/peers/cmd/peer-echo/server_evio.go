package main

import (
	"context"
	"net"
	"sync/atomic"
	"time"

	"github.com/tidwall/evio"
)

// serveEvio runs evio with one loop. evio has no way to stop a server from
// outside its callbacks, so a Tick every 100 ms checks for shutdown; evio's
// own loop already wakes every 100 ms (its epoll_wait timeout).
func serveEvio(ctx context.Context, addr string, ready func(net.Addr)) error {
	var done atomic.Bool
	context.AfterFunc(ctx, func() { done.Store(true) })
	var ev evio.Events
	ev.NumLoops = 1
	ev.Serving = func(s evio.Server) evio.Action {
		for _, a := range s.Addrs {
			ready(a)
		}
		return evio.None
	}
	ev.Opened = func(evio.Conn) ([]byte, evio.Options, evio.Action) {
		// Data's output is copied into the connection, so the loop's read
		// buffer can be handed to Data without a copy.
		return nil, evio.Options{ReuseInputBuffer: true}, evio.None
	}
	ev.Data = func(_ evio.Conn, in []byte) ([]byte, evio.Action) {
		return in, evio.None
	}
	ev.Tick = func() (time.Duration, evio.Action) {
		if done.Load() {
			return 0, evio.Shutdown
		}
		return 100 * time.Millisecond, evio.None
	}
	return evio.Serve(ev, "tcp://"+addr)
}
