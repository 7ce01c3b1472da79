package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestBrowser: headless Chromium opens the chat page twice, as two people
// in two browser contexts; one says hello from its URL (?say=), the other
// types into the page's form; each page shows both lines. The test drives
// Chromium with the DevTools protocol over this repository's own
// WebSocket client, and reads what the pages show from their <li>
// elements.
func TestBrowser(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("no chromium or chromium-browser in PATH (Debian: apt-get install chromium)")
	}
	cfg := testConfig()
	cfg.maxMessage = 4 << 10
	ch := startChat(t, cfg)
	l := clientLoop(t)
	b := startBrowser(t, chromium, l)

	ada := b.open(t, ch.url()+"?name=ada")
	b.waitFor(t, ada, "* ada joined")
	bob := b.open(t, ch.url()+"?name=bob&say="+url.QueryEscape("hello from bob"))
	b.waitFor(t, ada, "bob: hello from bob")
	b.waitFor(t, bob, "bob: hello from bob")
	b.eval(t, ada, `document.getElementById('text').value = 'hi bob, from the form';
		document.getElementById('form').requestSubmit(); true`)
	b.waitFor(t, bob, "ada: hi bob, from the form")
	b.waitFor(t, ada, "ada: hi bob, from the form")
	require.Equal(t, []string{"* ada joined", "* bob joined", "bob: hello from bob", "ada: hi bob, from the form"}, b.lines(t, ada))
	require.Equal(t, []string{"* bob joined", "bob: hello from bob", "ada: hi bob, from the form"}, b.lines(t, bob))
}

// browser is a headless Chromium and a DevTools protocol session with it.
type browser struct {
	l      *reactor.Loop
	conn   *websocket.Conn
	opened chan struct{}

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpReply
}

// cdpReply is the answer to a DevTools protocol command.
type cdpReply struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// startBrowser starts Chromium headless with a profile of its own, and
// connects to its DevTools endpoint from loop l. Chromium and the
// processes it started are killed when the test ends.
func startBrowser(t *testing.T, chromium string, l *reactor.Loop) *browser {
	profile := t.TempDir()
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string, 100)
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // Chromium and its helpers
		<-read
		cmd.Wait()
	})
	var endpoint string
	deadline := time.After(testkit.Limit)
	for endpoint == "" {
		select {
		case line := <-lines:
			if u, ok := strings.CutPrefix(line, "DevTools listening on "); ok {
				endpoint = u
			}
		case <-deadline:
			t.Fatal("Chromium did not say where DevTools listens")
		}
	}
	b := &browser{l: l, opened: make(chan struct{}, 1), waiting: map[int]chan cdpReply{}}
	conns := make(chan *websocket.Conn, 1)
	l.Post(func() {
		c, err := websocket.Dial(l, endpoint, b, websocket.WithMaxMessage(16<<20))
		if err != nil {
			t.Errorf("dialing DevTools: %v", err)
		}
		conns <- c
	})
	b.conn = testkit.Receive(t, conns, "the DevTools connection")
	testkit.Receive(t, b.opened, "the DevTools connection to open")
	return b
}

func (b *browser) OnOpen(*websocket.Conn) { b.opened <- struct{}{} }

// OnMessage hands an answer to the command that waits for it; events are
// dropped.
func (b *browser) OnMessage(_ *websocket.Conn, _ websocket.Opcode, data []byte) {
	var r cdpReply
	if json.Unmarshal(data, &r) != nil || r.ID == 0 {
		return
	}
	b.mu.Lock()
	ch := b.waiting[r.ID]
	delete(b.waiting, r.ID)
	b.mu.Unlock()
	if ch != nil {
		ch <- r
	}
}

func (b *browser) OnClose(*websocket.Conn, uint16, error) {}

// call sends a command, in a session if session is not empty, and
// returns its result.
func (b *browser) call(t *testing.T, session, method string, params any, result any) {
	t.Helper()
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpReply, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	require.NoError(t, err)
	b.l.Post(func() { b.conn.WriteText(data) })
	r := testkit.Receive(t, ch, method)
	if r.Error != nil {
		t.Fatalf("%s: %s", method, r.Error.Message)
	}
	if result != nil {
		require.NoError(t, json.Unmarshal(r.Result, result))
	}
}

// open opens url in a new page of a new browser context (a person of its
// own: no cookies or storage shared), and returns the page's session.
func (b *browser) open(t *testing.T, url string) string {
	t.Helper()
	var bc struct {
		BrowserContextID string `json:"browserContextId"`
	}
	b.call(t, "", "Target.createBrowserContext", map[string]any{}, &bc)
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.call(t, "", "Target.createTarget", map[string]any{"url": url, "browserContextId": bc.BrowserContextID}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	return attached.SessionID
}

// eval evaluates a JavaScript expression in a page and returns its value.
func (b *browser) eval(t *testing.T, session, expr string) json.RawMessage {
	t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails any `json:"exceptionDetails"`
	}
	b.call(t, session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		t.Fatalf("evaluating %q: %v", expr, r.ExceptionDetails)
	}
	return r.Result.Value
}

// lines returns the lines a page shows: the text of its list's items.
func (b *browser) lines(t *testing.T, session string) []string {
	t.Helper()
	var lines []string
	v := b.eval(t, session, `Array.from(document.querySelectorAll('#messages li')).map(li => li.textContent)`)
	if len(v) > 0 && string(v) != "null" {
		require.NoError(t, json.Unmarshal(v, &lines))
	}
	return lines
}

// waitFor waits until a page shows line.
func (b *browser) waitFor(t *testing.T, session, line string) {
	t.Helper()
	testkit.WaitUntil(t, fmt.Sprintf("the page to show %q", line), func() bool {
		return slices.Contains(b.lines(t, session), line)
	})
}
