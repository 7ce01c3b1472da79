package http1_test

import (
	"fmt"
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// view is what a handler saw of a request, copied out of it.
type view struct {
	method, target, path, query, host string
	query1, query2, queryNone         []byte
	contentType, missing              []byte
	headers                           []string
	body                              string
	minor                             int
	closes                            bool
}

// viewer records what it sees of each request on seen and answers 204.
func viewer(seen chan<- view) http1.HandlerFunc {
	return func(w *http1.ResponseWriter, r *http1.Request) {
		v := view{
			method: r.Method(), target: string(r.Target()), path: string(r.Path()),
			query: string(r.Query()), host: string(r.Host()),
			query1:      clone(r.QueryValue("a b")),
			query2:      clone(r.QueryValue("c")),
			queryNone:   r.QueryValue("nope"),
			contentType: clone(r.Header("CONTENT-type")), missing: r.Header("X-Missing"),
			body: string(r.Body()), minor: r.ProtoMinor(), closes: r.Close(),
		}
		for _, h := range r.Headers() {
			v.headers = append(v.headers, string(h.Name)+"="+string(h.Value))
		}
		if string(r.Body()) != v.body {
			panic("Body changed on a second call")
		}
		seen <- v
		w.SetStatus(204)
	}
}

func clone(p []byte) []byte {
	if p == nil {
		return nil
	}
	return append([]byte{}, p...)
}

// TestRequestView: what a handler reads of a request: its method, target,
// path and query, query values decoded, fields by name in any case and all
// in order, the body whole (a chunked one decoded), the version, the host,
// and whether the connection closes.
func TestRequestView(t *testing.T) {
	seen := make(chan view, 4)
	s := start(t, routes(t, map[string]http1.HandlerFunc{"/v/": viewer(seen)}))
	c, br := s.dial(t)
	testkit.SendRaw(t, c, "PATCH /v/x?a+b=1%2B2%zz&c&c=no HTTP/1.1\r\nHost: example.com\r\nContent-Type:  text/plain \r\n"+
		"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n")
	v := testkit.Receive(t, seen, "the handler's view")
	testkit.ReadResponse(t, br, "PATCH")
	require.Equal(t, "PATCH", v.method)
	require.Equal(t, "/v/x?a+b=1%2B2%zz&c&c=no", v.target)
	require.Equal(t, "/v/x", v.path)
	require.Equal(t, "a+b=1%2B2%zz&c&c=no", v.query)
	require.Equal(t, "1+2%zz", string(v.query1), "decoded; a %% that starts no escape stays")
	require.NotNil(t, v.query2)
	require.Empty(t, v.query2, "a parameter without a value: empty, not nil")
	require.Nil(t, v.queryNone)
	require.Equal(t, "text/plain", string(v.contentType))
	require.Nil(t, v.missing)
	require.Equal(t, []string{"Host=example.com", "Content-Type=text/plain", "Transfer-Encoding=chunked"}, v.headers)
	require.Equal(t, "abcde", v.body)
	require.Equal(t, 1, v.minor)
	require.Equal(t, "example.com", v.host)
	require.False(t, v.closes)

	testkit.SendRaw(t, c, "BREW /v/ HTTP/1.0\r\nContent-Length: 4\r\n\r\ntea!")
	v = testkit.Receive(t, seen, "the handler's view")
	resp, _ := testkit.ReadResponse(t, br, "BREW")
	require.True(t, resp.Close)
	require.Equal(t, "BREW", v.method, "a method of its own")
	require.Equal(t, "tea!", v.body)
	require.Equal(t, 0, v.minor)
	require.Empty(t, v.host)
	require.Empty(t, v.query)
	require.True(t, v.closes, "HTTP/1.0 without keep-alive")
}

// TestRequestMethodConstants: the standard methods come back without an
// allocation.
func TestRequestMethodConstants(t *testing.T) {
	allocs := make(chan float64, 9)
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
	h := func(w *http1.ResponseWriter, r *http1.Request) {
		m := ""
		allocs <- testing.AllocsPerRun(10, func() { m = r.Method() })
		w.Header("X-Method", m)
		w.SetStatus(204)
	}
	s := start(t, http1.HandlerFunc(h))
	c, br := s.dial(t)
	for _, m := range methods {
		target := "/"
		switch m {
		case "CONNECT":
			target = "x:443"
		case "OPTIONS":
			target = "*"
		}
		testkit.SendRaw(t, c, fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\n\r\n", m, target))
		resp, _ := testkit.ReadResponse(t, br, m)
		require.Equal(t, m, resp.Header.Get("X-Method"))
		require.Zero(t, testkit.Receive(t, allocs, "the count"), m)
	}
}
