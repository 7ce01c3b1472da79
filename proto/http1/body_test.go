package http1_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// chunkedPost is a POST /echo whose body is data in chunks of size bytes,
// then the last chunk.
func chunkedPost(data string, size int) string {
	var b strings.Builder
	b.WriteString("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	for len(data) > 0 {
		n := min(size, len(data))
		b.WriteString(strconv.FormatInt(int64(n), 16) + "\r\n" + data[:n] + "\r\n")
		data = data[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// TestChunkedBodyOfSmallChunks: Limits.MaxBody bounds a chunked body's data, not
// its encoding: 300,000 bytes in chunks of one byte (1.8 MB encoded) are
// accepted under the default limit of 1 MiB, and echoed.
func TestChunkedBodyOfSmallChunks(t *testing.T) {
	s := start(t, routes(t, nil))
	conn, br := s.dial(t)
	data := strings.Repeat("0123456789", 30_000)
	done := make(chan error, 1)
	go func() { _, err := conn.Write([]byte(chunkedPost(data, 1))); done <- err }()
	resp, body := testkit.ReadResponse(t, br, "POST")
	require.Equal(t, 200, resp.StatusCode, body)
	require.True(t, body == data, "the echo differs from the %d bytes sent (%d bytes)", len(data), len(body))
	require.NoError(t, <-done)
}

// TestChunkedBodyLimits: a chunked body of one byte more data than
// Limits.MaxBody, in small chunks, gets 413; so does one whose framing
// passes Limits.MaxChunkOverhead, though its data is within MaxBody. Each error is
// its own, and told once the chunk that passes the limit has come.
func TestChunkedBodyLimits(t *testing.T) {
	s := start(t, routes(t, nil))
	lim := http1.DefaultLimits()
	for _, c := range []struct {
		name    string
		request string
		want    *http1.Error
	}{
		{"data", chunkedPost(strings.Repeat("d", lim.MaxBody+1), 1000), http1.ErrBodyTooLarge},
		{"framing", chunkedPost(strings.Repeat("f", lim.MaxChunkOverhead/5+1), 1), http1.ErrChunkOverhead},
	} {
		conn, br := s.dial(t)
		done := make(chan error, 1)
		go func() { _, err := conn.Write([]byte(c.request)); done <- err }()
		resp, body := testkit.ReadResponse(t, br, "POST")
		require.Equal(t, 413, resp.StatusCode, c.name)
		require.Equal(t, c.want.Reason+"\n", body, c.name)
		testkit.RequireEOF(t, br)
		require.NoError(t, <-done, "%s: the server reads what follows the refused chunk", c.name)
	}
}
