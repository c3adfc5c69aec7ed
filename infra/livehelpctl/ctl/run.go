package ctl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/livehelp/livehelp/shared/livehelp"
)

// Exit statuses of Main.
const (
	ExitOK     = 0 // the command did what it was asked
	ExitFailed = 1 // the backend refused or failed (not found, conflict, AWS error)
	ExitUsage  = 2 // the command line or its input is wrong; nothing was written
)

// IO is what a command reads and writes. Terminal is nil when standard
// input is not a terminal, which turns password prompts into errors.
type IO struct {
	In       io.Reader
	Out      io.Writer
	Err      io.Writer
	Terminal Terminal
	Getenv   func(string) string
}

// Terminal reads from an interactive terminal.
type Terminal interface {
	// ReadPassword prints prompt and reads one line with echo off.
	ReadPassword(prompt string) (string, error)
	// Confirm prints question and reports whether the answer was yes.
	Confirm(question string) (bool, error)
}

// Stdio returns the process's standard streams and environment, with a
// Terminal when standard input is one.
func Stdio() IO {
	io := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}
	if isTerminal(int(os.Stdin.Fd())) {
		io.Terminal = &tty{in: os.Stdin, out: os.Stderr}
	}
	return io
}

// usageError is a mistake in the command line; Main exits with ExitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// command is one leaf of the command tree.
type command struct {
	group, name string
	summary     string
	run         func(ctx context.Context, e *env, args []string) error
}

// commands lists every command in the order help shows them.
var commands = []command{
	{"site", "create", "create a site (--id, --name, --url, --origins, ...)", siteCreate},
	{"site", "list", "list the sites", siteList},
	{"site", "set", "change a site's settings; only the flags given change", siteSet},
	{"operator", "create", "create an operator who can log in to the console", operatorCreate},
	{"operator", "list", "list a site's operators", operatorList},
	{"operator", "reset-password", "set a new password for an operator", operatorResetPassword},
	{"group", "create", "create a group from operators (--members)", groupCreate},
	{"group", "list", "list a site's groups and their members", groupList},
	{"canned", "export", "write a site's canned messages to a file", cannedExport},
	{"canned", "import", "import an export file, text files or directories", cannedImport},
}

// Main runs one livehelpctl command line (args without the program name)
// and returns the exit status.
func Main(ctx context.Context, args []string, io IO) int {
	if io.Getenv == nil {
		io.Getenv = func(string) string { return "" }
	}
	e := &env{io: io}
	err := run(ctx, e, args)
	defer e.close()
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(io.Err, "livehelpctl: %s\nRun 'livehelpctl help' for usage.\n", ue.msg)
		return ExitUsage
	}
	printError(io.Err, err)
	if livehelp.IsCode(err, livehelp.EINVALID) {
		return ExitUsage
	}
	return ExitFailed
}

func run(ctx context.Context, e *env, args []string) error {
	global := flag.NewFlagSet("livehelpctl", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.conn.register(global, e.io.Getenv)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.io.Out)
			return err
		}
		return usagef("%v", err)
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		printUsage(e.io.Out)
		if len(rest) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	if len(rest) < 2 {
		return usagef("%q needs a command: %s", rest[0], strings.Join(groupCommands(rest[0]), ", "))
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.group == rest[0] && c.name == rest[1] })
	if i < 0 {
		if len(groupCommands(rest[0])) == 0 {
			return usagef("unknown command %q", rest[0])
		}
		return usagef("unknown command %q %q; %s has: %s", rest[0], rest[1], rest[0], strings.Join(groupCommands(rest[0]), ", "))
	}
	return commands[i].run(ctx, e, rest[2:])
}

func groupCommands(group string) []string {
	var names []string
	for _, c := range commands {
		if c.group == group {
			names = append(names, c.name)
		}
	}
	return names
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `livehelpctl administers a Live Help deployment.

Usage:
  livehelpctl [connection flags] <group> <command> [flags]

Connection (also accepted after the command):
  --table NAME         write the DynamoDB table directly (default $LIVEHELP_TABLE)
  --region REGION      AWS region (default from the AWS config / $AWS_REGION)
  --profile NAME       AWS shared-config profile
  --endpoint-url URL   DynamoDB endpoint (LocalStack, DynamoDB Local)
  --api URL            use the console API at URL (the stack's RestApiUrl)
  --admin-email EMAIL  admin who logs in to the console API (default $LIVEHELP_ADMIN_EMAIL)
  --password-stdin     read passwords from the first line(s) of standard input
  --json               print lists as JSON

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-24s %s\n", c.group+" "+c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'livehelpctl <group> <command> -h' for a command's flags.
`)
}

// printError writes err for a person: the message, then any per-field
// messages in a stable order. Internal errors keep their cause, since the
// admin running the tool is the one who can act on it.
func printError(w io.Writer, err error) {
	var le *livehelp.Error
	if !errors.As(err, &le) {
		fmt.Fprintf(w, "livehelpctl: %v\n", err)
		return
	}
	fmt.Fprintf(w, "livehelpctl: %s\n", le.Message)
	keys := make([]string, 0, len(le.Fields))
	for k := range le.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, le.Fields[k])
	}
}

// newFlags returns a command's flag set with the connection flags on it.
func (e *env) newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("livehelpctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.io.Err)
	fs.Usage = func() {
		fmt.Fprintf(e.io.Err, "Usage: livehelpctl %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	e.conn.register(fs, nil)
	return fs
}

// parse parses a command's flags and rejects stray arguments unless
// allowArgs.
func parse(fs *flag.FlagSet, args []string, allowArgs bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	if !allowArgs && fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go before it, values need a flag)", fs.Arg(0))
	}
	return nil
}

// given reports which flags were set on the command line.
func given(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// required fails with a usage error naming the first missing flag.
func required(fs *flag.FlagSet, names ...string) error {
	set := given(fs)
	for _, n := range names {
		if !set[n] {
			return usagef("%s: --%s is required", strings.TrimPrefix(fs.Name(), "livehelpctl "), n)
		}
	}
	return nil
}
