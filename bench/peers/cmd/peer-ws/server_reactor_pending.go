//go:build !wsconn

// Until proto/websocket's connection layer is on main (branch ws-conn),
// the reactor server is server_reactor.go, built with -tags wsconn; this
// file goes when it is.

package main

import (
	"context"
	"errors"
	"net"
)

// reactorReady says whether the reactor server is built; the tests skip
// it while it is not.
const reactorReady = false

// errReactorPending is the reactor server's error while proto/websocket
// has no Upgrader.
var errReactorPending = errors.New("the reactor server needs proto/websocket's Upgrader (branch ws-conn): build with -tags wsconn once it is merged")

func serveReactor(context.Context, string, *keyPair, func(net.Addr)) error { return errReactorPending }
