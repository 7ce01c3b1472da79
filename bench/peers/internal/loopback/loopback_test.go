package loopback

import "testing"

func TestCheck(t *testing.T) {
	for _, a := range []string{"127.0.0.1:1", "[::1]:1", "127.0.0.2:0"} {
		if err := Check(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"0.0.0.0:1", ":1", "10.0.0.1:1", "localhost:1", "example.com:80", "nonsense"} {
		if Check(a) == nil {
			t.Errorf("%s accepted", a)
		}
	}
}
