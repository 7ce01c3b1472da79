package resp

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// small are limits that the tests can reach with short inputs.
var small = Limits{MaxArgs: 4, MaxBulk: 8, MaxLine: 16, MaxRequest: 48}

func newSmall(t testing.TB) *Parser {
	ps, err := NewParser(small)
	require.NoError(t, err)
	return ps
}

// strs turns arguments into strings, or nil for no request.
func strs(args [][]byte) []string {
	if args == nil {
		return nil
	}
	out := []string{}
	for _, a := range args {
		out = append(out, string(a))
	}
	return out
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, in string
		args     []string // the request's arguments; nil with n == 0
		n        int
		err      error
	}{
		{"array", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET", "k"}, 20, nil},
		{"empty bulk", "*1\r\n$0\r\n\r\n", []string{""}, 10, nil},
		{"binary bulk", "*1\r\n$4\r\n\r\n\x00*\r\n", []string{"\r\n\x00*"}, 14, nil},
		{"followed by more", "*1\r\n$4\r\nPING\r\n*1", []string{"PING"}, 14, nil},
		{"empty array", "*0\r\nPING\r\n", []string{}, 4, nil},
		{"null array", "*-1\r\n", []string{}, 5, nil},
		{"inline", "SET k  v\r\n", []string{"SET", "k", "v"}, 10, nil},
		{"inline, tabs and bare LF", "\tGET\tk \n", []string{"GET", "k"}, 8, nil},
		{"blank line", "\r\n", []string{}, 2, nil},
		{"nothing", "", nil, 0, nil},
		{"header cut", "*2\r", nil, 0, nil},
		{"element missing", "*2\r\n$3\r\nGET\r\n", nil, 0, nil},
		{"bulk cut", "*1\r\n$4\r\nPI", nil, 0, nil},
		{"bulk end cut", "*1\r\n$4\r\nPING\r", nil, 0, nil},
		{"inline cut", "GET k", nil, 0, nil},
		{"count not a number", "*x\r\n", nil, 0, ErrMultibulkLength},
		{"count with plus", "*+1\r\n", nil, 0, ErrMultibulkLength},
		{"count over MaxArgs", "*5\r\n", nil, 0, ErrMultibulkLength},
		{"count, bare LF", "*1\n", nil, 0, ErrMultibulkLength},
		{"not a bulk", "*1\r\n+PING\r\n", nil, 0, ErrExpectedBulk},
		{"bulk length not a number", "*1\r\n$x\r\n", nil, 0, ErrBulkLength},
		{"negative bulk length", "*1\r\n$-1\r\n", nil, 0, ErrBulkLength},
		{"bulk over MaxBulk", "*1\r\n$9\r\n", nil, 0, ErrBulkLength},
		{"bulk length, bare LF", "*1\r\n$1\n", nil, 0, ErrBulkLength},
		{"bulk without CRLF", "*1\r\n$1\r\nab\r\n", nil, 0, ErrBulkEnd},
		{"header too long", "*" + strings.Repeat("1", 17) + "\r\n", nil, 0, ErrLineTooLong},
		{"inline too long", strings.Repeat("a", 18), nil, 0, ErrLineTooLong},
		{"inline too long before LF", strings.Repeat("a", 17) + "\n", nil, 0, ErrLineTooLong},
		{"inline, too many words", "a b c d e\r\n", nil, 0, ErrMultibulkLength},
		{"inline, word over MaxBulk", "GET 123456789\r\n", nil, 0, ErrBulkLength},
		{"request over MaxRequest", "*4\r\n" + strings.Repeat("$8\r\n12345678\r\n", 3) + "$8\r\n", nil, 0, ErrRequestTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			args, n, err := newSmall(t).Parse([]byte(c.in))
			require.ErrorIs(t, err, c.err)
			if c.err != nil {
				require.ErrorIs(t, err, ErrProtocol)
			}
			require.Equal(t, c.n, n)
			require.Equal(t, c.args, strs(args))
		})
	}
}

