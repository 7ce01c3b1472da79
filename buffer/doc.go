// Package buffer provides Ring, the growable byte ring buffer that a
// single-threaded event loop keeps per connection as its input and output
// buffer.
//
// # What Ring is for
//
// A connection reads whatever the kernel has into its input Ring, a framer
// consumes whole messages from the front, and a partial message simply stays
// behind until more bytes arrive. Replies are appended to the output Ring and
// flushed when the socket is writable; what the kernel did not take stays
// queued in order. Ring is not safe for concurrent use: like everything else
// in a loop, it belongs to the loop's goroutine.
//
// # Indices and capacity
//
// The backing array always has a power-of-two length, so positions are two
// monotonic unsigned counters (read and write) masked by Cap()-1, and Len is
// their difference. Whenever the ring becomes empty both counters go back to
// 0, which keeps the next message contiguous. Writing past the end of the
// array wraps to its start; growing copies the readable bytes, in order, to
// the start of an array twice as large (or larger), so growth never loses or
// reorders bytes across the wrap point.
//
// # Two-slice views
//
// For vectored I/O without copying, Readable returns the readable bytes as at
// most two slices (the second is non-empty only when the data wraps) to hand
// to writev, and Writable returns the free space of the current array as at
// most two slices to hand to readv. After the system call, Discard(n) drops
// the n bytes that were sent and Commit(n) makes the n bytes received
// readable. Peek(n) returns the next n bytes as one slice; when they wrap it
// rotates the data in place so that it starts at index 0, without any scratch
// buffer. Any view is valid only until the next call that changes the ring.
//
// # Memory policy
//
// A ring allocates nothing until the first write; its first array is the
// smallest power of two that holds both the bytes needed and 512 bytes (or
// the maximum, rounded up to a power of two, if that is smaller). It
// then grows by doubling, up to the maximum given to New or SetMax: Len never
// exceeds that maximum through writes, and the array never exceeds the
// smallest power of two at or above it (a maximum of 1000 allows an array of
// 1024 bytes but at most 1000 readable bytes). A write that does not fit
// stores what fits and returns ErrFull. Reset empties a ring but keeps its
// array for reuse; Release, on an empty ring, drops the array so that an idle
// connection holds no buffer memory.
//
// # The zero value
//
// The zero Ring is empty, ready to use, holds no memory and has no maximum.
package buffer
