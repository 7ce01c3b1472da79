// Package frame splits a byte stream into messages and writes messages as
// frames: the framing that a stream socket leaves to the program, since TCP
// keeps no message boundaries. One read may hold part of a message, one
// message or several; a framer returns each whole message exactly once,
// however the bytes were cut.
//
// Three framers cover the usual protocols:
//
//   - Fixed(size): every message is size bytes.
//   - Delimited(delim, max): every message ends with delim, such as "\n" or
//     "\r\n"; the message is returned without it.
//   - LengthPrefixed(prefix, max): every message starts with its length, a
//     big-endian integer of 1, 2, 4 or 8 bytes; the payload is returned.
//
// # Reading
//
// A framer reads from an Input: a *reactor.Conn inside OnData, or a
// buffer.Ring through RingInput. Next returns the next whole message and
// consumes it, or nil, nil when the rest of the message has not arrived; the
// partial message stays in the input for a later call. A handler loops:
//
//	func (h *handler) OnData(c *reactor.Conn) {
//		for {
//			msg, err := h.framer.Next(c)
//			if err != nil {
//				c.CloseWithError(err) // OnClose reports ErrTooLarge
//				return
//			}
//			if msg == nil {
//				return // wait for more bytes
//			}
//			h.handle(c, msg)
//		}
//	}
//
// The message is not copied: it points into the input's buffer and is valid
// until the input is next peeked at or consumed (at the latest, until OnData
// returns). The framers hold no state but their configuration, so one
// framer serves every connection, and they do not allocate.
//
// # Limits
//
// Every framer has a maximum message size, because a peer can claim any
// length. A length prefix over the maximum gives ErrTooLarge as soon as the
// header has arrived; a delimiter that has not come within the maximum gives
// ErrTooLarge as soon as the maximum and a delimiter's length are buffered
// without one. The framer never
// allocates the claimed size: the input holds at most what actually arrived,
// and the connection's own input limit (reactor.WithMaxInput) bounds that.
// Keep the framer's maximum within that limit, or a message the framer
// allows cannot complete.
//
// # Writing
//
// WriteLengthPrefixed queues a length-prefixed frame in an Output, such as a
// *reactor.Conn, all or nothing: if the output has no room for the whole
// frame it returns ErrNoRoom and writes nothing. The payload is written
// straight into the output, with no copy in between. AppendLengthPrefixed
// builds frames in a slice instead, for a client that writes them with one
// system call.
package frame
