package resp

import "strconv"

// The replies of RESP2, each appended to dst as its wire form.

// AppendSimple appends a simple string ("+OK\r\n"). s must not hold "\r"
// or "\n".
func AppendSimple(dst []byte, s string) []byte {
	dst = append(dst, '+')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendError appends an error reply; msg starts with its code, as in
// "ERR wrong number of arguments". A "\r" or "\n" in msg becomes a space,
// so that the reply stays one line.
func AppendError(dst []byte, msg string) []byte {
	dst = append(dst, '-')
	dst = AppendLine(dst, msg)
	return append(dst, '\r', '\n')
}

// AppendLine appends s with each "\r" or "\n" made a space: for building an
// error reply piece by piece, from a client's bytes among others.
func AppendLine[T string | []byte](dst []byte, s T) []byte {
	for i := range len(s) {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendProtocolError appends the error reply for an error of Parse:
// "-ERR Protocol error: <detail>". For an error that is not Parse's, it
// appends "-ERR <err>".
func AppendProtocolError(dst []byte, err error) []byte {
	if pe, ok := err.(*protocolError); ok {
		dst = append(dst, "-ERR Protocol error: "...)
		dst = append(dst, pe.detail...)
		return append(dst, '\r', '\n')
	}
	return AppendError(dst, "ERR "+err.Error())
}

// AppendInt appends an integer reply (":42\r\n").
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendBulk appends a bulk string ("$5\r\nhello\r\n").
func AppendBulk[T string | []byte](dst []byte, b T) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendNull appends the null bulk string ("$-1\r\n"): a missing value.
func AppendNull(dst []byte) []byte {
	return append(dst, "$-1\r\n"...)
}

// AppendArray appends the header of an array of n elements ("*2\r\n");
// the n elements follow it.
func AppendArray(dst []byte, n int) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}
