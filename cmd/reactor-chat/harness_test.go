package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// testConfig is the configuration of the tests' rooms: two loops, each
// connection handed to them in turn, so that two members are on two
// loops.
func testConfig() config {
	return config{addr: "127.0.0.1:0", loops: 2, maxMessage: 64, maxName: 12, idleTimeout: time.Minute, handoff: true}
}

// startChat runs a room until the test ends.
func startChat(t *testing.T, cfg config) *chat {
	t.Helper()
	testkit.CheckLeaks(t)
	c, err := newChat(cfg)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- c.g.Run(context.Background()) }()
	t.Cleanup(func() {
		c.g.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	})
	return c
}

// member is a test's member of the room: a WebSocket client on a loop of
// the test.
type client struct {
	t      *testing.T
	l      *reactor.Loop
	c      *websocket.Conn
	lines  chan string
	closed chan closeInfo
}

// closeInfo is what the client's OnClose got.
type closeInfo struct {
	code uint16
	err  error
}

func (m *client) OnOpen(c *websocket.Conn) {}
func (m *client) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	m.lines <- string(data)
}
func (m *client) OnClose(c *websocket.Conn, code uint16, err error) { m.closed <- closeInfo{code, err} }

// nobody is the Handler of the clients' loop, which only dials.
type nobody struct{}

func (nobody) OnOpen(*reactor.Conn)         {}
func (nobody) OnData(*reactor.Conn)         {}
func (nobody) OnClose(*reactor.Conn, error) {}

// clientLoop runs a loop for the test's clients until the test ends.
func clientLoop(t *testing.T) *reactor.Loop {
	l, err := reactor.New(nobody{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	t.Cleanup(func() {
		l.Stop()
		require.NoError(t, testkit.Receive(t, done, "the clients' loop to return"))
	})
	return l
}

// join connects a member named name from loop l.
func join(t *testing.T, l *reactor.Loop, ch *chat, name string) *client {
	t.Helper()
	m := &client{t: t, l: l, lines: make(chan string, 100), closed: make(chan closeInfo, 1)}
	conns := make(chan *websocket.Conn, 1)
	errs := make(chan error, 1)
	l.Post(func() {
		c, err := websocket.Dial(l, "ws://"+ch.addr.String()+"/chat?name="+url.QueryEscape(name), m)
		conns <- c
		errs <- err
	})
	m.c = testkit.Receive(t, conns, "Dial")
	require.NoError(t, <-errs)
	return m
}

// expect waits for the next line the member gets, and checks it.
func (m *client) expect(line string) {
	m.t.Helper()
	require.Equal(m.t, line, testkit.Receive(m.t, m.lines, "the line "+line))
}

// say sends a text message.
func (m *client) say(text string) {
	m.l.Post(func() { m.c.WriteText([]byte(text)) })
}

// expectClosed waits for OnClose and checks its code.
func (m *client) expectClosed(code uint16) closeInfo {
	m.t.Helper()
	got := testkit.Receive(m.t, m.closed, "OnClose")
	require.Equal(m.t, code, got.code, "close code (%v)", got.err)
	return got
}
