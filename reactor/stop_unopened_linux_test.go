package reactor

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStopEndsUnopenedAtOnce: on Stop, a connection that has not opened
// has no peer waiting for the bytes written before OnOpen: a Dial still
// connecting and a DialTLS whose handshake has not finished end at once
// (OnClose with ErrStopped, their bytes counted in OutputDropped) instead
// of holding Run for the grace period.
func TestStopEndsUnopenedAtOnce(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		_, connecting := fullBacklog(t)
		silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers a ClientHello
		require.NoError(t, err)
		t.Cleanup(func() { silent.Close() })

		testkit.CheckLeaks(t)
		rec := newRecorder(t)
		const grace = 20 * time.Second
		l, err := New(rec, opt, WithGracePeriod(grace))
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- l.Run(context.Background()) }()
		dialed := make(chan struct{})
		require.NoError(t, l.Post(func() {
			defer close(dialed)
			c, err := l.Dial("tcp", connecting, time.Minute)
			if assert.NoError(t, err) {
				c.WriteString("hello")
			}
			c, err = l.DialTLS("tcp", silent.Addr().String(), testkit.ClientTLS(t), time.Minute)
			if assert.NoError(t, err) {
				c.WriteString("world!")
			}
		}))
		<-dialed
		peer, err := silent.Accept()
		require.NoError(t, err)
		defer peer.Close()
		testkit.WaitUntil(t, "the ClientHello sent", func() bool { return l.Stats().BytesOut > 0 })

		start := time.Now()
		l.Stop()
		waitRun(t, done, "Run after Stop")
		require.Less(t, time.Since(start), grace/2, "Run waited for bytes that could not leave")
		for range 2 {
			require.ErrorIs(t, rec.nextClose(t).err, ErrStopped)
		}
		require.EqualValues(t, len("hello")+len("world!"), l.Stats().OutputDropped)
	})
}
