package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goreactor/reactor/reactor"
)

// udpSizes are the datagram sizes each client of checkUDPEcho sends in
// turn, up to the largest UDP payload over IPv4.
var udpSizes = []int{1, 64, 1472, 9000, 65507}

// TestEchoUDP starts each UDP server in-process on a free loopback port,
// has three clients send it datagrams of every size, one in flight each,
// checks that each comes back whole to the socket that sent it, and
// checks that the server returns when its context ends.
func TestEchoUDP(t *testing.T) {
	for _, name := range []string{"net", "reactor", "gnet"} {
		t.Run(name, func(t *testing.T) {
			checkUDPEcho(t, udpServers[name], 20, udpSizes...)
		})
	}
}

// TestReactorUDPStats: the reactor server's counters at the end account
// for every datagram, and the line the scripts read says so.
func TestReactorUDPStats(t *testing.T) {
	var st reactor.Stats
	serve := func(ctx context.Context, addr string, ready func(net.Addr)) error {
		return reactorUDP(ctx, addr, ready, func(s reactor.Stats) { st = s })
	}
	const rounds = 10
	sizes := []int{1, 64, 1472}
	checkUDPEcho(t, serve, rounds, sizes...) // returns once the server has
	// Each echo needs its datagram received and sent; a datagram the
	// system dropped, and sent again, is never seen by the loop.
	want := uint64(3 * rounds * len(sizes))
	if st.PacketsIn < want || st.PacketsOut != st.PacketsIn {
		t.Errorf("packets in %d, out %d; want %d or more, the same each way", st.PacketsIn, st.PacketsOut, want)
	}
	// A receive call takes one datagram or more, or, where there is no
	// recvmmsg, one and then finds the next missing: at most two calls
	// per datagram. A send call sends one datagram or more.
	if st.PacketReads == 0 || st.PacketReads > 2*st.PacketsIn || st.PacketWrites == 0 || st.PacketWrites > st.PacketsOut {
		t.Errorf("%d receive calls, %d send calls for %d datagrams each way", st.PacketReads, st.PacketWrites, st.PacketsIn)
	}
	var b bytes.Buffer
	writePacketStats(&b, st)
	line := fmt.Sprintf("packet stats: packets_in=%d packets_out=%d packet_reads=%d packet_writes=%d\n",
		st.PacketsIn, st.PacketsOut, st.PacketReads, st.PacketWrites)
	if b.String() != line {
		t.Errorf("got %q, want %q", b.String(), line)
	}
}

// checkUDPEcho runs serve until three clients have each had rounds rounds
// of datagrams of sizes echoed, and checks that it then stops.
func checkUDPEcho(t *testing.T, serve serveFunc, rounds int, sizes ...int) {
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
	if _, ok := addr.(*net.UDPAddr); !ok {
		t.Fatalf("the server reports %T %v, not a UDP address", addr, addr)
	}
	errs := make(chan error, 3)
	for i := range 3 {
		go func() { errs <- udpRoundTrips(addr.String(), byte(i), rounds, sizes) }()
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

// udpRoundTrips sends datagrams of each of sizes from one connected
// socket, one at a time, and checks each echo. Loopback drops a datagram
// when the receiving socket's buffer is full, which three clients' large
// datagrams arriving together can do: a datagram whose echo has not come
// in a while is sent again, and an echo of an earlier datagram that comes
// after all is passed over.
func udpRoundTrips(addr string, seed byte, rounds int, sizes []int) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	got := make([]byte, 64<<10)
	for r := range rounds {
		for _, size := range sizes {
			want := make([]byte, size)
			for i := range want {
				want[i] = seed + byte(r) + byte(i*7)
			}
			if err := udpEchoOnce(c, want, got); err != nil {
				return fmt.Errorf("round %d, %d B: %w", r, size, err)
			}
		}
	}
	return nil
}

// udpEchoOnce sends want on c until its echo comes back into got.
func udpEchoOnce(c net.Conn, want, got []byte) error {
	const tries, wait = 20, 500 * time.Millisecond
	var last []byte // the last datagram that was not the echo
	for range tries {
		if _, err := c.Write(want); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(wait))
		for {
			n, err := c.Read(got)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break // lost on the way there or back: send it again
			}
			if err != nil {
				return err
			}
			if bytes.Equal(got[:n], want) {
				return nil
			}
			last = append(last[:0], got[:n]...)
		}
	}
	if last != nil {
		return fmt.Errorf("no echo in %d tries; the last datagram back was %d B, not the same", tries, len(last))
	}
	return fmt.Errorf("no echo in %d tries", tries)
}

// TestRunUDPRefusals: the flags that cannot work fail before any listen.
func TestRunUDPRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, network string
		tls           bool
		want          string
	}{
		{"evio", "udp", false, "has no UDP"},
		{"nbio", "udp", false, "has no UDP"},
		{"reactor", "udp", true, "-tls is for"},
		{"reactor", "sctp", false, "want \"tcp\" or \"udp\""},
	} {
		err := run(tc.name, tc.network, "127.0.0.1:0", tc.tls, "", "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v", tc, err)
		}
	}
	if err := run("net", "udp", "0.0.0.0:0", false, "", ""); err == nil {
		t.Error("a non-loopback address was accepted with -network udp")
	}
}
