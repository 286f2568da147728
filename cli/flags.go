package cli

import (
	"errors"
	"flag"
	"io"
	"strings"
)

// listFlag is a flag that may be given many times; each value is kept in
// order.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// commonFlags are accepted by every command that talks to an endpoint.
type commonFlags struct {
	endpoint   string // --endpoint NAME|URL
	dir        string // --dir, the prompts folder
	configPath string // --config, instead of $XDG_CONFIG_HOME/mstudio/config.yaml
	retries    int    // --retries, for 429 and 5xx before the first byte
}

// defaultPromptsDir is where prompt files live (DESIGN.md §3).
const defaultPromptsDir = "prompts"

// defaultRetries matches the api client's own default.
const defaultRetries = 3

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint", "", "")
	fs.StringVar(&c.dir, "dir", defaultPromptsDir, "")
	fs.StringVar(&c.configPath, "config", "", "")
	fs.IntVar(&c.retries, "retries", defaultRetries, "")
}

func (c *commonFlags) check() error {
	if c.retries < 0 {
		return usagef("--retries %d: want 0 or more", c.retries)
	}
	return nil
}

// newFlagSet returns a flag set that reports errors to us rather than
// printing them, so every command words and routes its errors the same way.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// errHelp is returned by parse when --help or -h was given.
var errHelp = flag.ErrHelp

// parse parses args with fs, letting flags stand before, between or after
// the positional arguments (`run a.prompt --json` == `run --json a.prompt`).
// The standard flag package stops at the first positional, so it is called
// again on what follows each one. A "--" ends the flags: everything after it
// is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usagef("%s", err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" && !takesValue(fs, args, consumed-2) {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// takesValue reports whether args[i] is a flag that consumed the next
// argument as its value, so that "--" after it was a value, not the end of
// the flags.
func takesValue(fs *flag.FlagSet, args []string, i int) bool {
	if i < 0 {
		return false
	}
	name := strings.TrimLeft(args[i], "-")
	if !strings.HasPrefix(args[i], "-") || name == "" || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}
