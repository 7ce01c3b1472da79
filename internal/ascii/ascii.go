// Package ascii holds the case-insensitive comparisons and the trimming
// that the text protocols (proto/http1, proto/websocket) apply to header
// names, tokens and values, all in ASCII, as HTTP's grammar is: no Unicode
// folding, and nothing allocated.
package ascii

// Lower returns b in lower case if it is an ASCII capital.
func Lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// EqualFold reports whether p equals s, ignoring ASCII case.
func EqualFold(p []byte, s string) bool {
	if len(p) != len(s) {
		return false
	}
	for i := range len(p) {
		if Lower(p[i]) != Lower(s[i]) {
			return false
		}
	}
	return true
}

// TrimOWS returns p without leading and trailing spaces and tabs (RFC
// 9110's optional whitespace).
func TrimOWS(p []byte) []byte {
	for len(p) > 0 && (p[0] == ' ' || p[0] == '\t') {
		p = p[1:]
	}
	for len(p) > 0 && (p[len(p)-1] == ' ' || p[len(p)-1] == '\t') {
		p = p[:len(p)-1]
	}
	return p
}
