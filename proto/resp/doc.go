// Package resp reads requests and writes replies in RESP2, the protocol
// that Redis clients speak, without allocating. It is a protocol package
// (proto/), importable by any server: cmd/reactor-kv parses with it, and so
// does the benchmark's gnet peer (bench/peers), so that the two parse
// exactly alike.
//
// # Requests
//
// A client sends each command as an array of bulk strings:
//
//	*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n
//
// or, typed by hand (telnet, nc), as an inline command: one line of words
// separated by blanks, ending in "\n" or "\r\n", where quotes group words
// with their blanks and double quotes take escapes, as redis-server reads
// them:
//
//	SET greeting "hello world\r\n" 'it\'s'
//
// A Parser takes the first request out of a byte slice, such as
// reactor.Conn.Peek(0) returns, and reports how many bytes it used; the
// arguments it returns point into that slice, so nothing is copied, but
// for an inline word that had escapes (or quotes after its first byte),
// which the Parser builds in a buffer of its own. A slice that ends in the
// middle of a request gives n == 0: the caller keeps the bytes and parses
// again when more have arrived. Parse takes nothing from one call to the
// next but the room of its buffers, so a request cut into any number of
// reads is read the same as one that came whole.
//
// # Limits
//
// A peer can claim any length, so a Parser has limits (Limits): the
// arguments per request, the bytes per argument, the length of an inline
// line or a header line, and the bytes of one request in all. A request
// over one of them is refused as soon as its header shows it, before the
// rest arrives. Protocol errors (ErrProtocol) are not recoverable: the
// stream has lost its framing, so the caller answers with AppendError and
// closes the connection, as Redis does.
//
// # Replies
//
// The Append functions append one RESP2 reply to a byte slice: a server
// collects the replies of every request in one read and writes them with
// one call.
package resp
