package http1

import (
	"net/url"
	"testing"
)

// FuzzQueryDecode: decoding never fails, a decoded name compares equal to
// its raw form, and where net/url can decode a value (its escapes all
// valid), the two agree.
func FuzzQueryDecode(f *testing.F) {
	for _, s := range []string{"", "a", "a+b", "%41%42", "%zz", "%4", "%", "1%2B2", "caf%C3%A9", "%%41", "+%2b+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := appendDecoded(nil, []byte(raw))
		if !decodedEqual([]byte(raw), string(got)) {
			t.Fatalf("decodedEqual(%q, %q) is false", raw, got)
		}
		if len(got) > 0 && decodedEqual([]byte(raw), string(got[:len(got)-1])) {
			t.Fatalf("decodedEqual(%q, %q) is true for a prefix", raw, got[:len(got)-1])
		}
		if want, err := url.QueryUnescape(raw); err == nil && want != string(got) {
			t.Fatalf("%q: decoded %q, net/url %q", raw, got, want)
		}
	})
}
