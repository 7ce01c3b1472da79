package reactor

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// Output bounds on TLS connections: a peer that does not read, a handler
// that fills the output.

// fillOutput writes to c until Write fails, and checks that it failed with
// ErrOutputFull within the bounds, and that Available tells the truth:
// Available() bytes are accepted, and when it is 0 even one byte is not.
func fillOutput(c *Conn, maxOutput int) error {
	chunk := payload(10000)
	written := 0
	var err error
	for written < 64<<20 {
		if _, err = c.Write(chunk); err != nil {
			break
		}
		written += len(chunk)
	}
	switch {
	case !errors.Is(err, ErrOutputFull):
		return fmt.Errorf("Write after %d bytes: %v, not ErrOutputFull", written, err)
	case c.Pending() > maxOutput+64<<10:
		return fmt.Errorf("Pending %d after %d bytes written, over the cap %d + 64 KiB", c.Pending(), written, maxOutput)
	case written < maxOutput/2:
		return fmt.Errorf("ErrOutputFull after %d bytes, with a cap of %d", written, maxOutput)
	case c.Available() >= len(chunk):
		return fmt.Errorf("Available says %d bytes fit, but a Write of %d failed", c.Available(), len(chunk))
	}
	for i := 0; c.Available() > 0; i++ {
		a := c.Available()
		if i == 100 {
			return fmt.Errorf("Available still %d after 100 writes of what it said", a)
		}
		if _, err := c.Write(payload(a)); err != nil {
			return fmt.Errorf("Write of Available()=%d bytes, with %d pending: %v", a, c.Pending(), err)
		}
	}
	if _, err := c.Write([]byte{0}); !errors.Is(err, ErrOutputFull) {
		return fmt.Errorf("Write of 1 byte when Available is 0: %v, not ErrOutputFull", err)
	}
	if c.Pending() > maxOutput+64<<10 {
		return fmt.Errorf("Pending %d, over the cap %d + 64 KiB", c.Pending(), maxOutput)
	}
	return nil
}

// TestTLSNonReaderBounded: a TLS peer that sends without reading is bounded
// as a plain one is, on ciphertext: the echo's output passes the high
// watermark, reading pauses, and the loop's buffers stay within the caps;
// and a handler that writes until Write fails gets ErrOutputFull within
// the cap, with Available consistent with Write.
func TestTLSNonReaderBounded(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				const maxIn, maxOut = 256 << 10, 256 << 10
				rec := newRecorder(t)
				filled := make(chan error, 1)
				rec.data = func(c *Conn) {
					if c.Context() == "filler" {
						c.Next(0)
						return
					}
					if p, _ := c.Peek(0); bytes.Equal(p, []byte("fill")) {
						c.Next(0)
						c.SetContext("filler")
						filled <- fillOutput(c, maxOut)
						return
					}
					echo(c)
				}
				l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt, WithMaxInput(maxIn), WithMaxOutput(maxOut))

				// The echo of a client that never reads.
				raw := dial(t, "tcp", addr)
				c := tls.Client(raw, tlsClientVersion(t, v))
				require.NoError(t, c.Handshake())
				wrote := make(chan error, 1)
				var sent atomic.Int64
				go func() {
					chunk := payload(64 << 10)
					for {
						n, err := c.Write(chunk)
						sent.Add(int64(n))
						if err != nil {
							wrote <- err
							return
						}
					}
				}()
				testkit.WaitUntil(t, "reading paused", func() bool { return l.Stats().ReadPauses > 0 })
				// Then the server reads nothing more, and the client's writes block.
				last := l.Stats().BytesIn
				deadline := time.Now().Add(testkit.Limit)
				for quiet := 0; quiet < 3; {
					require.True(t, time.Now().Before(deadline), "the server kept reading: %d bytes", last)
					time.Sleep(50 * time.Millisecond)
					if in := l.Stats().BytesIn; in != last {
						last, quiet = in, 0
					} else {
						quiet++
					}
				}
				st := l.Stats()
				t.Logf("client sent %d bytes; the server read %d, paused reading %d times, held at most %d",
					sent.Load(), st.BytesIn, st.ReadPauses, st.PeakBuffered)
				require.Equal(t, 1, st.Conns, "the echo is still open: paused, not cut for output full")
				require.LessOrEqual(t, st.PeakBuffered, maxIn+maxOut+64<<10)
				require.LessOrEqual(t, st.Buffered, maxIn+maxOut+64<<10)
				raw.Close()
				require.Error(t, testkit.Receive(t, wrote, "the client's Write to end with its connection"))
				rec.nextClose(t)

				// A handler that fills the output of a client that does not read.
				raw = dial(t, "tcp", addr)
				c = tls.Client(raw, tlsClientVersion(t, v))
				_, err := c.Write([]byte("fill"))
				require.NoError(t, err)
				require.NoError(t, testkit.Receive(t, filled, "the handler to fill its output"))
			})
		})
	}
}
