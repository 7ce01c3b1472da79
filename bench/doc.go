// Package bench holds goreactor's benchmarks that need a server in a process
// of its own: memory per idle connection, measured as the server process's
// resident set size. Run them with
//
//	go test -run '^$' -bench . -benchtime 1x ./bench
//
// The test binary doubles as the server: started with BENCH_SERVER set, it
// runs that server instead of the benchmarks (see servers_test.go).
package bench
