package poller

import (
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The tests of this file check the front end: the part of the contract that
// is the same for every mechanism, and that reaches the kernel only for a
// change.

// mechanisms lists the mechanisms that run on this system, as backends()
// lists the constructors of the pollers over them.
func mechanisms() []struct {
	name string
	open newMechanism
} {
	return []struct {
		name string
		open newMechanism
	}{{"best", newBest}, {"poll", newPoll}}
}

// countingMechanism passes every call on to a mechanism and counts the calls
// that can make a system call.
type countingMechanism struct {
	mechanism
	calls int
}

func (c *countingMechanism) control(fd int, old, in Interest) error {
	c.calls++
	return c.mechanism.control(fd, old, in)
}

func (c *countingMechanism) wait(timeout time.Duration, r *Ready) (bool, error) {
	c.calls++
	return c.mechanism.wait(timeout, r)
}

func (c *countingMechanism) signal() error {
	c.calls++
	return c.mechanism.signal()
}

func (c *countingMechanism) close() error {
	c.calls++
	return c.mechanism.close()
}

// openCounting opens a poller over the mechanism newM opens, counting the
// calls the front end makes to it. The poller is closed when the test ends.
func openCounting(t *testing.T, newM newMechanism) (Poller, *countingMechanism) {
	t.Helper()
	var c *countingMechanism
	p := openPoller(t, func() (Poller, error) {
		return open(func(reg *registry) (mechanism, error) {
			m, err := newM(reg)
			if err != nil {
				return nil, err
			}
			c = &countingMechanism{mechanism: m}
			return c, nil
		})
	})
	return p, c
}

// TestModifyUnchanged checks that a Modify with the interest already
// registered succeeds without reaching the mechanism (so without a system
// call), and changes nothing in what Wait reports; likewise an Add or a
// Remove of an fd with no interest.
func TestModifyUnchanged(t *testing.T) {
	for _, m := range mechanisms() {
		t.Run(m.name, func(t *testing.T) {
			testkit.CheckFDs(t)
			p, c := openCounting(t, m.open)
			a, b := socketpair(t)
			writeAll(t, b, []byte("x")) // a is readable and writable
			unchanged := func(in Interest) {
				t.Helper()
				before := c.calls
				require.NoError(t, p.Modify(a, in), "Modify(%q) over %q", in, in)
				require.Equal(t, before, c.calls, "Modify(%q) over %q reached the mechanism", in, in)
			}

			require.NoError(t, p.Add(a, Read))
			unchanged(Read)
			r := waitFor(t, p)
			require.Equal(t, []int{a}, r.Read)
			require.Empty(t, r.Write)

			require.NoError(t, p.Modify(a, Read|Write))
			unchanged(Read | Write)
			r = waitFor(t, p)
			require.Equal(t, []int{a}, r.Read)
			require.Equal(t, []int{a}, r.Write)

			require.NoError(t, p.Modify(a, 0))
			unchanged(0)
			r = wait(t, p, 0)
			require.Empty(t, r.Read, "no interest, no report")
			require.Empty(t, r.Write)

			before := c.calls
			require.NoError(t, p.Remove(a), "an fd with no interest")
			require.NoError(t, p.Add(a, 0))
			require.NoError(t, p.Remove(a))
			require.Equal(t, before, c.calls, "an fd with no interest is not in the kernel's set")
		})
	}
}

// frontEndCase is one call the front end refuses, whatever the mechanism.
type frontEndCase struct {
	call string
	do   func(p Poller, a int) error
	want error
}

// refusedUnregistered lists calls refused on an open poller where fd a is
// not registered.
var refusedUnregistered = []frontEndCase{
	{"Remove(a)", func(p Poller, a int) error { return p.Remove(a) }, ErrNotRegistered},
	{"Modify(a, Read)", func(p Poller, a int) error { return p.Modify(a, Read) }, ErrNotRegistered},
	{"Modify(a, 0)", func(p Poller, a int) error { return p.Modify(a, 0) }, ErrNotRegistered},
	{"Remove(-1)", func(p Poller, _ int) error { return p.Remove(-1) }, ErrNotRegistered},
	{"Modify(-1, Read)", func(p Poller, _ int) error { return p.Modify(-1, Read) }, ErrNotRegistered},
	{"Remove(123456)", func(p Poller, _ int) error { return p.Remove(123456) }, ErrNotRegistered},
	{"Add(-1, Read)", func(p Poller, _ int) error { return p.Add(-1, Read) }, unix.EBADF},
	{"Add(a, 4)", func(p Poller, a int) error { return p.Add(a, Interest(4)) }, ErrInterest},
	{"Modify(a, 4)", func(p Poller, a int) error { return p.Modify(a, Interest(4)) }, ErrInterest},
}

// refusedRegistered lists calls refused on an open poller where fd a is
// registered.
var refusedRegistered = []frontEndCase{
	{"Add(a, Read)", func(p Poller, a int) error { return p.Add(a, Read) }, ErrRegistered},
	{"Add(a, 0)", func(p Poller, a int) error { return p.Add(a, 0) }, ErrRegistered},
	{"Modify(a, 7)", func(p Poller, a int) error { return p.Modify(a, Interest(7)) }, ErrInterest},
}

// refusedClosed lists every method of a closed poller.
var refusedClosed = []frontEndCase{
	{"Add", func(p Poller, a int) error { return p.Add(a, Read) }, ErrClosed},
	{"Modify", func(p Poller, a int) error { return p.Modify(a, Read) }, ErrClosed},
	{"Remove", func(p Poller, a int) error { return p.Remove(a) }, ErrClosed},
	{"Wait", func(p Poller, _ int) error { var r Ready; return p.Wait(0, &r) }, ErrClosed},
	{"Wake", func(p Poller, _ int) error { return p.Wake() }, ErrClosed},
	{"Close", func(p Poller, _ int) error { return p.Close() }, ErrClosed},
}

// TestFrontEndErrors checks that every mechanism refuses the same calls with
// the same errors, word for word, and that a refused call does not reach the
// mechanism. The fd is the same for every mechanism, since the errors name it.
func TestFrontEndErrors(t *testing.T) {
	testkit.CheckFDs(t)
	a, _ := socketpair(t)
	var first []string // the error messages of the first mechanism
	for _, m := range mechanisms() {
		t.Run(m.name, func(t *testing.T) {
			p, c := openCounting(t, m.open)
			var got []string
			refuse := func(cases []frontEndCase) {
				t.Helper()
				for _, tc := range cases {
					before := c.calls
					err := tc.do(p, a)
					require.ErrorIs(t, err, tc.want, tc.call)
					require.Equal(t, before, c.calls, "the refused %s reached the mechanism", tc.call)
					got = append(got, tc.call+": "+err.Error())
				}
			}
			refuse(refusedUnregistered)
			require.NoError(t, p.Add(a, Read))
			refuse(refusedRegistered)
			require.NoError(t, p.Remove(a))
			refuse(refusedUnregistered[:1])
			require.NoError(t, p.Close())
			refuse(refusedClosed)
			if first == nil {
				first = got
				return
			}
			require.Equal(t, first, got, "the errors of %s differ from those of %s", m.name, mechanisms()[0].name)
		})
	}
}
