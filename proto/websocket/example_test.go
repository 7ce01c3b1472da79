package websocket_test

import (
	"bytes"
	"fmt"

	"github.com/goreactor/reactor/proto/websocket"
)

// output is an Output of bounded room, as a connection's is.
type output struct {
	bytes.Buffer
	room int
}

func (o *output) Available() int { return o.room - o.Len() }

// A server reads what a client sent, where it lies in the connection's
// input (on a reactor loop, c.Peek(0)): a text message in two fragments
// with a ping between them, then a close frame. Each payload is unmasked
// in place and each piece of text validated as it comes; the server
// answers the ping and the close with a FrameWriter. Consuming is
// advancing in; on a loop it is c.Discard(n).
func Example() {
	// The client's frames.
	var (
		client websocket.FrameWriter
		sent   = &output{room: 1 << 10}
		key    = [4]byte{0x37, 0xfa, 0x21, 0x3d}
	)
	client.WriteFrame(sent, false, false, websocket.Text, []byte("Hello, "), &key)
	client.WriteFrame(sent, true, false, websocket.Ping, []byte("are you there?"), &key)
	client.WriteFrame(sent, true, false, websocket.Continuation, []byte("κόσμε"), &key)
	client.WriteClose(sent, websocket.CloseNormal, "done", &key)

	var (
		server     websocket.FrameWriter
		answers    = &output{room: 1 << 10}
		in         = sent.Bytes()
		fragmented bool                // a message waits for its continuation
		text       websocket.UTF8State // the validation of that message
	)
	for len(in) > 0 {
		h, n, err := websocket.ParseHeader(in, 0)
		if err == nil {
			err = h.CheckMasking(true)
		}
		if err == nil {
			err = h.CheckSequence(fragmented)
		}
		if err != nil {
			server.WriteClose(answers, websocket.CloseCodeOf(err), err.Error(), nil)
			return
		}
		if n == 0 || int64(len(in)-n) < h.Length {
			return // wait for the rest of the frame
		}
		payload := in[n : n+int(h.Length)]
		websocket.MaskBytes(h.Mask, 0, payload) // in place: no copy
		switch h.Opcode {
		case websocket.Ping:
			server.WriteFrame(answers, true, false, websocket.Pong, payload, nil)
			fmt.Printf("ping %q\n", payload)
		case websocket.Close:
			code, reason, _ := websocket.ParseClose(payload)
			server.WriteClose(answers, code, "", nil)
			fmt.Printf("close %d %q\n", code, reason)
		default: // text, as this client sends no binary message
			var ok bool
			if text, ok = websocket.ValidateUTF8(text, payload); !ok {
				return // close with websocket.ErrInvalidUTF8
			}
			fragmented = !h.Fin
			fmt.Printf("%v %q\n", h.Opcode, payload)
			if h.Fin {
				fmt.Println("end of message, valid UTF-8:", text.Complete())
				text = 0
			}
		}
		in = in[n+int(h.Length):]
	}
	fmt.Printf("answers: % x\n", answers.Bytes())
	// Output:
	// text "Hello, "
	// ping "are you there?"
	// continuation "κόσμε"
	// end of message, valid UTF-8: true
	// close 1000 "done"
	// answers: 8a 0e 61 72 65 20 79 6f 75 20 74 68 65 72 65 3f 88 02 03 e8
}

// A server checks a client's upgrade request and builds the fields of its
// answer from the request's fields, as the HTTP layer hands them over.
func Example_handshake() {
	var (
		connection = []byte("keep-alive, Upgrade")
		upgrade    = []byte("websocket")
		key        = []byte("dGhlIHNhbXBsZSBub25jZQ==")
		version    = []byte("13")
		protocols  = []byte("chat, superchat")
		extensions = []byte("permessage-deflate; client_max_window_bits")
	)
	if !websocket.HasToken(connection, "upgrade") || !websocket.HasToken(upgrade, "websocket") {
		fmt.Println("400: not an upgrade")
		return
	}
	if err := websocket.CheckVersion(version); err != nil {
		fmt.Println("426, Sec-WebSocket-Version: 13")
		return
	}
	if err := websocket.CheckKey(key); err != nil {
		fmt.Println("400:", err)
		return
	}
	fmt.Println("HTTP/1.1 101 Switching Protocols")
	fmt.Println("Upgrade: websocket")
	fmt.Println("Connection: Upgrade")
	fmt.Printf("Sec-WebSocket-Accept: %s\n", websocket.AppendAcceptKey(nil, key))
	if p := websocket.SelectProtocol([]string{"superchat", "chat"}, protocols); p != "" {
		fmt.Println("Sec-WebSocket-Protocol:", p)
	}
	if ext, ok := websocket.NegotiateDeflate(extensions); ok {
		fmt.Println("Sec-WebSocket-Extensions:", ext)
	}
	// Output:
	// HTTP/1.1 101 Switching Protocols
	// Upgrade: websocket
	// Connection: Upgrade
	// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
	// Sec-WebSocket-Protocol: superchat
	// Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover
}
