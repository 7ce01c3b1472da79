package reactor

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
)

// Requests a TLS 1.3 client sends right after its Finished, in the same
// write or the next, before or after the loop takes the connection over
// from the handshake.

// corkConn holds what crypto/tls writes once the ClientHello has gone (from
// the client's first read on) until uncork sends it all in one write: the
// client's last handshake flight and the request that follows it arrive
// together.
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	held   []byte
}

func (c *corkConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	_, err := c.Conn.Write(c.held)
	c.held = nil
	return err
}

// earlyRequest makes a TLS 1.3 connection to addr and writes its request
// (size bytes after a header) the moment Handshake returns, in the
// client's last flight if cork is set, and checks the echo.
func earlyRequest(t testing.TB, addr string, i int, cork bool, size int) error {
	raw, err := net.DialTimeout("tcp", addr, testkit.Limit)
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(testkit.Limit))
	cc := &corkConn{Conn: raw}
	var conn net.Conn = raw
	if cork {
		conn = cc
	}
	c := tls.Client(conn, tlsClientVersion(t, tls.VersionTLS13))
	if err := c.Handshake(); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	msg := append([]byte(fmt.Sprintf("request %d, cork %v, %d bytes more:", i, cork, size)), payload(size)...)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	if cork {
		if err := cc.uncork(); err != nil {
			return err
		}
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("reading the echo of %.40q: %w (got %.40q)", msg, err, got)
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("echo %.40q of %.40q", got, msg)
	}
	return nil
}

// TestTLSEarlyRequest: a TLS 1.3 client writes its request as soon as its
// handshake is done, when the server's handshake goroutine may not have
// finished: the request comes with the client's Finished, or while the
// goroutine reports back, and the loop must decrypt it then, with no
// readiness event of its own to come. 200 connections, each answered;
// half of them send Finished and the request in one write, and one in
// four, corked or not, sends a request larger than the ciphertext the loop reads ahead of
// a handshake (tlsHandshakeInput), so that reading pauses then resumes.
func TestTLSEarlyRequest(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		const conns, workers = 200, 8
		rec := newRecorder(t)
		l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= conns {
						return
					}
					size := 0
					if i%8 == 3 || i%8 == 6 {
						size = 40 << 10
					}
					if err := earlyRequest(t, addr, i, i%2 == 1, size); err != nil {
						t.Errorf("connection %d: %v", i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		testkit.WaitUntil(t, "every handshake counted", func() bool { return l.Stats().TLSHandshakes == conns })
	})
}
