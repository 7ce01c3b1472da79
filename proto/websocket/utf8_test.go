package websocket

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// feasible reports whether some bytes appended to p would make it valid
// UTF-8: whether a validator that fails fast may still accept p, the start
// of a message. A character that p cuts needs at most three more bytes,
// the first within a range and the others anything from 0x80 to 0xBF.
func feasible(p []byte) bool {
	if utf8.Valid(p) {
		return true
	}
	q := make([]byte, len(p), len(p)+3)
	copy(q, p)
	for k := 1; k <= 3; k++ {
		for b := 0x80; b <= 0xBF; b++ {
			r := append(q[:len(p)], byte(b))
			for range k - 1 {
				r = append(r, 0x80)
			}
			if utf8.Valid(r) {
				return true
			}
		}
	}
	return false
}

// checkPieces validates msg in the pieces that cuts make (the lengths of
// the pieces, cut to what is left; the rest is the last piece), and checks
// after each piece that ValidateUTF8 accepts what feasible accepts, and at
// the end that Complete agrees with utf8.Valid. It returns the index of the
// piece that failed, or -1.
func checkPieces(t *testing.T, msg []byte, cuts []int) int {
	t.Helper()
	var s UTF8State
	off := 0
	for i := 0; ; i++ {
		n := len(msg) - off
		if i < len(cuts) {
			n = min(cuts[i], n)
		}
		piece := bytes.Clone(msg[off : off+n]) // no reading past the piece
		next, ok := ValidateUTF8(s, piece)
		off += n
		if want := feasible(msg[:off]); ok != want {
			t.Fatalf("% x in pieces %v: after %d bytes ok = %v, want %v", msg, cuts, off, ok, want)
		}
		if !ok {
			return i
		}
		s = next
		if off == len(msg) && i >= len(cuts)-1 {
			break
		}
	}
	if s.Complete() != utf8.Valid(msg) {
		t.Fatalf("% x in pieces %v: Complete = %v, utf8.Valid = %v", msg, cuts, s.Complete(), utf8.Valid(msg))
	}
	return -1
}

// checkEverySplit validates msg whole, in two pieces cut at every point,
// and byte by byte, and checks the answer against valid.
func checkEverySplit(t *testing.T, msg []byte, valid bool) {
	t.Helper()
	require.Equal(t, valid, utf8.Valid(msg), "the vector % x", msg)
	checkPieces(t, msg, nil)
	for i := 0; i <= len(msg); i++ {
		checkPieces(t, msg, []int{i})
	}
	ones := make([]int, len(msg))
	for i := range ones {
		ones[i] = 1
	}
	checkPieces(t, msg, ones)
}

// kosme is the Greek word κόσμε, the sample of Autobahn's section 6.
const kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

// utf8Vector is a test vector of Autobahn section 6: a text message, by
// case id, and whether it is valid.
type utf8Vector struct {
	id    string
	msg   string
	valid bool
}

