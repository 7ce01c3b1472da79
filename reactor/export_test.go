package reactor

// Test seams, in the style of internal/poll's export_test.go: what only
// tests need lives here, not in the package's own files.

// withSyscalls wraps the loop's system calls; for tests only.
func withSyscalls(wrap func(real syscalls) syscalls) Option {
	return func(c *config) error {
		c.wrapSys = wrap
		return nil
	}
}
