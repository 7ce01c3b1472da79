package websocket

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// TestUpgradeRefused: requests that are not valid upgrades get 400 (426
// with "Sec-WebSocket-Version: 13" for another version, 403 for an
// Origin of another host) and are not upgraded: the connection goes on
// as HTTP.
func TestUpgradeRefused(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	valid := upgradeRequest("")
	for _, tc := range []struct {
		name    string
		request string
		status  int
	}{
		{"POST", strings.Replace(valid, "GET", "POST", 1), 400},
		{"HTTP/1.0", strings.Replace(valid, "HTTP/1.1", "HTTP/1.0", 1), 400},
		{"no Upgrade", strings.Replace(valid, "Upgrade: websocket\r\n", "", 1), 400},
		{"Upgrade: h2c", strings.Replace(valid, "Upgrade: websocket", "Upgrade: h2c", 1), 400},
		{"no Connection: upgrade", strings.Replace(valid, "Connection: Upgrade", "Connection: keep-alive", 1), 400},
		{"no key", strings.Replace(valid, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "", 1), 400},
		{"two keys", upgradeRequest("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), 400},
		{"a key of 15 bytes", strings.Replace(valid, "dGhlIHNhbXBsZSBub25jZQ==", base64.StdEncoding.EncodeToString(make([]byte, 15)), 1), 400},
		{"a key not in base64", strings.Replace(valid, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ!!", 1), 400},
		{"version 8", strings.Replace(valid, "Version: 13", "Version: 8", 1), 426},
		{"no version", strings.Replace(valid, "Sec-WebSocket-Version: 13\r\n", "", 1), 426},
		{"Origin of another host", upgradeRequest("Origin: http://evil.example\r\n"), 403},
		{"Origin: null", upgradeRequest("Origin: null\r\n"), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := s.dial(t)
			rc.write([]byte(tc.request))
			resp := rc.response()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.status == 426 {
				require.Equal(t, "13", resp.Header.Get("Sec-WebSocket-Version"))
			}
			require.Empty(t, resp.Header.Get("Sec-WebSocket-Accept"))
			if tc.name == "HTTP/1.0" {
				rc.expectEOF() // an HTTP/1.0 connection without keep-alive
				return
			}
			// Still HTTP: the same connection upgrades with a valid request.
			rc.write([]byte(valid))
			require.Equal(t, 101, rc.response().StatusCode)
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
}

// TestUpgradeAccepted: tokens in lists and in any case, an Origin of the
// same host, a subprotocol chosen by the server's preference, and frames
// sent right after the request, in the same write, reach the handler at
// once.
func TestUpgradeAccepted(t *testing.T) {
	e := newEcho()
	s := startServer(t, e, WithSubprotocols("chat.v2", "chat"))
	for _, tc := range []struct {
		name, extra, protocol string
	}{
		{"lists", "Upgrade: foo, WebSocket\r\nConnection: keep-alive, UPGRADE\r\n", ""},
		{"same origin", "Origin: http://127.0.0.1\r\n", ""},
		{"one subprotocol", "Sec-WebSocket-Protocol: chat\r\n", "chat"},
		{"preference", "Sec-WebSocket-Protocol: chat, chat.v2\r\n", "chat.v2"},
		{"two fields", "Sec-WebSocket-Protocol: x\r\nSec-WebSocket-Protocol: chat\r\n", "chat"},
		{"none known", "Sec-WebSocket-Protocol: other\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := s.dial(t)
			req := upgradeRequest(tc.extra)
			if strings.HasPrefix(tc.extra, "Upgrade") {
				req = strings.Replace(strings.Replace(req, "Upgrade: websocket\r\n", "", 1), "Connection: Upgrade\r\n", "", 1)
			}
			rc.write(append([]byte(req), rc.frame(true, 0, Text, []byte("right after"))...))
			resp := rc.response()
			require.Equal(t, 101, resp.StatusCode)
			require.Equal(t, "websocket", resp.Header.Get("Upgrade"))
			require.Equal(t, "Upgrade", resp.Header.Get("Connection"))
			require.Equal(t, tc.protocol, resp.Header.Get("Sec-WebSocket-Protocol"))
			c := testkit.Receive(t, e.opened, "OnOpen")
			require.Equal(t, tc.protocol, c.Subprotocol())
			rc.expectMessage(Text, []byte("right after"))
			rc.closeHandshake(CloseNormal)
			e.wantClosed(t, CloseNormal, nil)
		})
	}
}

// TestUpgradeCheckOrigin: WithCheckOrigin decides, and Upgrade, called by
// a handler of its own, returns the error it answered.
func TestUpgradeCheckOrigin(t *testing.T) {
	e := newEcho()
	u, err := NewUpgrader(e, WithCheckOrigin(func(origin []byte, r *http1.Request) bool {
		return string(origin) == "https://trusted.example"
	}))
	require.NoError(t, err)
	errs := make(chan error, 10)
	s := startHTTP(t, http1.HandlerFunc(func(w *http1.ResponseWriter, r *http1.Request) { errs <- u.Upgrade(w, r) }))
	for origin, status := range map[string]int{"https://trusted.example": 101, "http://127.0.0.1": 403} {
		rc := s.dial(t)
		rc.write([]byte(upgradeRequest("Origin: " + origin + "\r\n")))
		require.Equal(t, status, rc.response().StatusCode, origin)
		if status == 101 {
			require.NoError(t, <-errs)
		} else {
			require.ErrorIs(t, <-errs, ErrOrigin)
		}
	}
}

// startHTTP runs a loop serving h with an http1 server.
func startHTTP(t *testing.T, h http1.Handler) *wsServer {
	t.Helper()
	return startServerWith(t, nil, serverSetup{handler: h})
}

// TestOptionsRefused: options out of range, and options of the other
// side, are errors naming them.
func TestOptionsRefused(t *testing.T) {
	e := newEcho()
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"max message", WithMaxMessage(0), "WithMaxMessage(0)"},
		{"level", WithCompression(12), "WithCompression(12)"},
		{"subprotocol", WithSubprotocols("a b"), `WithSubprotocols("a b")`},
		{"ping", WithPingInterval(-1), "WithPingInterval(-1ns)"},
		{"client's", WithTLSConfig(nil), "WithTLSConfig"},
		{"client's header", WithHeader("Origin", "x"), "WithHeader is an option of the client"},
		{"nil", nil, "nil Option at index 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewUpgrader(e, tc.opt)
			require.ErrorIs(t, err, ErrInvalidOption)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithCompression(1), "WithCompression is an option of the server"},
		{WithHeader("Sec-WebSocket-Key", "x"), "a field the client writes itself"},
		{WithHeader("X-A", "a\r\nb"), "not a valid field"},
		{WithDialTimeout(0), "WithDialTimeout(0s)"},
	} {
		_, err := NewDialer(e, tc.opt)
		require.ErrorIs(t, err, ErrInvalidOption)
		require.Contains(t, err.Error(), tc.want)
	}
	_, err := NewUpgrader(nil)
	require.ErrorIs(t, err, ErrInvalidOption)
}

// FuzzHandshake: arbitrary values of the fields of an upgrade request get
// 101 exactly when an independent reading of RFC 6455 §4.2.1 says so,
// else 400, 403 or 426; never a panic.
func FuzzHandshake(f *testing.F) {
	f.Add("GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13", "")
	f.Add("GET", "WebSocket, h2c", "keep-alive,upgrade", " dGhlIHNhbXBsZSBub25jZQ== ", "13", "http://127.0.0.1")
	f.Add("GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ", "13", "")
	f.Add("GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "8", "")
	f.Add("PUT", "websocket", "upgrade", "AAAAAAAAAAAAAAAAAAAAAA==", "13", "")
	f.Add("GET", "websocket", "upgrade", "AAAAAAAAAAAAAAAAAAAAAA==", "13", "http://evil")
	f.Add("GET", "websocket,", ",upgrade,", "AAAAAAAAAAAAAAAAAAAAAB==", " 13", "https://127.0.0.1")
	e := newEcho()
	s := startServer(f, e)
	f.Fuzz(func(t *testing.T, method, upgrade, connection, key, version, origin string) {
		for _, v := range []string{method, upgrade, connection, key, version, origin} {
			for i := 0; i < len(v); i++ {
				if v[i] < ' ' || v[i] >= 0x7f {
					t.Skip("the request's framing, not the handshake")
				}
			}
		}
		if !isToken(method) || strings.TrimSpace(key) == "" || strings.TrimSpace(version) == "" ||
			strings.TrimSpace(upgrade) == "" || strings.TrimSpace(connection) == "" {
			t.Skip("not a request the HTTP parser takes")
		}
		var req bytes.Buffer
		fmt.Fprintf(&req, "%s / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: %s\r\nConnection: %s\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n",
			method, upgrade, connection, key, version)
		if strings.TrimSpace(origin) != "" {
			fmt.Fprintf(&req, "Origin: %s\r\n", origin)
		}
		req.WriteString("Connection: close\r\n\r\n")
		rc := s.dial(t)
		rc.write(req.Bytes())
		got := rc.response().StatusCode
		want := oracle(method, upgrade, connection, key, version, origin)
		if got != want {
			t.Fatalf("status %d, want %d, for\n%s", got, want, req.String())
		}
		if got == 101 {
			rc.closeHandshake(CloseNormal)
			testkit.Receive(t, e.closed, "OnClose")
		}
	})
}

// oracle says what the server answers, from RFC 6455 §4.2.1 with the
// standard library's strings and base64.
func oracle(method, upgrade, connection, key, version, origin string) int {
	has := func(list, token string) bool {
		for _, t := range strings.Split(list, ",") {
			if strings.EqualFold(strings.Trim(t, " \t"), token) {
				return true
			}
		}
		return false
	}
	key = strings.Trim(key, " \t")
	nonce, err := base64.StdEncoding.DecodeString(key)
	origin = strings.Trim(origin, " \t")
	switch {
	case method != "GET" || !has(upgrade, "websocket") || !has(connection+",close", "upgrade"):
		return 400
	case strings.Trim(version, " \t") != "13":
		return 426
	case err != nil || len(nonce) != 16 || len(key) != 24:
		return 400
	case origin != "" && !(strings.Contains(origin, "://") && strings.EqualFold(origin[strings.Index(origin, "://")+3:], "127.0.0.1")):
		return 403
	}
	return 101
}

// ctxEcho echoes each message prefixed with the connection's Context.
type ctxEcho struct{ *echo }

func (h ctxEcho) OnMessage(c *Conn, op Opcode, data []byte) {
	c.WriteText(append([]byte(c.Context().(string)+": "), data...))
}

// TestUpgradeContext: the value a handler gives UpgradeContext is the
// connection's Context from OnOpen on.
func TestUpgradeContext(t *testing.T) {
	h := ctxEcho{newEcho()}
	u, err := NewUpgrader(h)
	require.NoError(t, err)
	s := startHTTP(t, http1.HandlerFunc(func(w *http1.ResponseWriter, r *http1.Request) {
		u.UpgradeContext(w, r, string(r.QueryValue("name")))
	}))
	rc := s.dial(t)
	rc.write([]byte(strings.Replace(upgradeRequest(""), "/chat", "/chat?name=ada", 1)))
	require.Equal(t, 101, rc.response().StatusCode)
	rc.send(true, Text, []byte("hello"))
	rc.expectMessage(Text, []byte("ada: hello"))
	rc.closeHandshake(CloseNormal)
	h.wantClosed(t, CloseNormal, nil)
}