// autobahn6 are the vectors of Autobahn section 6, which come from Markus
// Kuhn's UTF-8 decoder stress test.
var autobahn6 = append([]utf8Vector{
	{"6.1.1", "", true},
	{"6.2.1", "Hello-µ@ßöäüàá-UTF-8!!", true},
	{"6.2.4", kosme, true},
	{"6.3.1", kosme + "\xed\xa0\x80" + "edited", false},
	{"6.4.1", kosme + "\xf4\x90\x80\x80" + "edited", false},
	{"6.5.1", "hello\x24world", true},
	{"6.5.2", "hello\xc2\xa2world", true},
	{"6.5.3", "hello\xe2\x82\xacworld", true},
	{"6.5.4", "hello\xf0\xa4\xad\xa2world", true},
	{"6.5.5", kosme, true},
	{"6.7.1", "\x00", true},
	{"6.7.2", "\xc2\x80", true},
	{"6.7.3", "\xe0\xa0\x80", true},
	{"6.7.4", "\xf0\x90\x80\x80", true},
	{"6.8.1", "\xf8\x88\x80\x80\x80", false},
	{"6.8.2", "\xfc\x84\x80\x80\x80\x80", false},
	{"6.9.1", "\x7f", true},
	{"6.9.2", "\xdf\xbf", true},
	{"6.9.3", "\xef\xbf\xbf", true},
	{"6.9.4", "\xf4\x8f\xbf\xbf", true},
	{"6.10.1", "\xf7\xbf\xbf\xbf", false},
	{"6.10.2", "\xfb\xbf\xbf\xbf\xbf", false},
	{"6.10.3", "\xfd\xbf\xbf\xbf\xbf\xbf", false},
	{"6.11.1", "\xed\x9f\xbf", true},
	{"6.11.2", "\xee\x80\x80", true},
	{"6.11.3", "\xef\xbf\xbd", true},
	{"6.11.4", "\xf4\x8f\xbf\xbf", true},
	{"6.11.5", "\xf4\x90\x80\x80", false},
	{"6.12.1", "\x80", false},
	{"6.12.2", "\xbf", false},
	{"6.12.3", "\x80\xbf", false},
	{"6.12.4", "\x80\xbf\x80", false},
	{"6.12.5", "\x80\xbf\x80\xbf", false},
	{"6.12.6", "\x80\xbf\x80\xbf\x80", false},
	{"6.12.7", "\x80\xbf\x80\xbf\x80\xbf", false},
	{"6.12.8", byteRange(0x80, 0xbe, ""), false},
	{"6.13.1", byteRange(0xc0, 0xde, " "), false},
	{"6.13.2", byteRange(0xe0, 0xee, " "), false},
	{"6.13.3", byteRange(0xf0, 0xf6, " "), false},
	{"6.13.4", byteRange(0xf8, 0xfa, " "), false},
	{"6.13.5", byteRange(0xfc, 0xfc, " "), false},
	{"6.14.1", "\xc0", false},
	{"6.14.2", "\xe0\x80", false},
	{"6.14.3", "\xf0\x80\x80", false},
	{"6.14.4", "\xf8\x80\x80\x80", false},
	{"6.14.5", "\xfc\x80\x80\x80\x80", false},
	{"6.14.6", "\xdf", false},
	{"6.14.7", "\xef\xbf", false},
	{"6.14.8", "\xf7\xbf\xbf", false},
	{"6.14.9", "\xfb\xbf\xbf\xbf", false},
	{"6.14.10", "\xfd\xbf\xbf\xbf\xbf", false},
	{"6.15.1", "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", false},
	{"6.16.1", "\xfe", false},
	{"6.16.2", "\xff", false},
	{"6.16.3", "\xfe\xfe\xff\xff", false},
	{"6.17.1", "\xc0\xaf", false},
	{"6.17.2", "\xe0\x80\xaf", false},
	{"6.17.3", "\xf0\x80\x80\xaf", false},
	{"6.17.4", "\xf8\x80\x80\x80\xaf", false},
	{"6.17.5", "\xfc\x80\x80\x80\x80\xaf", false},
	{"6.18.1", "\xc1\xbf", false},
	{"6.18.2", "\xe0\x9f\xbf", false},
	{"6.18.3", "\xf0\x8f\xbf\xbf", false},
	{"6.18.4", "\xf8\x87\xbf\xbf\xbf", false},
	{"6.18.5", "\xfc\x83\xbf\xbf\xbf\xbf", false},
	{"6.19.1", "\xc0\x80", false},
	{"6.19.2", "\xe0\x80\x80", false},
	{"6.19.3", "\xf0\x80\x80\x80", false},
	{"6.19.4", "\xf8\x80\x80\x80\x80", false},
	{"6.19.5", "\xfc\x80\x80\x80\x80\x80", false},
	{"6.20.1", "\xed\xa0\x80", false},
	{"6.20.2", "\xed\xad\xbf", false},
	{"6.20.3", "\xed\xae\x80", false},
	{"6.20.4", "\xed\xaf\xbf", false},
	{"6.20.5", "\xed\xb0\x80", false},
	{"6.20.6", "\xed\xbe\x80", false},
	{"6.20.7", "\xed\xbf\xbf", false},
	{"6.21.1", "\xed\xa0\x80\xed\xb0\x80", false},
	{"6.21.2", "\xed\xa0\x80\xed\xbf\xbf", false},
	{"6.21.3", "\xed\xad\xbf\xed\xb0\x80", false},
	{"6.21.4", "\xed\xad\xbf\xed\xbf\xbf", false},
	{"6.21.5", "\xed\xae\x80\xed\xb0\x80", false},
	{"6.21.6", "\xed\xae\x80\xed\xbf\xbf", false},
	{"6.21.7", "\xed\xaf\xbf\xed\xb0\x80", false},
	{"6.21.8", "\xed\xaf\xbf\xed\xbf\xbf", false},
	{"6.22.1", "\xef\xbf\xbe", true},
	{"6.22.2", "\xef\xbf\xbf", true},
}, generatedVectors()...)

