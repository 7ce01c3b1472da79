package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// sockaddrToAddr converts a socket address from the system into the net.Addr
// a Go user expects; the loop names an IPv6 zone (zone.go).
func (l *Loop) sockaddrToAddr(sa unix.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port, Zone: l.zoneName(sa.ZoneId)}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}
	}
	return nil
}

// sockAddr is a resolved address to bind or connect to.
type sockAddr struct {
	family int
	sa     unix.Sockaddr
	tcp    bool
	v6only int // for AF_INET6: 1 for "tcp6", 0 for "tcp"
}

// resolve turns a network and address as given to Listen or Dial into a
// socket address. An empty host means every local address ("0.0.0.0" for
// "tcp" and "tcp4", "::" for "tcp6"). Names are resolved with the net
// package's resolver, which may block.
func resolve(network, address string) (sockAddr, error) {
	var (
		ipIP   net.IP
		port   int
		zone   string
		tcp    bool
		only6  = network == "tcp6" || network == "udp6"
		errRes error
	)
	switch network {
	case "tcp", "tcp4", "tcp6":
		var ta *net.TCPAddr
		if ta, errRes = net.ResolveTCPAddr(network, address); errRes == nil {
			ipIP, port, zone, tcp = ta.IP, ta.Port, ta.Zone, true
		}
	case "udp", "udp4", "udp6":
		var ua *net.UDPAddr
		if ua, errRes = net.ResolveUDPAddr(network, address); errRes == nil {
			ipIP, port, zone = ua.IP, ua.Port, ua.Zone
		}
	case "unix", "unixgram":
		if address == "" {
			return sockAddr{}, fmt.Errorf("%w: empty unix socket path", ErrAddress)
		}
		return sockAddr{family: unix.AF_UNIX, sa: &unix.SockaddrUnix{Name: address}}, nil
	default:
		return sockAddr{}, fmt.Errorf("%w: %q", ErrNetwork, network)
	}
	var addrErr *net.AddrError
	switch {
	case errors.As(errRes, &addrErr):
		// No address of the network's family, a missing port, ...
		return sockAddr{}, fmt.Errorf("%w: %w", ErrAddress, errRes)
	case errRes != nil:
		return sockAddr{}, errRes
	}
	ip, _ := netip.AddrFromSlice(ipIP)
	ip = ip.Unmap()
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
		if only6 {
			ip = netip.IPv6Unspecified()
		}
	}
	if ip.Is4() && !only6 {
		return sockAddr{family: unix.AF_INET, tcp: tcp,
			sa: &unix.SockaddrInet4{Port: port, Addr: ip.As4()}}, nil
	}
	if ip.Is4() {
		return sockAddr{}, fmt.Errorf("%w: %s address %s is IPv4", ErrAddress, network, address)
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
	if zone != "" {
		sa.ZoneId = lookupZone(zone, net.InterfaceByName)
	}
	v6only := 0
	if only6 {
		v6only = 1
	}
	return sockAddr{family: unix.AF_INET6, tcp: tcp, sa: sa, v6only: v6only}, nil
}

// resolveStream is resolve for the networks of Listen and Dial; the
// datagram ones are for ListenPacket and DialPacket.
func resolveStream(network, address string) (sockAddr, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
		return resolve(network, address)
	case "udp", "udp4", "udp6", "unixgram":
		return sockAddr{}, fmt.Errorf("%w: %q is a datagram network: use ListenPacket or DialPacket", ErrNetwork, network)
	}
	return sockAddr{}, fmt.Errorf("%w: %q", ErrNetwork, network)
}
