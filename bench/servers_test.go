package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/goreactor/reactor/bench/load"
	"github.com/goreactor/reactor/reactor"
)

// serverEnv names the server the test binary runs instead of the
// benchmarks when it is re-executed by startServer.
const serverEnv = "BENCH_SERVER"

func TestMain(m *testing.M) {
	if kind := os.Getenv(serverEnv); kind != "" {
		if err := runServer(kind); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runServer runs an echo server of the given kind on 127.0.0.1:0, prints its
// address on stdout and serves until SIGTERM.
func runServer(kind string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if n, ok := strings.CutPrefix(kind, "group-"); ok {
		loops, err := strconv.Atoi(n)
		if err != nil {
			return err
		}
		g, err := reactor.NewGroup(func(int) reactor.Handler { return echo{} }, reactor.WithLoops(loops))
		if err != nil {
			return err
		}
		addr, err := g.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		fmt.Println(addr)
		return g.Run(ctx)
	}
	switch kind {
	case "reactor":
		l, err := reactor.New(echo{})
		if err != nil {
			return err
		}
		addr, err := l.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		fmt.Println(addr)
		return l.Run(ctx)
	case "net":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		fmt.Println(ln.Addr())
		context.AfterFunc(ctx, func() { ln.Close() })
		for {
			c, err := ln.Accept()
			if err != nil {
				return nil
			}
			go netEcho(c)
		}
	}
	return fmt.Errorf("unknown server %q", kind)
}

type echo struct{}

func (echo) OnOpen(*reactor.Conn) {}
func (echo) OnData(c *reactor.Conn) {
	p, _ := c.Next(0)
	c.Write(p)
}
func (echo) OnClose(*reactor.Conn, error) {}

// netEcho is the goroutine-per-connection baseline, written the way a Go
// programmer would: a 4 KiB buffer per connection.
func netEcho(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4<<10)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// server is an echo server in a child process.
type server struct {
	cmd  *exec.Cmd
	addr string
}

func startServer(tb testing.TB, kind string, env ...string) *server {
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), serverEnv+"="+kind), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s := &server{cmd: cmd}
	tb.Cleanup(s.stop)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		tb.Fatalf("server %s: %v", kind, err)
	}
	s.addr = strings.TrimSpace(line)
	return s
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
}

// rss returns the server's resident set size in bytes.
func (s *server) rss(tb testing.TB) int {
	n, err := load.ProcessRSS(s.cmd.Process.Pid)
	if err != nil {
		tb.Skipf("cannot read the server's memory: %v", err)
	}
	return int(n)
}
