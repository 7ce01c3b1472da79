package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
)

// TestEcho starts each server in-process on a free loopback port, sends it
// a megabyte on a few connections at once, checks that every byte comes
// back in order, and checks that the server returns when its context ends.
//
// evio comes last, and its subtest ends only once its goroutines and fds
// are gone: its loop goroutines still close fds after Serve has returned
// (they wake every 100 ms), and an fd number closed that way may already
// belong to the next server in this process, which then sees resets and
// other connections' bytes.
func TestEcho(t *testing.T) {
	for _, name := range []string{"net", "reactor", "gnet", "nbio", "netpoll", "evio"} {
		t.Run(name, func(t *testing.T) {
			if name == "evio" {
				testkit.CheckLeaks(t)
			}
			checkEcho(t, servers[name], plainDial)
		})
	}
}

// checkEcho runs serve until the test is done with it, and checks its
// echo on three connections from dial at once.
func checkEcho(t *testing.T, serve serveFunc, dial ...func(addr string) (net.Conn, error)) {
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
	case <-time.After(testkit.Limit):
		t.Fatal("server did not report its address")
	}
	errs := make(chan error, 3)
	for i := range 3 {
		go func() { errs <- roundTrip(dial[i%len(dial)], addr.String(), byte(i)) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
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
}

func plainDial(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }

func roundTrip(dial func(string) (net.Conn, error), addr string, seed byte) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = seed + byte(i*7)
	}
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(want)
		werr <- err
	}()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if err := <-werr; err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		return fmt.Errorf("the echo differs from what was sent at byte %d of %d", i, len(want))
	}
	return nil
}
