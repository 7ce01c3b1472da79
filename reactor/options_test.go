package reactor

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goreactor/reactor/internal/testkit"
	"github.com/goreactor/reactor/poller"
	"github.com/stretchr/testify/require"
)

// optionCase is a list of options given to New (opts) or NewGroup (group)
// together. For a valid case want is empty; for an invalid one it holds the
// texts the error must contain: the option's name with the value.
type optionCase struct {
	option string // the With* function the case is about, or "nil" or "several"
	opts   []Option
	group  []GroupOption
	want   []string
}

func loopCase(option string, want []string, opts ...Option) optionCase {
	return optionCase{option: option, opts: opts, want: want}
}

func groupCase(option string, want []string, opts ...GroupOption) optionCase {
	return optionCase{option: option, group: opts, want: want}
}

// validOptions returns, for every option, values it must accept, the
// documented edge values among them.
func validOptions() []optionCase {
	return []optionCase{
		loopCase("WithReadBufferSize", nil, WithReadBufferSize(1)),
		loopCase("WithReadBufferSize", nil, WithReadBufferSize(DefaultReadBufferSize)),
		loopCase("WithMaxInput", nil, WithMaxInput(1)),
		loopCase("WithMaxInput", nil, WithMaxInput(64<<20)),
		loopCase("WithMaxOutput", nil, WithMaxOutput(1)),
		loopCase("WithMaxOutput", nil, WithMaxOutput(64<<10)), // below the default high watermark
		loopCase("WithMaxOutput", nil, WithMaxOutput(64<<20)),
		loopCase("WithWriteWatermarks", nil, WithWriteWatermarks(0, 1)),
		loopCase("WithWriteWatermarks", nil, WithWriteWatermarks(DefaultMaxOutput-1, DefaultMaxOutput)),
		loopCase("WithWriteWatermarks", nil, WithWriteWatermarks(10, 100), WithMaxOutput(100)),
		loopCase("WithWriteWatermarks", nil, WithMaxOutput(100), WithWriteWatermarks(10, 100)),
		loopCase("WithWriteWatermarks", nil, WithWriteWatermarks(8<<20, 16<<20), WithMaxOutput(32<<20)),
		loopCase("WithGracePeriod", nil, WithGracePeriod(0)),
		loopCase("WithGracePeriod", nil, WithGracePeriod(time.Minute)),
		loopCase("WithLinger", nil, WithLinger(0)),
		loopCase("WithLinger", nil, WithLinger(time.Minute)),
		loopCase("WithKeepAlive", nil, WithKeepAlive(0)),
		loopCase("WithKeepAlive", nil, WithKeepAlive(time.Minute)),
		loopCase("WithReadTimeout", nil, WithReadTimeout(0)),
		loopCase("WithReadTimeout", nil, WithReadTimeout(time.Second)),
		loopCase("WithWriteTimeout", nil, WithWriteTimeout(0)),
		loopCase("WithWriteTimeout", nil, WithWriteTimeout(time.Second)),
		loopCase("WithMaxConns", nil, WithMaxConns(0)),
		loopCase("WithMaxConns", nil, WithMaxConns(1)),
		loopCase("WithTLSHandshakeTimeout", nil, WithTLSHandshakeTimeout(time.Millisecond)),
		loopCase("WithMaxTLSHandshakes", nil, WithMaxTLSHandshakes(1)),
		loopCase("WithPacketQueue", nil, WithPacketQueue(1, 1)),
		loopCase("WithPoller", nil, WithPoller(poller.New)),
		loopCase("WithPoller", nil, WithPoller(poller.NewPoll)),
		loopCase("WithLogger", nil, WithLogger(nil)),
		loopCase("WithLogger", nil, WithLogger(discardLogger())),

		groupCase("WithLoops", nil, WithLoops(1)),
		groupCase("WithLoops", nil, WithLoops(3)),
		groupCase("WithAcceptMode", nil, WithAcceptMode(AcceptAuto)),
		groupCase("WithAcceptMode", nil, WithAcceptMode(AcceptReusePort)),
		groupCase("WithAcceptMode", nil, WithAcceptMode(AcceptHandoff)),
		groupCase("WithBalance", nil, WithBalance(RoundRobin)),
		groupCase("WithBalance", nil, WithBalance(LeastConns)),
		groupCase("WithLoopOptions", nil, WithLoopOptions()),
		groupCase("WithLoopOptions", nil, WithLoopOptions(WithMaxOutput(64<<10), WithLinger(0), WithPoller(poller.NewPoll))),
	}
}

