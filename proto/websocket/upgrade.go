package websocket

import (
	"bytes"

	"github.com/goreactor/reactor/internal/ascii"
	"github.com/goreactor/reactor/proto/http1"
)

// Upgrader upgrades HTTP requests to WebSocket connections served by a
// Handler: an http1.Handler to mount on a route of an http1 server
// (router.Handle("/chat", u)), or to call from a handler that decides per
// request (Upgrade). One Upgrader serves every loop of a Group: it is
// safe for concurrent use, and keeps the state each loop's connections
// share (a compressor, buffers) in a small map it touches once per
// upgrade, never per message.
type Upgrader struct {
	ep *endpoint
}

// NewUpgrader returns an Upgrader whose connections are served by h,
// with the shared options and the server's. It returns an error wrapping
// ErrInvalidOption, naming the option and the value, for an option out of
// its range or one of the client's, or for a nil h.
func NewUpgrader(h Handler, opts ...Option) (*Upgrader, error) {
	if h == nil {
		return nil, invalidOption("NewUpgrader: nil Handler")
	}
	cfg, err := newConfig(sideServer, opts)
	if err != nil {
		return nil, err
	}
	if cfg.checkOrigin == nil {
		cfg.checkOrigin = sameOrigin
	}
	return &Upgrader{ep: newEndpoint(h, cfg)}, nil
}

// ServeHTTP upgrades the request, or answers it with an error status:
// see Upgrade.
func (u *Upgrader) ServeHTTP(w *http1.ResponseWriter, r *http1.Request) {
	_ = u.Upgrade(w, r)
}

// Upgrade checks the request's opening handshake (RFC 6455 §4.2.1) and,
// if it is valid, answers 101 Switching Protocols and hands the
// connection over (http1.ResponseWriter.TakeOver) to a Conn served by the
// Upgrader's Handler, whose OnOpen follows once the answer is queued, and
// then OnMessage for frames that came right after the request.
//
// What it checks: the method is GET and the version HTTP/1.1; Upgrade
// holds the token "websocket" and Connection "upgrade", in any case,
// within their lists; there is one Sec-WebSocket-Key, of 16 bytes in
// base64; Sec-WebSocket-Version is 13. A request that fails is answered
// with 400 Bad Request (426 Upgrade Required with
// "Sec-WebSocket-Version: 13" for another version, 403 Forbidden for an
// Origin the check refuses: WithCheckOrigin) and is not upgraded, and
// Upgrade returns the error: ErrNotUpgrade, ErrKey, ErrVersion,
// ErrOrigin. It chooses a subprotocol (WithSubprotocols) and accepts
// permessage-deflate (WithCompression) if the client offers them.
func (u *Upgrader) Upgrade(w *http1.ResponseWriter, r *http1.Request) error {
	return u.UpgradeContext(w, r, nil)
}

// UpgradeContext is Upgrade for a handler that has per-connection state
// from the request (a name from the query, a user from a cookie): the
// connection's Context is v from OnOpen on. (The request is gone by
// then, and the HTTP server clears the reactor connection's Context when
// it hands the connection over.)
func (u *Upgrader) UpgradeContext(w *http1.ResponseWriter, r *http1.Request, v any) error {
	cfg := &u.ep.cfg
	var (
		keys, versions      int
		key, version        []byte
		upgrade, connection bool
	)
	for _, f := range r.Headers() {
		switch {
		case ascii.EqualFold(f.Name, "upgrade"):
			upgrade = upgrade || HasToken(f.Value, "websocket")
		case ascii.EqualFold(f.Name, "connection"):
			connection = connection || HasToken(f.Value, "upgrade")
		case ascii.EqualFold(f.Name, "sec-websocket-key"):
			keys++
			key = f.Value
		case ascii.EqualFold(f.Name, "sec-websocket-version"):
			versions++
			version = f.Value
		}
	}
	switch {
	case r.Method() != "GET" || r.ProtoMinor() < 1 || !upgrade || !connection || keys != 1:
		return refuse(w, 400, ErrNotUpgrade)
	case versions != 1 || CheckVersion(version) != nil:
		w.Header("Sec-WebSocket-Version", "13")
		return refuse(w, 426, ErrVersion)
	case CheckKey(key) != nil:
		return refuse(w, 400, ErrKey)
	case !cfg.checkOrigin(r.Header("origin"), r):
		return refuse(w, 403, ErrOrigin)
	}
	nc := r.Conn()
	c := &Conn{nc: nc, ls: u.ep.loopState(nc.Loop()), state: stOpen, flags: flagServer}
	w.SetStatus(101)
	w.Header("Upgrade", "websocket")
	w.Header("Connection", "Upgrade")
	ls := c.ls
	ls.frame = AppendAcceptKey(ls.frame[:0], key) // the loop's buffer: an array here would escape
	w.HeaderBytes("Sec-WebSocket-Accept", ls.frame)
	if len(cfg.protocols) > 0 {
		if p := selectProtocol(cfg.protocols, r); p > 0 {
			c.proto = uint8(p)
			w.Header("Sec-WebSocket-Protocol", cfg.protocols[p-1])
		}
	}
	if cfg.compress {
		if answer, ok := negotiate(r); ok {
			c.flags |= flagDeflate
			w.Header("Sec-WebSocket-Extensions", answer)
		}
	}
	if v != nil {
		m := c.ls.takeMessage()
		m.ctx = v
		c.msg = m
	}
	w.TakeOver(c)
	return nil
}

// refuse answers a request that is not upgraded with status and err's
// text, and returns err.
func refuse(w *http1.ResponseWriter, status int, err error) error {
	w.SetStatus(status)
	w.Header("Content-Type", "text/plain; charset=utf-8")
	w.WriteString(err.Error() + "\n")
	return err
}

// selectProtocol returns the index, plus one, in supported of the
// subprotocol chosen from the request's Sec-WebSocket-Protocol fields, or
// 0 if none.
func selectProtocol(supported []string, r *http1.Request) int {
	for i, s := range supported {
		for _, f := range r.Headers() {
			if ascii.EqualFold(f.Name, "sec-websocket-protocol") && SelectProtocol(supported[i:i+1], f.Value) == s {
				return i + 1
			}
		}
	}
	return 0
}

// negotiate answers the request's offers of permessage-deflate, in all
// its Sec-WebSocket-Extensions fields, in their order.
func negotiate(r *http1.Request) (string, bool) {
	for _, f := range r.Headers() {
		if ascii.EqualFold(f.Name, "sec-websocket-extensions") {
			if answer, ok := NegotiateDeflate(f.Value); ok {
				return answer, true
			}
		}
	}
	return "", false
}

// sameOrigin is the default origin check: no Origin field (not a
// browser's request), or one whose host and port are the request's Host.
func sameOrigin(origin []byte, r *http1.Request) bool {
	if origin == nil {
		return true
	}
	_, authority, ok := bytes.Cut(origin, []byte("://"))
	if !ok {
		return false
	}
	host := r.Host()
	return len(host) > 0 && ascii.EqualFold(authority, string(host))
}
