// Package poller reports which non-blocking file descriptors are ready to be
// read or written, the way select(2) answers with its readers and writers
// lists. It is the bottom layer of goreactor: a single-threaded loop asks a
// Poller to Wait, then consumes the two lists it got back.
//
// Three mechanisms implement the same contract: epoll (Linux), kqueue (macOS
// and the BSDs) and poll(2) (every Unix, through NewPoll). New picks the best
// one for the operating system. The part of the contract that does not
// involve the kernel (ErrClosed, the registration errors, skipping a Modify
// that changes nothing, collapsing wake-ups) is implemented once, in front of
// every mechanism, so it behaves and fails the same way on all of them.
//
// # The contract every backend meets
//
// Ownership. One goroutine owns a Poller and is the only one to call Add,
// Modify, Remove, Wait and Close. Wake is the exception: any goroutine may call
// it at any time, including while Wait blocks and after Close.
//
// Registration. Add registers an fd with an Interest (Read, Write, both, or
// neither); Modify replaces the interest; Remove forgets the fd. Adding an fd
// twice fails with ErrRegistered; modifying or removing an fd that is not
// registered fails with ErrNotRegistered. The poller remembers each fd's
// interest, so a Modify with the interest already registered succeeds and
// makes no system call: a caller need not keep its own record of what it
// registered, and may call Modify with the interest it wants whenever that
// may have changed. Remove an fd before closing it: a closed fd number can be
// reused by the kernel, and the poller cannot tell the two apart. An fd
// registered with no interest is never reported, not even for a hang-up.
//
// Readiness. Readiness is level-triggered: an fd that is readable (or
// writable) is reported by every Wait until the condition goes away, so the
// caller may read once per report and leave the rest for the next Wait. An fd
// with Read interest is in Ready.Read when a read would not block (data, a
// pending connection on a listener, the peer's FIN or an error). An fd with
// Write interest is in Ready.Write when a write would not block. When the
// kernel reports a hang-up or an error for an fd (EPOLLHUP or EPOLLERR;
// POLLHUP, POLLERR or POLLNVAL; EV_EOF or EV_ERROR on kqueue, where EV_EOF
// also stands for the peer's FIN), the fd is put in both lists, so that the
// caller's read or write sees the end of file or the error, whatever
// interest it had registered. An fd appears at most once in each list per
// Wait. The order of the lists is unspecified.
//
// Waiting. Wait(timeout, r) blocks until at least one registered fd is ready,
// Wake is called, the timeout passes, or a signal interrupts the wait. A
// negative timeout waits forever, zero only polls, a positive timeout is
// rounded up to the mechanism's resolution (a millisecond for epoll and
// poll(2)) so that it never turns into a busy poll. Wait fills r.Read and
// r.Write, reusing their backing arrays: once they have grown to fit, Wait
// allocates nothing. When a signal interrupts the system call (EINTR), Wait
// returns nil with whatever it has, which may be nothing; the caller works out
// its next timeout and calls again. When more fds are ready than the event
// array holds, Wait reports as many as fit and doubles the array for the next
// call (up to 16384 events); the rest stay ready (level-triggered) and are
// reported then.
//
// Waking. Wake makes a Wait in progress return, or the next one if none is in
// progress. Wake-ups collapse: any number of Wake calls before a Wait returns
// cost one system call and end one Wait. The wake-up mechanism (an eventfd on
// Linux, EVFILT_USER where the kqueue has it, a non-blocking pipe otherwise)
// is internal: its fd never appears in the lists.
//
// Closing. Close releases every fd the poller opened (the epoll or kqueue
// descriptor and the wake-up fd), not the fds the caller registered. After
// Close every method returns an error matching ErrClosed (which also matches
// net.ErrClosed).
//
// Errors. System call failures are wrapped with os.NewSyscallError, so
// errors.Is works against the unix.Errno values. No method panics.
package poller
