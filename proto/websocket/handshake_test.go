package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAcceptKey checks the examples of RFC 6455 §1.3 (whose SHA-1 the RFC
// spells out: b3 7a 4f 2c ...) and §1.2, and the computation as the RFC
// words it for other keys.
func TestAcceptKey(t *testing.T) {
	const key, accept = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	require.Equal(t, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=", AcceptKey([]byte("x3JJHMbDL1EzLkh9GBhXDw==")))
	require.Equal(t, accept, AcceptKey([]byte(key)))
	require.Equal(t, accept, AcceptKey([]byte(" "+key+"\t")), "whitespace around the value is not part of it")
	require.Equal(t, "prefix"+accept, string(AppendAcceptKey([]byte("prefix"), []byte(key))))
	require.NoError(t, CheckAccept([]byte(key), []byte(accept)))
	require.NoError(t, CheckAccept([]byte(key), []byte(" "+accept)))
	require.ErrorIs(t, CheckAccept([]byte(key), []byte("s3pPLMBiTxaQ9kYGzzhZRbK+xOp=")), ErrAccept)
	require.ErrorIs(t, CheckAccept([]byte(key), nil), ErrAccept)

	for _, k := range []string{"AAAAAAAAAAAAAAAAAAAAAA==", "x3JJHMbDL1EzLkh9GBhXDw==", "a much longer key than any client sends, to pass the buffer"} {
		sum := sha1.Sum([]byte(k + acceptGUID))
		require.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), AcceptKey([]byte(k)))
	}

	dst := make([]byte, 0, 64)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		dst = AppendAcceptKey(dst[:0], []byte(key))
		if err := CheckAccept([]byte(key), []byte(accept)); err != nil {
			t.Fatal(err)
		}
	}))
}

func TestCheckKey(t *testing.T) {
	for _, k := range []string{"dGhlIHNhbXBsZSBub25jZQ==", "AAAAAAAAAAAAAAAAAAAAAA==", " x3JJHMbDL1EzLkh9GBhXDw== "} {
		require.NoError(t, CheckKey([]byte(k)), k)
	}
	for _, k := range []string{
		"",
		"dGhlIHNhbXBsZSBub25jZQ",       // no padding
		"dGhlIHNhbXBsZSBub25jZQ=",      // short padding
		"dGhlIHNhbXBsZSBub25j",         // 15 bytes
		"dGhlIHNhbXBsZSBub25jZXM=",     // 17 bytes
		"dGhlIHNhbXBsZSBub25jZSBhbmQ=", // 20 bytes
		"dGhlIHNhbXBsZSBub25jZQ!=",     // not base64
		"dGhlIHNhbXBsZSBub25j\r\nZQ=",  // a line break the decoder would skip
		"dGhlIHNhbXBsZSBub25jZQ==\x00",
	} {
		require.ErrorIs(t, CheckKey([]byte(k)), ErrKey, "%q", k)
	}
}

func TestCheckVersion(t *testing.T) {
	require.NoError(t, CheckVersion([]byte("13")))
	require.NoError(t, CheckVersion([]byte(" 13 ")))
	for _, v := range []string{"", "8", "12", "130", "13, 8", "0x0d", "1 3"} {
		require.ErrorIs(t, CheckVersion([]byte(v)), ErrVersion, "%q", v)
	}
}

func TestHasToken(t *testing.T) {
	for _, c := range []struct {
		list, token string
		want        bool
	}{
		{"Upgrade", "upgrade", true},
		{"keep-alive, Upgrade", "upgrade", true},
		{"keep-alive,Upgrade", "upgrade", true},
		{"  UPGRADE\t,", "upgrade", true},
		{",,, upgrade ,,", "upgrade", true},
		{"websocket", "websocket", true},
		{"WebSocket", "websocket", true},
		{"h2c, websocket", "websocket", true},
		{"keep-alive", "upgrade", false},
		{"upgrades", "upgrade", false},
		{"up grade", "upgrade", false},
		{"", "upgrade", false},
		{`"upgrade"`, "upgrade", false},
		{`x="a,upgrade"`, "upgrade", false},
		{"websocket/13", "websocket", false},
	} {
		require.Equal(t, c.want, HasToken([]byte(c.list), c.token), "%q has %q", c.list, c.token)
	}
	list := []byte("keep-alive, Upgrade")
	require.Zero(t, testing.AllocsPerRun(100, func() { HasToken(list, "upgrade") }))
}

func TestSelectProtocol(t *testing.T) {
	server := []string{"v2.chat", "chat", "superchat"}
	for _, c := range []struct {
		offered []string
		want    string
	}{
		{nil, ""},
		{[]string{"chat"}, "chat"},
		{[]string{"chat, v2.chat"}, "v2.chat"},
		{[]string{"superchat", "chat"}, "chat"},
		{[]string{" superchat ,,"}, "superchat"},
		{[]string{"Chat"}, ""},
		{[]string{"chat2, ch"}, ""},
		{[]string{"", "superchat"}, "superchat"},
	} {
		var offered [][]byte
		for _, o := range c.offered {
			offered = append(offered, []byte(o))
		}
		require.Equal(t, c.want, SelectProtocol(server, offered...), "%q", c.offered)
	}
	require.Empty(t, SelectProtocol(nil, []byte("chat")))
	a, b := []byte("mqtt"), []byte("wamp.2.json, chat")
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if SelectProtocol(server, a, b) != "chat" {
			t.Fatal("no chat")
		}
	}))
}
