package reactor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TLS against other implementations and their habits: client
// certificates, session resumption, openssl s_client, a client that
// rejects the server, and the state a handler can read at OnClose.

// TestTLSMutualAuth: with RequireAndVerifyClientCert a client with a
// certificate of the test CA is served and OnOpen sees its name; one
// without a certificate gets no OnOpen, and OnClose has the error.
func TestTLSMutualAuth(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				names := make(chan string, 10)
				rec.open = func(c *Conn) {
					st, ok := c.ConnectionState()
					name := "no connection state"
					if ok && len(st.PeerCertificates) > 0 {
						name = st.PeerCertificates[0].Subject.CommonName
					} else if ok {
						name = "no peer certificate"
					}
					names <- name
				}
				cfg := testkit.ServerTLS(t)
				cfg.ClientAuth = tls.RequireAndVerifyClientCert
				cfg.ClientCAs = testkit.Certs(t).CA.Pool
				l, addr := serveTLS(t, rec, cfg, opt)

				withCert := tlsClientVersion(t, v)
				withCert.Certificates = []tls.Certificate{testkit.Certs(t).Client}
				c := dialTLS(t, addr, withCert)
				require.Equal(t, []byte("authenticated"), roundTrip(t, c, []byte("authenticated")))
				name := testkit.Receive(t, names, "OnOpen")
				require.Equal(t, "goreactor test client", name)
				require.NoError(t, c.Close())
				rec.nextClose(t)

				raw := dial(t, "tcp", addr)
				anon := tls.Client(raw, tlsClientVersion(t, v))
				// TLS 1.3 clients finish before the server has checked
				// them: the refusal comes with the first read.
				if err := anon.Handshake(); err == nil {
					_, err = anon.Write([]byte("let me in"))
					if err == nil {
						_, err = anon.Read(make([]byte, 1))
					}
					require.Error(t, err)
					require.False(t, isTimeout(err), "the client got no answer")
				}
				ev := rec.nextClose(t)
				require.Error(t, ev.err)
				require.Contains(t, ev.err.Error(), "certificate")
				select {
				case name := <-names:
					t.Fatalf("OnOpen for a client without a certificate (%s)", name)
				default:
				}
				// Stats are as of the end of a pass: OnClose comes before.
				testkit.WaitUntil(t, "the failure counted", func() bool { return l.Stats().TLSFailures == 1 })
				require.EqualValues(t, 1, l.Stats().TLSHandshakes)
			})
		})
	}
}

// TestTLSSessionResumption: a crypto/tls client with a session cache
// resumes its session on a second connection, for TLS 1.2 (a ticket in the
// handshake) and TLS 1.3 (a ticket after it, which the loop sends and the
// client reads with the echo).
func TestTLSSessionResumption(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				resumed := make(chan bool, 10)
				rec.open = func(c *Conn) {
					st, _ := c.ConnectionState()
					resumed <- st.DidResume
				}
				_, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
				ccfg := tlsClientVersion(t, v)
				ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
				for i, want := range []bool{false, true, true} {
					c := dialTLS(t, addr, ccfg)
					require.Equal(t, []byte("again"), roundTrip(t, c, []byte("again")))
					require.Equal(t, want, c.ConnectionState().DidResume, "connection %d, client side", i)
					got := testkit.Receive(t, resumed, "OnOpen")
					require.Equal(t, want, got, "connection %d, the server's ConnectionState", i)
					require.NoError(t, c.Close())
					rec.nextClose(t)
				}
			})
		})
	}
}

// TestTLSOpenSSLClient: openssl s_client, TLS 1.2 and 1.3, gets its line
// echoed.
func TestTLSOpenSSLClient(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not on PATH")
	}
	for _, flag := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(flag, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
				ctx, cancel := context.WithTimeout(context.Background(), testkit.Limit)
				defer cancel()
				cmd := exec.CommandContext(ctx, openssl, "s_client", "-connect", addr, flag,
					"-quiet", "-no_ign_eof", "-verify_quiet", "-nocommands")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				stdin, err := cmd.StdinPipe()
				require.NoError(t, err)
				stdout, err := cmd.StdoutPipe()
				require.NoError(t, err)
				require.NoError(t, cmd.Start())
				defer func() {
					cancel()
					cmd.Wait()
				}()
				const line = "hello from openssl s_client\n"
				_, err = io.WriteString(stdin, line)
				require.NoError(t, err)
				got, err := bufio.NewReader(stdout).ReadString('\n')
				require.NoError(t, err, "openssl: %s", &stderr)
				require.Equal(t, line, got)
				require.NoError(t, stdin.Close())
				require.NoError(t, cmd.Wait(), "openssl: %s", &stderr)
				ev := rec.nextClose(t)
				require.True(t, ev.err == nil || errors.Is(ev.err, io.EOF), "OnClose: %v", ev.err)
				require.EqualValues(t, 1, l.Stats().TLSHandshakes)
			})
		})
	}
}

