package resp

import (
	"bytes"
	"errors"
	"fmt"
)

// Errors of the resp package; test for them with errors.Is.
var (
	// ErrProtocol is matched by every error Parse returns: the request
	// breaks RESP, or a limit, and the stream cannot be read further.
	ErrProtocol = errors.New("resp: protocol error")

	// ErrMultibulkLength: an array header ("*N") whose N is not a number,
	// or is over Limits.MaxArgs; or an inline command of more words than
	// that.
	ErrMultibulkLength error = &protocolError{"invalid multibulk length"}
	// ErrBulkLength: a bulk header ("$N") whose N is not a number, is
	// negative, or is over Limits.MaxBulk; or a word of an inline command
	// longer than that.
	ErrBulkLength error = &protocolError{"invalid bulk length"}
	// ErrExpectedBulk: an element of a request array that is not a bulk
	// string.
	ErrExpectedBulk error = &protocolError{"expected '$'"}
	// ErrBulkEnd: a bulk string not followed by "\r\n".
	ErrBulkEnd error = &protocolError{"expected CRLF after bulk data"}
	// ErrLineTooLong: no end of line within Limits.MaxLine bytes, in a
	// header or an inline command.
	ErrLineTooLong error = &protocolError{"too big inline request or header"}
	// ErrUnbalancedQuotes: an inline command with a quote that is not
	// closed, or a closing quote followed by a byte other than a blank.
	ErrUnbalancedQuotes error = &protocolError{"unbalanced quotes in request"}
	// ErrRequestTooLarge: a request that its headers show to be longer
	// than Limits.MaxRequest.
	ErrRequestTooLarge error = &protocolError{"request larger than the server's limit"}

	// ErrInvalidLimits is wrapped by NewParser's error for a limit out of
	// range; the text names the limit and its value.
	ErrInvalidLimits = errors.New("resp: invalid limits")
)

// protocolError is an error of Parse. Its detail is the text of the error
// reply, after "ERR Protocol error: ".
type protocolError struct{ detail string }

func (e *protocolError) Error() string        { return "resp: protocol error: " + e.detail }
func (e *protocolError) Is(target error) bool { return target == ErrProtocol }

// Limits bound the requests a Parser accepts.
type Limits struct {
	MaxArgs    int // arguments in one request, the command's name included
	MaxBulk    int // bytes in one argument
	MaxLine    int // bytes in an inline command or a header line, without "\r\n"
	MaxRequest int // bytes in one request, headers included
}

// Default limits: Redis allows 512 MB per argument and 1 GB per client's
// input; a demo that holds its keyspace in a few loops picks less.
const (
	DefaultMaxArgs    = 4096
	DefaultMaxBulk    = 1 << 20
	DefaultMaxLine    = 64 << 10
	DefaultMaxRequest = 4 << 20
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{DefaultMaxArgs, DefaultMaxBulk, DefaultMaxLine, DefaultMaxRequest}
}

// Parser takes requests out of a byte stream. It keeps only its limits, the
// array of the arguments it last returned and the inline words it had to
// build (unescaped), both reused from one call to the next: one Parser
// serves every connection of a goroutine, not several goroutines at once.
type Parser struct {
	lim     Limits
	args    [][]byte
	unquote []byte // the words of the last inline command that are not slices of it (inline.go)
}

