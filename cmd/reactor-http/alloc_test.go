package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAnswerDoesNotAllocate: in steady state, a GET costs no allocation
// anywhere in the process: the loop reads it, the handler parses it in the
// loop's buffer and writes the answer, the loop sends it; and this test's
// client writes and reads with buffers of its own. Alone or 16 at a time.
func TestAnswerDoesNotAllocate(t *testing.T) {
	s := start(t, testConfig())
	c, _ := s.dial(t)
	for _, depth := range []int{1, 16} {
		req := []byte(strings.Repeat(get, depth))
		answers := make([]byte, depth*len(helloAnswer))
		round := func() {
			if _, err := c.Write(req); err != nil {
				panic(err)
			}
			if _, err := io.ReadFull(c, answers); err != nil {
				panic(err)
			}
		}
		for range 100 { // the buffers, the Request and the rings reach their size
			round()
		}
		require.Zero(t, testing.AllocsPerRun(1000, round), "depth %d", depth)
		require.True(t, strings.HasSuffix(string(answers), hello))
	}
}

// BenchmarkHello measures a GET / answered by one loop, with the client in
// this process (so the figure is the whole process's, both ends): alone,
// or 16 pipelined in one write.
func BenchmarkHello(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprint("depth", depth), func(b *testing.B) {
			s := start(b, testConfig())
			c, err := net.DialTimeout("tcp", s.addr, testLimit)
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
