package reactor

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// injector sits between the loop and the kernel (the syscalls seam) and
// makes the calls fail or fall short the way real sockets may: short reads
// and writes, EAGAIN when data was there, EINTR. It runs on the loop's
// goroutine only, like the calls it wraps.
type injector struct {
	rng      *rand.Rand
	maxRead  int     // a read takes at most this many bytes (0: no limit)
	maxWrite int     // a write sends at most this many bytes (0: no limit)
	pAgain   float64 // chance of a spurious EAGAIN
	pIntr    float64 // chance of EINTR
	failFD   int     // fd whose next call fails with failErr (-1: none)
	failErr  error
	injected int
}

// spurious returns an injected error, or nil to let the call through.
func (f *injector) spurious(fd int) error {
	if fd == f.failFD {
		f.failFD = -1
		f.injected++
		return f.failErr
	}
	r := f.rng.Float64()
	switch {
	case r < f.pAgain:
		f.injected++
		return unix.EAGAIN
	case r < f.pAgain+f.pIntr:
		f.injected++
		return unix.EINTR
	}
	return nil
}

func (f *injector) limit(max, n int) int {
	if max <= 0 || n <= 1 {
		return n
	}
	return 1 + f.rng.IntN(min(max, n))
}

func (f *injector) wrap(real syscalls) syscalls {
	return syscalls{
		read: func(fd int, p []byte) (int, error) {
			if err := f.spurious(fd); err != nil {
				return -1, err
			}
			return real.read(fd, p[:f.limit(f.maxRead, len(p))])
		},
		writev: func(fd int, a, b []byte) (int, error) {
			if err := f.spurious(fd); err != nil {
				return -1, err
			}
			k := f.limit(f.maxWrite, len(a)+len(b))
			if k <= len(a) {
				return real.writev(fd, a[:k], nil)
			}
			return real.writev(fd, a, b[:k-len(a)])
		},
		accept: func(fd int) (int, error) {
			if err := f.spurious(fd); err != nil {
				return -1, err
			}
			return real.accept(fd)
		},
	}
}

func newInjector(seed uint64) *injector {
	return &injector{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), failFD: -1}
}

// TestEchoThroughFaults drives echoes through randomly injected short
// reads, short writes, EAGAINs and EINTRs, on several connections at once,
// and checks that every byte arrives, in order.
func TestEchoThroughFaults(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		for seed := range uint64(8) {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				f := newInjector(seed)
				f.maxRead, f.maxWrite = 256+int(seed*397%5000), 256+int(seed*7919%3000)
				f.pAgain, f.pIntr = 0.2, 0.1
				l, addr := serve(t, newRecorder(t), opt, withSyscalls(f.wrap),
					WithWriteWatermarks(8<<10, 32<<10))
				var wg sync.WaitGroup
				for i := range 3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						c, err := net.Dial("tcp", addr)
						if err != nil {
							t.Error(err)
							return
						}
						defer c.Close()
						want := payload(100<<10 + i*777 + int(seed))
						go c.Write(want)
						got := make([]byte, len(want))
						if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(want, got) {
							t.Errorf("connection %d: err %v, echo differs: %v", i, err, !bytes.Equal(want, got))
						}
					}()
				}
				wg.Wait()
				done := make(chan int, 1)
				require.NoError(t, l.Post(func() { done <- f.injected }))
				require.Positive(t, <-done, "faults were injected")
				st := l.Stats()
				require.Positive(t, st.PartialWrites, "short writes left output behind")
			})
		}
	})
}

// TestEveryShortLength echoes through reads and writes capped at every
// length from 1 to 64 bytes.
func TestEveryShortLength(t *testing.T) {
	f := newInjector(1)
	l, addr := serve(t, newRecorder(t), withSyscalls(f.wrap))
	for k := 1; k <= 64; k++ {
		set := make(chan struct{})
		require.NoError(t, l.Post(func() { f.maxRead, f.maxWrite = k, k; close(set) }))
		<-set
		c := dial(t, "tcp", addr)
		want := payload(1000 + k)
		require.True(t, bytes.Equal(want, roundTrip(t, c, want)), "length cap %d", k)
		c.Close()
	}
}

// TestInjectedErrors: a read failing with ECONNRESET and a write failing
// with EPIPE close that connection with that error; the others go on.
func TestInjectedErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  unix.Errno
	}{{"ECONNRESET", unix.ECONNRESET}, {"EPIPE", unix.EPIPE}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newInjector(2)
			rec := newRecorder(t)
			fds := make(chan int, 2)
			rec.open = func(c *Conn) { fds <- c.Fd() }
			l, addr := serve(t, rec, withSyscalls(f.wrap))
			victim := dial(t, "tcp", addr)
			fd := <-fds
			other := dial(t, "tcp", addr)
			<-fds
			armed := make(chan struct{})
			require.NoError(t, l.Post(func() { f.failFD, f.failErr = fd, tc.err; close(armed) }))
			<-armed
			victim.Write([]byte("trigger"))
			ev := rec.nextClose(t)
			require.Equal(t, fd, ev.c.Fd())
			require.ErrorIs(t, ev.err, syscall.Errno(tc.err))
			require.Equal(t, []byte("others fine"), roundTrip(t, other, []byte("others fine")))
		})
	}
}
