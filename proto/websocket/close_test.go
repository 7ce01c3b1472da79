package websocket

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

// TestAutobahn_7_3 covers Autobahn 7.3.1 to 7.3.6: close frames with no
// payload, one byte, a code alone, a code and a reason, and the longest
// reason (7.3.6, a payload of 126 bytes, is the header's: TestAutobahn_2_5).
func TestAutobahn_7_3(t *testing.T) {
	code, reason, err := ParseClose(nil)
	require.NoError(t, err, "7.3.1")
	require.Equal(t, CloseNoStatus, int(code), "7.3.1")
	require.Empty(t, reason)

	_, _, err = ParseClose([]byte{0x03})
	require.ErrorIs(t, err, ErrCloseLength, "7.3.2")
	require.Equal(t, CloseProtocolError, int(CloseCodeOf(err)))

	code, reason, err = ParseClose(closePayload(1000, ""))
	require.NoError(t, err, "7.3.3")
	require.Equal(t, CloseNormal, int(code))
	require.Empty(t, reason)

	code, reason, err = ParseClose(closePayload(1000, "Hello World!"))
	require.NoError(t, err, "7.3.4")
	require.Equal(t, CloseNormal, int(code))
	require.Equal(t, "Hello World!", string(reason))

	long := strings.Repeat("*", MaxCloseReason)
	code, reason, err = ParseClose(closePayload(1000, long))
	require.NoError(t, err, "7.3.5")
	require.Equal(t, CloseNormal, int(code))
	require.Equal(t, long, string(reason))

	_, _, err = ParseClose(closePayload(1000, long+"*"))
	require.ErrorIs(t, err, ErrControlLength, "7.3.6, if the header let it through")
}

// TestAutobahn_7_5_1 covers Autobahn 7.5.1: a close reason that is not
// valid UTF-8 is answered with 1007.
func TestAutobahn_7_5_1(t *testing.T) {
	_, _, err := ParseClose(closePayload(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"))
	require.ErrorIs(t, err, ErrCloseReason)
	require.Equal(t, CloseInvalidPayload, int(CloseCodeOf(err)))
}

// TestAutobahn_7_7 covers Autobahn 7.7.1 to 7.7.13 (valid close codes, and
// the ones the IANA registry added), 7.9.1 to 7.9.9 (invalid ones) and
// 7.13.1 and 7.13.2 (codes out of range).
func TestAutobahn_7_7(t *testing.T) {
	valid := []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}
	for i, code := range valid {
		t.Run(fmt.Sprintf("7.7.%d", i+1), func(t *testing.T) {
			got, _, err := ParseClose(closePayload(code, "reason"))
			require.NoError(t, err)
			require.Equal(t, code, got)
			require.True(t, ValidCloseCode(code))
		})
	}
	for _, code := range []uint16{CloseServiceRestart, CloseTryAgainLater, CloseBadGateway} {
		_, _, err := ParseClose(closePayload(code, ""))
		require.NoError(t, err, "%d is in the IANA registry", code)
	}
	invalid := []uint16{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999}
	for i, code := range invalid {
		t.Run(fmt.Sprintf("7.9.%d", i+1), func(t *testing.T) {
			_, _, err := ParseClose(closePayload(code, ""))
			require.ErrorIs(t, err, ErrCloseCode)
			require.Equal(t, CloseProtocolError, int(CloseCodeOf(err)))
			require.False(t, ValidCloseCode(code))
		})
	}
	for i, code := range []uint16{5000, 65535} {
		t.Run(fmt.Sprintf("7.13.%d", i+1), func(t *testing.T) {
			_, _, err := ParseClose(closePayload(code, ""))
			require.ErrorIs(t, err, ErrCloseCode)
		})
	}
	_, _, err := ParseClose(closePayload(CloseTLSHandshake, ""))
	require.ErrorIs(t, err, ErrCloseCode, "1015 is for reporting only")
}

// TestValidCloseCodeRanges checks ValidCloseCode against the list of RFC
// 6455 §7.4 and the IANA registry, code by code.
func TestValidCloseCodeRanges(t *testing.T) {
	for c := 0; c <= 0xffff; c++ {
		want := c >= 1000 && c <= 1003 || c >= 1007 && c <= 1014 || c >= 3000 && c <= 4999
		require.Equal(t, want, ValidCloseCode(uint16(c)), "%d", c)
	}
}

func TestAppendClose(t *testing.T) {
	p := AppendClose(nil, CloseGoingAway, "bye")
	require.Equal(t, []byte{0x03, 0xe9, 'b', 'y', 'e'}, p)
	code, reason, err := ParseClose(p)
	require.NoError(t, err)
	require.Equal(t, CloseGoingAway, int(code))
	require.Equal(t, "bye", string(reason))

	for _, code := range []uint16{CloseNoStatus, CloseAbnormal, CloseTLSHandshake, 0, 2000, 5000} {
		require.Empty(t, AppendClose(nil, code, "reason"), "%d is not sent", code)
	}

	// A reason that is too long is cut at the start of a character.
	for _, r := range []string{strings.Repeat("a", 200), strings.Repeat("é", 100), strings.Repeat("€", 50),
		strings.Repeat("😀", 40), "a" + strings.Repeat("😀", 40), "ab" + strings.Repeat("😀", 40)} {
		p := AppendClose([]byte("prefix"), CloseNormal, r)
		require.Equal(t, "prefix", string(p[:6]))
		p = p[6:]
		require.LessOrEqual(t, len(p), MaxControlPayload, "%q", r)
		require.Greater(t, len(p), MaxControlPayload-4, "%q is cut no more than a character", r)
		_, reason, err := ParseClose(p)
		require.NoError(t, err, "%q", r)
		require.True(t, utf8.Valid(reason))
		require.True(t, strings.HasPrefix(r, string(reason)))
	}

	dst := make([]byte, 0, MaxControlPayload)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		dst = AppendClose(dst[:0], CloseNormal, "done")
		if _, _, err := ParseClose(dst); err != nil {
			t.Fatal(err)
		}
	}))
}

// FuzzParseClose parses any bytes as a close payload and checks: no
// panic; an accepted payload has a code that may be sent and a reason in
// UTF-8 that is its tail, and AppendClose writes it back the same; an
// empty one is CloseNoStatus; every error is an *Error.
func FuzzParseClose(f *testing.F) {
	for _, s := range []string{
		"", "\x03", "\x03\xe8", "\x03\xe8Hello World!", "\x03\xec", "\x03\xed", "\x03\xf7",
		"\x0b\xb8", "\x13\x87", "\x13\x88", "\x00\x00", "\xff\xff",
		"\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
		"\x03\xe8\xf0\x9f\x98", "\x03\xe8" + strings.Repeat("x", MaxCloseReason+1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		code, reason, err := ParseClose(p)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			return
		}
		if len(p) == 0 {
			require.Equal(t, CloseNoStatus, int(code))
			return
		}
		require.True(t, ValidCloseCode(code))
		require.True(t, utf8.Valid(reason))
		require.Equal(t, p[2:], reason)
		require.True(t, bytes.Equal(p, AppendClose(nil, code, string(reason))))
	})
}
