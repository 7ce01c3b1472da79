package websocket

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// pythonWithWebsockets returns a python3 that can import websockets
// (Debian's python3-websockets installs it for /usr/bin/python3, which
// may not be the python3 first in PATH), or "" if there is none.
func pythonWithWebsockets() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import websockets").Run() == nil {
			return py
		}
	}
	return ""
}

// TestPythonClient: python3's websockets library, a client written by
// others, talks to the server: text, binary, fragmented messages of both
// kinds and a large one, with permessage-deflate and without, and a close
// with a code of its own, answered with the same.
func TestPythonClient(t *testing.T) {
	py := pythonWithWebsockets()
	if py == "" {
		t.Skip("no python3 with the websockets module (Debian: apt-get install python3-websockets)")
	}
	e := newEcho()
	s := startServer(t, e, WithCompression(1), WithMaxMessage(4<<20))
	for _, mode := range []string{"deflate", "none"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testkit.Limit)
			defer cancel()
			out, err := exec.CommandContext(ctx, py, "testdata/python_client.py", "ws://"+s.addr+"/", mode).CombinedOutput()
			require.NoError(t, err, "%s", out)
			ext := "none"
			if mode == "deflate" {
				ext = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
			}
			want := []string{
				"extensions: " + ext,
				"text: hello, κόσμε",
				"binary: 0001feff",
				"fragmented text: fragmented text ✓",
				"fragmented binary: 010203",
				"large: 260000 True",
				"closed: 4000",
			}
			require.Equal(t, want, strings.Split(strings.TrimSpace(string(out)), "\n"))
			e.wantClosed(t, 4000, nil)
		})
	}
}
