// Package cli is mstudio's command line: it parses the arguments of each
// command, loads the config file, picks the endpoint and the API key, and
// wires the api, session and prompts packages together. It holds no run
// logic of its own (that is the session engine's, shared with the studio);
// what it adds is the terminal side of a headless run: streaming the answer
// to stdout, the summary line on stderr, --json records, and exit statuses.
//
// Exit statuses are a contract (DESIGN.md §4): 0 ok, 1 a run failed, 2 bad
// usage or input.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailed  = 1 // a run failed: an API error, a network failure, Ctrl+C
	ExitUsage   = 2 // bad usage or input: a flag, the config, a prompt file
	programName = "mstudio"
)

// Version is the program's version; release builds set it with
// -ldflags "-X mstudio/cli.Version=v1.2.3". Otherwise the module version
// from the build info is used, and "dev" for a plain `go build`.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// app is one invocation: where it reads and writes, and what those are.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// outTTY and errTTY say whether stdout and stderr are terminals, which
	// decides dimming and the width of tables; never whether text is
	// sanitized, which it always is.
	outTTY, errTTY bool
	color          bool // stderr may carry our own SGR styling
	width          int  // stdout's width in columns
}

// Main runs mstudio with args (without the program name) and returns the
// exit status. SIGINT and SIGTERM cancel the running command; a second one
// kills the process as usual.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, restore the default handling so that a
		// second Ctrl+C still ends a process that is slow to wind down.
		<-ctx.Done()
		stop()
	}()
	a := newApp(ctx, stdin, stdout, stderr)
	return a.main(args)
}

func newApp(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) *app {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, width: defaultWidth}
	a.outTTY = isTerminal(stdout)
	a.errTTY = isTerminal(stderr)
	a.color = a.errTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	if a.outTTY {
		if w := terminalWidth(stdout); w > 0 {
			a.width = w
		}
	}
	return a
}

// commands maps each command to its handler.
func (a *app) commands() map[string]func([]string) int {
	return map[string]func([]string) int{
		"run":      a.run,
		"models":   a.models,
		"sim":      a.sim,
		"help":     a.help,
		"open":     func(args []string) int { return a.studio("open", args) },
		"versions": a.versions,
		"diff":     a.diff,
		"replay":   a.replay,
		"export":   a.export,
	}
}

func (a *app) main(args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelpOrVersion(args[0]) {
		return a.studio("mstudio", args)
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(a.stdout, mainHelp)
		return ExitOK
	case "-version", "--version", "version":
		fmt.Fprintf(a.stdout, "%s %s\n", programName, version())
		return ExitOK
	}
	if cmd, ok := a.commands()[args[0]]; ok {
		return cmd(args[1:])
	}
	fmt.Fprintf(a.stderr, "%s: unknown command %q\n\n%s", programName, args[0], mainHelp)
	return ExitUsage
}

func isHelpOrVersion(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "-version", "--version":
		return true
	}
	return false
}

func (a *app) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stdout, mainHelp)
		return ExitOK
	}
	if text, ok := commandHelp[args[0]]; ok {
		fmt.Fprint(a.stdout, text)
		return ExitOK
	}
	fmt.Fprintf(a.stderr, "%s help: unknown command %q\n\n%s", programName, args[0], mainHelp)
	return ExitUsage
}

// usageError is bad usage or input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// fail reports err on stderr and returns its exit status: 2 for usage
// errors, 1 for everything else. Text that may come from a server is
// sanitized by the caller.
func (a *app) fail(cmd string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "%s %s: %s\n", programName, cmd, ue.msg)
		fmt.Fprintf(a.stderr, "Run '%s %s --help' for usage.\n", programName, cmd)
		return ExitUsage
	}
	fmt.Fprintf(a.stderr, "%s %s: %s\n", programName, cmd, err)
	return ExitFailed
}

// note tells the user something on stderr that is not an error.
func (a *app) note(format string, args ...any) {
	fmt.Fprintf(a.stderr, "%s: %s\n", programName, fmt.Sprintf(format, args...))
}
