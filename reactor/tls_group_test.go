package reactor

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestTLSGroup: a Group of two loops serves TLS in both accept modes, each
// loop running the handshakes of the connections it was given.
func TestTLSGroup(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode AcceptMode
	}{{"reuseport", AcceptReusePort}, {"handoff", AcceptHandoff}} {
		t.Run(mode.name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				const clients = 20
				g, _ := newTestGroup(t, 2, WithAcceptMode(mode.mode), WithLoopOptions(opt))
				addr, err := g.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
				require.NoError(t, err)
				runGroup(t, g)
				var wg sync.WaitGroup
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						raw, err := net.DialTimeout("tcp", addr.String(), testkit.Limit)
						if err != nil {
							t.Error(err)
							return
						}
						defer raw.Close()
						raw.SetDeadline(time.Now().Add(testkit.Limit))
						c := tls.Client(raw, testkit.ClientTLS(t))
						msg := []byte(fmt.Sprint("client ", i))
						got := make([]byte, len(msg))
						if _, err := c.Write(msg); err != nil {
							t.Errorf("client %d: %v", i, err)
							return
						}
						if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
							t.Errorf("client %d: %q, %v", i, got, err)
						}
					}()
				}
				wg.Wait()
				testkit.WaitUntil(t, "every handshake counted", func() bool {
					sum, _ := g.Stats()
					return sum.TLSHandshakes == clients
				})
				sum, each := g.Stats()
				require.EqualValues(t, clients, sum.TLSHandshakes)
				require.Zero(t, sum.TLSFailures)
				if mode.mode == AcceptHandoff {
					for i, s := range each {
						require.EqualValues(t, clients/2, s.TLSHandshakes, "loop %d, given every other connection", i)
					}
				}
			})
		})
	}
}
