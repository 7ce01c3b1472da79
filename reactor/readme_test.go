package reactor_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeExampleBuilds: the README's embedding example, the program a
// newcomer copies first, compiles as shown (imports included). It is
// written to a folder under testdata, which ./... patterns skip, and
// vetted there as a package of this module.
func TestReadmeExampleBuilds(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	src := goBlockWith(readme, "package main")
	require.NotNil(t, src, "README.md has no ```go block that is a whole program")

	goCmd, err := exec.LookPath("go")
	if err != nil && os.Getenv("GOROOT") != "" {
		// go test gives its processes the GOROOT it runs from.
		goCmd, err = exec.LookPath(filepath.Join(os.Getenv("GOROOT"), "bin", "go"))
	}
	if err != nil {
		t.Skipf("no go command to build the example with: %v", err)
	}
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	dir, err := os.MkdirTemp("testdata", "readme-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644))

	cmd := exec.Command(goCmd, "vet", "./"+filepath.ToSlash(dir))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the README's example does not build:\n%s\n%s", out, src)
}

// goBlockWith returns the first fenced ```go block of md whose text
// contains marker, or nil.
func goBlockWith(md []byte, marker string) []byte {
	const open, fence = "```go\n", "```"
	for {
		i := bytes.Index(md, []byte(open))
		if i < 0 {
			return nil
		}
		md = md[i+len(open):]
		j := bytes.Index(md, []byte("\n"+fence))
		if j < 0 {
			return nil
		}
		if block := md[:j+1]; bytes.Contains(block, []byte(marker)) {
			return block
		}
		md = md[j+1+len(fence):]
	}
}
