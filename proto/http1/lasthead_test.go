package http1_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// TestHeadsDoNotLeak: responses that differ from the one before them by
// status, a field, the length of the body, the version of the request or
// its Connection get heads of their own, never the head of the response
// before (the server copies the last head when a response is like it).
func TestHeadsDoNotLeak(t *testing.T) {
	varied := func(w *http1.ResponseWriter, r *http1.Request) {
		n, _ := strconv.Atoi(string(r.QueryValue("n")))
		if code, _ := strconv.Atoi(string(r.QueryValue("status"))); code != 0 {
			w.SetStatus(code)
		}
		if v := r.QueryValue("field"); v != nil {
			w.HeaderBytes("X-Field", v)
		}
		w.WriteString(strings.Repeat("x", n))
	}
	s := start(t, http1.HandlerFunc(varied))
	c, br := s.dial(t)
	type want struct {
		status int
		field  string
		n      int
		minor  int
		closes bool
	}
	var reqs []string
	var wants []want
	add := func(target, version, connection string, w want) {
		req := "GET " + target + " " + version + "\r\nHost: x\r\n"
		if connection != "" {
			req += "Connection: " + connection + "\r\n"
		}
		reqs = append(reqs, req+"\r\n")
		wants = append(wants, w)
	}
	add("/?n=3", "HTTP/1.1", "", want{200, "", 3, 1, false})
	add("/?n=3", "HTTP/1.1", "", want{200, "", 3, 1, false})
	add("/?n=4", "HTTP/1.1", "", want{200, "", 4, 1, false})
	add("/?n=4&field=a", "HTTP/1.1", "", want{200, "a", 4, 1, false})
	add("/?n=4&field=b", "HTTP/1.1", "", want{200, "b", 4, 1, false})
	add("/?n=4&field=b&status=201", "HTTP/1.1", "", want{201, "b", 4, 1, false})
	add("/?n=4&field=b&status=201", "HTTP/1.0", "keep-alive", want{201, "b", 4, 0, false})
	add("/?n=4&field=b&status=201", "HTTP/1.1", "", want{201, "b", 4, 1, false})
	add("/?n=4&field=b&status=201", "HTTP/1.1", "close", want{201, "b", 4, 1, true})
	testkit.SendRaw(t, c, reqs...)
	for i, w := range wants {
		resp, body := testkit.ReadResponse(t, br, "GET")
		where := fmt.Sprintf("response %d", i)
		require.Equal(t, w.status, resp.StatusCode, where)
		require.Equal(t, w.field, resp.Header.Get("X-Field"), where)
		require.Equal(t, strings.Repeat("x", w.n), body, where)
		require.Equal(t, int64(w.n), resp.ContentLength, where)
		require.Equal(t, w.closes, resp.Close, where)
		if w.minor == 0 {
			require.Equal(t, "keep-alive", resp.Header.Get("Connection"), where)
		} else if !w.closes {
			require.Empty(t, resp.Header.Get("Connection"), where)
		}
	}
	testkit.RequireEOF(t, br)
}
