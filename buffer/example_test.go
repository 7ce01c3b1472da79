package buffer_test

import (
	"fmt"

	"github.com/goreactor/reactor/buffer"
)

// A ring with a maximum of 16 bytes has a 16-byte array. After 8 of 10
// bytes are consumed, the next write wraps around the end of the array, so
// Readable returns the data in two parts, as writev would take them.
func Example() {
	r := buffer.New(16)
	r.WriteString("0123456789")
	r.Discard(8)
	r.WriteString("abcdefghij") // 6 bytes at the end of the array, 4 at its start

	a, b := r.Readable()
	fmt.Printf("len %d cap %d: %q + %q\n", r.Len(), r.Cap(), a, b)

	n := r.Discard(len(a) + len(b)) // as if writev had sent everything
	fmt.Println("sent", n, "left", r.Len())

	_, err := r.WriteString("this is more than sixteen bytes")
	fmt.Println(err, r.Len())
	// Output:
	// len 12 cap 16: "89abcdef" + "ghij"
	// sent 12 left 0
	// buffer: ring full 16
}
