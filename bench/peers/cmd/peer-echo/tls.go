package main

import (
	"context"
	"net"
	"sort"
	"strings"

	"github.com/goreactor/reactor/bench/peers/internal/keypair"
)

// tlsServeFunc is serveFunc over TLS, with the server's key pair.
type tlsServeFunc func(ctx context.Context, addr string, kp *keypair.KeyPair, ready func(net.Addr)) error

var tlsServers = map[string]tlsServeFunc{
	"net":     serveNetTLS,
	"reactor": serveReactorTLS,
	"nbio":    serveNbioTLS,
}

func tlsNames() string {
	var s []string
	for n := range tlsServers {
		s = append(s, n)
	}
	sort.Strings(s)
	return strings.Join(s, " | ")
}
