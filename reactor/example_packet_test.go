package reactor_test

import (
	"bytes"
	"context"
	"fmt"
	"net"

	"github.com/goreactor/reactor/reactor"
)

// upperUDP answers each datagram with the same bytes in upper case. It
// serves no stream, so its Handler methods do nothing.
type upperUDP struct{}

func (upperUDP) OnPacket(pc *reactor.PacketConn, p *reactor.Packet) {
	pc.Reply(p, bytes.ToUpper(p.Data)) // copied into the send queue
}

func (upperUDP) OnPacketError(pc *reactor.PacketConn, err error) {}

func (upperUDP) OnOpen(c *reactor.Conn)             {}
func (upperUDP) OnData(c *reactor.Conn)             {}
func (upperUDP) OnClose(c *reactor.Conn, err error) {}

// A UDP server: OnPacket is called once per datagram, and the replies of a
// pass leave together at its end.
func ExampleLoop_ListenPacket() {
	loop, err := reactor.New(upperUDP{})
	if err != nil {
		panic(err)
	}
	pc, err := loop.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		loop.Close()
		panic(err)
	}
	addr := pc.LocalAddr() // before Run: then pc belongs to the loop's goroutine
	done := make(chan error)
	go func() { done <- loop.Run(context.Background()) }()

	conn, err := net.Dial("udp", addr.String())
	if err != nil {
		panic(err)
	}
	conn.Write([]byte("datagram"))
	buf := make([]byte, 64)
	n, _ := conn.Read(buf)
	fmt.Println(string(buf[:n]))
	conn.Close()

	loop.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// DATAGRAM
	// Run returned: <nil>
}
