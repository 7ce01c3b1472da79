package ascii

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"Content-Length", "content-length", true},
		{"UPGRADE", "upgrade", true},
		{"upgrade", "upgrade", true},
		{"upgrades", "upgrade", false},
		{"upgrad", "upgrade", false},
		{"", "", true},
		{"\xc4\xb0", "\xc4\xb0", true}, // bytes past ASCII compare as they are
		{"\xc4\xb0", "i", false},
		{"[", "{", false}, // '[' and '{' are 32 apart, but not letters
	} {
		require.Equal(t, c.want, EqualFold([]byte(c.p), c.s), "%q %q", c.p, c.s)
	}
}

func TestTrimOWS(t *testing.T) {
	for in, want := range map[string]string{
		" \t a b \t ": "a b",
		"a":           "a",
		"   ":         "",
		"":            "",
		"\ra\r":       "\ra\r", // only spaces and tabs are whitespace here
	} {
		require.Equal(t, want, string(TrimOWS([]byte(in))), "%q", in)
	}
}

func TestLists(t *testing.T) {
	list := " a, ,b\t,, \"c, d\" e ,"
	var toks []string
	for tok, rest := NextToken(list); len(tok) > 0; tok, rest = NextToken(rest) {
		toks = append(toks, tok)
	}
	require.Equal(t, []string{"a", "b", `"c, d" e`}, toks, "a comma inside a quoted string does not separate")
	require.True(t, HasToken([]byte("keep-alive, Upgrade"), "upgrade"))
	require.True(t, HasToken("Close", "close"))
	require.False(t, HasToken("closed, x", "close"))
	require.False(t, HasToken("", "close"))
	name, params := CutElement([]byte("permessage-deflate; x=1"), ';')
	require.Equal(t, "permessage-deflate", string(name))
	require.Equal(t, " x=1", string(params))
	b := []byte("keep-alive, close")
	require.Zero(t, testing.AllocsPerRun(100, func() {
		HasToken(b, "close")
		HasToken("keep-alive, close", "close")
	}))
}
