package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/stretchr/testify/require"
)

// TestPage: GET / serves the page, with its list of messages and its
// script; other paths are 404.
func TestPage(t *testing.T) {
	ch := startChat(t, testConfig())
	client := &http.Client{Timeout: testkit.Limit, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(ch.url())
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, string(body), `<ul id="messages">`)
	require.Contains(t, string(body), "new WebSocket(")
	resp, err = client.Get(ch.url() + "nothing")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
}

// TestRoomAcrossLoops: two members on the two loops of the room hear each
// other, and each other's arrival and departure.
func TestRoomAcrossLoops(t *testing.T) {
	ch := startChat(t, testConfig())
	l := clientLoop(t)
	ada := join(t, l, ch, "ada")
	ada.expect("* ada joined")
	bob := join(t, l, ch, "bob")
	ada.expect("* bob joined")
	bob.expect("* bob joined")
	var counts []int
	for i := range 2 {
		done := make(chan int, 1)
		ch.g.Loop(i).Post(func() { done <- len(ch.room.loops[i].members) })
		counts = append(counts, testkit.Receive(t, done, "a loop's members"))
	}
	require.Equal(t, []int{1, 1}, counts, "one member on each loop")
	bob.say("hello, ada")
	ada.expect("bob: hello, ada")
	bob.expect("bob: hello, ada")
	ada.say("hi bob ✓")
	bob.expect("ada: hi bob ✓")
	ada.expect("ada: hi bob ✓")
	l.Post(func() { bob.c.Close(websocket.CloseGoingAway, "") })
	bob.expectClosed(websocket.CloseGoingAway)
	ada.expect("* bob left")
}

// TestNames: a name taken gets a number; a name too long or empty is
// refused with 1008 and the reason.
func TestNames(t *testing.T) {
	ch := startChat(t, testConfig())
	l := clientLoop(t)
	a := join(t, l, ch, "ada")
	a.expect("* ada joined")
	a2 := join(t, l, ch, "ada")
	a.expect("* ada2 joined")
	a2.expect("* ada2 joined")
	for _, name := range []string{strings.Repeat("x", 13), "  ", "a\x01b"} {
		m := join(t, l, ch, name)
		got := m.expectClosed(websocket.ClosePolicyViolation)
		require.NoError(t, got.err, "an orderly close, with the reason")
	}
	a2.say("still here")
	a.expect("ada2: still here")
}

// TestMaxMessage: a message over the maximum closes its sender with 1009;
// the others go on.
func TestMaxMessage(t *testing.T) {
	ch := startChat(t, testConfig())
	l := clientLoop(t)
	ada := join(t, l, ch, "ada")
	ada.expect("* ada joined")
	bob := join(t, l, ch, "bob")
	ada.expect("* bob joined")
	bob.expect("* bob joined")
	bob.say(strings.Repeat("!", 65))
	bob.expectClosed(websocket.CloseMessageTooBig)
	ada.expect("* bob left")
	ada.say(strings.Repeat("?", 64))
	ada.expect("ada: " + strings.Repeat("?", 64))
}

// TestIdleTimeout: a member silent for the idle timeout is closed with
// 1001, and the others hear that it left.
func TestIdleTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.idleTimeout = 300 * time.Millisecond
	ch := startChat(t, cfg)
	l := clientLoop(t)
	ada := join(t, l, ch, "ada")
	ada.expect("* ada joined")
	bob := join(t, l, ch, "bob")
	ada.expect("* bob joined")
	bob.expect("* bob joined")
	// ada keeps talking, bob says nothing.
	deadline := time.Now().Add(testkit.Limit)
	for {
		ada.say("tick")
		got := testkit.Receive(t, ada.lines, "a line")
		if got == "* bob left" {
			break
		}
		require.Equal(t, "ada: tick", got)
		require.True(t, time.Now().Before(deadline))
		time.Sleep(50 * time.Millisecond) // ada's pace: she speaks more often than the timeout
	}
	bob.expectClosed(websocket.CloseGoingAway)
}
