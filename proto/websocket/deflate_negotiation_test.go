package websocket

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	answer   = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
	answer15 = answer + "; server_max_window_bits=15"
)

// TestNegotiateDeflate covers the offers of RFC 7692's examples, the
// browsers', the ones the Autobahn 12.x and 13.x cases send (12.x and 13.1:
// the default offer; 13.2: server_no_context_takeover; 13.3 and 13.5: a
// server window of 8 bits, which this server declines; 13.4 and 13.6: 15
// bits; 13.7: three offers, the first declined), and the offers RFC 7692
// §5 makes a server decline.
func TestNegotiateDeflate(t *testing.T) {
	// ab is the default offer of Autobahn's client.
	const ab = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
	for _, c := range []struct {
		name   string
		fields []string
		want   string // "" if declined
	}{
		{"RFC 7692 example, no parameter", []string{"permessage-deflate"}, answer},
		{"RFC 7692 example, two offers", []string{"permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits"}, answer},
		{"RFC 7692 example, server_max_window_bits=10 alone", []string{"permessage-deflate; server_max_window_bits=10"}, ""},
		{"RFC 7692 example, client_max_window_bits", []string{"permessage-deflate; client_max_window_bits"}, answer},
		{"Chrome and Firefox", []string{"permessage-deflate; client_max_window_bits"}, answer},
		{"12.x and 13.1", []string{ab}, answer},
		{"13.2", []string{ab + "; server_no_context_takeover"}, answer},
		{"13.3", []string{ab + "; server_max_window_bits=8"}, ""},
		{"13.4", []string{ab + "; server_max_window_bits=15"}, answer15},
		{"13.5", []string{ab + "; server_no_context_takeover; server_max_window_bits=8"}, ""},
		{"13.6", []string{ab + "; server_no_context_takeover; server_max_window_bits=15"}, answer15},
		{"13.7", []string{ab + "; server_no_context_takeover; server_max_window_bits=8, " +
			ab + "; server_no_context_takeover, " + ab}, answer},
		{"ClientDeflateOffer", []string{ClientDeflateOffer}, answer},
		{"every parameter", []string{"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15; client_max_window_bits=9"}, answer15},
		{"whitespace and case", []string{" Permessage-Deflate ;Client_Max_Window_Bits = 12 ;\tserver_no_context_takeover "}, answer},
		{"quoted value", []string{`permessage-deflate; client_max_window_bits="10"`}, answer},
		{"quoted value with an escape", []string{`permessage-deflate; server_max_window_bits="1\5"`}, answer15},
		{"other extensions first", []string{"x-webkit-deflate-frame, foo; bar=\"a,permessage-deflate\", permessage-deflate"}, answer},
		{"second field", []string{"x-foo", "permessage-deflate; server_max_window_bits=9", "permessage-deflate"}, answer},
		{"empty elements", []string{", ,permessage-deflate,,"}, answer},

		{"none", nil, ""},
		{"empty", []string{""}, ""},
		{"another extension", []string{"x-webkit-deflate-frame"}, ""},
		{"only in a quoted string", []string{`foo; bar="x, permessage-deflate"`}, ""},
		{"unknown parameter", []string{"permessage-deflate; foo"}, ""},
		{"unknown parameter with a value", []string{"permessage-deflate; foo=1"}, ""},
		{"repeated parameter", []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, ""},
		{"repeated window", []string{"permessage-deflate; client_max_window_bits=10; client_max_window_bits=10"}, ""},
		{"repeated window, one without value", []string{"permessage-deflate; client_max_window_bits; client_max_window_bits=10"}, ""},
		{"value where none is allowed", []string{"permessage-deflate; server_no_context_takeover=1"}, ""},
		{"empty value", []string{"permessage-deflate; client_no_context_takeover="}, ""},
		{"server window without a value", []string{"permessage-deflate; server_max_window_bits"}, ""},
		{"window of 7 bits", []string{"permessage-deflate; client_max_window_bits=7"}, ""},
		{"window of 16 bits", []string{"permessage-deflate; server_max_window_bits=16"}, ""},
		{"window with a leading zero", []string{"permessage-deflate; client_max_window_bits=09"}, ""},
		{"window with a sign", []string{"permessage-deflate; client_max_window_bits=+9"}, ""},
		{"window as hex", []string{"permessage-deflate; client_max_window_bits=0xf"}, ""},
		{"empty window", []string{"permessage-deflate; server_max_window_bits="}, ""},
		{"unterminated quote", []string{`permessage-deflate; client_max_window_bits="10`}, ""},
		{"escape outside quotes", []string{`permessage-deflate; client_max_window_bits=1\0`}, ""},
		{"empty parameter", []string{"permessage-deflate;"}, ""},
		{"empty parameter between", []string{"permessage-deflate;; client_max_window_bits"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var fields [][]byte
			for _, f := range c.fields {
				fields = append(fields, []byte(f))
			}
			got, ok := NegotiateDeflate(fields...)
			require.Equal(t, c.want, got, "%q", c.fields)
			require.Equal(t, c.want != "", ok)
			if ok {
				// The answer is one this package's client takes.
				enabled, err := CheckDeflateResponse([]byte(got))
				require.NoError(t, err)
				require.True(t, enabled)
			}
		})
	}
	offer := []byte("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits")
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if _, ok := NegotiateDeflate(offer); !ok {
			t.Fatal("declined")
		}
	}))
}

