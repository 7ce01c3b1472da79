package http1

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// maxFuzzInput bounds the inputs the fuzz tests look at: longer ones find
// nothing that short ones do not, with the small limits below, and the
// checks are quadratic in the head's length.
const maxFuzzInput = 512

// fuzzSeeds are the edge cases: each framing, each limit, each rule.
var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.0\n\n",
	"\r\n\r\nHEAD /?x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"GET http://h/a?b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
	"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n" +
		"3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n",
	"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1\r\nx\r\n", 10) + "0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999999999999999999999\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9007199254740993\r\n\r\n", // past maxLength
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n20000000000001\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx",
	"GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n folded\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nA : b\r\n\r\n",
	"GET / HTTP/2.0\r\n\r\n",
	"GET  / HTTP/1.1\r\n\r\n",
	"GET /" + string(bytes.Repeat([]byte("a"), 80)) + " HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nLong: " + string(bytes.Repeat([]byte("v"), 200)) + "\r\n\r\n",
	"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
}

// fuzzLimits are small, so that inputs the fuzzer makes reach them.
var fuzzLimits = Limits{MaxRequestLine: 64, MaxHeaderBytes: 128, MaxHeaders: 4, MaxBody: 256, MaxChunkOverhead: 48}

// FuzzParse parses any bytes as a request, with the small limits and the
// default ones, and checks what must hold whatever they are: no panic; an
// error consumes nothing; an accepted head is parsed the same alone, every
// prefix of it is incomplete (not an error: a head within the limits never
// fails for being cut short), every slice of the Head points into it,
// and a chunked body after it is scanned the same whole and in pieces.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		for _, lim := range []Limits{fuzzLimits, DefaultLimits()} {
			checkParse(t, data, lim)
		}
	})
}

func checkParse(t *testing.T, data []byte, lim Limits) {
	buf := bytes.Clone(data) // cap(buf) - cap(s) is where a slice s of it starts
	var r Head
	n, err := Parse(buf, &r, lim)
	if err != nil {
		var e *Error
		if n != 0 || !errors.As(err, &e) {
			t.Fatalf("Parse = %d, %v: an error must be an *Error and consume nothing", n, err)
		}
		return
	}
	if n == 0 {
		return
	}
	if n > len(buf) {
		t.Fatalf("Parse = %d of %d bytes", n, len(buf))
	}
	var alone Head
	if m, err := Parse(buf[:n], &alone, lim); m != n || err != nil {
		t.Fatalf("the head alone: Parse = %d, %v; with what follows: %d", m, err, n)
	}
	for k := range n {
		var p Head
		if m, err := Parse(buf[:k], &p, lim); m != 0 || err != nil {
			t.Fatalf("a prefix of %d bytes of a %d-byte head: Parse = %d, %v", k, n, m, err)
		}
	}
	checkRequest(t, buf, n, &r, lim)
	if r.Chunked {
		checkChunked(t, buf[n:], lim)
	}
}

// checkRequest checks that r, parsed from the n-byte head at buf's start,
// holds slices of the head only, and fields that obey the grammar.
func checkRequest(t *testing.T, buf []byte, n int, r *Head, lim Limits) {
	inHead := func(what string, s []byte) {
		if s == nil {
			return
		}
		off := cap(buf) - cap(s)
		if off < 0 || off+len(s) > n || !bytes.Equal(buf[off:off+len(s)], s) {
			t.Fatalf("%s %q is not a slice of the head", what, s)
		}
	}
	inHead("Method", r.Method)
	inHead("Target", r.Target)
	inHead("Path", r.Path)
	inHead("Host", r.Host)
	for _, h := range r.Headers {
		inHead("a field name", h.Name)
		inHead("a field value", h.Value)
		if !allTokens(h.Name) {
			t.Fatalf("field name %q is not a token", h.Name)
		}
	}
	if !allTokens(r.Method) || len(r.Target) == 0 || r.Minor < 0 || r.Minor > 1 {
		t.Fatalf("request line: %q %q 1.%d", r.Method, r.Target, r.Minor)
	}
	if len(r.Headers) > lim.MaxHeaders || r.ContentLength > lim.MaxBody || r.Chunked && r.ContentLength >= 0 {
		t.Fatalf("%d fields, Content-Length %d, chunked %v: past the limits or ambiguous", len(r.Headers), r.ContentLength, r.Chunked)
	}
}

