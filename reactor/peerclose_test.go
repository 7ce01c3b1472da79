package reactor

import (
	"crypto/tls"
	"io"
	"net"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// peerCloseProbe is a HalfCloser that records what PeerClosed and
// PeerCloseError say in OnPeerClose, and answers only an orderly close.
type peerCloseProbe struct {
	*recorder
	seen chan error
}

func (h *peerCloseProbe) OnData(c *Conn) {} // the request is read at the peer's close

func (h *peerCloseProbe) OnPeerClose(c *Conn) {
	if !c.PeerClosed() {
		h.t.Errorf("OnPeerClose with PeerClosed false")
	}
	err := c.PeerCloseError()
	h.seen <- err
	if err != io.EOF {
		c.Abort()
		return
	}
	req, _ := c.Next(0)
	c.Write(append([]byte("answer to "), req...))
	c.Close()
}

// TestPeerCloseError: a HalfCloser tells a request ended by the peer's
// orderly close (FIN; close_notify on TLS) from one cut short by a FIN
// without close_notify, which it must not answer.
func TestPeerCloseError(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		t.Run("tcp", func(t *testing.T) {
			h := &peerCloseProbe{recorder: newRecorder(t), seen: make(chan error, 1)}
			_, addr := serve(t, h, opt)
			c := dial(t, "tcp", addr)
			_, err := c.Write([]byte("GET"))
			require.NoError(t, err)
			require.NoError(t, c.(*net.TCPConn).CloseWrite())
			got, err := io.ReadAll(c)
			require.NoError(t, err)
			require.Equal(t, "answer to GET", string(got))
			require.Equal(t, io.EOF, <-h.seen)
		})
		t.Run("tls close_notify", func(t *testing.T) {
			h := &peerCloseProbe{recorder: newRecorder(t), seen: make(chan error, 1)}
			_, addr := serveTLS(t, h, testkit.ServerTLS(t), opt)
			c := dialTLS(t, addr, testkit.ClientTLS(t))
			_, err := c.Write([]byte("GET"))
			require.NoError(t, err)
			require.NoError(t, c.CloseWrite())
			got, err := io.ReadAll(c)
			require.NoError(t, err)
			require.Equal(t, "answer to GET", string(got))
			require.Equal(t, io.EOF, <-h.seen)
		})
		t.Run("tls truncated", func(t *testing.T) {
			h := &peerCloseProbe{recorder: newRecorder(t), seen: make(chan error, 1)}
			_, addr := serveTLS(t, h, testkit.ServerTLS(t), opt)
			raw := dial(t, "tcp", addr)
			c := tls.Client(raw, testkit.ClientTLS(t))
			require.NoError(t, c.Handshake())
			_, err := c.Write([]byte("GET"))
			require.NoError(t, err)
			require.NoError(t, raw.(*net.TCPConn).CloseWrite()) // FIN, no close_notify
			require.Equal(t, io.ErrUnexpectedEOF, <-h.seen)
			_, err = io.ReadAll(c)
			require.Error(t, err, "no answer: the connection is reset")
		})
	})
}
