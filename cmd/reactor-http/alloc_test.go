package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestAnswerDoesNotAllocate: in steady state, a GET / or a POST /echo
// costs no allocation anywhere in the process: the loop reads it, the
// server parses it in the loop's buffer, the handler writes the answer,
// the loop sends it; and this test's client writes and reads with buffers
// of its own. Alone or 16 at a time.
func TestAnswerDoesNotAllocate(t *testing.T) {
	s := start(t, testConfig())
	c, _ := s.dial(t)
	const body = "0123456789abcdef0123456789abcdef"
	post := fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	echoed := "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nDate: " + httpDate +
		fmt.Sprintf("\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	for _, c2 := range []struct {
		name            string
		request, answer string
	}{{"GET /", get, helloAnswer}, {"POST /echo", post, echoed}} {
		for _, depth := range []int{1, 16} {
			req := []byte(strings.Repeat(c2.request, depth))
			answers := make([]byte, depth*len(c2.answer))
			round := func() {
				if _, err := c.Write(req); err != nil {
					panic(err)
				}
				if _, err := io.ReadFull(c, answers); err != nil {
					panic(err)
				}
			}
			for range 100 { // the buffers, the Head and the rings reach their size
				round()
			}
			require.Zero(t, testing.AllocsPerRun(1000, round), "%s, depth %d", c2.name, depth)
			require.True(t, strings.HasSuffix(string(answers), c2.answer[len(c2.answer)-len(body):]), c2.name)
		}
	}
}

// BenchmarkHello measures a GET / answered by one loop, with the client in
// this process (so the figure is the whole process's, both ends): alone,
// or 16 pipelined in one write.
func BenchmarkHello(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprint("depth", depth), func(b *testing.B) {
			s := start(b, testConfig())
			c, err := net.DialTimeout("tcp", s.addr, testkit.Limit)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			req := []byte(strings.Repeat(get, depth))
			answers := make([]byte, depth*len(helloAnswer))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, answers); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/req")
		})
	}
}