// generatedVectors returns the vectors Autobahn makes in loops: the
// noncharacters U+nFFFE and U+nFFFF of the planes from 1 to 16 (6.22.3 to
// 6.22.34) and the specials U+FFF9 to U+FFFF (6.23.1 to 6.23.7), all valid.
func generatedVectors() []utf8Vector {
	var vs []utf8Vector
	for plane := 1; plane <= 16; plane++ {
		for _, r := range []rune{rune(plane)<<16 | 0xfffe, rune(plane)<<16 | 0xffff} {
			vs = append(vs, utf8Vector{fmt.Sprintf("6.22.%d", len(vs)+3), string(r), true})
		}
	}
	for i, r := range []rune{0xfff9, 0xfffa, 0xfffb, 0xfffc, 0xfffd, 0xfffe, 0xffff} {
		vs = append(vs, utf8Vector{fmt.Sprintf("6.23.%d", i+1), string(r), true})
	}
	return vs
}

// byteRange returns the bytes from lo to hi, each followed by sep.
func byteRange(lo, hi byte, sep string) string {
	var b strings.Builder
	for c := int(lo); c <= int(hi); c++ {
		b.WriteByte(byte(c))
		b.WriteString(sep)
	}
	return b.String()
}

// TestAutobahn_6 covers the vectors of Autobahn section 6 (6.1.1, 6.2.1
// to 6.2.4, 6.3.1 and 6.3.2, 6.5.1 to 6.23.7, 6.6.x being every prefix of
// κόσμε), each whole, cut in two at every point (the ground of 6.2.2 and
// 6.3.2) and byte by byte (6.2.3 and 6.2.4), each piece checked against
// the fail-fast oracle.
func TestAutobahn_6(t *testing.T) {
	for _, c := range autobahn6 {
		t.Run(c.id, func(t *testing.T) {
			checkEverySplit(t, []byte(c.msg), c.valid)
		})
	}
	for i := 1; i <= len(kosme); i++ {
		t.Run(fmt.Sprintf("6.6.%d", i), func(t *testing.T) {
			p := []byte(kosme[:i])
			checkEverySplit(t, p, utf8.Valid(p))
		})
	}
}

// TestAutobahn_6_1 covers Autobahn 6.1.2 and 6.1.3: empty fragments, and
// a message whose first and last fragments are empty.
func TestAutobahn_6_1(t *testing.T) {
	for _, pieces := range [][]string{{"", "", ""}, {"", "middle frame payload", ""}} {
		var s UTF8State
		for _, p := range pieces {
			var ok bool
			s, ok = ValidateUTF8(s, []byte(p))
			require.True(t, ok)
		}
		require.True(t, s.Complete())
	}
}

// TestAutobahn_6_4 covers Autobahn 6.4.1 to 6.4.4: a text message that
// breaks UTF-8 in its second fragment (or, 6.4.3 and 6.4.4, in the second
// piece of one frame that arrives in pieces) fails at that piece, before
// the rest arrives.
func TestAutobahn_6_4(t *testing.T) {
	for _, c := range []struct {
		id     string
		pieces []string
	}{
		{"6.4.1", []string{kosme, "\xf4\x90\x80\x80", "edited"}},
		{"6.4.2", []string{kosme + "\xf4", "\x90", "\x80\x80edited"}},
		{"6.4.3", []string{kosme, "\xf4\x90\x80\x80", "edited"}},
		{"6.4.4", []string{kosme + "\xf4", "\x90", "\x80\x80edited"}},
	} {
		t.Run(c.id, func(t *testing.T) {
			s, ok := ValidateUTF8(0, []byte(c.pieces[0]))
			require.True(t, ok)
			_, ok = ValidateUTF8(s, []byte(c.pieces[1]))
			require.False(t, ok, "fails at the second piece")
		})
	}
}

// TestValidateUTF8Short checks every input of one and two bytes, and every
// input of three and four bytes over the bytes at the edges of the
// ranges, in every split.
func TestValidateUTF8Short(t *testing.T) {
	for a := range 256 {
		checkEverySplit(t, []byte{byte(a)}, utf8.Valid([]byte{byte(a)}))
		for b := range 256 {
			p := []byte{byte(a), byte(b)}
			checkPieces(t, p, nil)
			checkPieces(t, p, []int{1})
		}
	}
	edges := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff}
	for _, a := range edges {
		for _, b := range edges {
			for _, c := range edges {
				checkEverySplit(t, []byte{a, b, c}, utf8.Valid([]byte{a, b, c}))
				if a >= 0xf0 && a <= 0xf4 {
					for _, d := range []byte{0x41, 0x80, 0xbf, 0xc0} {
						p := []byte{a, b, c, d}
						checkEverySplit(t, p, utf8.Valid(p))
					}
				}
			}
		}
	}
}

