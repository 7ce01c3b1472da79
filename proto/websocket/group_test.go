package websocket

import (
	"context"
	"fmt"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestGroup: one Upgrader serves the loops of a Group, each with the
// state of its own loop; compressed and plain connections echo on every
// loop.
func TestGroup(t *testing.T) {
	testkit.CheckLeaks(t)
	e := newEcho()
	u, err := NewUpgrader(e, WithCompression(1))
	require.NoError(t, err)
	srv, err := http1.NewServer(u)
	require.NoError(t, err)
	g, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() },
		reactor.WithLoops(2), reactor.WithAcceptMode(reactor.AcceptHandoff), reactor.WithLoopOptions(srv.LoopOptions()...))
	require.NoError(t, err)
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	defer func() {
		g.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	}()
	s := &wsServer{addr: addr.String()}
	loops := map[*reactor.Loop]bool{}
	for i := range 6 {
		rc := s.upgrade(t, map[bool]string{true: "Sec-WebSocket-Extensions: permessage-deflate\r\n"}[i%2 == 0])
		c := testkit.Receive(t, e.opened, "OnOpen")
		loops[c.Loop()] = true
		msg := []byte(fmt.Sprintf("%0300d", i))
		rc.send(true, Text, msg)
		rc.expectMessage(Text, msg)
		rc.closeHandshake(CloseNormal)
		e.wantClosed(t, CloseNormal, nil)
	}
	require.Len(t, loops, 2)
	u.ep.mu.Lock()
	require.Len(t, u.ep.loops, 2, "one state per loop")
	u.ep.mu.Unlock()
}
