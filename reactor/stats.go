package reactor

// Stats are a loop's counters, as of its latest wait. Apart from
// Conns, Lingering, Buffered and TLSRunning they only grow.
type Stats struct {
	Conns          int    // connections open now
	Accepted       uint64 // connections accepted
	Dialed         uint64 // connections started by Dial
	Closed         uint64 // connections closed, for any reason
	BytesIn        uint64 // bytes read from connections
	BytesOut       uint64 // bytes written to connections
	Reads          uint64 // read system calls
	Writes         uint64 // write and writev system calls
	Waits          uint64 // poller waits (epoll_wait, kevent, poll)
	Wakeups        uint64 // waits that returned with no fd ready: woken by Post or Stop, a timer, or a signal
	Posts          uint64 // posted functions run
	PartialWrites  uint64 // writes after which output was left over (the socket was full)
	WriteWaits     uint64 // times write interest was registered to wait for room
	ReadPauses     uint64 // times reading was paused because queued output passed the high watermark
	AcceptPauses   uint64 // times accepting was paused: out of fds (EMFILE, ENFILE) or memory, the poller refused, or accept failed unexpectedly
	Panics         uint64 // handler panics recovered
	Rejected       uint64 // accepted connections closed at once: past WithMaxConns, accepted while the loop stopped, or refused by the poller
	Lingering      int    // connections past OnClose, their FIN sent, waiting for the peer's FIN
	LingerTimeouts uint64 // lingering connections released because the peer's FIN did not come within the linger
	Buffered       int    // bytes held in connection buffers now (unconsumed input and queued output)
	PeakBuffered   int    // the most Buffered has been
	OutputDropped  uint64 // bytes of queued output dropped: see "Closing" in the package documentation for the causes
	TLSHandshakes  uint64 // TLS handshakes that succeeded
	TLSFailures    uint64 // TLS handshakes that failed, timed out, or ended with the peer's FIN
	TLSRunning     int    // TLS handshake goroutines now, working or waiting for their peers
	TLSPeakRunning int    // the most server handshakes that worked at once (WithMaxTLSHandshakes bounds it)

	PacketsIn        uint64 // datagrams received on packet sockets
	PacketsOut       uint64 // datagrams sent
	PacketReads      uint64 // receive system calls (recvmmsg takes a batch in one)
	PacketWrites     uint64 // send system calls (sendmmsg sends a batch in one)
	PacketsDropped   uint64 // datagrams refused because the send queue was full, dropped by Close, or for a unixgram destination with no room
	PacketsTruncated uint64 // datagrams larger than the read buffer, reported without their bytes
	PacketErrors     uint64 // errors reported to OnPacketError
}

// Indices of the counters in Loop.st and Loop.pub.
const (
	statConns = iota
	statAccepted
	statDialed
	statClosed
	statBytesIn
	statBytesOut
	statReads
	statWrites
	statWaits
	statWakeups
	statPosts
	statPartialWrites
	statWriteWaits
	statReadPauses
	statAcceptPauses
	statPanics
	statRejected
	statLingering
	statLingerTimeouts
	statBuffered
	statPeakBuffered
	statOutputDropped
	statTLSHandshakes
	statTLSFailures
	statTLSRunning
	statTLSPeak
	statPacketsIn
	statPacketsOut
	statPacketReads
	statPacketWrites
	statPacketsDropped
	statPacketsTruncated
	statPacketErrors
	nStats
)

// publish runs before every wait: the loop's plain counters are copied
// into atomics once per pass, so counting costs nothing per message and
// Stats is safe from any goroutine.
func (l *Loop) publish() {
	l.st[statConns] = uint64(l.conns)
	l.st[statLingering] = uint64(l.lingering)
	l.st[statBuffered] = uint64(l.held)
	l.st[statPeakBuffered] = uint64(l.peakHeld)
	for i := range l.st {
		l.pub[i].Store(l.st[i])
	}
}

// Stats returns the loop's counters as of its latest pass. It is safe from
// any goroutine.
func (l *Loop) Stats() Stats {
	g := func(i int) uint64 { return l.pub[i].Load() }
	return Stats{
		Conns:          int(g(statConns)),
		Accepted:       g(statAccepted),
		Dialed:         g(statDialed),
		Closed:         g(statClosed),
		BytesIn:        g(statBytesIn),
		BytesOut:       g(statBytesOut),
		Reads:          g(statReads),
		Writes:         g(statWrites),
		Waits:          g(statWaits),
		Wakeups:        g(statWakeups),
		Posts:          g(statPosts),
		PartialWrites:  g(statPartialWrites),
		WriteWaits:     g(statWriteWaits),
		ReadPauses:     g(statReadPauses),
		AcceptPauses:   g(statAcceptPauses),
		Panics:         g(statPanics),
		Rejected:       g(statRejected),
		Lingering:      int(g(statLingering)),
		LingerTimeouts: g(statLingerTimeouts),
		Buffered:       int(g(statBuffered)),
		PeakBuffered:   int(g(statPeakBuffered)),
		OutputDropped:  g(statOutputDropped),
		TLSHandshakes:  g(statTLSHandshakes),
		TLSFailures:    g(statTLSFailures),
		TLSRunning:     int(g(statTLSRunning)),
		TLSPeakRunning: int(g(statTLSPeak)),

		PacketsIn:        g(statPacketsIn),
		PacketsOut:       g(statPacketsOut),
		PacketReads:      g(statPacketReads),
		PacketWrites:     g(statPacketWrites),
		PacketsDropped:   g(statPacketsDropped),
		PacketsTruncated: g(statPacketsTruncated),
		PacketErrors:     g(statPacketErrors),
	}
}

// add adds the counters of s to st (for a Group's sum; PeakBuffered becomes
// the sum of the loops' peaks).
func (st *Stats) add(s Stats) {
	st.Conns += s.Conns
	st.Accepted += s.Accepted
	st.Dialed += s.Dialed
	st.Closed += s.Closed
	st.BytesIn += s.BytesIn
	st.BytesOut += s.BytesOut
	st.Reads += s.Reads
	st.Writes += s.Writes
	st.Waits += s.Waits
	st.Wakeups += s.Wakeups
	st.Posts += s.Posts
	st.PartialWrites += s.PartialWrites
	st.WriteWaits += s.WriteWaits
	st.ReadPauses += s.ReadPauses
	st.AcceptPauses += s.AcceptPauses
	st.Panics += s.Panics
	st.Rejected += s.Rejected
	st.Lingering += s.Lingering
	st.LingerTimeouts += s.LingerTimeouts
	st.Buffered += s.Buffered
	st.PeakBuffered += s.PeakBuffered
	st.OutputDropped += s.OutputDropped
	st.TLSHandshakes += s.TLSHandshakes
	st.TLSFailures += s.TLSFailures
	st.TLSRunning += s.TLSRunning
	st.TLSPeakRunning += s.TLSPeakRunning
	st.PacketsIn += s.PacketsIn
	st.PacketsOut += s.PacketsOut
	st.PacketReads += s.PacketReads
	st.PacketWrites += s.PacketWrites
	st.PacketsDropped += s.PacketsDropped
	st.PacketsTruncated += s.PacketsTruncated
	st.PacketErrors += s.PacketErrors
}