// TestCheckDeflateResponse reads servers' answers to ClientDeflateOffer.
func TestCheckDeflateResponse(t *testing.T) {
	for _, c := range []struct {
		name    string
		fields  []string
		enabled bool
		err     error
	}{
		{"declined", nil, false, nil},
		{"declined, empty field", []string{""}, false, nil},
		{"this package's server", []string{answer}, true, nil},
		{"with server_max_window_bits=15", []string{answer15}, true, nil},
		{"a smaller server window", []string{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10"}, true, nil},
		{"without client_no_context_takeover", []string{"permessage-deflate; server_no_context_takeover"}, true, nil},
		{"case and whitespace", []string{" PERMESSAGE-DEFLATE;SERVER_NO_CONTEXT_TAKEOVER "}, true, nil},

		{"without server_no_context_takeover", []string{"permessage-deflate"}, false, ErrExtensionResponse},
		{"client window not offered", []string{"permessage-deflate; server_no_context_takeover; client_max_window_bits=10"}, false, ErrExtensionResponse},
		{"client window without a value", []string{"permessage-deflate; server_no_context_takeover; client_max_window_bits"}, false, ErrExtensionResponse},
		{"server window without a value", []string{"permessage-deflate; server_no_context_takeover; server_max_window_bits"}, false, ErrExtensionResponse},
		{"server window of 16 bits", []string{"permessage-deflate; server_no_context_takeover; server_max_window_bits=16"}, false, ErrExtensionResponse},
		{"unknown parameter", []string{"permessage-deflate; server_no_context_takeover; foo"}, false, ErrExtensionResponse},
		{"repeated parameter", []string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, false, ErrExtensionResponse},
		{"accepted twice", []string{answer + ", " + answer}, false, ErrExtensionResponse},
		{"accepted twice in two fields", []string{answer, answer}, false, ErrExtensionResponse},
		{"another extension", []string{"x-webkit-deflate-frame"}, false, ErrExtensionResponse},
		{"another extension too", []string{answer + ", x-foo"}, false, ErrExtensionResponse},
	} {
		t.Run(c.name, func(t *testing.T) {
			var fields [][]byte
			for _, f := range c.fields {
				fields = append(fields, []byte(f))
			}
			enabled, err := CheckDeflateResponse(fields...)
			require.ErrorIs(t, err, c.err)
			require.Equal(t, c.enabled, enabled)
		})
	}
	// The client's offer is one this package's server accepts.
	_, ok := NegotiateDeflate([]byte(ClientDeflateOffer))
	require.True(t, ok)
}

// FuzzNegotiateDeflate reads any bytes as a client's offers and as a
// server's answer: no panic, and an accepted offer gets one of the two
// answers.
func FuzzNegotiateDeflate(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate", ClientDeflateOffer, answer15,
		`permessage-deflate; client_max_window_bits="1\0"`,
		`x; y="a,permessage-deflate", permessage-deflate; server_max_window_bits=9`,
		"permessage-deflate;;", `permessage-deflate; client_max_window_bits="`, ",,,",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if got, ok := NegotiateDeflate(p); ok {
			require.Contains(t, []string{answer, answer15}, got)
		}
		if enabled, err := CheckDeflateResponse(p); err != nil {
			require.False(t, enabled)
		}
	})
}
