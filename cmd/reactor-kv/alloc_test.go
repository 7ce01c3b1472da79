package main

import (
	"testing"

	"github.com/goreactor/reactor/internal/kv"
	"github.com/goreactor/reactor/proto/resp"
	"github.com/stretchr/testify/require"
)

// oneShard returns a shard of a one-loop server, without its loop: enough
// to parse and dispatch requests.
func oneShard(t testing.TB) (*shard, *client) {
	parser, err := resp.NewParser(resp.DefaultLimits())
	require.NoError(t, err)
	s := &shard{parser: parser, ks: kv.NewKeyspace(nil)}
	s.srv = &server{shards: []*shard{s}}
	return s, &client{}
}

// handle parses and dispatches every request of in, as a round does, and
// returns the replies.
func (s *shard) handle(cl *client, in []byte) []byte {
	s.out = s.out[:0]
	for len(in) > 0 {
		args, n, err := s.parser.Parse(in)
		if err != nil || n == 0 {
			panic("not whole requests")
		}
		s.dispatch(cl, args)
		in = in[n:]
	}
	return s.out
}

var setGet = []byte(command("SET", "key:000001", "a value of 24 bytes long") + command("GET", "key:000001"))

// TestRequestDoesNotAllocate: parsing and running SET and GET of a key
// that exists allocates nothing (with -loops 1; a forwarded request
// allocates its batch and slot).
func TestRequestDoesNotAllocate(t *testing.T) {
	s, cl := oneShard(t)
	require.Equal(t, "+OK\r\n"+bulk("a value of 24 bytes long"), string(s.handle(cl, setGet)))
	allocs := testing.AllocsPerRun(1000, func() { s.handle(cl, setGet) })
	require.Zero(t, allocs)
}

// BenchmarkRequest measures the parse and dispatch of a SET and a GET
// (run with -benchmem: 0 allocs/op).
func BenchmarkRequest(b *testing.B) {
	s, cl := oneShard(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(setGet)))
	for b.Loop() {
		s.handle(cl, setGet)
	}
}
