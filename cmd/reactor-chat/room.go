package main

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/goreactor/reactor/proto/websocket"
	"github.com/goreactor/reactor/reactor"
)

// room is the chat room, over the loops of a group: each loop keeps the
// members connected to it, and a line said by one member reaches every
// loop through Group.PostAll, where each loop writes it to its own
// members. Only the registry of names is shared, under a lock, touched
// when a member joins or leaves.
type room struct {
	g       *reactor.Group
	loops   []*loopMembers // one per loop, each touched only on its loop
	maxName int

	mu    sync.Mutex
	names map[string]bool // the names in use, on every loop
}

// loopMembers are the members connected to one loop.
type loopMembers struct {
	members map[*websocket.Conn]bool
}

// member is a connection's Context: its name in the room.
type member struct {
	name string
}

func newRoom(loops, maxName int) *room {
	r := &room{loops: make([]*loopMembers, loops), maxName: maxName, names: map[string]bool{}}
	for i := range r.loops {
		r.loops[i] = &loopMembers{members: map[*websocket.Conn]bool{}}
	}
	return r
}

// checkName returns the name a client asked for, trimmed, or why it
// cannot have it: empty, longer than maxName bytes, not UTF-8 or with
// control characters.
func (r *room) checkName(name []byte) (string, string) {
	n := strings.TrimSpace(string(name))
	switch {
	case n == "":
		return "", "a nickname is needed"
	case len(n) > r.maxName:
		return "", "nickname too long (at most " + strconv.Itoa(r.maxName) + " bytes)"
	case !utf8.ValidString(n) || strings.IndexFunc(n, unicode.IsControl) >= 0:
		return "", "nickname with invalid characters"
	}
	return n, ""
}

// claim returns name, or name with a number after it if it is taken, and
// registers it.
func (r *room) claim(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	unique := name
	for i := 2; r.names[unique]; i++ {
		unique = name + strconv.Itoa(i)
	}
	r.names[unique] = true
	return unique
}

// release frees a member's name.
func (r *room) release(name string) {
	r.mu.Lock()
	delete(r.names, name)
	r.mu.Unlock()
}

// broadcast sends line to every member on every loop.
func (r *room) broadcast(line string) {
	msg := []byte(line) // shared by the loops, read only: WriteText copies it
	r.g.PostAll(func(i int) {
		for c := range r.loops[i].members {
			if err := c.WriteText(msg); err != nil {
				c.Close(websocket.CloseTryAgainLater, "too slow to read the room")
			}
		}
	})
}

// OnOpen: a member joins, under its own name or one made unique; a name
// refused closes the connection with 1008 (policy) and the reason.
func (r *room) OnOpen(c *websocket.Conn) {
	m, ok := c.Context().(*member)
	if !ok {
		c.Close(websocket.ClosePolicyViolation, c.Context().(string))
		return
	}
	m.name = r.claim(m.name)
	r.loops[c.Loop().Index()].members[c] = true
	r.broadcast("* " + m.name + " joined")
}

// OnMessage: a member's line goes to everyone; binary messages are not
// for this room (1003).
func (r *room) OnMessage(c *websocket.Conn, op websocket.Opcode, data []byte) {
	if op != websocket.Text {
		c.Close(websocket.CloseUnsupportedData, "text only")
		return
	}
	r.broadcast(c.Context().(*member).name + ": " + string(data))
}

// OnClose: a member leaves (a message too long, the idle timeout, the
// page closed), and the others hear of it.
func (r *room) OnClose(c *websocket.Conn, code uint16, err error) {
	m, ok := c.Context().(*member)
	if !ok {
		return
	}
	lm := r.loops[c.Loop().Index()]
	if !lm.members[c] {
		return
	}
	delete(lm.members, c)
	r.release(m.name)
	r.broadcast("* " + m.name + " left")
}
