package reactor

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// BenchmarkEcho measures ping-pong of 64-byte messages over 50 loopback
// connections: through one reactor loop (epoll and poll(2)), and through
// the net package with a goroutine per connection, in the same run. One op
// is one message echoed; -benchmem shows the allocations per message (the
// client side, net.Conn Read and Write, allocates nothing in steady state).
func BenchmarkEcho(b *testing.B) {
	const conns, size = 50, 64
	servers := []struct {
		name  string
		start func(b *testing.B) (addr string, stop func())
	}{
		{"reactor", func(b *testing.B) (string, func()) { return startReactorEcho(b, poller.New) }},
		{"reactor-poll", func(b *testing.B) (string, func()) { return startReactorEcho(b, poller.NewPoll) }},
		{"net", func(b *testing.B) (string, func()) { return startNetEcho(b, nil) }},
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			addr, stop := s.start(b)
			defer stop()
			cs := make([]net.Conn, conns)
			for i := range cs {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				cs[i] = c
			}
			b.ReportAllocs()
			b.SetBytes(size)
			b.ResetTimer()
			start := time.Now()
			pingPong(b, cs, size)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// pingPong sends b.N messages of size bytes over the connections, each
// waiting for its echo before the next.
func pingPong(b *testing.B, cs []net.Conn, size int) {
	var wg sync.WaitGroup
	for i, c := range cs {
		n := b.N / len(cs)
		if i < b.N%len(cs) {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, size)
			for range n {
				if _, err := c.Write(buf); err != nil {
					b.Error(err)
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func startReactorEcho(b *testing.B, newPoller func() (poller.Poller, error)) (string, func()) {
	l, err := New(benchEcho{}, WithPoller(newPoller))
	if err != nil {
		b.Fatal(err)
	}
	addr, err := l.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	return addr.String(), func() {
		l.Stop()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

type benchEcho struct{}

func (benchEcho) OnOpen(*Conn) {}
func (benchEcho) OnData(c *Conn) {
	p, _ := c.Next(0)
	c.Write(p)
}
func (benchEcho) OnClose(*Conn, error) {}

// startNetEcho is the baseline: the net package, a goroutine per
// connection, each reading into its own buffer and writing back; over TLS
// if cfg is not nil.
func startNetEcho(b *testing.B, cfg *tls.Config) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		wg.Wait()
	}
}

// BenchmarkSyscall compares the loop's read (raw on Linux: see internal/sock/rawio_linux.go)
// with x/sys's unix.Read, on a non-blocking socket with nothing to read: the
// cost of the call itself, which an echo pays twice per message.
func BenchmarkSyscall(b *testing.B) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		err = unix.SetNonblock(fds[0], true)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	p := make([]byte, 64)
	l := &Loop{}
	b.Run("loop.read", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.raw.Read(fds[0], p); err != unix.EAGAIN {
				b.Fatal(err)
			}
		}
	})
	b.Run("unix.Read", func(b *testing.B) {
		for b.Loop() {
			if _, err := unix.Read(fds[0], p); err != unix.EAGAIN {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTLSEcho is BenchmarkEcho over TLS 1.3: ping-pong of 64-byte
// messages over 50 connections, the records processed on one reactor loop,
// and with the net package and crypto/tls (a goroutine per connection) in
// the same run. -benchmem counts the clients' allocations too, which are
// crypto/tls's; bench/tls.sh measures the server alone, in its own process.
func BenchmarkTLSEcho(b *testing.B) {
	const conns, size = 50, 64
	servers := []struct {
		name  string
		start func(b *testing.B) (addr string, stop func())
	}{
		{"reactor", startReactorTLSEcho},
		{"net", func(b *testing.B) (string, func()) {
			addr, stop := startNetEcho(b, testkit.ServerTLS(b))
			return addr, stop
		}},
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			addr, stop := s.start(b)
			defer stop()
			cs := make([]net.Conn, conns)
			for i := range cs {
				c, err := tls.Dial("tcp", addr, testkit.ClientTLS(b))
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				cs[i] = c
			}
			b.ReportAllocs()
			b.SetBytes(size)
			b.ResetTimer()
			start := time.Now()
			pingPong(b, cs, size)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

func startReactorTLSEcho(b *testing.B) (string, func()) {
	l, err := New(benchEcho{})
	if err != nil {
		b.Fatal(err)
	}
	addr, err := l.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(b))
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	return addr.String(), func() {
		l.Stop()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}
