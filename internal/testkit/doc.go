// Package testkit is the project's test toolkit, shared by the tests of
// every package: a leak check on goroutines and fds, waiting for a
// condition instead of sleeping, the bound on every wait, and a
// certificate authority for TLS tests. It imports nothing of the project
// but internal/certs, so that any package's internal tests can use it.
//
// Importing it also starts the Go runtime's own poller (see init), so
// that the fds the runtime opens lazily are never taken for a test's.
package testkit
