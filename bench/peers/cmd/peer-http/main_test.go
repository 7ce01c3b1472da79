package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// helloAnswer is the answer to GET / of every server, and reactor-http's
// (cmd/reactor-http, TestHelloBytes), but for the date.
const helloAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"

const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// TestServers starts each server in-process on a free loopback port and
// checks its answers to GET /, alone and 16 pipelined, byte for byte but
// for the date, which must be now's; then that it returns when its context
// ends.
func TestServers(t *testing.T) {
	for name, serve := range servers() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrs := make(chan net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- serve(ctx, "127.0.0.1:0", func(a net.Addr) { addrs <- a }) }()
			var addr net.Addr
			select {
			case addr = <-addrs:
			case err := <-done:
				t.Fatalf("server returned before listening: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("server did not report its address")
			}
			c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			for _, depth := range []int{1, 16} {
				if _, err := io.WriteString(c, strings.Repeat(get, depth)); err != nil {
					t.Fatal(err)
				}
				for i := range depth {
					checkAnswer(t, c, i)
				}
			}
			// HTTP/1.0 with keep-alive, then Connection: close.
			br := bufio.NewReader(c)
			io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			for _, closes := range []bool{false, true} {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				if err != nil || string(body) != hello || resp.Close != closes {
					t.Fatalf("%q, %v, closes %v: want %q, closes %v", body, err, resp.Close, hello, closes)
				}
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("server returned %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("server did not stop")
			}
		})
	}
}

// checkAnswer reads one answer to GET / and checks it.
func checkAnswer(t *testing.T, c net.Conn, i int) {
	t.Helper()
	got := make([]byte, len(helloAnswer))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("answer %d: %v", i, err)
	}
	at := strings.Index(helloAnswer, "Mon, ")
	date, err := http.ParseTime(string(got[at : at+len(httpDate)]))
	if err != nil || time.Since(date).Abs() > 5*time.Second {
		t.Fatalf("answer %d: date %q: %v", i, got[at:at+len(httpDate)], err)
	}
	copy(got[at:], helloAnswer[at:at+len(httpDate)])
	if string(got) != helloAnswer {
		t.Fatalf("answer %d:\n%q\nwant\n%q", i, got, helloAnswer)
	}
}

func TestRunRefuses(t *testing.T) {
	if err := run("nginx", "127.0.0.1:0"); err == nil {
		t.Fatal("an unknown server")
	}
	if err := run("net", "0.0.0.0:0"); err == nil {
		t.Fatal("a non-loopback address")
	}
}
