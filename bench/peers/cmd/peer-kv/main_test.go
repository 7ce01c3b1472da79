package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// TestServe starts the server on a free loopback port, sends it pipelined
// requests, one of them cut across two writes, checks the replies, and
// checks that it returns when its context ends.
func TestServe(t *testing.T) {
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
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, part := range []string{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nhi\r\nGET k\r\nPING\r\n*2\r\n$4\r\nIN", "CR\r\n$1\r\nn\r\n"} {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
	}
	want := "+OK\r\n$2\r\nhi\r\n+PONG\r\n:1\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(bufio.NewReader(c), got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("replies %q, want %q", got, want)
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
}
