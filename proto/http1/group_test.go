package http1_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/reactor"
	"github.com/stretchr/testify/require"
)

// TestGroup: one Server on a Group of two loops, a Handler each: the
// connections are spread over the loops (handed out in turn, so that each
// gets some), and each loop answers its own, with a Date field of its own.
func TestGroup(t *testing.T) {
	testkit.CheckLeaks(t)
	srv, err := http1.NewServer(routes(t, nil))
	require.NoError(t, err)
	g, err := reactor.NewGroup(func(int) reactor.Handler { return srv.Handler() },
		reactor.WithLoops(2), reactor.WithAcceptMode(reactor.AcceptHandoff), reactor.WithLoopOptions(srv.LoopOptions()...))
	require.NoError(t, err)
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	t.Cleanup(func() {
		g.Stop()
		require.NoError(t, testkit.Receive(t, done, "Run to return"))
	})

	const clients = 8
	errs := make(chan error, clients)
	for range clients {
		go func() {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr, Timeout: testkit.Limit}
			for range 5 {
				resp, err := cl.Get("http://" + addr.String() + "/")
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && (string(body) != hello || resp.Header.Get("Date") == "") {
					err = fmt.Errorf("answer %q, Date %q", body, resp.Header.Get("Date"))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range clients {
		require.NoError(t, testkit.Receive(t, errs, "a client's end"))
	}
	sum, each := g.Stats()
	require.EqualValues(t, clients, sum.Accepted)
	require.Len(t, each, 2)
	for i, st := range each {
		require.Positive(t, st.Accepted, "loop %d served some", i)
	}
}
