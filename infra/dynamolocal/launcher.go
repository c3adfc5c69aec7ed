package dynamolocal

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// loopbackSource is a tiny main class that starts DynamoDB Local bound to
// 127.0.0.1; the jar itself always listens on every interface.
//
//go:embed launcher/Loopback.java
var loopbackSource []byte

const (
	// loopbackClass is the main class compiled from loopbackSource.
	loopbackClass = "Loopback"

	// compileTimeout bounds one javac run.
	compileTimeout = 2 * time.Minute
)

// jvmFlags are JVM options for a small, quick-starting test server: one GC
// thread set and the client compiler only, which halves the warm-up on
// small machines where several test binaries start a server at once.
var jvmFlags = []string{"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"}

// launcher says how to run DynamoDB Local: with the compiled Loopback class
// (classDir set) or, when no javac is available, with `java -jar`, which
// binds every interface.
type launcher struct {
	jarDir   string
	classDir string
}

// prepareLauncher compiles Loopback.java against the jar once per jar and
// source version into <cacheDir>/dynamolocal-launcher/<hash>. The compiled
// class is moved into place with a rename, so concurrent callers need no
// lock. Without javac it warns on warn and falls back to `java -jar`.
func prepareLauncher(ctx context.Context, cacheDir, jarDir string, warn io.Writer) (launcher, error) {
	l := launcher{jarDir: jarDir}
	sum := sha256.Sum256(append(append([]byte(nil), loopbackSource...), jarDir...))
	base := filepath.Join(cacheDir, "dynamolocal-launcher")
	final := filepath.Join(base, hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(final, loopbackClass+".class")); err == nil {
		l.classDir = final
		return l, nil
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		fmt.Fprintln(warn, "dynamolocal: warning: javac not found (a JDK is needed to bind DynamoDB Local "+
			"to 127.0.0.1); falling back to `java -jar`, which listens on all interfaces")
		return l, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return l, fmt.Errorf("dynamolocal: launcher: %w", err)
	}
	tmp, err := os.MkdirTemp(base, "tmp-")
	if err != nil {
		return l, fmt.Errorf("dynamolocal: launcher: %w", err)
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, loopbackClass+".java")
	if err := os.WriteFile(src, loopbackSource, 0o644); err != nil {
		return l, fmt.Errorf("dynamolocal: launcher: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, compileTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, javac, "-nowarn", "-cp", l.jar(), "-d", filepath.Join(tmp, "classes"), src)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return l, fmt.Errorf("dynamolocal: compile %s.java: %w\n%s", loopbackClass, err, tail(out.Bytes(), 4096))
	}
	if err := os.Rename(filepath.Join(tmp, "classes"), final); err != nil {
		// A concurrent caller may have won the race; its class is as good.
		if _, statErr := os.Stat(filepath.Join(final, loopbackClass+".class")); statErr != nil {
			return l, fmt.Errorf("dynamolocal: launcher: %w", err)
		}
	}
	l.classDir = final
	return l, nil
}

// jar returns the path of DynamoDBLocal.jar.
func (l launcher) jar() string {
	return filepath.Join(l.jarDir, "DynamoDBLocal.jar")
}

// args returns the java command line (without "java") for a server on
// port, in memory when persistDir is empty and in persistDir otherwise.
// -sharedDb makes every credential and region see the same tables, and
// -disableTelemetry keeps the server from calling home.
func (l launcher) args(port int, persistDir string) []string {
	args := append([]string(nil), jvmFlags...)
	args = append(args, "-Djava.library.path="+filepath.Join(l.jarDir, "DynamoDBLocal_lib"))
	if l.classDir != "" {
		args = append(args, "-cp", l.jar()+string(os.PathListSeparator)+l.classDir, loopbackClass)
	} else {
		args = append(args, "-jar", l.jar())
	}
	args = append(args, "-port", strconv.Itoa(port), "-sharedDb", "-disableTelemetry")
	if persistDir == "" {
		return append(args, "-inMemory")
	}
	return append(args, "-dbPath", persistDir)
}

// tailBuffer keeps the last bytes written to it, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// String returns what the buffer holds.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// errExited reports that the server process ended before it was ready.
var errExited = errors.New("DynamoDB Local exited before it was ready")
