package websocket

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
)

// TestEchoDoesNotAllocate: in steady state an echoed message costs no
// allocation anywhere in the process, alone or 16 pipelined, text or
// binary, small or past the frame the server writes in one piece (a whole
// read's worth, 16 at once, with frames cut by the reads): the
// loop reads the frames, the connection parses and unmasks them in place,
// validates the text, hands each to the handler, which writes it back;
// the loop sends the answers. This test's client writes and reads with
// buffers of its own.
func TestEchoDoesNotAllocate(t *testing.T) {
	e := newEcho()
	s := startServer(t, e)
	rc := s.upgrade(t, "")
	for _, op := range []Opcode{Text, Binary} {
		for _, n := range []int{0, 64, 1 << 10, 4 << 10} {
			for _, depth := range []int{1, 16} {
				msg := bytes.Repeat([]byte("é"), n/2)
				frames := bytes.Repeat(rc.frame(true, 0, op, msg), depth)
				answer := AppendHeader(nil, true, false, op, len(msg), nil)
				answers := make([]byte, depth*(len(answer)+len(msg)))
				round := func() {
					if _, err := rc.c.Write(frames); err != nil {
						panic(err)
					}
					if _, err := io.ReadFull(rc.br, answers); err != nil {
						panic(err)
					}
				}
				rc.c.SetDeadline(time.Now().Add(testkit.Limit))
				for range 50 { // the rings reach their size
					round()
				}
				require.Equal(t, bytes.Repeat(append(answer, msg...), depth), answers)
				require.Zero(t, testing.AllocsPerRun(200, round), fmt.Sprintf("%v of %d bytes, %d at once", op, n, depth))
			}
		}
	}
}
