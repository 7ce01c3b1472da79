package websocket

import (
	"compress/flate"
	"fmt"
	"io"
)

// Flater compresses and decompresses the messages of permessage-deflate
// without context takeover (RFC 7692 §7.2): each message on its own, with
// a compressor or decompressor reset for it and released to the Flater
// when it is done. A connection keeps no compression state between
// messages, so an idle one holds none; the Flater keeps one compressor and
// one decompressor for every connection of a loop, made on first use and
// reused after (the compressor's tables are the larger part). Each call
// handles one whole message and returns, so no two messages ever need a
// compressor at once, and the Flater's pool is one of each.
//
// A Flater is owned by one goroutine, the loop's: it has no lock.
type Flater struct {
	level int
	w     *flate.Writer  // the compressor, once made
	r     io.ReadCloser  // the decompressor, once made
	reset flate.Resetter // r, to reset it
	sink  appendWriter   // where w writes
	src   inflateSource  // what r reads
}

// NewFlater returns a Flater that compresses at level, one of the levels
// of compress/flate: from flate.HuffmanOnly (-2) and
// flate.DefaultCompression (-1) to flate.BestCompression (9).
// flate.BestSpeed is the usual choice for messages. It returns an error
// naming the level for any other value.
func NewFlater(level int) (*Flater, error) {
	if level < flate.HuffmanOnly || level > flate.BestCompression {
		return nil, fmt.Errorf("websocket: compression level %d: not from %d to %d", level, flate.HuffmanOnly, flate.BestCompression)
	}
	return &Flater{level: level}, nil
}

// syncTail ends the output of a flush of DEFLATE data: an empty stored
// block. RFC 7692 §7.2.1 has the sender remove it from every message and
// §7.2.2 has the receiver put it back.
const syncTail = "\x00\x00\xff\xff"

// finalBlock is an empty stored block with BFINAL set: appended after the
// tail, it ends the DEFLATE stream, so that the decompressor reports the
// end of a whole message as io.EOF and a message cut short as an error.
const finalBlock = "\x01\x00\x00\xff\xff"

// Compress appends msg compressed as the payload of a permessage-deflate
// message to dst, and returns the extended slice: the DEFLATE data of a
// sync flush, without its last 4 bytes, 00 00 ff ff (RFC 7692 §7.2.1).
// An empty msg gives the one byte 00. The compressed message can be
// longer than msg (data that does not compress): a sender may then send
// msg uncompressed, without RSV1. dst and msg must not overlap. It
// allocates only when dst has no room (and, on the first call, the
// compressor).
func (f *Flater) Compress(dst, msg []byte) []byte {
	f.sink.p = dst
	if f.w == nil {
		f.w, _ = flate.NewWriter(&f.sink, f.level) // NewFlater checked the level
	} else {
		f.w.Reset(&f.sink)
	}
	// Writes to an appendWriter do not fail, so neither do these.
	f.w.Write(msg)
	f.w.Flush()
	out := f.sink.p
	f.sink.p = nil
	return out[:len(out)-len(syncTail)]
}

// Decompress appends the message whose compressed payload is compressed
// (the payloads of its frames, joined) to dst, and returns the extended
// slice. It adds the 4 bytes that Compress removes, as RFC 7692 §7.2.2
// says, and stops at the end of the DEFLATE stream if the message holds a
// final block (one of RFC 7692's examples has one), ignoring what follows.
//
// The message may not be longer than maxSize bytes (a negative maxSize
// counts as 0): Decompress fails with ErrMessageTooBig (close code 1009)
// as soon as it would be, having inflated at most maxSize+1 bytes, so a
// small payload that inflates to gigabytes (a zip bomb) costs no more
// than maxSize. dst grows by doubling what it holds of the message, never
// to more than maxSize+1 bytes past its length, so that a message
// allocates in all at most about twice maxSize; with room for maxSize+1
// bytes dst does not grow at all and Decompress allocates nothing (but the
// decompressor, on the first call).
//
// Invalid DEFLATE data fails with ErrDeflateData (1007). On an error dst
// is returned with its length unchanged. An empty payload gives an empty
// message, though Compress never makes one.
func (f *Flater) Decompress(dst, compressed []byte, maxSize int) ([]byte, error) {
	if len(compressed) == 0 {
		return dst, nil
	}
	f.src = inflateSource{p: compressed}
	if f.r == nil {
		f.r = flate.NewReader(&f.src)
		f.reset = f.r.(flate.Resetter)
	} else if err := f.reset.Reset(&f.src, nil); err != nil {
		return dst, ErrDeflateData
	}
	start := len(dst)
	limit := start + max(maxSize, 0) + 1 // one byte past maxSize: a message too big
	for {
		if len(dst) == cap(dst) {
			dst = grow(dst, nextCap(len(dst), start, limit))
		}
		n, err := f.r.Read(dst[len(dst):min(cap(dst), limit)])
		dst = dst[:len(dst)+n]
		switch {
		case len(dst) == limit:
			f.src = inflateSource{}
			return dst[:start], ErrMessageTooBig
		case err == io.EOF:
			f.src = inflateSource{}
			return dst, nil
		case err != nil:
			f.src = inflateSource{}
			return dst[:start], ErrDeflateData
		}
	}
}

// minGrow is the least Decompress grows its output by.
const minGrow = 512

// nextCap returns the capacity to grow a full output to, which holds n
// bytes of which the message is those from start: twice as much of the
// message, or the limit if one more doubling would pass it (so that the
// arrays allocated for a message add up to less than twice the limit).
func nextCap(n, start, limit int) int {
	c := n + max(n-start, minGrow)
	if c-start > (limit-start)/2 {
		return limit
	}
	return c
}

// grow returns p with its capacity raised to c: a new array of exactly c
// bytes (as the allocator rounds it), not append's choice, which could
// pass the limit.
func grow(p []byte, c int) []byte {
	q := make([]byte, len(p), c)
	copy(q, p)
	return q
}

// appendWriter is an io.Writer that appends to p.
type appendWriter struct{ p []byte }

func (w *appendWriter) Write(b []byte) (int, error) {
	w.p = append(w.p, b...)
	return len(b), nil
}

// inflateSource is what the decompressor reads: p, then syncTail and
// finalBlock. It is an io.ByteReader, so compress/flate reads it directly
// rather than through a bufio.Reader it would allocate.
type inflateSource struct {
	p    []byte
	tail int // the bytes of syncTail+finalBlock read
}

// end is what follows every payload.
const end = syncTail + finalBlock

func (s *inflateSource) Read(b []byte) (int, error) {
	if len(s.p) > 0 {
		n := copy(b, s.p)
		s.p = s.p[n:]
		return n, nil
	}
	if s.tail == len(end) {
		return 0, io.EOF
	}
	n := copy(b, end[s.tail:])
	s.tail += n
	return n, nil
}

func (s *inflateSource) ReadByte() (byte, error) {
	if len(s.p) > 0 {
		b := s.p[0]
		s.p = s.p[1:]
		return b, nil
	}
	if s.tail == len(end) {
		return 0, io.EOF
	}
	s.tail++
	return end[s.tail-1], nil
}
