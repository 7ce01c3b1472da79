package http1

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// small are limits small enough that a test can reach each of them.
var small = Limits{MaxRequestLine: 32, MaxHeaderBytes: 64, MaxHeaders: 3, MaxBody: 100}

// parse parses head whole, and checks that every prefix of an accepted
// head is reported as incomplete, with no error.
func parse(t *testing.T, head string, lim Limits) (*Head, int, error) {
	t.Helper()
	var r Head
	n, err := Parse([]byte(head), &r, lim)
	if err != nil {
		require.Zero(t, n, "an error consumes nothing")
		return &r, n, err
	}
	for k := range n {
		var p Head
		m, err := Parse([]byte(head[:k]), &p, lim)
		require.NoError(t, err, "prefix of %d bytes", k)
		require.Zero(t, m, "prefix of %d bytes", k)
	}
	return &r, n, err
}

func TestParseGET(t *testing.T) {
	head := "GET /hello?name=x HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  curl/8 \r\nAccept: */*\r\n\r\n"
	r, n, err := parse(t, head+"NEXT", DefaultLimits())
	require.NoError(t, err)
	require.Equal(t, len(head), n)
	require.Equal(t, "GET", string(r.Method))
	require.Equal(t, "/hello?name=x", string(r.Target))
	require.Equal(t, "/hello", string(r.Path))
	require.Equal(t, 1, r.Minor)
	require.Equal(t, "example.com", string(r.Host))
	require.Len(t, r.Headers, 3)
	require.Equal(t, "User-Agent", string(r.Headers[1].Name))
	require.Equal(t, "curl/8", string(r.Headers[1].Value), "whitespace around the value is trimmed")
	v, ok := r.Get("user-agent")
	require.True(t, ok)
	require.Equal(t, "curl/8", string(v))
	_, ok = r.Get("cookie")
	require.False(t, ok)
	require.Equal(t, -1, r.ContentLength)
	require.False(t, r.Chunked || r.Close || r.Expect100 || r.HasBody())
}

func TestParseLineEnds(t *testing.T) {
	for _, head := range []string{
		"GET / HTTP/1.0\n\n",                      // bare LF
		"\r\n\r\nGET / HTTP/1.0\r\n\r\n",          // empty lines before the request line
		"\nGET / HTTP/1.0\r\nA: b\n\r\n",          // mixed
		"GET / HTTP/1.1\r\nHost: h\r\nX:\r\n\r\n", // an empty value
	} {
		r, n, err := parse(t, head, DefaultLimits())
		require.NoError(t, err, "%q", head)
		require.Equal(t, len(head), n, "%q", head)
		require.Equal(t, "/", string(r.Path), "%q", head)
	}
}

func TestParseConnection(t *testing.T) {
	for _, c := range []struct {
		head  string
		close bool
	}{
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", true},
		{"GET / HTTP/1.0\r\n\r\n", true},
		{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false},
		{"GET / HTTP/1.0\r\nConnection: foo,,keep-alive \r\n\r\n", false},
		{"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", true},
	} {
		r, _, err := parse(t, c.head, DefaultLimits())
		require.NoError(t, err, "%q", c.head)
		require.Equal(t, c.close, r.Close, "%q", c.head)
	}
}

func TestParseTargets(t *testing.T) {
	for target, path := range map[string]string{
		"/":                       "/",
		"/a/b?c=d?e":              "/a/b",
		"http://example.com/a?b":  "/a",
		"http://example.com?b":    "",
		"https://example.com:443": "",
		"*":                       "*",
		"example.com:443":         "example.com:443",
	} {
		r, _, err := parse(t, "OPTIONS "+target+" HTTP/1.1\r\nHost: h\r\n\r\n", DefaultLimits())
		require.NoError(t, err, target)
		require.Equal(t, target, string(r.Target))
		require.Equal(t, path, string(r.Path), target)
	}
}

func TestParseBodyFraming(t *testing.T) {
	r, _, err := parse(t, "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\ncontent-length: 42\r\n\r\n", DefaultLimits())
	require.NoError(t, err, "a repeated Content-Length that agrees")
	require.Equal(t, 42, r.ContentLength)
	require.True(t, r.HasBody())
	r, _, err = parse(t, "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nExpect: 100-Continue\r\n\r\n", DefaultLimits())
	require.NoError(t, err)
	require.True(t, r.Chunked && r.HasBody() && r.Expect100)
	r, _, err = parse(t, "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n", small)
	require.NoError(t, err, "exactly MaxBody")
	require.Equal(t, 100, r.ContentLength)
}

