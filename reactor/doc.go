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
// Loop.Stats. Until Run starts, the loop belongs to the goroutine that made
// it, which may set it up (Listen, ListenTLS, ListenFD, ListenPacket, Dial,
// AfterFunc) and then call Run, or start the goroutine that calls Run: the
// go statement orders the two, as in the package Example; Close releases a
// loop that is not going to run. To act on a connection from elsewhere,
// Post a function that does it: the *Conn stays valid (its methods return
// ErrClosed once it is closed) and is never reused for another connection.
//
// # One pass of the loop
//
// Run (loop.go: run) repeats this pass until the loop has stopped; each
// phase is named after the function that runs it:
//
//   - runTimers: run the timers that are due, earliest first (a min-heap,
//     timer_heap.go).
//   - runTasks: run the functions posted since the last pass, in the order
//     posted. A function posted by a posted function runs in the next pass.
//   - beginShutdown, once Stop was called or Run's context ended: close the
//     listeners and every connection: at once (FIN, then OnClose) if
//     nothing is queued, else once its queued output has left. The grace
//     period bounds only output that does not leave: then it is dropped and
//     the peer gets a reset.
//   - flushDirty (conn_write.go), the flush phase: every connection written
//     to since the last pass sends its queued output with one writev. Write
//     interest is registered only for connections whose output did not all
//     leave, and cleared when it has.
//   - closeMarked (conn_close.go), the close phase: every connection queued
//     for closing (its output has left and FIN was sent, or it was aborted)
//     gets OnClose; then its fd is released (unregistered, closed) or, if
//     the peer has not sent its FIN, the connection lingers. Lingering
//     connections are released here too, later. So are packet sockets and
//     listeners closed since the last close phase: Close (or shutdown)
//     took them out of the poller and the fd table at once, and their fds
//     are closed here (fd_close.go). Only here, and when Run returns, is an
//     fd the poller knew closed (before Run, with no pass to protect, a
//     Close closes it at once), so no callback sees a closed or reused fd
//     number, and no readiness reported for a closed fd reaches the next
//     owner of its number. flushAndClose repeats the flush and close phases
//     while OnClose writes to or closes other connections, so nothing
//     written is left waiting for an unrelated event.
//   - publish (stats.go): copy the counters for Stats. Run returns here if
//     shutdown is complete: no connection is left for the handler, and the
//     peers of the lingering ones have acknowledged what was sent to them
//     (or the grace period ended); the lingering ones are then released.
//   - wait: wait for readiness until the next timer is due, or forever if
//     there is none. Post and Stop wake the wait. Before a wait that may
//     block, the loop yields to the Go scheduler once (runtime.Gosched),
//     which costs less than the threads spinning around a blocking wait.
//   - The read phase: each fd reported readable is handed to its owner in
//     the fd table (an fdOwner). A listener accepts (listener.go: accept,
//     until EAGAIN, at most maxAcceptsPerPass); a connection reads once into
//     the loop's read buffer (conn_read.go: read) and OnData sees the new
//     bytes after any it left before (deliver). A 0-byte read is the peer's
//     FIN (peerFIN). EAGAIN is not an error: the fd was not ready after all.
//   - The write phase: each fd reported writable sends the output that an
//     earlier send could not (conn_write.go: flush); the rest waits for the
//     next report. A connecting socket learns how its connect ended
//     (dial.go: connected).
//
// Writes made by handlers leave in the next flush phase, before the loop
// waits again (the same pass's for the timer and task phases, the next
// pass's for the read and write phases), so many small writes to one
// connection in one pass become one system call: that is how pipelined
// requests get answered cheaply. The exception is a large write (16 KiB or
// more) to a connection with nothing queued: it is sent at once, since
// copying it would cost more than the system call, and only what the
// socket does not take is queued.
//
// One echoed byte, file by file: the poller reports the listener readable
// (poller/poller_epoll.go); listener.go accepts it (accept, with
// internal/sock's Accept) and opens the connection (open, OnOpen); the
// poller reports the connection readable; conn_read.go reads it (read,
// with internal/sock's IO) and shows it to OnData (deliver); the handler's
// Write queues it (conn_write.go: Write, queueOutput), and the flush phase
// sends it (flushDirty, flush, send, with internal/sock's Writev), asking
// the poller for write readiness only if it did not all leave
// (updateInterest). The system calls that differ from one system to the
// next are all in internal/sock; the loop never asks which system it runs
// on.
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
// timeout (WithLinger). Stats counts these lingering connections.
//
// A read timeout (WithReadTimeout) closes as Close does, after the queued
// output (an IdleHandler may keep the connection instead), and so does a
// handler told by Conn.InputFull that a connection's input is at its
// maximum and that makes no room (ErrInputFull): it can still answer
// first. Queued output is dropped only for these causes, each with the
// reason OnClose reports, and where it is, the peer gets a reset so that
// it can tell:
//
//   - Abort (nil);
//   - a failed system call on the socket (read, writev, shutdown, the
//     connect, or the poller's registration);
//   - a panic in a handler's callback for the connection (*PanicError);
//   - output that makes no progress for the write timeout
//     (WithWriteTimeout), or, after Close, for the linger (at least one
//     second) (ErrWriteTimeout);
//   - the end of the grace period after Stop (ErrStopped);
//   - Stop before the connection opened (ErrStopped): a Dial still
//     connecting, or a TLS handshake not finished, whose bytes written
//     before OnOpen have no peer waiting for them;
//   - a dial or TLS handshake timeout (ErrDialTimeout,
//     ErrTLSHandshakeTimeout), and a TLS record crypto/tls could not
//     queue within the output's slack (ErrOutputFull);
//   - a failed TLS handshake (crypto/tls's error) drops the bytes a
//     DialTLS caller wrote before OnOpen; the alert crypto/tls wrote
//     still leaves, then FIN.
//
// Stats.OutputDropped counts the bytes dropped.
//
// # TLS
//
// ListenTLS and DialTLS serve TLS with the standard crypto/tls, unchanged
// (tls.go). The handshake runs on a short-lived goroutine of its own,
// because crypto/tls cannot pause a handshake for want of bytes and resume
// it later: the loop feeds the goroutine what it reads from the socket, and
// what the goroutine writes reaches the socket through Post. A server's
// handshake starts only once the client's ClientHello record has arrived
// whole; at most WithMaxTLSHandshakes work at once per loop (the others
// wait in order), a handshake waiting for its peer's next flight does not
// count among them, and each must be over within WithTLSHandshakeTimeout
// of the accept; the loop itself never waits for a handshake. Once it is over the
// goroutine ends and the loop owns the connection: the read phase decrypts
// records as they arrive, and Write encrypts into the queued output, so
// records cost no goroutine and no lock handoff. A handler may assume what
// it assumes of a plain connection, plus: OnOpen runs after a successful
// handshake (ConnectionState tells what was negotiated), OnData sees only
// plaintext, Close and CloseWrite send close_notify before FIN, a peer's
// FIN without close_notify is reported as io.ErrUnexpectedEOF, and a failed
// handshake gets OnClose, with crypto/tls's error, and no OnOpen. The
// output limits count ciphertext.
//
// # Datagrams
//
// ListenPacket and DialPacket put a packet socket (UDP or unixgram) in the
// fd table, served by a Handler that implements PacketHandler (packet.go).
// In the read phase a readable packet socket takes up to 64 datagrams with
// one recvmmsg on Linux (one recvmsg each elsewhere) and calls OnPacket
// once per datagram; replies queue on the socket and leave in the flush
// phase, a batch per sendmmsg. A full send buffer keeps them queued with
// write interest, as for a stream, within WithPacketQueue. But a unixgram
// socket that is not connected sends to many sockets, each with a receive
// queue of its own that the poller does not watch: a datagram whose
// destination's queue is full is dropped (Stats.PacketsDropped) and the
// next ones go on, so that a peer that does not read loses its own
// replies and holds up no one else's.
//
// # Groups of loops
//
// One loop is one goroutine, on one core. A Group runs N loops (default
// GOMAXPROCS), each with its own Handler, made by the function given to
// NewGroup, and its own connections; nothing is shared between them, so
// handlers need no locks as long as each keeps to its own loop. How a
// Group spreads connections is its AcceptMode: with AcceptReusePort every
// loop listens on the address (SO_REUSEPORT) and the kernel picks the
// loop, where it balances (Linux, FreeBSD, DragonFly BSD); with
// AcceptHandoff the first loop accepts every connection and hands it to a
// loop chosen by the Group's Balance (RoundRobin, or LeastConns), which
// adopts it in its next pass; AcceptAuto chooses the first where the
// kernel balances and the second elsewhere. Unix sockets and inherited fds
// (ListenFD) are always accepted by the first loop and handed off. For
// packet sockets, Group.ListenPacket opens
// one socket per loop where the kernel spreads datagrams by their source,
// else one on the first loop.
//
// Loops talk to each other only through Post: Group.Loop(i).Post(f) runs f
// on loop i, and Group.PostAll(f) runs f(i) on every loop i, which is how
// a handler broadcasts to the connections of every loop (see the Group
// example). A handler finds its group through its connections:
// c.Loop().Group() and c.Loop().Index().
//
// # Buffers and memory
//
// Reads go into one loop-wide buffer. When a connection has no leftover
// input, OnData reads straight from it: nothing is copied. What OnData leaves
// unconsumed is copied into the connection's input ring; written bytes wait in
// its output ring. Rings come from a small pool owned by the loop and go
// back to it as soon as they are empty.
//
// Input and output are bounded (WithMaxInput, WithMaxOutput). When queued
// output passes the high watermark the loop stops reading from that
// connection until it drains below the low watermark (WithWriteWatermarks).
//
// What each kind of connection holds while it is idle (the README gives the
// figures, measured):
//
//   - A plain connection: its Conn and its place in the loop's fd table,
//     and no buffer at all. A read or write timeout, a TLS side, a handler
//     of its own (SetHandler) or a lingering close add a small record of
//     extras and, for any deadline (a timeout, the linger, a Close with
//     output queued, a dial or handshake deadline), one Timer.
//   - A TLS connection: also crypto/tls's state for the connection, a few
//     kilobytes, for as long as it is open; and, while its handshake
//     runs, a goroutine and the handshake's bytes.
//   - A packet socket: its queue's arrays once it has queued a datagram.
//     The first packet socket of a loop makes the loop allocate its
//     datagram batches, which hold 64 read buffers of WithReadBufferSize
//     each (with the default, 4 MiB per loop), kept for the loop's life.
//   - The loop itself: its read buffer (WithReadBufferSize), its ring pool
//     (at most 8 MiB of emptied rings), and for TLS a second buffer of
//     that size to decrypt into and a 16 KiB one to encrypt from.
package reactor