// randomText returns text of n bytes or so, mostly valid: ASCII runs,
// characters of every length, and now and then a byte from the edges of
// the ranges, so that about half the inputs are invalid somewhere.
func randomText(rng *rand.Rand, n int) []byte {
	var p []byte
	runes := []rune{'a', 'µ', 'é', 'κ', '€', '中', '\uffff', '😀', '\U0010ffff', '\u0800', '\u07ff', '\U00010000'}
	for len(p) < n {
		switch rng.IntN(10) {
		case 0:
			p = append(p, byte(rng.IntN(256)))
		case 1, 2, 3:
			p = append(p, strings.Repeat("x", rng.IntN(20))...)
		default:
			p = utf8.AppendRune(p, runes[rng.IntN(len(runes))])
		}
	}
	return p
}

// TestValidateUTF8Random compares ValidateUTF8 with utf8.Valid and the
// fail-fast oracle on random text cut in random pieces.
func TestValidateUTF8Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		msg := randomText(rng, rng.IntN(100))
		cuts := make([]int, rng.IntN(8))
		for i := range cuts {
			cuts[i] = rng.IntN(20)
		}
		checkPieces(t, msg, cuts)
	}
	// Long runs take the whole-character path, in large pieces.
	for range 50 {
		msg := randomText(rng, 5000)
		if rng.IntN(2) == 0 {
			msg = []byte(strings.ToValidUTF8(string(msg), "\ufffd"))
		}
		var s UTF8State
		ok := true
		for rest := msg; len(rest) > 0 && ok; {
			n := min(rng.IntN(700), len(rest))
			s, ok = ValidateUTF8(s, rest[:n])
			rest = rest[n:]
		}
		require.Equal(t, utf8.Valid(msg), ok && s.Complete())
	}
}

func TestValidateUTF8Allocs(t *testing.T) {
	msg := []byte(strings.Repeat("Hello-µ@ßöäüàá-UTF-8!! "+kosme, 20))
	require.Zero(t, testing.AllocsPerRun(100, func() {
		s, ok1 := ValidateUTF8(0, msg[:101])
		if s, ok2 := ValidateUTF8(s, msg[101:]); !ok1 || !ok2 || !s.Complete() {
			t.Fatal("invalid")
		}
	}))
}

func BenchmarkUTF8(b *testing.B) {
	for _, c := range []struct {
		name string
		unit string
	}{
		{"ascii", "The quick brown fox jumps over the lazy dog. "},
		{"mixed", "Hello-µ@ßöäüàá-UTF-8!! κόσμε 中文 😀 "},
	} {
		for _, n := range []int{125, 16 << 10} {
			msg := []byte(strings.Repeat(c.unit, n/len(c.unit)+1)[:n])
			msg = []byte(strings.ToValidUTF8(string(msg[:len(msg)-3]), ""))
			b.Run(c.name+"/"+byteSize(n), func(b *testing.B) {
				b.SetBytes(int64(len(msg)))
				for b.Loop() {
					if s, ok := ValidateUTF8(0, msg); !ok || !s.Complete() {
						b.Fatal("invalid")
					}
				}
			})
		}
	}
}

// FuzzUTF8Split validates any bytes in pieces whose lengths the fuzzer
// chooses (the bytes of cuts), and checks each piece against the fail-fast
// oracle and the end against utf8.Valid.
func FuzzUTF8Split(f *testing.F) {
	for _, c := range autobahn6 {
		f.Add([]byte(c.msg), []byte{1, 2, 3})
	}
	f.Add([]byte(kosme+"\xf4\x90\x80\x80edited"), []byte{11, 4})
	f.Add([]byte(kosme+"\xf4\x90\x80\x80edited"), []byte{12, 1})
	f.Add([]byte("a\xe0\xa0"), []byte{2})
	f.Add([]byte(strings.Repeat("é", 20)), []byte{5, 0, 0, 7})
	f.Fuzz(func(t *testing.T, msg, cutBytes []byte) {
		if len(msg) > 256 {
			return
		}
		cuts := make([]int, len(cutBytes))
		for i, c := range cutBytes {
			cuts[i] = int(c)
		}
		checkPieces(t, msg, cuts)
	})
}
