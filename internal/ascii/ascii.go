// Package ascii holds the case-insensitive comparisons, the trimming and
// the list splitting that the text protocols (proto/http1,
// proto/websocket) apply to header names, tokens and values, all in
// ASCII, as HTTP's grammar is: no Unicode folding, and nothing allocated.
// Each function takes a field's bytes as they lie in the input or a
// string a handler gave, alike.
package ascii

// Text is what the functions take: bytes as they lie in the input, or a
// string.
type Text interface{ ~string | ~[]byte }

// Lower returns b in lower case if it is an ASCII capital.
func Lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// EqualFold reports whether p equals s, ignoring ASCII case.
func EqualFold[T Text](p T, s string) bool {
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
func TrimOWS[T Text](p T) T {
	for len(p) > 0 && (p[0] == ' ' || p[0] == '\t') {
		p = p[1:]
	}
	for len(p) > 0 && (p[len(p)-1] == ' ' || p[len(p)-1] == '\t') {
		p = p[:len(p)-1]
	}
	return p
}

// CutElement returns the part of list before the first sep that is not
// inside a quoted string, and the part after it (empty if there is no
// sep). A quoted string runs from a double quote to the next one not
// escaped by a backslash, or to the end of list.
func CutElement[T Text](list T, sep byte) (elem, rest T) {
	quoted := false
	for i := 0; i < len(list); i++ {
		switch b := list[i]; {
		case quoted && b == '\\':
			i++
		case b == '"':
			quoted = !quoted
		case b == sep && !quoted:
			return list[:i], list[i+1:]
		}
	}
	return list, rest
}

// NextToken returns the first non-empty element of a comma-separated list
// (RFC 9110 §5.6.1), trimmed, and the rest of the list; an empty element
// when the list holds no more.
func NextToken[T Text](list T) (tok, rest T) {
	for len(list) > 0 {
		tok, list = CutElement(list, ',')
		if tok = TrimOWS(tok); len(tok) > 0 {
			return tok, list
		}
	}
	return tok, rest
}

// HasToken reports whether the comma-separated list holds token, in any
// case. Whitespace around the elements and empty elements are allowed.
func HasToken[T Text](list T, token string) bool {
	for tok, rest := NextToken(list); len(tok) > 0; tok, rest = NextToken(rest) {
		if EqualFold(tok, token) {
			return true
		}
	}
	return false
}
