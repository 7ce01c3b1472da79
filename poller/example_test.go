package poller_test

import (
	"fmt"
	"time"

	"github.com/goreactor/reactor/poller"
	"golang.org/x/sys/unix"
)

// A pipe's read end becomes readable once something is written to the other
// end.
func Example() {
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		panic(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	unix.SetNonblock(fds[0], true)

	p, err := poller.New()
	if err != nil {
		panic(err)
	}
	defer p.Close()
	if err := p.Add(fds[0], poller.Read); err != nil {
		panic(err)
	}

	var ready poller.Ready
	p.Wait(0, &ready)
	fmt.Println("before write, readable fds:", len(ready.Read))

	unix.Write(fds[1], []byte("hello"))
	p.Wait(time.Second, &ready)
	fmt.Println("after write, pipe readable:", len(ready.Read) == 1 && ready.Read[0] == fds[0])
	// Output:
	// before write, readable fds: 0
	// after write, pipe readable: true
}