// invalidOptions returns, for every option that has any, values it must
// reject. WithLogger has none: nil selects the default.
func invalidOptions() []optionCase {
	return []optionCase{
		loopCase("WithReadBufferSize", []string{"WithReadBufferSize(0)"}, WithReadBufferSize(0)),
		loopCase("WithReadBufferSize", []string{"WithReadBufferSize(-1)"}, WithReadBufferSize(-1)),
		loopCase("WithMaxInput", []string{"WithMaxInput(0)"}, WithMaxInput(0)),
		loopCase("WithMaxInput", []string{"WithMaxInput(-1)"}, WithMaxInput(-1)),
		loopCase("WithMaxOutput", []string{"WithMaxOutput(0)"}, WithMaxOutput(0)),
		loopCase("WithMaxOutput", []string{"WithMaxOutput(-1)"}, WithMaxOutput(-1)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(10, 5)"}, WithWriteWatermarks(10, 5)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(10, 10)"}, WithWriteWatermarks(10, 10)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(0, 0)"}, WithWriteWatermarks(0, 0)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(-1, 10)"}, WithWriteWatermarks(-1, 10)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(0, 4194305)", "4194304", "WithMaxOutput"},
			WithWriteWatermarks(0, DefaultMaxOutput+1)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(0, 101)", "100", "WithMaxOutput"},
			WithWriteWatermarks(0, 101), WithMaxOutput(100)),
		loopCase("WithWriteWatermarks", []string{"WithWriteWatermarks(0, 101)", "100", "WithMaxOutput"},
			WithMaxOutput(100), WithWriteWatermarks(0, 101)),
		loopCase("WithGracePeriod", []string{"WithGracePeriod(-1ns)"}, WithGracePeriod(-1)),
		loopCase("WithGracePeriod", []string{"WithGracePeriod(-1s)"}, WithGracePeriod(-time.Second)),
		loopCase("WithLinger", []string{"WithLinger(-1s)"}, WithLinger(-time.Second)),
		loopCase("WithKeepAlive", []string{"WithKeepAlive(-1s)"}, WithKeepAlive(-time.Second)),
		loopCase("WithReadTimeout", []string{"WithReadTimeout(-1s)"}, WithReadTimeout(-time.Second)),
		loopCase("WithWriteTimeout", []string{"WithWriteTimeout(-1ms)"}, WithWriteTimeout(-time.Millisecond)),
		loopCase("WithMaxConns", []string{"WithMaxConns(-1)"}, WithMaxConns(-1)),
		loopCase("WithTLSHandshakeTimeout", []string{"WithTLSHandshakeTimeout(0s)"}, WithTLSHandshakeTimeout(0)),
		loopCase("WithTLSHandshakeTimeout", []string{"WithTLSHandshakeTimeout(-1s)"}, WithTLSHandshakeTimeout(-time.Second)),
		loopCase("WithMaxTLSHandshakes", []string{"WithMaxTLSHandshakes(0)"}, WithMaxTLSHandshakes(0)),
		loopCase("WithPacketQueue", []string{"WithPacketQueue(0, 1)"}, WithPacketQueue(0, 1)),
		loopCase("WithPacketQueue", []string{"WithPacketQueue(1, -1)"}, WithPacketQueue(1, -1)),
		loopCase("WithPoller", []string{"WithPoller(nil)"}, WithPoller(nil)),
		loopCase("nil", []string{"nil Option at index 1"}, WithLinger(0), nil),
		loopCase("several", []string{"WithMaxInput(-1)", "WithLinger(-2s)"}, WithMaxInput(-1), WithLinger(-2*time.Second)),

		groupCase("WithLoops", []string{"WithLoops(0)"}, WithLoops(0)),
		groupCase("WithLoops", []string{"WithLoops(-1)"}, WithLoops(-1)),
		groupCase("WithAcceptMode", []string{"WithAcceptMode(-1)"}, WithAcceptMode(-1)),
		groupCase("WithAcceptMode", []string{"WithAcceptMode(3)"}, WithAcceptMode(AcceptHandoff+1)),
		groupCase("WithBalance", []string{"WithBalance(-1)"}, WithBalance(-1)),
		groupCase("WithBalance", []string{"WithBalance(2)"}, WithBalance(LeastConns+1)),
		groupCase("WithLoopOptions", []string{"WithMaxInput(0)"}, WithLoopOptions(WithMaxInput(0))),
		groupCase("WithLoopOptions", []string{"WithWriteWatermarks(0, 101)"},
			WithLoopOptions(WithMaxOutput(100)), WithLoopOptions(WithWriteWatermarks(0, 101))),
		groupCase("WithLoopOptions", []string{"nil Option at index 0"}, WithLoopOptions(nil)),
		groupCase("nil", []string{"nil GroupOption at index 0"}, nil, WithLoops(1)),
		groupCase("several", []string{"WithLoops(0)", "WithBalance(7)"}, WithLoops(0), WithBalance(7)),
	}
}