// TestTLSClientRejectsServer: a handshake that fails after the server sent
// its flight (the client does not trust the server's certificate) reports
// the client's alert in OnClose, with no OnOpen, and counts as a failure.
func TestTLSClientRejectsServer(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := newRecorder(t)
				rec.open = func(c *Conn) { t.Error("OnOpen after a failed handshake") }
				l, addr := serveTLS(t, rec, testkit.ServerTLS(t), opt)
				raw := dial(t, "tcp", addr)
				ccfg := tlsClientVersion(t, v)
				ccfg.RootCAs = x509.NewCertPool() // trusts nobody
				err := tls.Client(raw, ccfg).Handshake()
				var unknown x509.UnknownAuthorityError
				require.ErrorAs(t, err, &unknown, "the server sent its certificate")
				ev := rec.nextClose(t)
				require.Error(t, ev.err)
				require.Contains(t, ev.err.Error(), "remote error: tls: bad certificate", "the client's alert")
				testkit.WaitUntil(t, "the failure counted", func() bool { return l.Stats().TLSFailures == 1 })
				st := l.Stats()
				require.Zero(t, st.TLSHandshakes)
				require.Zero(t, st.TLSRunning)
			})
		})
	}
}

// TestTLSConnectionStateInOnClose: ConnectionState in OnClose (to log the
// peer, say) answers at once, whatever the handshake's fate: false for a
// connection whose handshake did not complete (it was still running, or
// failed), true for one that did. A handshake still running holds
// crypto/tls's handshake lock, waiting for bytes that only the loop can
// feed: the loop must not wait for that lock.
func TestTLSConnectionStateInOnClose(t *testing.T) {
	type state struct {
		ok       bool
		complete bool
	}
	for _, tc := range []struct {
		name   string
		client func(t *testing.T, addr string)
		wantOK bool
	}{
		{"handshake running, timed out", func(t *testing.T, addr string) {
			_, err := dial(t, "tcp", addr).Write(clientHello(t)) // and nothing more
			require.NoError(t, err)
		}, false},
		{"handshake running, peer reset", func(t *testing.T, addr string) {
			raw := dial(t, "tcp", addr)
			_, err := raw.Write(clientHello(t))
			require.NoError(t, err)
			_, err = io.ReadFull(raw, make([]byte, 5)) // the server's flight: its handshake runs
			require.NoError(t, err)
			require.NoError(t, raw.(*net.TCPConn).SetLinger(0))
			raw.Close()
		}, false},
		{"handshake failed", func(t *testing.T, addr string) {
			ccfg := testkit.ClientTLS(t)
			ccfg.RootCAs = x509.NewCertPool()
			require.Error(t, tls.Client(dial(t, "tcp", addr), ccfg).Handshake())
		}, false},
		{"handshake complete", func(t *testing.T, addr string) {
			c := dialTLS(t, addr, testkit.ClientTLS(t))
			require.Equal(t, []byte("x"), roundTrip(t, c, []byte("x")))
			require.NoError(t, c.Close())
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				entered := make(chan error, 1)
				states := make(chan state, 1)
				h := &onCloseHook{recorder: newRecorder(t), hook: func(c *Conn, err error) {
					entered <- err
					st, ok := c.ConnectionState()
					states <- state{ok, st.HandshakeComplete}
				}}
				// Not serveTLS: a loop stuck in OnClose cannot be stopped,
				// and waiting for it at cleanup would only add a minute.
				l, err := New(h, opt, WithTLSHandshakeTimeout(200*time.Millisecond))
				require.NoError(t, err)
				addr, err := l.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
				require.NoError(t, err)
				done := make(chan error, 1)
				go func() { done <- l.Run(context.Background()) }()
				stuck := false
				t.Cleanup(func() {
					l.Stop()
					if !stuck {
						waitRun(t, done, "Run after Stop")
					}
				})
				tc.client(t, addr.String())
				why := testkit.Receive(t, entered, "OnClose")
				select {
				case st := <-states:
					require.Equal(t, tc.wantOK, st.ok, "ConnectionState's ok in OnClose(%v)", why)
					require.Equal(t, tc.wantOK, st.complete, "HandshakeComplete in OnClose(%v)", why)
				case <-time.After(5 * time.Second):
					stuck = true
					t.Fatalf("ConnectionState in OnClose(%v) blocked the loop for 5 s (TLSRunning %d)", why, l.Stats().TLSRunning)
				}
			})
		})
	}
}
