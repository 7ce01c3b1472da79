// Package loopback keeps the peer servers on this machine: they exist
// for load tests, which stay on it.
package loopback

import (
	"errors"
	"net"
)

// Check refuses an address whose host is not a loopback IP (a host name,
// localhost included, or an empty host, which would mean every address).
func Check(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errors.New("refusing to listen on " + addr + ": the host must be a loopback IP such as 127.0.0.1")
	}
	return nil
}
