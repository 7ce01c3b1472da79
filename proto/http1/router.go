package http1

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Router is a Handler that sends each request to the handler of its path:
// a pattern that ends in "/" matches every path that starts with it (the
// longest such pattern wins), any other pattern its own path only. A
// request no pattern matches goes to NotFound. Patterns are matched
// against Request.Path, byte for byte: not decoded, not cleaned.
//
//	rt := http1.NewRouter()
//	rt.HandleFunc("/", home)               // any path not matched below
//	rt.HandleFunc("/api/", api)            // /api/ and every path under it
//	rt.Handle("/upload", http1.Methods(upload, "POST"))
//
// Routes are set up before the server runs; a lookup allocates nothing
// and compares no more than a binary search of the exact patterns and
// the prefixes in turn.
type Router struct {
	exact    []route // sorted by pattern
	prefixes []route // longest first
	// NotFound answers a request no pattern matches; nil means the
	// package's NotFound.
	NotFound Handler
}

type route struct {
	pattern string
	h       Handler
}

// NewRouter returns an empty Router.
func NewRouter() *Router { return &Router{} }

// ErrPattern is wrapped by the error Handle returns for a pattern it
// refuses: empty, or set already.
var ErrPattern = errors.New("http1: invalid route pattern")

// Handle routes the requests pattern matches to h. It returns an error
// wrapping ErrPattern for an empty pattern or one set already, and for a
// nil h.
func (rt *Router) Handle(pattern string, h Handler) error {
	switch {
	case pattern == "":
		return fmt.Errorf("%w: empty pattern", ErrPattern)
	case h == nil:
		return fmt.Errorf("%w: %q: nil Handler", ErrPattern, pattern)
	}
	list := &rt.exact
	if strings.HasSuffix(pattern, "/") {
		list = &rt.prefixes
	}
	for _, r := range *list {
		if r.pattern == pattern {
			return fmt.Errorf("%w: %q is routed already", ErrPattern, pattern)
		}
	}
	*list = append(*list, route{pattern, h})
	sort.Slice(rt.exact, func(i, j int) bool { return rt.exact[i].pattern < rt.exact[j].pattern })
	sort.SliceStable(rt.prefixes, func(i, j int) bool { return len(rt.prefixes[i].pattern) > len(rt.prefixes[j].pattern) })
	return nil
}

// HandleFunc is Handle for a function.
func (rt *Router) HandleFunc(pattern string, f func(w *ResponseWriter, r *Request)) error {
	if f == nil {
		return rt.Handle(pattern, nil)
	}
	return rt.Handle(pattern, HandlerFunc(f))
}

// ServeHTTP sends r to the handler of its path.
func (rt *Router) ServeHTTP(w *ResponseWriter, r *Request) {
	rt.match(r.Path()).ServeHTTP(w, r)
}

// match returns the handler of path.
func (rt *Router) match(path []byte) Handler {
	lo, hi := 0, len(rt.exact)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if rt.exact[m].pattern < string(path) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(rt.exact) && rt.exact[lo].pattern == string(path) {
		return rt.exact[lo].h
	}
	for _, r := range rt.prefixes {
		if len(path) >= len(r.pattern) && string(path[:len(r.pattern)]) == r.pattern {
			return r.h
		}
	}
	if rt.NotFound != nil {
		return rt.NotFound
	}
	return HandlerFunc(NotFound)
}

// NotFound answers 404 Not Found, with a short text.
func NotFound(w *ResponseWriter, r *Request) {
	w.SetStatus(404)
	w.Header("Content-Type", "text/plain; charset=utf-8")
	w.WriteString("not found\n")
}

// Methods returns a Handler that passes the requests with one of methods
// to h, and answers the others with 405 Method Not Allowed and an Allow
// field that lists methods: Methods(h, "GET", "HEAD") answers "Allow: GET,
// HEAD".
func Methods(h Handler, methods ...string) Handler {
	return &methodFilter{h: h, methods: methods, allow: strings.Join(methods, ", ")}
}

type methodFilter struct {
	h       Handler
	methods []string
	allow   string
}

func (m *methodFilter) ServeHTTP(w *ResponseWriter, r *Request) {
	for _, method := range m.methods {
		if string(r.head.Method) == method {
			m.h.ServeHTTP(w, r)
			return
		}
	}
	w.SetStatus(405)
	w.Header("Content-Type", "text/plain; charset=utf-8")
	w.Header("Allow", m.allow)
	w.WriteString("method not allowed\n")
}
