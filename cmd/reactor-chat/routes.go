package main

import (
	"embed"

	"github.com/goreactor/reactor/proto/http1"
	"github.com/goreactor/reactor/proto/websocket"
)

//go:embed static/index.html
var static embed.FS

// page is the chat's page, read once from the binary.
var page, _ = static.ReadFile("static/index.html")

// routes returns the server's routes: the page at /, the room at /chat
// (the nickname in the query: /chat?name=ada), 404 elsewhere.
func routes(r *room, u *websocket.Upgrader) *http1.Router {
	rt := http1.NewRouter()
	rt.Handle("/", http1.Methods(http1.HandlerFunc(func(w *http1.ResponseWriter, req *http1.Request) {
		if string(req.Path()) != "/" {
			http1.NotFound(w, req)
			return
		}
		w.Header("Content-Type", "text/html; charset=utf-8")
		w.Header("Cache-Control", "no-store")
		w.Write(page)
	}), "GET", "HEAD"))
	rt.HandleFunc("/chat", func(w *http1.ResponseWriter, req *http1.Request) {
		name, why := r.checkName(req.QueryValue("name"))
		var ctx any = &member{name: name}
		if why != "" {
			ctx = why // upgraded, then closed with the reason, which the page shows
		}
		u.UpgradeContext(w, req, ctx)
	})
	return rt
}
