package http1

// Percent-decoding of query parameters (the form encoding: "%XX" is a
// byte, "+" a space), for Request.QueryValue, without allocating: names
// are compared as they are decoded, values are decoded into the loop's
// buffer.

// decodeAt returns the byte that raw[i:] stands for and how many bytes of
// raw it took: "%XX" (3), "+" (a space, 1), any other byte (itself, 1). A
// "%" not followed by two hex digits stands for itself.
func decodeAt(raw []byte, i int) (byte, int) {
	switch b := raw[i]; b {
	case '+':
		return ' ', 1
	case '%':
		if i+2 < len(raw) {
			hi, lo := hexValue(raw[i+1]), hexValue(raw[i+2])
			if hi >= 0 && lo >= 0 {
				return byte(hi<<4 | lo), 3
			}
		}
		return b, 1
	default:
		return b, 1
	}
}

// appendDecoded appends raw, decoded, to dst.
func appendDecoded(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		b, n := decodeAt(raw, i)
		dst = append(dst, b)
		i += n
	}
	return dst
}

// decodedEqual reports whether raw, decoded, is s.
func decodedEqual(raw []byte, s string) bool {
	j := 0
	for i := 0; i < len(raw); {
		b, n := decodeAt(raw, i)
		if j == len(s) || s[j] != b {
			return false
		}
		i += n
		j++
	}
	return j == len(s)
}
