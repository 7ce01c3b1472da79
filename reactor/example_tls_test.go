package reactor_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/goreactor/reactor/reactor"
)

// echoTLS echoes what it reads, and tells each client what was negotiated.
type echoTLS struct{}

func (echoTLS) OnOpen(c *reactor.Conn) {
	st, _ := c.ConnectionState() // the handshake is over when OnOpen runs
	fmt.Fprintf(c, "welcome, over %s\n", tls.VersionName(st.Version))
}

func (echoTLS) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	c.Write(p)
}

func (echoTLS) OnClose(c *reactor.Conn, err error) {}

// A TLS server on the loop: the same Handler as for plain TCP, with
// crypto/tls underneath. The certificate here is the package's example
// certificate, for 127.0.0.1.
func ExampleLoop_ListenTLS() {
	cert, err := tls.LoadX509KeyPair("testdata/example-cert.pem", "testdata/example-key.pem")
	if err != nil {
		panic(err)
	}
	loop, err := reactor.New(echoTLS{})
	if err != nil {
		panic(err)
	}
	addr, err := loop.ListenTLS("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		loop.Close()
		panic(err)
	}
	done := make(chan error)
	go func() { done <- loop.Run(context.Background()) }()

	pem, _ := os.ReadFile("testdata/example-cert.pem")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", addr.String(), &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS13})
	if err != nil {
		panic(err)
	}
	r := bufio.NewReader(conn)
	welcome, _ := r.ReadString('\n')
	fmt.Print(welcome)
	fmt.Fprint(conn, "secret\n")
	echo, _ := r.ReadString('\n')
	fmt.Print(echo)
	conn.Close()

	loop.Stop()
	fmt.Println("Run returned:", <-done)
	// Output:
	// welcome, over TLS 1.3
	// secret
	// Run returned: <nil>
}
