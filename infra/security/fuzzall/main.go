// Command fuzzall runs every fuzz target of the module for a bounded time,
// one after the other (go test fuzzes one target per run), and fails if
// any target finds a failing input:
//
//	go run ./infra/security/fuzzall -fuzztime 5s
//
// Targets are found by reading the module's *_test.go files for
// `func FuzzXxx(f *testing.F)`, so a new target runs without being listed
// anywhere. A failing input is written by go test to the package's
// testdata/fuzz/<FuzzXxx>/ folder: keep it as a regression seed once the
// bug is fixed. -run limits the targets to those matching a regular
// expression; -list only prints them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/livehelp/livehelp/infra/dynamolocal"
	"github.com/livehelp/livehelp/infra/security/fuzztargets"
)

func main() {
	fuzztime := flag.Duration("fuzztime", 5*time.Second, "how long to fuzz each target")
	match := flag.String("run", "", "only targets whose package/name matches this regular expression")
	list := flag.Bool("list", false, "list the targets and exit")
	budget := flag.Duration("budget", 15*time.Minute, "stop after this long in all")
	flag.Parse()
	root, err := dynamolocal.ModuleRoot()
	if err != nil {
		fail(err)
	}
	targets, err := fuzztargets.Find(root)
	if err != nil {
		fail(err)
	}
	if *match != "" {
		re, err := regexp.Compile(*match)
		if err != nil {
			fail(err)
		}
		var keep []fuzztargets.Target
		for _, t := range targets {
			if re.MatchString(t.Package + "/" + t.Name) {
				keep = append(keep, t)
			}
		}
		targets = keep
	}
	if *list {
		for _, t := range targets {
			fmt.Printf("%s %s\n", t.Package, t.Name)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), *budget)
	defer cancel()
	start := time.Now()
	var failed []string
	for _, t := range targets {
		tStart := time.Now()
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+t.Name+"$", "-fuzztime", fuzztime.String(), t.Package)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		status := "ok"
		if err != nil {
			status = "FAIL"
			failed = append(failed, t.Package+" "+t.Name)
			fmt.Fprintf(os.Stderr, "%s", tail(string(out), 40))
		}
		fmt.Printf("fuzz %-4s %-45s %-22s %s\n", status, t.Package, t.Name, time.Since(tStart).Round(100*time.Millisecond))
	}
	fmt.Printf("fuzz: %d targets, %d failed, in %s\n", len(targets), len(failed), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "fuzz: failing targets: %s\n", strings.Join(failed, "; "))
		os.Exit(1)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fuzzall:", err)
	os.Exit(2)
}
