package reactor

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineHandler answers each newline-terminated line with "ok", and a line
// that does not fit in the input with an error line, as a server would.
func lineHandler(t *testing.T, closeItself bool) *recorder {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		for {
			p, _ := c.Peek(0)
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				break
			}
			c.Discard(i + 1)
			c.WriteString("ok\n")
		}
		if c.InputFull() {
			c.WriteString("ERR line too long\n")
			if closeItself {
				assert.NoError(t, c.Close())
			}
		}
	}
	return rec
}

// TestInputFullIsAnswerable: a client sends 5 MB without a newline to a
// server whose input holds 4 MiB. The handler is told (InputFull), its
// error line is sent, then FIN: the client reads the line and EOF, not a
// reset, and OnClose reports ErrInputFull, whether the handler closes
// itself or leaves that to the loop.
func TestInputFullIsAnswerable(t *testing.T) {
	for _, closeItself := range []bool{false, true} {
		name := map[bool]string{false: "loop-closes", true: "handler-closes"}[closeItself]
		t.Run(name, func(t *testing.T) {
			pollers(t, func(t *testing.T, opt Option) {
				rec := lineHandler(t, closeItself)
				_, addr := serve(t, rec, opt) // WithMaxInput: the default, 4 MiB
				c := dial(t, "tcp", addr)
				wrote := make(chan error, 1)
				go func() {
					_, err := c.Write(append([]byte("first\n"), bytes.Repeat([]byte("x"), 5_000_000)...))
					wrote <- err
				}()
				got, err := io.ReadAll(c)
				require.NoError(t, err, "EOF, not a reset")
				require.Equal(t, "ok\nERR line too long\n", string(got))
				require.NoError(t, <-wrote, "the server read (and dropped) the rest")
				require.ErrorIs(t, rec.nextClose(t).err, ErrInputFull)
			})
		})
	}
}

// TestInputFullThenRoom: a handler told that its input is full may make
// room instead of giving up; the connection goes on.
func TestInputFullThenRoom(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		if c.InputFull() {
			c.Discard(c.Buffered()) // drop the long line, keep serving
			c.WriteString("skipped\n")
			return
		}
		if p, _ := c.Peek(0); bytes.IndexByte(p, '\n') >= 0 {
			c.Discard(bytes.IndexByte(p, '\n') + 1)
			c.WriteString("ok\n")
		}
	}
	_, addr := serve(t, rec, WithMaxInput(64<<10))
	c := dial(t, "tcp", addr)
	_, err := c.Write(bytes.Repeat([]byte("x"), 64<<10))
	require.NoError(t, err)
	got := make([]byte, len("skipped\n"))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, "skipped\n", string(got))
	_, err = c.Write([]byte("hello\n"))
	require.NoError(t, err)
	_, err = io.ReadFull(c, got[:3])
	require.NoError(t, err)
	require.Equal(t, "ok\n", string(got[:3]), "the connection goes on")
}
