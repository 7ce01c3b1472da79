// Package websocket holds the protocol core of WebSocket (RFC 6455): the
// pure, allocation-free pieces that a connection on a reactor loop is
// built from. It reads and writes bytes that the caller owns and keeps no
// state between calls but what the caller hands back.
//
// # Masking
//
// MaskBytes masks and unmasks a payload in place, in pieces if it arrives
// in pieces.
package websocket
