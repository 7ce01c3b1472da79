package websocket

import "unicode/utf8"

// UTF8State is the state of validating a text message whose bytes arrive
// in pieces (fragments, or reads of one frame): where the last piece left
// off, inside a character or between two. The zero value is the start of
// a message.
//
// It holds how many continuation bytes the character in progress still
// needs, and the range the next one must be in: its low byte is the
// count, the next the lowest value, the third the highest. The range is
// narrower than 0x80 to 0xBF only for the byte after E0, ED, F0 and F4,
// which excludes overlong forms, surrogates and code points past U+10FFFF.
type UTF8State uint32

// Complete reports whether s is between two characters: a message whose
// last piece leaves this state is valid UTF-8 (if every piece was); one
// that ends in another state ends inside a character.
func (s UTF8State) Complete() bool { return s == 0 }

// ValidateUTF8 checks the next piece p of a text message, carrying on
// from s, and returns the state after it. It fails (ok false) as soon as
// a piece holds a byte that no continuation could make valid, so a message
// is refused at the fragment that breaks it, not at its end; at the end,
// the message is valid if the state is Complete. It accepts exactly what
// utf8.Valid accepts of the whole message: no overlong forms, no
// surrogates (U+D800 to U+DFFF), nothing past U+10FFFF. After a failure the
// state means nothing. It allocates nothing.
func ValidateUTF8(s UTF8State, p []byte) (state UTF8State, ok bool) {
	// The character the last piece left open.
	for s != 0 && len(p) > 0 {
		if s, ok = s.next(p[0]); !ok {
			return s, false
		}
		p = p[1:]
	}
	if len(p) == 0 {
		return s, true
	}
	// The whole characters, with the standard library's validator, then
	// the start of a character that the piece cuts.
	cut := openCharacter(p)
	if !utf8.Valid(p[:cut]) {
		return 0, false
	}
	for _, b := range p[cut:] {
		if s, ok = s.next(b); !ok {
			return s, false
		}
	}
	return s, true
}

// openCharacter returns the index of the lead byte of a character that p
// cuts at its end, or len(p) if p ends between two characters, or with a
// byte sequence that utf8.Valid can judge whole.
func openCharacter(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-3; i-- {
		b := p[i]
		switch {
		case b < 0x80:
			return len(p)
		case b < 0xC0:
			continue // a continuation byte: its lead is further back
		case i+sequenceLength(b) > len(p):
			return i
		default:
			return len(p)
		}
	}
	return len(p)
}

// sequenceLength returns the length of the character that lead byte b
// starts: 2, 3 or 4 (or 1 for a byte that starts none, C0, C1 and F5 to
// FF: the state machine refuses it).
func sequenceLength(b byte) int {
	switch {
	case b >= 0xC2 && b <= 0xDF:
		return 2
	case b >= 0xE0 && b <= 0xEF:
		return 3
	case b >= 0xF0 && b <= 0xF4:
		return 4
	}
	return 1
}

// next returns the state after byte b, and whether b may come there.
func (s UTF8State) next(b byte) (UTF8State, bool) {
	if s != 0 {
		need, lo, hi := s&0xff, byte(s>>8), byte(s>>16)
		switch {
		case b < lo || b > hi:
			return s, false
		case need == 1:
			return 0, true
		}
		return expect(int(need)-1, 0x80, 0xBF), true
	}
	switch {
	case b < 0x80:
		return 0, true
	case b >= 0xC2 && b <= 0xDF:
		return expect(1, 0x80, 0xBF), true
	case b == 0xE0:
		return expect(2, 0xA0, 0xBF), true // not overlong
	case b == 0xED:
		return expect(2, 0x80, 0x9F), true // not a surrogate
	case b >= 0xE1 && b <= 0xEF:
		return expect(2, 0x80, 0xBF), true
	case b == 0xF0:
		return expect(3, 0x90, 0xBF), true // not overlong
	case b >= 0xF1 && b <= 0xF3:
		return expect(3, 0x80, 0xBF), true
	case b == 0xF4:
		return expect(3, 0x80, 0x8F), true // not past U+10FFFF
	}
	return s, false
}

// expect returns the state of a character that needs need more bytes, the
// next one from lo to hi.
func expect(need int, lo, hi byte) UTF8State {
	return UTF8State(need) | UTF8State(lo)<<8 | UTF8State(hi)<<16
}