// TestParseErrors: each rule broken, and the error that says so.
func TestParseErrors(t *testing.T) {
	const host = "Host: h\r\n"
	for _, c := range []struct {
		head string
		want *Error
	}{
		{"\x16\x03\x01\x02\x00\x01", ErrRequestLine}, // a TLS ClientHello: told at once
		{"GET", nil},
		{"G(T / HTTP/1.1\r\n\r\n", ErrRequestLine},
		{"GET  / HTTP/1.1\r\n\r\n", ErrRequestLine},
		{"GET / HTTP/1.1 \r\n\r\n", ErrRequestLine},
		{" GET / HTTP/1.1\r\n\r\n", ErrRequestLine},
		{"GET /\x7f HTTP/1.1\r\n\r\n", ErrRequestLine},
		{"GET / HTTP/1.1\rX\r\n\r\n", ErrRequestLine},
		{"GET /\r\n\r\n", ErrRequestLine}, // HTTP/0.9
		{"GET / HTTP/1.x\r\n\r\n", ErrRequestLine},
		{"GET / http/1.1\r\n\r\n", ErrRequestLine},
		{"GET / HTTP/2.0\r\n\r\n", ErrVersion},
		{"GET / HTTP/1.2\r\n\r\n", ErrVersion},
		{"GET / HTTP/1.1\r\n" + host + "Bad Name: x\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + "Name : x\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + ": x\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + "A: b\r\n folded\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + "A: b\x00c\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n" + host + "A: b\rc\r\n\r\n", ErrHeaderField},
		{"GET / HTTP/1.1\r\n\r\n", ErrHost},
		{"GET / HTTP/1.1\r\n" + host + host + "\r\n", ErrHost},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: +1\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 1 2\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length:\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 1, 1\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 9007199254740992\r\n\r\n", ErrBodyTooLarge},  // maxLength
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 9007199254740993\r\n\r\n", ErrContentLength}, // past it
		{"POST / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999999\r\n\r\n", ErrContentLength},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n", ErrTransferEncoding},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n", ErrTransferEncoding},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTransferEncoding},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", ErrFraming},
		{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ErrFraming},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n", ErrFraming},
		{"POST / HTTP/1.1\r\n" + host + "Transfer-Encoding:\r\n chunked\r\n\r\n", ErrHeaderField}, // folded, not unknown
	} {
		_, _, err := parse(t, c.head, DefaultLimits())
		if c.want == nil {
			require.NoError(t, err, "%q", c.head)
			continue
		}
		require.ErrorIs(t, err, c.want, "%q", c.head)
	}
}

// TestParseLimits: each limit holds at its value and fails one past it,
// whether the head is whole or still arriving.
func TestParseLimits(t *testing.T) {
	line := func(n int) string { return "GET /" + strings.Repeat("a", n-len("GET / HTTP/1.1")) + " HTTP/1.1\r\n" }
	field := func(n int) string { return "X: " + strings.Repeat("b", n-len("X: \r\n")) + "\r\n" }
	host := "Host: h\r\n" // 9 bytes

	_, _, err := parse(t, line(small.MaxRequestLine)+host+"\r\n", small)
	require.NoError(t, err, "a request line at the limit")
	_, _, err = parse(t, line(small.MaxRequestLine+1)+host+"\r\n", small)
	require.ErrorIs(t, err, ErrLineTooLong)
	_, _, err = parse(t, line(small.MaxRequestLine + 1)[:small.MaxRequestLine+2], small)
	require.ErrorIs(t, err, ErrLineTooLong, "still arriving, but already too long")
	_, _, err = parse(t, "\r\n\r\n"+line(small.MaxRequestLine-3)+host+"\r\n", small)
	require.ErrorIs(t, err, ErrLineTooLong, "empty lines before it count")

	_, _, err = parse(t, line(20)+host+field(small.MaxHeaderBytes-len(host))+"\r\n", small)
	require.NoError(t, err, "a header section at the limit")
	_, _, err = parse(t, line(20)+host+field(small.MaxHeaderBytes-len(host)+1)+"\r\n", small)
	require.ErrorIs(t, err, ErrHeadersTooLarge)
	head := line(20) + host + field(small.MaxHeaderBytes-len(host))
	_, _, err = parse(t, head+"\r", small)
	require.NoError(t, err, "at the limit, and a CR: the empty line may be coming")
	_, _, err = parse(t, head+"X", small)
	require.ErrorIs(t, err, ErrHeadersTooLarge, "a field line begins past the limit")

	_, _, err = parse(t, line(20)+host+"A: 1\r\nB: 2\r\n\r\n", small)
	require.NoError(t, err, "as many fields as allowed")
	_, _, err = parse(t, line(20)+host+"A: 1\r\nB: 2\r\nC: 3\r\n", small)
	require.ErrorIs(t, err, ErrTooManyHeaders, "one too many, before the head ends")

	_, _, err = parse(t, "POST / HTTP/1.1\r\n"+host+"Content-Length: 101\r\n\r\n", small)
	require.ErrorIs(t, err, ErrBodyTooLarge)
}

