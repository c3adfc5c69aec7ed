package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Parallel is how many packages All compiles at once.
const Parallel = 2

// Error is a failed build, with the compiler's output.
type Error struct {
	// Package is the package directory, relative to the module root.
	Package string
	// Output is what go build printed.
	Output string
	// Err is the underlying error, such as the exit status.
	Err error
}

// Error implements error; the message includes the compiler output.
func (e *Error) Error() string {
	if e.Output == "" {
		return fmt.Sprintf("build: %s: %v", e.Package, e.Err)
	}
	return fmt.Sprintf("build: %s: %v\n%s", e.Package, e.Err, e.Output)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Name returns the function name for a package directory: its last
// element, so "functions/chat/" is "chat".
func Name(pkgDir string) string {
	return filepath.Base(filepath.Clean(pkgDir))
}

// Build compiles the package at pkgDir (relative to moduleRoot, such as a
// template CodeUri "functions/chat/") for the host into
// <outDir>/<name>/bootstrap and returns that path.
func Build(ctx context.Context, moduleRoot, pkgDir, outDir string) (string, error) {
	clean := filepath.Clean(pkgDir)
	if !filepath.IsLocal(clean) || clean == "." {
		return "", &Error{Package: pkgDir, Err: errors.New("package directory must be inside the module root")}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", &Error{Package: pkgDir, Err: fmt.Errorf("go command not found: %w", err)}
	}
	out, err := filepath.Abs(filepath.Join(outDir, Name(clean), "bootstrap"))
	if err != nil {
		return "", &Error{Package: pkgDir, Err: err}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", &Error{Package: pkgDir, Err: err}
	}
	cmd := exec.CommandContext(ctx, goCmd, "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-o", out,
		"./"+filepath.ToSlash(clean))
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return "", &Error{Package: pkgDir, Output: strings.TrimSpace(string(output)), Err: err}
	}
	return out, nil
}

// buildOne is Build; tests replace it to observe All's scheduling.
var buildOne = Build

// All builds the packages in pkgs (keyed by the caller's id, such as a
// function's logical id, with the package directory as value), Parallel at
// a time, and returns the binary path under the same keys. A package
// listed under several ids is built once. It builds every package even
// when some fail, and returns every failure. Two different packages with
// the same name are an error, as their outputs would clash.
func All(ctx context.Context, moduleRoot string, pkgs map[string]string, outDir string) (map[string]string, error) {
	byName := map[string]string{} // name -> clean package dir
	for _, id := range sortedKeys(pkgs) {
		dir := filepath.Clean(pkgs[id])
		name := Name(dir)
		if prev, ok := byName[name]; ok && prev != dir {
			return nil, fmt.Errorf("build: %s and %s would both build %s/bootstrap", prev, dir, name)
		}
		byName[name] = dir
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		bins  = map[string]string{} // clean package dir -> binary
		errs  []error
		slots = make(chan struct{}, Parallel)
	)
	for _, name := range sortedKeys(byName) {
		dir := byName[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				mu.Lock()
				errs = append(errs, &Error{Package: dir, Err: ctx.Err()})
				mu.Unlock()
				return
			}
			defer func() { <-slots }()
			bin, err := buildOne(ctx, moduleRoot, dir, outDir)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			bins[dir] = bin
		}()
	}
	wg.Wait()
	out := make(map[string]string, len(pkgs))
	for id, dir := range pkgs {
		if bin, ok := bins[filepath.Clean(dir)]; ok {
			out[id] = bin
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return out, errors.Join(errs...)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
