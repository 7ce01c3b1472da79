package poller

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkWait measures one Wait(0) on each backend with `fds` registered
// fds of which `ready` are readable (a byte waits unread in each, so they
// stay ready: level-triggered). -benchmem shows the allocations per Wait.
func BenchmarkWait(b *testing.B) {
	for _, be := range backends() {
		for _, c := range []struct{ fds, ready int }{
			{1, 1}, {100, 1}, {100, 100}, {10000, 1}, {10000, 100},
		} {
			b.Run(fmt.Sprintf("%s/fds=%d/ready=%d", be.name, c.fds, c.ready), func(b *testing.B) {
				p, err := be.open()
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				registerReady(b, p, c.fds, c.ready)
				var r Ready
				if err := p.Wait(0, &r); err != nil { // warm: grow the lists
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := p.Wait(0, &r); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				if len(r.Read) != c.ready {
					b.Fatalf("%d fds reported ready, want %d", len(r.Read), c.ready)
				}
			})
		}
	}
}

// registerReady registers n socket fds for reading (both ends of n/2 socket
// pairs) and makes the first `ready` of them readable.
func registerReady(b *testing.B, p Poller, n, ready int) {
	var fds, peers []int
	for len(fds) < n {
		x, y := socketpair(b)
		fds, peers = append(fds, x, y), append(peers, y, x)
	}
	for i, fd := range fds[:n] {
		if err := p.Add(fd, Read); err != nil {
			b.Fatal(err)
		}
		if i < ready {
			if _, err := unix.Write(peers[i], []byte{1}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
