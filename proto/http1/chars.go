package http1

import (
	"encoding/binary"
)

// The byte classes of the grammar (RFC 9110 §5.6, RFC 9112), without a
// table in a variable: the token class is two 64-bit constants. The
// case-insensitive comparisons and the list splitting are internal/ascii's.

// tokenLo and tokenHi are the tchar class of RFC 9110 §5.6.2 as bits: bit b
// of tokenLo is byte b, bit b of tokenHi is byte 64+b. TestTokenMasks
// checks them against the grammar's list.
const (
	tokenLo = 0x03ff6cfa00000000 // ! # $ % & ' * + - . 0-9
	tokenHi = 0x57ffffffc7fffffe // A-Z ^ _ ` a-z | ~
)

// isToken reports whether b is a tchar: a letter, a digit or one of
// !#$%&'*+-.^_`|~. The mask is chosen without a branch (a conditional
// move), cheaper than testing each half in turn (BenchmarkParse shows it).
func isToken(b byte) bool {
	m := uint64(tokenLo)
	if b >= 64 {
		m = tokenHi
	}
	return b < 128 && m>>(b&63)&1 != 0
}

// isFieldByte reports whether b may appear in a field value: a visible
// character, obs-text (128-255), space or tab; not another control
// character.
func isFieldByte(b byte) bool {
	return b >= 0x20 && b != 0x7f || b == '\t'
}

// isTargetByte reports whether b may appear in a request target: visible
// ASCII, no space, no control character.
func isTargetByte(b byte) bool {
	return b > 0x20 && b < 0x7f
}

// allTokens reports whether p is a token: one tchar or more.
func allTokens(p []byte) bool {
	for _, b := range p {
		if !isToken(b) {
			return false
		}
	}
	return len(p) > 0
}

// trimCR returns line without a trailing CR: a line read up to its LF.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// fieldBytes returns the index of the first byte of buf[i:end] that may not
// be in a field value (end if there is none). It looks at 8 bytes at a time
// while none of them is a control character: a value is mostly letters.
func fieldBytes(buf []byte, i, end int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= end; i += 8 {
		x := binary.LittleEndian.Uint64(buf[i:])
		del := x ^ 0x7f*ones
		// A byte below 0x20 (a control character, or a tab, which is
		// allowed: the byte loop tells), or 0x7f (DEL), sets its high bit
		// here; bytes from 0x80 up (obs-text) do not.
		if (x-0x20*ones)&^x&highs|(del-ones)&^del&highs != 0 {
			break
		}
	}
	for i < end && isFieldByte(buf[i]) {
		i++
	}
	return i
}