// NewParser returns a Parser with limits lim. A limit below 1 is an error
// that matches ErrInvalidLimits, as is a MaxRequest too small for a request
// of one argument of MaxBulk bytes.
func NewParser(lim Limits) (*Parser, error) {
	var errs []error
	for _, f := range []struct {
		name string
		v    int
	}{{"MaxArgs", lim.MaxArgs}, {"MaxBulk", lim.MaxBulk}, {"MaxLine", lim.MaxLine}, {"MaxRequest", lim.MaxRequest}} {
		if f.v < 1 {
			errs = append(errs, fmt.Errorf("%w: %s %d (want at least 1)", ErrInvalidLimits, f.name, f.v))
		}
	}
	if lim.MaxBulk > lim.MaxRequest-32 {
		errs = append(errs, fmt.Errorf("%w: MaxRequest %d cannot hold an argument of MaxBulk %d bytes and its headers",
			ErrInvalidLimits, lim.MaxRequest, lim.MaxBulk))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Parser{lim: lim, args: make([][]byte, 0, 8)}, nil
}

// Limits returns the parser's limits.
func (ps *Parser) Limits() Limits { return ps.lim }

// Parse takes the first request out of p and returns its arguments and the
// number of bytes it used:
//
//   - n > 0, err == nil: a whole request of p[:n]; args is empty for an
//     empty request (a blank inline line, "*0\r\n"), which gets no reply.
//   - n == 0, err == nil: p ends before the request does; call again with
//     more bytes.
//   - err != nil: p breaks the protocol or a limit; the error matches
//     ErrProtocol and one of the errors above.
//
// The arguments point into p and are valid as long as p is; the array
// holding them is reused by the next call. The exception is a word of an
// inline command that had escapes, or quotes after its first byte: it is
// built in the parser's own buffer, valid until the next call.
func (ps *Parser) Parse(p []byte) (args [][]byte, n int, err error) {
	if len(p) == 0 {
		return nil, 0, nil
	}
	if p[0] == '*' {
		return ps.multibulk(p)
	}
	return ps.inline(p)
}

// multibulk parses "*N\r\n" and N bulk strings "$L\r\n<L bytes>\r\n".
func (ps *Parser) multibulk(p []byte) ([][]byte, int, error) {
	count, pos, err := ps.number(p, 1, ErrMultibulkLength)
	if pos == 0 {
		return nil, 0, err
	}
	if count > ps.lim.MaxArgs {
		return nil, 0, ErrMultibulkLength
	}
	args := ps.args[:0]
	// count <= 0 ("*0", "*-1") is an empty request, as Redis takes it.
	for range count {
		if pos >= len(p) {
			return nil, 0, nil
		}
		if p[pos] != '$' {
			return nil, 0, ErrExpectedBulk
		}
		size, next, err := ps.number(p, pos+1, ErrBulkLength)
		if next == 0 {
			return nil, 0, err
		}
		if size < 0 || size > ps.lim.MaxBulk {
			return nil, 0, ErrBulkLength
		}
		stop := next + size + 2
		if stop > ps.lim.MaxRequest {
			return nil, 0, ErrRequestTooLarge
		}
		if stop > len(p) {
			return nil, 0, nil
		}
		if p[stop-2] != '\r' || p[stop-1] != '\n' {
			return nil, 0, ErrBulkEnd
		}
		args = append(args, p[next:next+size:next+size])
		pos = stop
	}
	ps.args = args
	return args, pos, nil
}

// number reads the header line whose content starts at p[from]: a number
// (see atoi). It returns the number and where the next line starts, or
// next == 0 if the line has not ended yet or is not a number (then err says
// which: bad, or another error of header).
func (ps *Parser) number(p []byte, from int, bad error) (n, next int, err error) {
	// The usual line, digits and "\r\n", in one pass; anything else, in
	// full or cut short, goes the long way, which gives the same answers.
	i := from
	neg := i < len(p) && p[i] == '-'
	if neg {
		i++
	}
	digits := i
	for i < len(p) && i-digits < 18 && '0' <= p[i] && p[i] <= '9' {
		n = n*10 + int(p[i]-'0')
		i++
	}
	if i > digits && i+1 < len(p) && p[i] == '\r' && p[i+1] == '\n' && i-from <= ps.lim.MaxLine {
		if i+2 > ps.lim.MaxRequest {
			return 0, 0, ErrRequestTooLarge
		}
		if neg {
			n = -n
		}
		return n, i + 2, nil
	}
	end, next, err := ps.header(p, from)
	if next == 0 {
		return 0, 0, err
	}
	if n, ok := atoi(p[from:end]); ok {
		return n, next, nil
	}
	return 0, 0, bad
}

// header finds the end of the header line whose content starts at p[from]:
// it returns the content's end and where the next line starts, or next == 0
// if the line has not ended yet (err says whether it never will).
func (ps *Parser) header(p []byte, from int) (end, next int, err error) {
	window := p[from:min(len(p), from+ps.lim.MaxLine+2)]
	i := bytes.IndexByte(window, '\n')
	switch {
	case i < 0 && len(window) == ps.lim.MaxLine+2:
		return 0, 0, ErrLineTooLong
	case i < 0:
		return 0, 0, nil
	case i == 0 || window[i-1] != '\r':
		// A bare "\n": the number before it, if any, has garbage after it.
		if p[from-1] == '*' {
			return 0, 0, ErrMultibulkLength
		}
		return 0, 0, ErrBulkLength
	}
	if from+i+1 > ps.lim.MaxRequest {
		return 0, 0, ErrRequestTooLarge
	}
	return from + i - 1, from + i + 1, nil
}

// atoi parses a decimal integer of at most 18 digits, with an optional
// leading '-': the lengths of RESP headers. Anything else is not ok.
func atoi(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
