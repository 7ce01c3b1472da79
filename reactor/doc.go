// Package reactor is a single-threaded, non-blocking event loop for network
// servers and clients: the design the socket programming HOWTO builds up to,
// as a library. One goroutine owns a Loop and everything in it (listeners,
// connections, their buffers, timers); a Poller (epoll, kqueue or poll(2))
// tells it which sockets are ready, and it calls the Handler that the user
// wrote.
//
// # Ownership
//
// Every method of Loop, Conn and Timer runs on the loop's goroutine: inside a
// Handler callback, a timer function or a function given to Post. The
// exceptions, safe from any goroutine, are Loop.Post, Loop.Stop and
// Loop.Stats. Before Run starts, the goroutine that will call Run may also
// call Listen, Dial and AfterFunc. To act on a connection from elsewhere,
// Post a function that does it: the *Conn stays valid (its methods return
// ErrClosed once it is closed) and is never reused for another connection.
//
// # One pass of the loop
//
// Run repeats this pass until the loop has stopped:
//
//  1. Run the timers that are due, earliest first (a min-heap).
//  2. Run the functions posted since the last pass, in the order posted. A
//     function posted by a posted function runs in the next pass.
//  3. If Stop was called or Run's context ended, begin shutting down: close
//     the listeners and close every connection: at once (FIN, then OnClose)
//     if nothing is queued, else once its queued output has left. The grace
//     period bounds only output that does not leave: then it is dropped and
//     the peer gets a reset.
//  4. Flush: for every connection that was written to since the last pass,
//     send its queued output with one writev. Write interest is registered
//     only for connections whose output did not all leave, and cleared when
//     it has.
//  5. Close phase: for every connection marked for closing (its output has
//     left and FIN was sent, or it was aborted), call OnClose; then either
//     release the fd (unregister, close) or, if the peer has not sent its
//     FIN, let the connection linger. Lingering connections are released
//     here too, later. Only here is an fd closed, so no callback sees a
//     closed or reused fd number. Steps 4 and 5 repeat while OnClose writes
//     to or closes other connections, so nothing written is left waiting
//     for an unrelated event.
//  6. Publish the statistics for Stats. Stop here if shutdown is complete:
//     no connection is left for the handler, and the peers of the lingering
//     ones have acknowledged what was sent to them (or the grace period
//     ended); the lingering ones are then released.
//  7. Wait for readiness until the next timer is due, or forever if there
//     is none. Post and Stop wake the wait. Before a wait that may block,
//     the loop yields to the Go scheduler once (runtime.Gosched): measured
//     before socket I/O used raw system calls, it cut the server's CPU per
//     message by a third; it still helps a little (see loop.go).
//  8. For each fd ready to read: a listener accepts (until EAGAIN, at most
//     maxAcceptsPerPass), a connection reads once into the loop's read
//     buffer and OnData sees the new bytes after any bytes it left before.
//     A 0-byte read is the peer's FIN. EAGAIN is not an error: the fd is
//     simply not ready after all.
//  9. For each fd ready to write: send the output that a previous pass could
//     not (a partial send); the rest waits for the next report.
//
// Writes made by handlers in steps 1, 2, 8 and 9 leave in step 4 of the next
// pass, so many small writes to one connection in one pass become one
// system call: that is how pipelined requests get answered cheaply. The
// exception is a large write (16 KiB or more) to a connection with nothing
// queued: it is sent at once, since copying it would cost more than the
// system call, and only what the socket does not take is queued.
//
// # Closing
//
// A connection's life, as the handler sees it, ends with OnClose, which runs
// as soon as the output queued before Close has been handed to the kernel
// and FIN sent: nothing written before Close is lost for a peer that reads,
// and no handler waits on a peer to answer. The loop's part goes on: a
// socket closed while the peer still sends gets a reset from the kernel,
// which can destroy the last reply before the peer reads it, so the loop
// keeps the fd, reading and discarding, until the peer's FIN or the linger
// timeout (WithLinger). Stats counts these lingering connections. Output is
// dropped, and the peer reset so that it can tell, only by Abort, an I/O
// error, output that makes no progress for the linger (at least one
// second), or the end of the grace period after Stop. A handler told by
// Conn.InputFull that a connection's input is at its maximum can still
// answer before the connection closes with ErrInputFull.
//
// # Buffers and memory
//
// Reads go into one loop-wide buffer. When a connection has no leftover
// input, OnData reads straight from it: nothing is copied. What OnData leaves
// unconsumed is copied into the connection's input ring; written bytes wait in
// its output ring. Rings come from a small pool owned by the loop and go
// back to it as soon as they are empty, so an idle connection holds no buffer
// at all.
//
// Input and output are bounded (WithMaxInput, WithMaxOutput). When queued
// output passes the high watermark the loop stops reading from that
// connection until it drains below the low watermark (WithWriteWatermarks).
package reactor
