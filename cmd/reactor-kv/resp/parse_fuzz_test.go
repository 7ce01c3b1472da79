package resp

import (
	"bytes"
	"strconv"
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
		if len(a) > small.MaxBulk || !bytes.Contains(in[:n], []byte(a)) {
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