// TestOptionsValid: New and NewGroup accept every option's valid values,
// and the loops they return release their fds when stopped.
func TestOptionsValid(t *testing.T) {
	for _, tc := range validOptions() {
		t.Run(tc.option, func(t *testing.T) {
			testkit.CheckLeaks(t)
			if tc.group != nil {
				g, err := NewGroup(func(int) Handler { return newRecorder(t) }, tc.group...)
				require.NoError(t, err)
				g.Stop()
				require.NoError(t, g.Run(context.Background()))
				return
			}
			l, err := New(newRecorder(t), tc.opts...)
			require.NoError(t, err)
			l.Stop()
			require.NoError(t, l.Run(context.Background()))
		})
	}
}

// TestOptionsInvalid: New and NewGroup reject every out-of-range value
// with an error that is ErrInvalidOption and names the option and the
// value, before they open a poller.
func TestOptionsInvalid(t *testing.T) {
	for _, tc := range invalidOptions() {
		t.Run(tc.option, func(t *testing.T) {
			testkit.CheckLeaks(t)
			var opened atomic.Int32
			counting := WithPoller(func() (poller.Poller, error) {
				opened.Add(1)
				return poller.New()
			})
			var err error
			if tc.group != nil {
				opts := slices.Concat(tc.group, []GroupOption{WithLoopOptions(counting)})
				g, gerr := NewGroup(func(int) Handler { return newRecorder(t) }, opts...)
				require.Nil(t, g)
				err = gerr
			} else {
				l, lerr := New(newRecorder(t), slices.Concat(tc.opts, []Option{counting})...)
				require.Nil(t, l)
				err = lerr
			}
			require.ErrorIs(t, err, ErrInvalidOption)
			require.True(t, strings.HasPrefix(err.Error(), "reactor: "), err.Error())
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			require.Zero(t, opened.Load(), "a poller was opened")
		})
	}
}

// TestOptionsCoverEveryOption: the tables above name every exported With*
// function of the package, so that a new option cannot go untested.
func TestOptionsCoverEveryOption(t *testing.T) {
	valid, invalid := map[string]bool{}, map[string]bool{}
	for _, tc := range validOptions() {
		valid[tc.option] = true
	}
	for _, tc := range invalidOptions() {
		invalid[tc.option] = true
	}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	found := map[string]bool{"nil": true, "several": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || !strings.HasPrefix(fn.Name.Name, "With") {
				continue
			}
			found[fn.Name.Name] = true
			require.True(t, valid[fn.Name.Name], "%s has no valid case", fn.Name.Name)
			require.True(t, invalid[fn.Name.Name] || fn.Name.Name == "WithLogger", "%s has no invalid case", fn.Name.Name)
		}
	}
	for name := range valid {
		require.True(t, found[name], "no option %s", name)
	}
	for name := range invalid {
		require.True(t, found[name], "no option %s", name)
	}
}

// TestOptionsMaxOutputWatermarks: unless set, the watermarks follow the
// output cap, so that WithMaxOutput alone is never an error; the default
// cap gives the documented defaults.
func TestOptionsMaxOutputWatermarks(t *testing.T) {
	for _, tc := range []struct {
		opts      []Option
		low, high int
	}{
		{nil, DefaultLowWatermark, DefaultHighWatermark},
		{[]Option{WithMaxOutput(DefaultMaxOutput)}, DefaultLowWatermark, DefaultHighWatermark},
		{[]Option{WithMaxOutput(64 << 20)}, DefaultLowWatermark, DefaultHighWatermark},
		{[]Option{WithMaxOutput(64 << 10)}, 4 << 10, 16 << 10},
		{[]Option{WithMaxOutput(3)}, 0, 1},
		{[]Option{WithMaxOutput(1)}, 0, 1},
		{[]Option{WithMaxOutput(100), WithWriteWatermarks(10, 100)}, 10, 100},
		{[]Option{WithWriteWatermarks(10, 100), WithMaxOutput(64 << 10)}, 10, 100},
	} {
		cfg, err := newConfig(tc.opts)
		require.NoError(t, err)
		require.Equal(t, [2]int{tc.low, tc.high}, [2]int{cfg.lowWater, cfg.highWater}, "options %d", len(tc.opts))
		require.Less(t, cfg.lowWater, cfg.highWater)
		require.LessOrEqual(t, cfg.highWater, cfg.maxOutput)
	}
}

// TestOptionsErrorJoin: every invalid option of one call is reported, each
// matching ErrInvalidOption.
func TestOptionsErrorJoin(t *testing.T) {
	_, err := newConfig([]Option{WithMaxInput(0), WithMaxConns(-1)})
	var joined interface{ Unwrap() []error }
	require.True(t, errors.As(err, &joined))
	require.Len(t, joined.Unwrap(), 2)
	for _, e := range joined.Unwrap() {
		require.ErrorIs(t, e, ErrInvalidOption)
	}
}
