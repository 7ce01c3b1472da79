package reactor

import (
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// sockaddrToAddr converts a socket address from the system into the net.Addr
// a Go user expects.
func sockaddrToAddr(sa unix.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		addr := &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				addr.Zone = ifi.Name
			}
		}
		return addr
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
	switch network {
	case "tcp", "tcp4", "tcp6":
		ta, err := net.ResolveTCPAddr(network, address)
		if err != nil {
			return sockAddr{}, err
		}
		ip, _ := netip.AddrFromSlice(ta.IP)
		ip = ip.Unmap()
		if !ip.IsValid() {
			ip = netip.IPv4Unspecified()
			if network == "tcp6" {
				ip = netip.IPv6Unspecified()
			}
		}
		if ip.Is4() && network != "tcp6" {
			return sockAddr{family: unix.AF_INET, tcp: true,
				sa: &unix.SockaddrInet4{Port: ta.Port, Addr: ip.As4()}}, nil
		}
		if ip.Is4() {
			return sockAddr{}, fmt.Errorf("reactor: %s address %s is IPv4", network, address)
		}
		sa := &unix.SockaddrInet6{Port: ta.Port, Addr: ip.As16()}
		if ta.Zone != "" {
			if ifi, err := net.InterfaceByName(ta.Zone); err == nil {
				sa.ZoneId = uint32(ifi.Index)
			}
		}
		v6only := 0
		if network == "tcp6" {
			v6only = 1
		}
		return sockAddr{family: unix.AF_INET6, tcp: true, sa: sa, v6only: v6only}, nil
	case "unix":
		if address == "" {
			return sockAddr{}, fmt.Errorf("reactor: empty unix socket path")
		}
		return sockAddr{family: unix.AF_UNIX, sa: &unix.SockaddrUnix{Name: address}}, nil
	}
	return sockAddr{}, fmt.Errorf("%w: %q", ErrNetwork, network)
}
