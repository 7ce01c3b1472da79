package reactor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHandlerPanic: a panic in OnData closes that connection with a
// *PanicError and the loop goes on serving the others.
func TestHandlerPanic(t *testing.T) {
	rec := newRecorder(t)
	rec.data = func(c *Conn) {
		if p, _ := c.Peek(0); bytes.Equal(p, []byte("boom")) {
			panic(errors.New("handler bug"))
		}
		echo(c)
	}
	l, addr := serve(t, rec, WithLogger(discardLogger()))
	good := dial(t, "tcp", addr)
	bad := dial(t, "tcp", addr)
	_, err := bad.Write([]byte("boom"))
	require.NoError(t, err)
	ev := rec.nextClose(t)
	var perr *PanicError
	require.ErrorAs(t, ev.err, &perr)
	require.EqualError(t, perr.Unwrap(), "handler bug")
	require.Equal(t, []byte("fine"), roundTrip(t, good, []byte("fine")))
	require.Equal(t, uint64(1), l.Stats().Panics)
}

// records is a slog handler that keeps what is logged.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, rec.Message)
	r.mu.Unlock()
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func TestPanicIsLogged(t *testing.T) {
	logged := &records{}
	rec := newRecorder(t)
	rec.open = func(c *Conn) { panic("in OnOpen") }
	_, addr := serve(t, rec, WithLogger(slog.New(logged)))
	dial(t, "tcp", addr)
	var perr *PanicError
	require.ErrorAs(t, rec.nextClose(t).err, &perr)
	require.Equal(t, "in OnOpen", perr.Value)
	logged.mu.Lock()
	defer logged.mu.Unlock()
	require.Contains(t, logged.msgs, "reactor: recovered a panic")
}

// TestGroupPanicStaysInItsLoop: a handler panic closes that connection;
// every loop goes on serving.
func TestGroupPanicStaysInItsLoop(t *testing.T) {
	g, recs := newTestGroup(t, 2, WithAcceptMode(AcceptHandoff), WithLoopOptions(WithLogger(discardLogger())))
	for _, r := range recs {
		r.data = func(c *Conn) {
			if p, _ := c.Peek(0); bytes.Equal(p, []byte("boom")) {
				panic("boom")
			}
			echo(c)
		}
	}
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	runGroup(t, g)
	bad := dial(t, "tcp", addr.String())
	_, err = bad.Write([]byte("boom"))
	require.NoError(t, err)
	_, err = io.ReadAll(bad)
	require.True(t, err == nil || isConnBroken(err))
	for i := range 4 { // round robin: both loops
		c := dial(t, "tcp", addr.String())
		msg := []byte(fmt.Sprint("after the panic ", i))
		require.Equal(t, msg, roundTrip(t, c, msg))
	}
	sum, _ := g.Stats()
	require.Equal(t, uint64(1), sum.Panics)
}
