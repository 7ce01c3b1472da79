package reactor

import (
	"net"
	"strconv"
	"time"
)

// IPv6 zones. A link-local address needs its interface: the system gives
// and takes an index (sin6_scope_id), while Go's addresses carry the name
// (fe80::1%eth0). Asking the system for an interface's name or index is a
// netlink round trip on Linux (a sysctl elsewhere) and allocates, far too
// much for every datagram from or to such an address, so each loop
// remembers the answers (zoneCache). An interface can be renamed, or
// removed and its index given to another: the loop forgets all it knows
// every zoneCacheTTL, and when it holds maxZones answers (the names come
// from the handler's addresses too, so there is no telling how many).

// zoneCache is a loop's memory of the interfaces named by IPv6 zones.
type zoneCache struct {
	names   map[uint32]string // index -> the zone that names it
	indices map[string]uint32 // zone -> index, 0 for none
	since   time.Duration     // the loop's clock when the memory began

	// How an interface is looked up: net.InterfaceByIndex and
	// net.InterfaceByName unless a test counts the lookups.
	byIndex func(int) (*net.Interface, error)
	byName  func(string) (*net.Interface, error)
}

// Bounds of a loop's zone cache.
const (
	maxZones     = 256
	zoneCacheTTL = time.Minute
)

// fresh makes sure the cache may be used now, and that it has room for
// one more answer: a cache that is full or too old starts again empty.
func (zc *zoneCache) fresh(now time.Duration) {
	if zc.names == nil || now-zc.since > zoneCacheTTL || len(zc.names)+len(zc.indices) >= maxZones {
		zc.names = make(map[uint32]string)
		zc.indices = make(map[string]uint32)
		zc.since = now
	}
}

// zoneName returns the zone for interface index: the interface's name, or
// the index in decimal if the system knows no name for it (as the net
// package writes it); "" for index 0, which is no zone.
func (l *Loop) zoneName(index uint32) string {
	if index == 0 {
		return ""
	}
	zc := &l.zones
	if name, ok := zc.names[index]; ok && l.clock-zc.since <= zoneCacheTTL {
		return name
	}
	zc.fresh(l.clock)
	byIndex := zc.byIndex
	if byIndex == nil {
		byIndex = net.InterfaceByIndex
	}
	name := strconv.FormatUint(uint64(index), 10)
	if ifi, err := byIndex(int(index)); err == nil {
		name = ifi.Name
	}
	zc.names[index] = name
	return name
}

// zoneIndex returns the interface index a zone names: the interface of
// that name, or the zone read as a decimal index; 0 if it is neither.
func (l *Loop) zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	zc := &l.zones
	if index, ok := zc.indices[zone]; ok && l.clock-zc.since <= zoneCacheTTL {
		return index
	}
	zc.fresh(l.clock)
	byName := zc.byName
	if byName == nil {
		byName = net.InterfaceByName
	}
	index := lookupZone(zone, byName)
	zc.indices[zone] = index
	return index
}

// lookupZone returns the interface index a zone names, asking byName: the
// interface of that name, or the zone read as a decimal index; 0 if it is
// neither.
func lookupZone(zone string, byName func(string) (*net.Interface, error)) uint32 {
	if ifi, err := byName(zone); err == nil {
		return uint32(ifi.Index)
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	return 0
}
