package http1_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// The server most tests talk to has reactor-http's routes: GET and HEAD
// of / say hello, POST /echo echoes the body, other paths get 404, other
// methods 405.

const hello = "Hello, World!"

const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// helloAnswer is the answer to get, as it must be to the byte, but for the
// date.
const helloAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"

// httpDate is the layout of the Date field.
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

func sayHello(w *http1.ResponseWriter, _ *http1.Request) {
	w.Header("Content-Type", "text/plain; charset=utf-8")
	w.WriteString(hello)
}

func echo(w *http1.ResponseWriter, r *http1.Request) {
	w.Header("Content-Type", "application/octet-stream")
	w.Write(r.Body())
}

// routes returns the router of the tests: reactor-http's, plus extra.
func routes(t testing.TB, extra map[string]http1.HandlerFunc) *http1.Router {
	rt := http1.NewRouter()
	hi := http1.Methods(http1.HandlerFunc(sayHello), "GET", "HEAD")
	require.NoError(t, rt.HandleFunc("/", func(w *http1.ResponseWriter, r *http1.Request) {
		if string(r.Path()) != "/" {
			http1.NotFound(w, r)
			return
		}
		hi.ServeHTTP(w, r)
	}))
	require.NoError(t, rt.Handle("/echo", http1.Methods(http1.HandlerFunc(echo), "POST")))
	for pattern, f := range extra {
		require.NoError(t, rt.HandleFunc(pattern, f))
	}
	return rt
}

// pollers runs f once per readiness mechanism, as the reactor's tests do:
// the best one (epoll on Linux, kqueue on the BSDs) and poll(2).
func pollers(t *testing.T, f func(t *testing.T, opt reactor.Option)) {
	t.Run("best", func(t *testing.T) { f(t, reactor.WithPoller(poller.New)) })
	t.Run("poll", func(t *testing.T) { f(t, reactor.WithPoller(poller.NewPoll)) })
}

// testServer is a loop serving an http1.Server, in this process.
type testServer struct {
	network, addr string
	tls           bool
	loop          *reactor.Loop
}

// setup says how to start a test server: its handler, the server's
// options, the loop's options (after the server's LoopOptions), and
// whether it listens with TLS or on a Unix socket.
type setup struct {
	h        http1.Handler
	opts     []http1.Option
	loopOpts []reactor.Option
	tls      bool
	unix     bool
}

// start runs a loop serving h with opts on 127.0.0.1:0 until the test
// ends; then it stops it, checks that Run returned nil, and that no
// goroutine or fd the test opened is left.
func start(t *testing.T, h http1.Handler, opts ...http1.Option) *testServer {
	t.Helper()
	return startWith(t, setup{h: h, opts: opts})
}

// startWith is start with a setup.
func startWith(t *testing.T, s setup) *testServer {
	t.Helper()
	testkit.CheckLeaks(t)
	srv, err := http1.NewServer(s.h, s.opts...)
	require.NoError(t, err)
	l, err := reactor.New(srv.Handler(), append(srv.LoopOptions(), s.loopOpts...)...)
	require.NoError(t, err)
	ts := &testServer{network: "tcp", tls: s.tls, loop: l}
	var addr net.Addr
	switch {
	case s.unix:
		ts.network = "unix"
		addr, err = l.Listen("unix", t.TempDir()+"/http.sock")
	case s.tls:
		addr, err = l.ListenTLS("tcp", "127.0.0.1:0", testkit.ServerTLS(t))
	default:
		addr, err = l.Listen("tcp", "127.0.0.1:0")
	}
	require.NoError(t, err)
	ts.addr = addr.String()
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	})
	return ts
}

// stats returns the loop's counters.
func (s *testServer) stats() reactor.Stats { return s.loop.Stats() }

// dial connects to the server, with a deadline on every operation, and
// returns the connection and a reader of it; the connection is closed when
// the test ends.
func (s *testServer) dial(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout(s.network, s.addr, testkit.Limit)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(testkit.Limit)))
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// client returns a net/http client of its own (no connection shared with
// another test), whose idle connections close when the test ends, with
// the test CA for TLS.
func (s *testServer) client(t *testing.T) *http.Client {
	tr := &http.Transport{ExpectContinueTimeout: testkit.Limit, TLSClientConfig: testkit.ClientTLS(t)}
	if s.network == "unix" {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", s.addr)
		}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testkit.Limit}
}

// url returns the URL of path on the server.
func (s *testServer) url(path string) string {
	switch {
	case s.network == "unix":
		return "http://unix" + path
	case s.tls:
		return "https://" + s.addr + path
	}
	return "http://" + s.addr + path
}

// requireHello checks an answer to GET / or HEAD /.
func requireHello(t *testing.T, resp *http.Response, body string, head bool) {
	t.Helper()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, int64(len(hello)), resp.ContentLength)
	date, err := http.ParseTime(resp.Header.Get("Date"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), date, 5*time.Second)
	if head {
		require.Empty(t, body)
	} else {
		require.Equal(t, hello, body)
	}
}
