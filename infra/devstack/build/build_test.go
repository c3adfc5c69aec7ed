package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// moduleRoot is the root of this repository's module.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
	return root
}

func TestBuild(t *testing.T) {
	out := t.TempDir()
	bin, err := Build(context.Background(), moduleRoot(t), "infra/devstack/build/testdata/hello/", out)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if want := filepath.Join(out, "hello", "bootstrap"); bin != want {
		t.Errorf("binary %q, want %q", bin, want)
	}
	got, err := exec.Command(bin).Output()
	if err != nil || string(got) != "hello from build\n" {
		t.Fatalf("running the binary: %q, %v", got, err)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	for _, setting := range []string{"-tags=lambda.norpc", "-trimpath=true", "CGO_ENABLED=0"} {
		if !strings.Contains(string(info), setting) {
			t.Errorf("binary built without %s:\n%s", setting, info)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	mod := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/broken\n\ngo 1.22\n")
	write("functions/bad/main.go", "package main\n\nfunc main() { undefinedThing() }\n")

	_, err := Build(context.Background(), mod, "functions/bad", t.TempDir())
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("Build = %v, want *Error", err)
	}
	if be.Package != "functions/bad" || !strings.Contains(be.Output, "undefined: undefinedThing") ||
		!strings.Contains(err.Error(), "undefined: undefinedThing") {
		t.Errorf("error %+v does not carry the compiler output", be)
	}
	for _, dir := range []string{"../outside", "/abs/path", "."} {
		if _, err := Build(context.Background(), mod, dir, t.TempDir()); err == nil || !strings.Contains(err.Error(), "inside the module root") {
			t.Errorf("Build(%q) = %v, want an error about the module root", dir, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, mod, "functions/bad", t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestAll(t *testing.T) {
	out := t.TempDir()
	pkgs := map[string]string{
		"HelloFunction": "infra/devstack/build/testdata/hello",
		"ByeFunction":   "infra/devstack/build/testdata/bye/",
		"AgainFunction": "infra/devstack/build/testdata/hello/",
	}
	paths, err := All(context.Background(), moduleRoot(t), pkgs, out)
	if err != nil {
		t.Fatalf("All: %v", err)
	}
	want := map[string]string{
		"HelloFunction": filepath.Join(out, "hello", "bootstrap"),
		"AgainFunction": filepath.Join(out, "hello", "bootstrap"),
		"ByeFunction":   filepath.Join(out, "bye", "bootstrap"),
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	clash := map[string]string{"A": "a/chat", "B": "b/chat"}
	if _, err := All(context.Background(), moduleRoot(t), clash, out); err == nil ||
		!strings.Contains(err.Error(), "would both build chat/bootstrap") {
		t.Errorf("All with clashing names = %v", err)
	}
}

func TestAllBoundsParallelism(t *testing.T) {
	var mu sync.Mutex
	running, peak := 0, 0
	buildOne = func(_ context.Context, _, pkgDir, outDir string) (string, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		if strings.HasSuffix(pkgDir, "bad") {
			return "", &Error{Package: pkgDir, Err: errors.New("exit status 1")}
		}
		return filepath.Join(outDir, Name(pkgDir), "bootstrap"), nil
	}
	t.Cleanup(func() { buildOne = Build })
	pkgs := map[string]string{"Bad": "functions/bad"}
	for i := range 6 {
		pkgs[fmt.Sprintf("F%d", i)] = fmt.Sprintf("functions/f%d", i)
	}
	paths, err := All(context.Background(), "/m", pkgs, "/out")
	if peak != Parallel {
		t.Errorf("peak parallel builds %d, want %d", peak, Parallel)
	}
	if len(paths) != 6 || err == nil || !strings.Contains(err.Error(), "build: functions/bad: exit status 1") {
		t.Errorf("All = %d paths, %v; want 6 paths and the failure", len(paths), err)
	}
}
