package http1

import (
	"bytes"

	"github.com/goreactor/reactor/internal/ascii"
)

// ChunkedBody scans a chunked body (RFC 9112 §7.1) as it arrives, to find
// where it ends. It accepts whole chunks only (size line, data and the line
// end after the data) and remembers how far it got, so each call looks only
// at what is new: a body that arrives in many reads is scanned once, not
// once per read. The zero value is ready for a body; Reset makes it ready
// for the next one.
type ChunkedBody struct {
	scanned  int // bytes of whole chunks accepted, from the body's start
	size     int // their data, in bytes
	overhead int // their framing, in bytes: scanned - size
	end      int // the body's length, once known
}

// Reset makes b ready to scan another body.
func (b *ChunkedBody) Reset() { *b = ChunkedBody{} }

// Size returns the bytes of data in the chunks accepted so far: once Scan
// has found the end, the decoded length of the body.
func (b *ChunkedBody) Size() int { return b.size }

// Scan looks at p, the encoded body from its first byte (with at least
// the bytes the previous call was given), and returns its length once it
// has all arrived, up to the end of its trailer section; 0 while it has
// not. Once it has found the end, it returns it again. It returns
// ErrBodyTooLarge as soon as a chunk's size takes the data past
// lim.MaxBody, ErrChunkOverhead as soon as a chunk-size line, or the line
// end after a chunk's data, takes the framing past lim.MaxChunkOverhead,
// ErrChunk for a malformed chunk, and the errors of the header limits for
// a trailer section that passes them. So it is never given more than
// lim.MaxChunkedBody bytes of a body before it decides.
func (b *ChunkedBody) Scan(p []byte, lim Limits) (int, error) {
	switch {
	case b.scanned > len(p) || b.end > len(p):
		return 0, ErrChunk // not the body it scanned before: a caller's bug
	case b.end > 0:
		return b.end, nil
	}
	for {
		size, data, err := chunkLine(p[b.scanned:])
		if data == 0 || err != nil {
			return 0, err
		}
		if size > lim.MaxBody-b.size {
			return 0, ErrBodyTooLarge
		}
		if data > lim.MaxChunkOverhead-b.overhead {
			return 0, ErrChunkOverhead
		}
		data += b.scanned
		if size == 0 {
			end, err := trailerEnd(p, data, lim)
			b.end = end
			return end, err
		}
		end, ok := dataEnd(p, data+size)
		switch {
		case !ok:
			return 0, ErrChunk
		case end == 0:
			return 0, nil // the data, or the line end after it, is arriving
		}
		framing := end - b.scanned - size
		if framing > lim.MaxChunkOverhead-b.overhead {
			return 0, ErrChunkOverhead
		}
		b.scanned, b.size, b.overhead = end, b.size+size, b.overhead+framing
	}
}

// chunkLine parses the chunk-size line at the start of p: hex digits (a
// size of at most maxLength), then optional extensions (";" name ["="
// value]), then the line end. It returns
// the chunk's size and the index of its data; data 0 means that the line
// has not all arrived.
func chunkLine(p []byte) (size, data int, err error) {
	eol := bytes.IndexByte(p, '\n')
	if eol < 0 {
		if len(p) > maxChunkLine+1 { // +1: its CR may be there
			return 0, 0, ErrChunk
		}
		return 0, 0, nil
	}
	line := trimCR(p[:eol])
	if len(line) > maxChunkLine {
		return 0, 0, ErrChunk
	}
	i := 0
	for ; i < len(line); i++ {
		d := hexValue(line[i])
		if d < 0 {
			break
		}
		if size > (maxLength-d)>>4 {
			return 0, 0, ErrChunk // past maxLength: an overflow, not a size
		}
		size = size<<4 | d
	}
	if i == 0 {
		return 0, 0, ErrChunk
	}
	// Extensions are skipped, but they must be made of field bytes, after
	// optional whitespace and a semicolon.
	ext := ascii.TrimOWS(line[i:])
	if len(ext) > 0 && ext[0] != ';' {
		return 0, 0, ErrChunk
	}
	for _, b := range ext {
		if !isFieldByte(b) {
			return 0, 0, ErrChunk
		}
	}
	return size, eol + 1, nil
}

// hexValue returns the value of a hex digit, or -1.
func hexValue(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}

// dataEnd checks the line end after a chunk's data, which ends at p[i],
// and returns the index after it: 0 if it has not arrived, false if it is
// not a line end.
func dataEnd(p []byte, i int) (int, bool) {
	switch {
	case i >= len(p):
		return 0, true
	case p[i] == '\n':
		return i + 1, true
	case p[i] != '\r':
		return 0, false
	case i+1 >= len(p):
		return 0, true
	case p[i+1] == '\n':
		return i + 2, true
	}
	return 0, false
}

// trailerEnd finds the end of the trailer section that starts at p[i],
// after the last chunk: its fields are checked and skipped, as the head's
// are counted, up to the empty line.
func trailerEnd(p []byte, i int, lim Limits) (int, error) {
	end, err := headEnd(p, i, lim)
	if end == 0 || err != nil {
		return 0, err
	}
	for i < end {
		eol := bytes.IndexByte(p[i:], '\n')
		line := trimCR(p[i : i+eol])
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !allTokens(line[:colon]) {
			return 0, ErrHeaderField
		}
		for _, b := range line[colon+1:] {
			if !isFieldByte(b) {
				return 0, ErrHeaderField
			}
		}
		i += eol + 1
	}
	return end, nil
}

// NextChunk returns the data of the first chunk of p, a chunked body (or
// what is left of one) that ChunkedBody.Scan has accepted, and the rest of
// the body after that chunk. At the last chunk, the one of size 0, it
// returns nil, nil.
func NextChunk(p []byte) (data, rest []byte) {
	size, start, err := chunkLine(p)
	if size == 0 || start == 0 || err != nil || start+size > len(p) {
		return nil, nil
	}
	end, ok := dataEnd(p, start+size)
	if end == 0 || !ok {
		return nil, nil
	}
	return p[start : start+size], p[end:]
}
