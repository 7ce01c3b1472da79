package http1

import (
	"time"

	"github.com/goreactor/reactor/reactor"
)

// httpDate is the layout of the Date field: IMF-fixdate (RFC 9110 §5.6.7).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateField is one loop's value of the Date field: formatted once a second
// by a timer of the loop, not once per response. The timer runs only while
// the loop has connections, so an idle loop is not woken for a clock
// nobody reads; the first connection after a pause formats the date anew.
type dateField struct {
	now     func() time.Time
	value   []byte         // the date, formatted
	timer   *reactor.Timer // made by the first open
	conns   int            // connections open on the loop
	running bool           // the timer is armed
}

// open counts a connection opened on loop l, and starts the timer if it
// is not running.
func (d *dateField) open(l *reactor.Loop) {
	d.conns++
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

// close counts a connection closed: the timer stops at its next tick if
// none is left.
func (d *dateField) close() { d.conns-- }

// tick is the timer's function: format the new second's date and re-arm.
func (d *dateField) tick() {
	if d.conns == 0 {
		d.running = false
		return
	}
	d.timer.Reset(d.refresh())
}

// refresh formats the date of now, in place, and returns how long until
// the next second begins: the timer's next wait, so that the value changes
// when the clock's second does.
func (d *dateField) refresh() time.Duration {
	t := d.now().UTC()
	d.value = t.AppendFormat(d.value[:0], httpDate)
	return time.Second - time.Duration(t.Nanosecond())
}