// TestParseInlineQuotes: an inline command's words are split as
// redis-server splits them (sdssplitargs): quotes group words with their
// spaces, double quotes take escapes, single quotes only \', and a closing
// quote must end its word.
func TestParseInlineQuotes(t *testing.T) {
	for _, c := range []struct {
		name, in string
		args     []string
		err      error
	}{
		{"double quotes", `SET q "hello world"` + "\r\n", []string{"SET", "q", "hello world"}, nil},
		{"single quotes", `SET q 'hello world'` + "\n", []string{"SET", "q", "hello world"}, nil},
		{"empty quotes", `SET q "" ''` + "\r\n", []string{"SET", "q", "", ""}, nil},
		{"escapes", `"\n\r\t\b\a\\\"\q"` + "\r\n", []string{"\n\r\t\b\a\\\"q"}, nil},
		{"hex escapes", `"\x41\x7a\x00\xfF"` + "\r\n", []string{"Az\x00\xff"}, nil},
		{"not a hex escape", `"\x4" "\xg1"` + "\r\n", []string{"x4", "xg1"}, nil},
		{"single quotes take only \\'", `'it\'s \x41\n'` + "\r\n", []string{`it's \x41\n`}, nil},
		{"backslash before a closing single quote", `'a\\'` + "\r\n", nil, ErrUnbalancedQuotes},
		{"other quote inside", `"it's" 'say "hi"'` + "\r\n", []string{"it's", `say "hi"`}, nil},
		{"quote after a word's start", `ab"c d" x'y z'` + "\r\n", []string{"abc d", "xy z"}, nil},
		{"quotes inside a word", `a'b` + "\r\n", nil, ErrUnbalancedQuotes},
		{"quote then blank", "\"a\"\tb \"c\"\x0b\"d\"\r\n", []string{"a", "b", "c", "d"}, nil},
		{"CR inside quotes", "\"a\rb\"\r\n", []string{"a\rb"}, nil},
		{"CR ends a word", "GET\rk\r\n", []string{"GET", "k"}, nil},
		{"blanks Redis skips", "\x0b\x0cGET k\r\n", []string{"GET", "k"}, nil},
		{"vertical tab inside a word", "GET a\x0bb\r\n", []string{"GET", "a\x0bb"}, nil},
		{"unclosed double quote", `SET q "hello` + "\r\n", nil, ErrUnbalancedQuotes},
		{"unclosed single quote", `SET q 'hello` + "\r\n", nil, ErrUnbalancedQuotes},
		{"escaped closing quote", `"abc\"` + "\r\n", nil, ErrUnbalancedQuotes},
		{"backslash at the end", `"abc\` + "\r\n", nil, ErrUnbalancedQuotes},
		{"closing quote before a byte", `"hello"world` + "\r\n", nil, ErrUnbalancedQuotes},
		{"closing single quote before a byte", `'hello'"world"` + "\r\n", nil, ErrUnbalancedQuotes},
		{"quoted word over MaxBulk", `"hello world!"` + "\r\n", nil, ErrBulkLength},
		{"escaped word within MaxBulk", `"\x31\x32\x33\x34\x35\x36\x37\x38\x39"` + "\n", []string{"123456789"}, nil},
		{"quoted words over MaxArgs", `a "b" 'c' "" e` + "\r\n", nil, ErrMultibulkLength},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := newSmall(t)
			ps.lim.MaxBulk, ps.lim.MaxLine = len("hello world"), 40
			args, n, err := ps.Parse([]byte(c.in))
			require.ErrorIs(t, err, c.err)
			if c.err != nil {
				require.ErrorIs(t, err, ErrProtocol)
				require.Zero(t, n)
				return
			}
			require.Equal(t, len(c.in), n)
			require.Equal(t, c.args, strs(args))
		})
	}
}

// TestParseInlineQuotesInPlace: a word whose bytes are all the line's,
// one after the other (quoted or not), is a slice of the input; one that
// had escapes, or quotes after its start, is built apart and stays valid
// until the next Parse.
func TestParseInlineQuotesInPlace(t *testing.T) {
	ps := newSmall(t)
	ps.lim.MaxArgs, ps.lim.MaxLine = 8, 40
	in := []byte(`a "b c" 'd' "e\tf" g"h"` + "\r\n")
	args, n, err := ps.Parse(in)
	require.NoError(t, err)
	require.Equal(t, len(in), n)
	require.Equal(t, []string{"a", "b c", "d", "e\tf", "gh"}, strs(args))
	before := strs(args)
	for i := range in {
		in[i] = '#'
	}
	for i, inPlace := range []bool{true, true, true, false, false} {
		require.Equal(t, inPlace, string(args[i]) != before[i], "argument %d, %q, is a slice of the input", i, before[i])
	}
}

func TestNewParserRejectsBadLimits(t *testing.T) {
	for _, lim := range []Limits{
		{MaxArgs: 0, MaxBulk: 8, MaxLine: 16, MaxRequest: 64},
		{MaxArgs: 1, MaxBulk: -1, MaxLine: 16, MaxRequest: 64},
		{MaxArgs: 1, MaxBulk: 8, MaxLine: 0, MaxRequest: 64},
		{MaxArgs: 1, MaxBulk: 64, MaxLine: 16, MaxRequest: 64},
	} {
		_, err := NewParser(lim)
		require.ErrorIs(t, err, ErrInvalidLimits, "%+v", lim)
	}
}

func TestAppendProtocolError(t *testing.T) {
	require.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", string(AppendProtocolError(nil, ErrBulkLength)))
	require.Equal(t, "-ERR other: a b\r\n", string(AppendProtocolError(nil, errors.New("other: a\nb"))))
}

func TestReplies(t *testing.T) {
	var b []byte
	b = AppendSimple(b, "OK")
	b = AppendError(b, "ERR two\r\nlines")
	b = AppendInt(b, -42)
	b = AppendBulk(b, []byte("hi"))
	b = AppendBulk(b, "")
	b = AppendNull(b)
	b = AppendArray(b, 2)
	require.Equal(t, "+OK\r\n-ERR two  lines\r\n:-42\r\n$2\r\nhi\r\n$0\r\n\r\n$-1\r\n*2\r\n", string(b))
}

// TestParseDoesNotAllocate: taking a request out of the input, or finding
// it incomplete, allocates nothing once the parser's array, and its buffer
// for escaped words, have grown.
func TestParseDoesNotAllocate(t *testing.T) {
	ps, err := NewParser(DefaultLimits())
	require.NoError(t, err)
	in := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\nGET key\r\nSET \"a key\" \"\\x41\\tvalue\"\r\n")
	allocs := testing.AllocsPerRun(1000, func() {
		_, n, _ := ps.Parse(in)
		_, m, _ := ps.Parse(in[n:])
		_, q, _ := ps.Parse(in[n+m:])
		if _, k, _ := ps.Parse(in[:n-1]); n+m+q != len(in) || k != 0 {
			panic("wrong parse")
		}
	})
	require.Zero(t, allocs)
}
