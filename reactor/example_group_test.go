package reactor_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/goreactor/reactor/reactor"
)

// room is one loop's part of a chat room: the members connected to that
// loop. A line from any member reaches every loop's members through
// Group.PostAll; no lock is needed, since each loop touches only its own.
type room struct {
	rooms   []*room // every loop's part, by loop index
	members map[*reactor.Conn]bool
}

func (r *room) OnOpen(c *reactor.Conn)           { r.members[c] = true }
func (r *room) OnClose(c *reactor.Conn, _ error) { delete(r.members, c) }

func (r *room) OnData(c *reactor.Conn) {
	line, _ := c.Next(0)
	msg := strings.ToUpper(string(line)) // copied: line is valid only during OnData
	c.Loop().Group().PostAll(func(i int) {
		for m := range r.rooms[i].members {
			m.WriteString(msg)
		}
	})
}

// A Group runs one loop per core (two here); each loop has its own handler
// and connections. Here the handlers are the parts of a chat room.
func ExampleGroup() {
	rooms := make([]*room, 2)
	g, err := reactor.NewGroup(func(i int) reactor.Handler {
		rooms[i] = &room{rooms: rooms, members: map[*reactor.Conn]bool{}}
		return rooms[i]
	}, reactor.WithLoops(2), reactor.WithAcceptMode(reactor.AcceptHandoff))
	if err != nil {
		panic(err)
	}
	addr, err := g.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.Close()
		panic(err)
	}
	done := make(chan error)
	go func() { done <- g.Run(context.Background()) }()

	// Each says who is there and waits for the room to say it back: then
	// it is a member, on whichever loop it was handed to.
	join := func(name string) (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			panic(err)
		}
		r := bufio.NewReader(c)
		fmt.Fprintf(c, "%s here\n", name)
		readUntil(r, strings.ToUpper(name)+" HERE\n")
		return c, r
	}
	alice, _ := join("alice")
	bob, fromRoom := join("bob")
	fmt.Fprint(alice, "hi bob\n")
	fmt.Print("bob got: ", readUntil(fromRoom, "HI BOB\n"))
	alice.Close()
	bob.Close()
	g.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// bob got: HI BOB
	// Run returned: <nil>
}

// readUntil reads lines from r until want comes, and returns it.
func readUntil(r *bufio.Reader, want string) string {
	for {
		line, err := r.ReadString('\n')
		if err != nil || line == want {
			return line
		}
	}
}
