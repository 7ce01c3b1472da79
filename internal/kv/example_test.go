package kv_test

import (
	"fmt"

	"github.com/goreactor/reactor/internal/kv"
)

// Commands run on a keyspace and append their RESP2 replies. With no
// Scheduler, keys expire only when a command finds them expired.
func Example() {
	ks := kv.NewKeyspace(nil)
	var out []byte
	for _, cmd := range [][]string{
		{"SET", "visits", "41", "EX", "60"},
		{"INCR", "visits"},
		{"TTL", "visits"},
		{"MGET", "visits", "nobody"},
	} {
		args := make([][]byte, len(cmd))
		for i, a := range cmd {
			args[i] = []byte(a)
		}
		out = ks.Do(out, args)
	}
	fmt.Printf("%q\n", out)
	// Output: "+OK\r\n:42\r\n:60\r\n*2\r\n$2\r\n42\r\n$-1\r\n"
}
