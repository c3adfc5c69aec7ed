package dynamolocal

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// startServer starts a server for one test and stops it at the end.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testStartTimeout)
	defer cancel()
	srv, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// processExists reports whether pid, or with a negative pid the process
// group -pid, has any process left (zombies included).
func processExists(t *testing.T, pid int) bool {
	t.Helper()
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("kill(%d, 0): %v", pid, err)
	}
	return err == nil
}

// listTables returns the table names at endpoint.
func listTables(t *testing.T, endpoint string) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := NewClient(ctx, endpoint, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		return nil, err
	}
	return out.TableNames, nil
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	srv := startServer(t, Options{Stdout: &out})
	pid := srv.PID()
	if pid <= 0 || !processExists(t, pid) {
		t.Fatalf("PID() = %d, want a running process", pid)
	}
	if pgid, err := syscall.Getpgid(pid); err != nil || pgid != pid {
		t.Errorf("process group of %d = %d, %v; want its own group", pid, pgid, err)
	}
	if !strings.HasPrefix(srv.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint() = %q, want http://127.0.0.1:PORT", srv.Endpoint())
	}
	if _, err := listTables(t, srv.Endpoint()); err != nil {
		t.Errorf("ListTables on a started server: %v", err)
	}
	if ip := nonLoopbackIP(t); ip != nil {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.Endpoint(), "http://"))
		if conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), port), time.Second); err == nil {
			conn.Close()
			t.Errorf("server answers on %s: want it bound to 127.0.0.1 only", ip)
		}
	}

	if err := srv.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if processExists(t, pid) || processExists(t, -pid) {
		t.Errorf("process %d or its group still exists after Stop", pid)
	}
	if _, err := listTables(t, srv.Endpoint()); err == nil {
		t.Error("ListTables succeeded after Stop")
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if !strings.Contains(out.String(), "Initializing DynamoDB Local") {
		t.Errorf("Stdout got %q, want the server's banner", out.String())
	}
}

// nonLoopbackIP returns an IPv4 address of this machine other than
// loopback, or nil.
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP
		}
	}
	return nil
}

func TestStartPersistsOnFixedPort(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "created")
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Port: port, PersistDir: dir}
	srv := startServer(t, opts)
	if want := "http://127.0.0.1:" + strconv.Itoa(port); srv.Endpoint() != want {
		t.Errorf("Endpoint() = %q, want %q", srv.Endpoint(), want)
	}
	table, err := TableFromTemplate("testdata/template.yaml", "Table")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := NewClient(ctx, srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if created, err := EnsureTable(ctx, client, table, "kept"); err != nil || !created {
		t.Fatalf("EnsureTable on an empty server = %v, %v; want created", created, err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shared-local-instance.db")); err != nil {
		t.Errorf("no shared database file in PersistDir: %v", err)
	}

	srv = startServer(t, opts)
	names, err := listTables(t, srv.Endpoint())
	if err != nil || len(names) != 1 || names[0] != "kept" {
		t.Errorf("tables after restart = %q, %v; want [kept]", names, err)
	}
	client, err = NewClient(ctx, srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if created, err := EnsureTable(ctx, client, table, "kept"); err != nil || created {
		t.Errorf("EnsureTable on the restarted server = %v, %v; want the kept table used", created, err)
	}
}

func TestStopReportsCrash(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	if err := syscall.Kill(srv.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for processExists(t, srv.PID()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	err := srv.Stop()
	if err == nil || !strings.Contains(err.Error(), "exited on its own") {
		t.Errorf("Stop after a crash = %v, want an error saying it exited on its own", err)
	}
}

func TestStartOrUseEnvEndpoint(t *testing.T) {
	t.Setenv(EnvEndpoint, "http://127.0.0.1:1/")
	t.Setenv("PATH", t.TempDir()) // no java: StartOrUse must not try to start one
	srv, err := StartOrUse(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Endpoint(), "http://127.0.0.1:1"; got != want {
		t.Errorf("Endpoint() = %q, want %q", got, want)
	}
	if srv.PID() != 0 {
		t.Errorf("PID() = %d, want 0 for an external endpoint", srv.PID())
	}
	if err := srv.Stop(); err != nil {
		t.Errorf("Stop of an external endpoint: %v", err)
	}
}

func TestStartWithoutJava(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	t.Setenv("PATH", t.TempDir())
	srv, err := StartOrUse(context.Background(), Options{CacheDir: t.TempDir()})
	if err == nil {
		srv.Stop()
		t.Fatal("Start without java on PATH succeeded")
	}
	if !strings.Contains(err.Error(), "java not found on PATH") {
		t.Errorf("Start without java = %v, want it to name java", err)
	}
}