// checkChunked scans body whole and in two pieces (the cut decided by its
// first byte), and checks that the pieces give the whole's answer and the
// chunks' data adds up to the size.
func checkChunked(t *testing.T, body []byte, lim Limits) {
	var whole ChunkedBody
	n, err := whole.Scan(body, lim)
	if n > len(body) || err != nil && n != 0 {
		t.Fatalf("Scan = %d, %v of %d bytes", n, err, len(body))
	}
	if len(body) > 0 {
		cut := int(body[0]) % len(body)
		var cb ChunkedBody
		m, err1 := cb.Scan(body[:cut], lim)
		switch {
		case err1 != nil:
			// An error in the first piece is there in the whole.
			if !errors.Is(err, err1) {
				t.Fatalf("the first %d bytes: %v; the whole: %d, %v", cut, err1, n, err)
			}
		case m != 0:
			// The body ends within the first piece.
			if m != n || err != nil {
				t.Fatalf("the first %d bytes: a body of %d; the whole: %d, %v", cut, m, n, err)
			}
		default:
			m, err1 = cb.Scan(body, lim)
			if m != n || !errors.Is(err1, err) || err == nil && cb.Size() != whole.Size() {
				t.Fatalf("in two pieces (cut at %d): %d, %v, size %d; whole: %d, %v, size %d", cut, m, err1, cb.Size(), n, err, whole.Size())
			}
		}
	}
	if n == 0 {
		return
	}
	size, p := 0, body[:n]
	for {
		data, rest := NextChunk(p)
		if data == nil {
			break
		}
		size += len(data)
		p = rest
	}
	if size != whole.Size() || size > lim.MaxBody {
		t.Fatalf("the chunks hold %d bytes, Scan says %d (MaxBody %d)", size, whole.Size(), lim.MaxBody)
	}
	// The framing: everything up to the end of the last chunk's line, but
	// the data.
	lastLine := bytes.IndexByte(p, '\n') + 1
	if framing := n - len(p) + lastLine - size; framing > lim.MaxChunkOverhead {
		t.Fatalf("a body of %d bytes of data and %d of framing was accepted (MaxChunkOverhead %d)", size, framing, lim.MaxChunkOverhead)
	}
}

// FuzzChunkedBody scans any bytes as a chunked body, whole and cut in two,
// and checks that an accepted one is within the limits of its data and its
// framing.
func FuzzChunkedBody(f *testing.F) {
	for _, s := range []string{
		"0\r\n\r\n",
		"5\r\nhello\r\n0\r\n\r\n",
		"3;a=b\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
		"3\nabc\n0\n\n",
		"ffffffffffffffffffff\r\n",
		"3\r\nabcX",
		"0\r\nBad Trailer: x\r\n\r\n",
		// Framing at fuzzLimits.MaxChunkOverhead and past it.
		strings.Repeat("1\r\nx\r\n", 9) + "0\r\n\r\n",
		strings.Repeat("1\r\nx\r\n", 10) + "0\r\n\r\n",
		strings.Repeat("1\nx\n", 15) + "0\n\n",
		strings.Repeat("1\nx\n", 16) + "0\n\n",
		"1;" + strings.Repeat("e", 40) + "\r\nx\r\n0\r\n\r\n",
		"1;" + strings.Repeat("e", 50) + "\r\nx\r\n0\r\n\r\n",
		"01\r\nx\r\n0;e=" + strings.Repeat("v", 40) + "\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxFuzzInput {
			return
		}
		checkChunked(t, body, fuzzLimits)
	})
}
