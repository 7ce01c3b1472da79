package bench

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// idleConns is how many idle connections the memory benchmark holds open.
const idleConns = 10000

// BenchmarkIdleRSS opens 10,000 connections to an echo server in another
// process, echoes one byte on each (so that each has had buffers once),
// leaves them idle, and reports the growth of the server's resident set
// size per connection ("B/conn"). The reactor gives its buffers back when
// they are empty; the net baseline holds a goroutine and a buffer per
// connection.
func BenchmarkIdleRSS(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < idleConns+100 {
		b.Skipf("needs %d fds; the limit is %d", idleConns+100, lim.Cur)
	}
	for _, kind := range []string{"reactor", "net"} {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := startServer(b, kind)
				before := s.rss(b)
				conns := make([]net.Conn, 0, idleConns)
				one := []byte{'x'}
				for range idleConns {
					c, err := net.DialTimeout("tcp", s.addr, 10*time.Second)
					if err != nil {
						b.Fatalf("after %d connections: %v", len(conns), err)
					}
					conns = append(conns, c)
					c.SetDeadline(time.Now().Add(10 * time.Second))
					if _, err := c.Write(one); err != nil {
						b.Fatal(err)
					}
					if _, err := io.ReadFull(c, one); err != nil {
						b.Fatal(err)
					}
				}
				after := s.rss(b)
				b.ReportMetric(float64(after-before)/idleConns, "B/conn")
				for _, c := range conns {
					c.Close()
				}
				s.stop()
				b.StartTimer()
			}
		})
	}
}
