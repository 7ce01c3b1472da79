package http1

import (
	"time"

	"github.com/goreactor/reactor/reactor"
)

// httpDate is the layout of the Date field: IMF-fixdate (RFC 9110 §5.6.7).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateField is one loop's value of the Date field: formatted once a second
// by a timer of the loop, not once per response. The timer runs only while
// the loop serves: a tick that finds that nothing was served since the
// tick before stops it, and the next serve formats the date anew and
// starts it again, so an idle loop is not woken for a clock nobody reads.
type dateField struct {
	now     func() time.Time
	value   []byte         // the date, formatted
	timer   *reactor.Timer // made by the first use
	running bool           // the timer is armed
	used    bool           // the value was used since the last tick
	gen     uint64         // counts the values formatted: a head made with one is stale after
}

// use readies the value for the responses about to be written on loop l:
// if the timer is not running, the date is formatted anew and the timer
// started.
func (d *dateField) use(l *reactor.Loop) {
	d.used = true
	if d.running {
		return
	}
	d.running = true
	next := d.refresh()
	if d.timer == nil {
		d.timer = l.AfterFunc(next, d.tick)
		return
	}
	d.timer.Reset(next)
}

// tick is the timer's function: format the new second's date and re-arm,
// unless the value went unused for the last second.
func (d *dateField) tick() {
	if !d.used {
		d.running = false
		return
	}
	d.used = false
	d.timer.Reset(d.refresh())
}

// refresh formats the date of now, in place, and returns how long until
// the next second begins: the timer's next wait, so that the value changes
// when the clock's second does.
func (d *dateField) refresh() time.Duration {
	t := d.now().UTC()
	d.value = t.AppendFormat(d.value[:0], httpDate)
	d.gen++
	return time.Second - time.Duration(t.Nanosecond())
}