func TestStatusOf(t *testing.T) {
	for err, status := range map[error]int{
		ErrRequestLine:      400,
		ErrLineTooLong:      414,
		ErrHeadersTooLarge:  431,
		ErrTooManyHeaders:   431,
		ErrBodyTooLarge:     413,
		ErrVersion:          505,
		ErrTransferEncoding: 501,
		errNotOurs{}:        400,
	} {
		require.Equal(t, status, StatusOf(err), "%v", err)
	}
	require.Equal(t, "http1: body too large", ErrBodyTooLarge.Error())
}

type errNotOurs struct{}

func (errNotOurs) Error() string { return "not an http1 error" }

// TestParseDoesNotAllocate: once a Head has room for the fields,
// parsing a head allocates nothing, whether it is whole or still arriving.
func TestParseDoesNotAllocate(t *testing.T) {
	head := []byte("POST /echo?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\n" +
		"Connection: keep-alive, Upgrade\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	var r Head
	lim := DefaultLimits()
	allocs := testing.AllocsPerRun(1000, func() {
		if n, err := Parse(head[:len(head)-3], &r, lim); n != 0 || err != nil {
			panic("a partial head")
		}
		if n, err := Parse(head, &r, lim); n != len(head) || err != nil {
			panic(err)
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, head string }{
		{"wrk", "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"},
		{"browser", "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n" +
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
			"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
			"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n" +
			"Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\n" +
			"Sec-Fetch-Mode: navigate\r\nSec-Fetch-Site: none\r\nSec-Fetch-User: ?1\r\nPriority: u=0, i\r\n\r\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			head := []byte(bc.head)
			var r Head
			lim := DefaultLimits()
			b.ReportAllocs()
			b.SetBytes(int64(len(head)))
			for b.Loop() {
				if _, err := Parse(head, &r, lim); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseLongHeads: past trickleMin bytes, a head whose end is not in
// sight as CRLF CRLF is first checked by its line ends (headEnd); whole or
// cut anywhere, it gives what the one pass gives.
func TestParseLongHeads(t *testing.T) {
	lim := Limits{MaxRequestLine: 100, MaxHeaderBytes: 4 << 10, MaxHeaders: 40, MaxBody: 10}
	var fields strings.Builder
	fields.WriteString("Host: h\n")
	for i := range 30 {
		fmt.Fprintf(&fields, "X-Field-%02d: %s\n", i, strings.Repeat("v", 90))
	}
	for _, nl := range []string{"\n", "\r\n"} {
		head := strings.ReplaceAll("GET /long HTTP/1.1\n"+fields.String()+"\n", "\n", nl)
		require.Greater(t, len(head), 2*trickleMin)
		r, n, err := parse(t, head+"GET / HTTP/1.1\r\n", lim) // and every prefix
		require.NoError(t, err)
		require.Equal(t, len(head), n)
		require.Len(t, r.Headers, 31)
		require.Equal(t, strings.Repeat("v", 90), string(r.Headers[30].Value))

		few := lim
		few.MaxHeaders = 10
		_, _, err = parse(t, head[:len(head)/2], few)
		require.ErrorIs(t, err, ErrTooManyHeaders, "told by the line ends, before the end")
		small := lim
		small.MaxHeaderBytes = 2 << 10
		_, _, err = parse(t, head[:len(head)-10], small)
		require.ErrorIs(t, err, ErrHeadersTooLarge, "told by the line ends, before the end")
		_, _, err = parse(t, head, small)
		require.ErrorIs(t, err, ErrHeadersTooLarge)
	}
}
