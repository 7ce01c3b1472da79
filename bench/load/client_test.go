package load

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeConn collects what a client writes.
type fakeConn struct {
	out    []byte
	closed bool
}

func (f *fakeConn) Write(p []byte) (int, error) { f.out = append(f.out, p...); return len(p), nil }
func (f *fakeConn) Close() error                { f.closed = true; return nil }

// newTestEngine returns an engine in its measured window with one open
// client on a fake connection, and that client.
func newTestEngine(t testing.TB, size, depth int) (*engine, *client, *fakeConn) {
	cfg, err := Config{Size: size, Depth: depth, Conns: 3}.withDefaults()
	require.NoError(t, err)
	e := newEngine(cfg, false)
	e.phase = measuring
	f := &fakeConn{out: make([]byte, 0, 4*size*depth)}
	cl := &e.clients[1]
	cl.c, cl.state = f, open
	return e, cl, f
}

func TestPatternDiffers(t *testing.T) {
	p := newPattern(16)
	// A connection's messages repeat only every span messages, so a lost or
	// repeated message shows; at the same point of their streams, two
	// connections send different bytes.
	for id := range uint64(3) {
		seen := map[string]bool{}
		for seq := range uint64(span) {
			m := string(p.message(id, seq))
			require.Len(t, m, 16)
			require.False(t, seen[m], "connection %d message %d repeats an earlier one", id, seq)
			seen[m] = true
		}
	}
	for seq := range uint64(100) {
		require.NotEqual(t, p.message(0, seq), p.message(1, seq))
	}
}

// TestReceiveAnyChunking echoes what the client sent in random pieces, and
// checks that every message completes once, in order, with no error.
func TestReceiveAnyChunking(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ size, depth int }{{1, 1}, {64, 1}, {64, 16}, {1000, 3}} {
		e, cl, f := newTestEngine(t, tc.size, tc.depth)
		e.refill(cl, 0)
		require.Equal(t, uint64(tc.depth), cl.sent)
		for cl.done < 500 {
			in := bytes.Clone(f.out)
			f.out = f.out[:0]
			for len(in) > 0 {
				n := min(len(in), 1+r.IntN(2*tc.size))
				require.NoError(t, e.receive(cl, in[:n], 1))
				in = in[n:]
			}
			require.Equal(t, cl.done+uint64(tc.depth), cl.sent, "depth kept")
		}
		require.Equal(t, cl.done, e.msgs)
		require.Equal(t, tc.depth, e.inflight)
	}
}

func TestReceiveDetectsCorruption(t *testing.T) {
	e, cl, f := newTestEngine(t, 64, 4)
	e.refill(cl, 0)
	in := bytes.Clone(f.out)
	in[100] ^= 0x20
	err := e.receive(cl, in, 1)
	require.ErrorContains(t, err, "message 1, byte 36")
	require.Equal(t, uint64(1), cl.done)
}

func TestReceiveDetectsReorder(t *testing.T) {
	e, cl, f := newTestEngine(t, 8, 2)
	e.refill(cl, 0)
	in := append(bytes.Clone(f.out[8:16]), f.out[:8]...)
	require.ErrorContains(t, e.receive(cl, in, 1), "message 0")
}

func TestReceiveDetectsExtraBytes(t *testing.T) {
	e, cl, f := newTestEngine(t, 8, 1)
	e.refill(cl, 0)
	e.send(cl, 0)
	e.phase = connecting // no more sends
	in := append(bytes.Clone(f.out), 'x')
	require.ErrorContains(t, e.receive(cl, in, 1), "1 bytes more than were sent")
}

func TestFailClosesTheConnection(t *testing.T) {
	e, cl, f := newTestEngine(t, 8, 1)
	e.refill(cl, 0)
	e.fail(cl, "echo", bytes.ErrTooLarge)
	require.True(t, f.closed)
	require.Equal(t, uint64(1), e.errors)
	require.Zero(t, e.inflight)
	e.fail(cl, "echo", bytes.ErrTooLarge)
	require.Equal(t, uint64(1), e.errors, "counted once")
}

// messageCycle echoes everything the client has written back to it, in one
// piece: one round of the per-message path (check, record, send the next).
func messageCycle(e *engine, cl *client, f *fakeConn, spare *[]byte, now int64) {
	in := f.out
	f.out = (*spare)[:0]
	if err := e.receive(cl, in, now); err != nil {
		panic(err)
	}
	*spare = in
}

// TestMessagePathAllocs: checking an echo, recording its latency and
// sending the next message allocate nothing (house rule 7).
func TestMessagePathAllocs(t *testing.T) {
	for _, depth := range []int{1, 16} {
		e, cl, f := newTestEngine(t, 64, depth)
		e.refill(cl, 0)
		spare := make([]byte, 0, cap(f.out))
		now := int64(0)
		allocs := testing.AllocsPerRun(1000, func() {
			now += 1000
			messageCycle(e, cl, f, &spare, now)
		})
		require.Zero(t, allocs, "depth %d", depth)
	}
}

// BenchmarkMessagePath measures the load generator's own work per message,
// without the system calls: check the echo, record the latency, write the
// next message.
func BenchmarkMessagePath(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"64B", 64}, {"64KiB", 64 << 10}} {
		size := bc.size
		b.Run(bc.name, func(b *testing.B) {
			e, cl, f := newTestEngine(b, size, 16)
			e.refill(cl, 0)
			spare := make([]byte, 0, cap(f.out))
			b.ReportAllocs()
			b.SetBytes(int64(16 * size))
			now := int64(0)
			for b.Loop() {
				now += 1000
				messageCycle(e, cl, f, &spare, now) // 16 messages
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(e.msgs), "ns/msg")
		})
	}
}
