package resp

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse feeds the parser any bytes, with limits small enough to be
// reached, and checks what a server relies on:
//
//   - every prefix of the input parses as "need more", or exactly as the
//     whole input does: a request cut anywhere by the network is read the
//     same, and an error is reported as soon as its bytes are there;
//   - a request stays within the limits, and its arguments are the bytes
//     of the input's first n;
//   - an inline command is split as splitInline, the plain form of its
//     rules, splits it;
//   - the arguments of a request, written again as a RESP array, parse back
//     to the same arguments.
//
// Its seeds run with every go test.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n",
		"*1\r\n$4\r\n\r\n\r\n\r\n",
		"*0\r\n*-1\r\n",
		"PING\r\nSET a b\n\r\n",
		"\t get\t k \r\n",
		"*5\r\n", "*x\r\n", "*1\n", "*1\r\n+OK\r\n", "*1\r\n$-1\r\n", "*1\r\n$9\r\n",
		"*1\r\n$1\r\nab\r\n", "*1\r\n$01\r\na\r\n", "*01\r\n$1\r\na\r\n",
		"*11111111111111111111\r\n", "aaaaaaaaaaaaaaaaaaaaaaaaa",
		"*4\r\n$8\r\n12345678\r\n$8\r\n12345678\r\n$8\r\n12345678\r\n$8\r\n12345678\r\n",
		"a b c d e\r\n",
		// Inline quotes and escapes, each line within small.MaxLine.
		"SET q \"a b\"\r\n", "SET q 'a b'\n", "\"\" ''\r\n",
		"\"\\n\\r\\t\\b\\a\"\r\n", "\"\\\\\\\"\\q\"\r\n", "\"\\x41\\x7A\"\r\n", "\"\\x0\\xg0\"\r\n",
		"'it\\'s \\n'\r\n", "ab\"c d\" 'e'\tf\r\n", "\"a\"\x0b\"b\"\x0c\r\n",
		"\"open\r\n", "'open\r\n", "\"a\\\"\r\n", "\"a\\\r\n", "'a\\\\'\r\n", "\"a\"b\r\n", "a'b\r\n",
		"\"12345678\\x39\"\r\n", "\"\\x31\\x32\\x33\"\r\n", "GET\rk\x0bv\r\n",
	} {
		f.Add([]byte(s))
	}
	ps, err := NewParser(small)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 512 {
			return // longer inputs find nothing new, and the prefix check is quadratic
		}
		args, n, err := ps.Parse(in)
		want := strs(args)
		if err != nil && (n != 0 || args != nil) {
			t.Fatalf("error %v with n %d and arguments %q", err, n, want)
		}
		if err == nil && n > 0 {
			checkRequest(t, in, want, n)
		}
		if len(in) > 0 && in[0] != '*' {
			checkInline(t, in, want, n, err)
		}
		for k := range len(in) {
			a, m, e := ps.Parse(in[:k])
			if a == nil && m == 0 && e == nil {
				continue // need more
			}
			if e != err || m != n || !equal(strs(a), want) {
				t.Fatalf("prefix of %d bytes: %q, %d, %v; whole input: %q, %d, %v", k, strs(a), m, e, want, n, err)
			}
		}
	})
}

// checkRequest checks a request that Parse took out of in's first n
// bytes.
func checkRequest(t *testing.T, in []byte, args []string, n int) {
	if n > len(in) || n > small.MaxRequest || len(args) > small.MaxArgs {
		t.Fatalf("request of %d bytes and %d arguments from %d bytes, limits %+v", n, len(args), len(in), small)
	}
	for _, a := range args {
		if len(a) > small.MaxBulk || in[0] == '*' && !bytes.Contains(in[:n], []byte(a)) {
			t.Fatalf("argument %q: over MaxBulk, or not from the input %q", a, in[:n])
		}
	}
	if len(args) == 0 {
		return
	}
	enc := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		enc = AppendBulk(enc, a)
	}
	if len(enc) > small.MaxRequest {
		return // the inline form was shorter
	}
	ps, _ := NewParser(small)
	again, m, err := ps.Parse(enc)
	if err != nil || m != len(enc) || !equal(strs(again), args) {
		t.Fatalf("%q written as %q parses as %q, %d, %v", args, enc, strs(again), m, err)
	}
}

// checkInline checks the answer of Parse for an inline command against
// splitInline's.
func checkInline(t *testing.T, in []byte, args []string, n int, err error) {
	end := bytes.IndexByte(in, '\n')
	if end < 0 || end > small.MaxLine+1 || errors.Is(err, ErrRequestTooLarge) {
		return // not a whole line within the limits: no words to compare
	}
	line := bytes.TrimSuffix(in[:end], []byte("\r"))
	if len(line) > small.MaxLine {
		return
	}
	words, ok := splitInline(line)
	switch {
	case !ok && !errors.Is(err, ErrProtocol):
		t.Fatalf("%q: unbalanced quotes, but Parse = %q, %d, %v", line, args, n, err)
	case ok && errors.Is(err, ErrUnbalancedQuotes):
		t.Fatalf("%q: words %q, but Parse = %v", line, words, err)
	case ok && err == nil && !equal(words, args):
		t.Fatalf("%q: words %q, but Parse = %q", line, words, args)
	}
}

// splitInline is the reference for inline commands: their rules (see
// inline.go) as a plain state machine that copies every byte, in the
// shape of Redis's sdssplitargs. It reports false for unbalanced quotes.
func splitInline(line []byte) ([]string, bool) {
	blank := func(c byte) bool { return strings.IndexByte(" \t\r\n\v\f", c) >= 0 }
	hex := func(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }
	words := []string{}
	p := 0
	for {
		for p < len(line) && blank(line[p]) {
			p++
		}
		if p == len(line) {
			return words, true
		}
		var w []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			more := p+1 < len(line)
			switch {
			case (inDouble || inSingle) && p == len(line):
				return nil, false
			case inDouble && line[p] == '\\' && p+3 < len(line) && line[p+1] == 'x' && hex(line[p+2]) && hex(line[p+3]):
				v, _ := strconv.ParseUint(string(line[p+2:p+4]), 16, 8)
				w = append(w, byte(v))
				p += 3
			case inDouble && line[p] == '\\' && more:
				p++
				c := line[p]
				if i := strings.IndexByte("nrtba", c); i >= 0 {
					c = "\n\r\t\b\a"[i]
				}
				w = append(w, c)
			case inSingle && line[p] == '\\' && more && line[p+1] == '\'':
				p++
				w = append(w, '\'')
			case inDouble && line[p] == '"', inSingle && line[p] == '\'':
				if more && !blank(line[p+1]) {
					return nil, false
				}
				done = true
			case inDouble || inSingle:
				w = append(w, line[p])
			case p == len(line) || line[p] == ' ' || line[p] == '\t' || line[p] == '\r':
				done = true
			case line[p] == '"':
				inDouble = true
			case line[p] == '\'':
				inSingle = true
			default:
				w = append(w, line[p])
			}
			if p < len(line) {
				p++
			}
		}
		words = append(words, string(w))
	}
}

func equal(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
