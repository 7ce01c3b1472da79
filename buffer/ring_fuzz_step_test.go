package buffer

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzStep is one operation of a fuzz input being applied: the ring, the
// model, and the decoded operation with its argument read as a size
// (arg&0x1fff) and as a signed count (int16(arg)).
type fuzzStep struct {
	t      *testing.T
	r      *Ring
	m      *fuzzModel
	op     int
	arg    uint16
	size   int
	signed int
}

// step applies one operation to the ring and to the model and compares what
// the operation returned.
func step(t *testing.T, r *Ring, m *fuzzModel, op int, arg uint16) {
	s := &fuzzStep{t: t, r: r, m: m, op: op, arg: arg, size: int(arg & 0x1fff), signed: int(int16(arg))}
	switch op {
	case opWrite, opWriteString, opWriteByte:
		s.write()
	case opRead, opReadByte:
		s.read()
	case opPeek, opDiscard, opReadv, opWritev:
		s.view()
	case opGrow, opReset, opRelease, opSetMax:
		s.resize()
	case opReadFrom, opWriteTo:
		s.copyIO()
	}
}

// wantFull fails unless err is ErrFull when full is set, and nil otherwise.
func (s *fuzzStep) wantFull(err error, full bool) {
	s.t.Helper()
	if full != errors.Is(err, ErrFull) || (!full && err != nil) {
		s.t.Fatalf("op %d arg %d: err %v, want ErrFull %v", s.op, s.arg, err, full)
	}
}

// wantNext takes the next n bytes off the model and fails unless got
// equals them.
func (s *fuzzStep) wantNext(got []byte, n int) {
	s.t.Helper()
	if want := s.m.data.Next(n); !bytes.Equal(got, want) {
		s.t.Fatalf("op %d arg %d: read %x, want %x", s.op, s.arg, got, want)
	}
}

// write applies opWrite, opWriteString and opWriteByte.
func (s *fuzzStep) write() {
	t, r, m, size := s.t, s.r, s.m, s.size
	switch s.op {
	case opWrite, opWriteString:
		p := m.nextPattern(size)
		fits, full := m.room(size)
		var n int
		var err error
		if s.op == opWrite {
			n, err = r.Write(p)
		} else {
			n, err = r.WriteString(string(p))
		}
		s.wantFull(err, full)
		if n != fits {
			t.Fatalf("write of %d stored %d, want %d", size, n, fits)
		}
		m.data.Write(p[:n])
	case opWriteByte:
		c := m.nextPattern(1)[0]
		fits, full := m.room(1)
		s.wantFull(r.WriteByte(c), full)
		m.data.Write([]byte{c}[:fits])
	}
}

// read applies opRead and opReadByte.
func (s *fuzzStep) read() {
	t, r, m, size := s.t, s.r, s.m, s.size
	switch s.op {
	case opRead:
		p := make([]byte, size)
		n, err := r.Read(p)
		switch {
		case size == 0 && (n != 0 || err != nil):
			t.Fatalf("Read of 0 bytes: %d, %v", n, err)
		case size > 0 && m.data.Len() == 0 && (n != 0 || err != io.EOF):
			t.Fatalf("Read of empty ring: %d, %v", n, err)
		case size > 0 && m.data.Len() > 0 && (n != min(size, m.data.Len()) || err != nil):
			t.Fatalf("Read(%d) of %d bytes: %d, %v", size, m.data.Len(), n, err)
		}
		s.wantNext(p[:n], n)
	case opReadByte:
		c, err := r.ReadByte()
		if m.data.Len() == 0 {
			if err != io.EOF {
				t.Fatalf("ReadByte of empty ring: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ReadByte: %v", err)
		}
		s.wantNext([]byte{c}, 1)
	}
}

// view applies the operations on views of the ring: opPeek, opDiscard,
// opReadv and opWritev.
func (s *fuzzStep) view() {
	t, r, m, size, signed := s.t, s.r, s.m, s.size, s.signed
	switch s.op {
	case opPeek:
		p, err := r.Peek(signed)
		n := max(0, min(signed, m.data.Len()))
		if short := signed > m.data.Len(); short != errors.Is(err, ErrShort) || (!short && err != nil) {
			t.Fatalf("Peek(%d) of %d bytes: err %v", signed, m.data.Len(), err)
		}
		if !bytes.Equal(p, m.data.Bytes()[:n]) || len(p) != n {
			t.Fatalf("Peek(%d) = %x, want %x", signed, p, m.data.Bytes()[:n])
		}
		if a, _ := r.Readable(); len(a) < n {
			t.Fatalf("Peek(%d) left the bytes split: first part %d", signed, len(a))
		}
	case opDiscard:
		want := max(0, min(signed, m.data.Len()))
		if n := r.Discard(signed); n != want {
			t.Fatalf("Discard(%d) = %d, want %d", signed, n, want)
		}
		m.data.Next(want)
	case opReadv:
		a, b := r.Writable()
		n := min(size, len(a)+len(b))
		p := m.nextPattern(n)
		k := copy(a, p)
		copy(b, p[k:])
		r.Commit(n)
		m.data.Write(p)
	case opWritev:
		a, b := r.Readable()
		n := min(size, len(a)+len(b))
		got := append(append([]byte(nil), a...), b...)[:n]
		s.wantNext(got, n)
		if d := r.Discard(n); d != n {
			t.Fatalf("Discard(%d) after writev = %d", n, d)
		}
	}
}

// resize applies the operations on the ring's array and maximum: opGrow,
// opReset, opRelease and opSetMax.
func (s *fuzzStep) resize() {
	t, r, m, signed := s.t, s.r, s.m, s.signed
	switch s.op {
	case opGrow:
		_, full := m.room(signed)
		err := r.Grow(signed)
		s.wantFull(err, full)
		if err == nil && r.Free() < signed {
			t.Fatalf("Grow(%d) left Free() = %d", signed, r.Free())
		}
	case opReset:
		c := r.Cap()
		r.Reset()
		m.data.Reset()
		if r.Cap() != c {
			t.Fatalf("Reset changed Cap from %d to %d", c, r.Cap())
		}
	case opRelease:
		c := r.Cap()
		r.Release()
		want := c
		if m.data.Len() == 0 {
			want = 0
		}
		if r.Cap() != want {
			t.Fatalf("Release with Len %d: Cap %d, want %d", m.data.Len(), r.Cap(), want)
		}
	case opSetMax:
		r.SetMax(signed)
		m.max = max(signed, 0)
		if r.Max() != m.max {
			t.Fatalf("SetMax(%d): Max() = %d", signed, r.Max())
		}
	}
}

// copyIO applies opReadFrom and opWriteTo.
func (s *fuzzStep) copyIO() {
	t, r, m, size := s.t, s.r, s.m, s.size
	switch s.op {
	case opReadFrom:
		p := m.nextPattern(size)
		fits, _ := m.room(size)
		full := m.max > 0 && m.data.Len()+size >= m.max // see ReadFrom's doc
		n, err := r.ReadFrom(bytes.NewReader(p))
		s.wantFull(err, full)
		if n != int64(fits) {
			t.Fatalf("ReadFrom of %d bytes read %d, want %d", size, n, fits)
		}
		m.data.Write(p[:n])
	case opWriteTo:
		var dst bytes.Buffer
		n, err := r.WriteTo(&dst)
		if err != nil || n != int64(m.data.Len()) {
			t.Fatalf("WriteTo: %d, %v; want %d", n, err, m.data.Len())
		}
		s.wantNext(dst.Bytes(), m.data.Len())
	}
}
