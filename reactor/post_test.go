package reactor

import (
	"sync"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPostFromManyGoroutines: posts from many goroutines all run, on the
// loop, each goroutine's in the order it posted them.
func TestPostFromManyGoroutines(t *testing.T) {
	pollers(t, func(t *testing.T, opt Option) {
		l, _ := serve(t, newRecorder(t), opt)
		const goroutines, posts = 8, 1000
		var seen [goroutines][]int // owned by the loop
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range posts {
					assert.NoError(t, l.Post(func() { seen[g] = append(seen[g], i) }))
				}
			}()
		}
		wg.Wait()
		result := make(chan [goroutines][]int, 1)
		require.NoError(t, l.Post(func() { result <- seen }))
		var got [goroutines][]int
		select {
		case got = <-result:
		case <-time.After(testkit.Limit):
			t.Fatal("posted function did not run")
		}
		for g := range goroutines {
			require.Len(t, got[g], posts)
			for i, v := range got[g] {
				require.Equal(t, i, v, "goroutine %d: posts out of order", g)
			}
		}
		require.GreaterOrEqual(t, l.Stats().Posts, uint64(goroutines*posts+1))
	})
}

// TestPostReleasesBurst: a burst of posts queued behind a busy loop does
// not keep its memory for the life of the loop.
func TestPostReleasesBurst(t *testing.T) {
	l, _ := serve(t, newRecorder(t))
	hold := make(chan struct{})
	require.NoError(t, l.Post(func() { <-hold }))
	const burst = 1 << 20
	ran := 0
	for range burst {
		require.NoError(t, l.Post(func() { ran++ }))
	}
	close(hold)
	caps := make(chan int, 1)
	// Two passes later both of the loop's task arrays have been through a
	// pass since the burst.
	require.NoError(t, l.Post(func() {
		assert.NoError(t, l.Post(func() {
			l.mu.Lock()
			caps <- cap(l.tasks) + cap(l.spare)
			l.mu.Unlock()
		}))
	}))
	require.LessOrEqual(t, <-caps, 2*maxSpareTasks)
	require.NoError(t, l.Post(func() { caps <- ran }))
	require.Equal(t, burst, <-caps)
}
