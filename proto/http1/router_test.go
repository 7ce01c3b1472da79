package http1_test

import (
	"testing"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/proto/http1"
	"github.com/stretchr/testify/require"
)

// says answers with its name.
func says(name string) http1.HandlerFunc {
	return func(w *http1.ResponseWriter, r *http1.Request) { w.WriteString(name) }
}

// TestRouter: an exact pattern matches its path only, a pattern ending in
// "/" every path under it, the longest first; no match goes to NotFound;
// Methods answers other methods with 405 and Allow.
func TestRouter(t *testing.T) {
	rt := http1.NewRouter()
	for pattern, name := range map[string]string{
		"/":          "root",
		"/a":         "exact a",
		"/a/":        "under a",
		"/a/b/":      "under a/b",
		"/a/b/c":     "exact a/b/c",
		"/static/x/": "under static/x",
	} {
		require.NoError(t, rt.Handle(pattern, says(name)))
	}
	require.NoError(t, rt.Handle("/post", http1.Methods(says("posted"), "POST", "PUT")))
	s := start(t, rt)
	c, br := s.dial(t)
	for _, cs := range []struct {
		method, target string
		status         int
		body, allow    string
	}{
		{"GET", "/", 200, "root", ""},
		{"GET", "/zzz", 200, "root", ""},
		{"GET", "/a", 200, "exact a", ""},
		{"GET", "/a?q=1", 200, "exact a", ""},
		{"GET", "/a/", 200, "under a", ""},
		{"GET", "/a/x", 200, "under a", ""},
		{"GET", "/a/b", 200, "under a", ""},
		{"GET", "/a/b/", 200, "under a/b", ""},
		{"GET", "/a/b/c", 200, "exact a/b/c", ""},
		{"GET", "/a/b/c/d", 200, "under a/b", ""},
		{"GET", "http://x/a/b/z", 200, "under a/b", ""},
		{"GET", "/static/x", 200, "root", ""},
		{"POST", "/post", 200, "posted", ""},
		{"PUT", "/post", 200, "posted", ""},
		{"GET", "/post", 405, "method not allowed\n", "POST, PUT"},
	} {
		testkit.SendRaw(t, c, cs.method+" "+cs.target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body := testkit.ReadResponse(t, br, cs.method)
		require.Equal(t, cs.status, resp.StatusCode, cs.target)
		require.Equal(t, cs.body, body, cs.target)
		require.Equal(t, cs.allow, resp.Header.Get("Allow"), cs.target)
	}
}

// TestRouterNotFound: without "/", a path nothing matches gets 404, or
// what NotFound says.
func TestRouterNotFound(t *testing.T) {
	rt := http1.NewRouter()
	require.NoError(t, rt.HandleFunc("/a", says("a")))
	own := http1.NewRouter()
	require.NoError(t, own.HandleFunc("/a", says("a")))
	own.NotFound = says("nothing here")
	for _, cs := range []struct {
		rt     *http1.Router
		status int
		body   string
	}{{rt, 404, "not found\n"}, {own, 200, "nothing here"}} {
		s := start(t, cs.rt)
		c, br := s.dial(t)
		testkit.SendRaw(t, c, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body := testkit.ReadResponse(t, br, "GET")
		require.Equal(t, cs.status, resp.StatusCode)
		require.Equal(t, cs.body, body)
	}
}

// TestRouterErrors: an empty pattern, a nil handler and a pattern routed
// twice are refused with ErrPattern.
func TestRouterErrors(t *testing.T) {
	rt := http1.NewRouter()
	require.NoError(t, rt.Handle("/a/", says("a")))
	require.ErrorIs(t, rt.Handle("", says("x")), http1.ErrPattern)
	require.ErrorIs(t, rt.Handle("/b", nil), http1.ErrPattern)
	require.ErrorIs(t, rt.HandleFunc("/b", nil), http1.ErrPattern)
	require.ErrorIs(t, rt.Handle("/a/", says("again")), http1.ErrPattern)
	require.ErrorContains(t, rt.Handle("/a/", says("again")), `"/a/"`)
}
