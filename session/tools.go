package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// How a tool call is answered (the mstudio.tools front matter contract).
const (
	HandlerMock    = "mock"    // a fixed result from the prompt file
	HandlerCommand = "command" // a local command, once the prompt file is trusted
	HandlerManual  = "manual"  // typed by hand in the studio
)

// DefaultToolTimeout bounds a command tool that names no timeout.
const DefaultToolTimeout = 10 * time.Second

// maxToolOutput caps what a command may print as its result.
const maxToolOutput = 1 << 20

// Handler says how one tool's calls are answered.
type Handler struct {
	Kind    string        // HandlerMock, HandlerCommand or HandlerManual
	Mock    string        // the fixed result, as sent to the model
	Command []string      // argv, run without a shell
	Timeout time.Duration // for commands; DefaultToolTimeout when unset
	Dir     string        // the prompt file's folder: relative commands run from there
}

// ToolHandlers reads the mstudio.tools extension (Prompt.Ext["tools"]):
//
//	mstudio.tools:
//	  weather: {mock: {"temp_f": 75}}
//	  search: {command: ["./tools/search.sh"], timeout: 10s}
//
// A mock string is sent as is, any other mock value as compact JSON. A tool
// with neither mock nor command is answered by hand. promptPath locates
// relative commands; it may be "" for a prompt that is not a file.
func ToolHandlers(ext map[string]any, promptPath string) (map[string]Handler, error) {
	out := map[string]Handler{}
	raw, ok := ext["tools"]
	if !ok || raw == nil {
		return out, nil
	}
	tools, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("mstudio.tools: want a mapping of tool names to {mock: …} or {command: […]}")
	}
	dir := ""
	if promptPath != "" {
		dir = filepath.Dir(promptPath)
	}
	names := make([]string, 0, len(tools))
	for name := range tools {
		names = append(names, name)
	}
	sort.Strings(names) // the first error is the same on every run
	for _, name := range names {
		h, err := toolHandler(name, tools[name], dir)
		if err != nil {
			return nil, err
		}
		out[name] = h
	}
	return out, nil
}

func toolHandler(name string, v any, dir string) (Handler, error) {
	h := Handler{Kind: HandlerManual, Dir: dir}
	if v == nil {
		return h, nil
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return h, fmt.Errorf("mstudio.tools.%s: want a mapping with mock or command (and timeout), got %v", name, v)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "mock", "command", "timeout":
		default:
			return h, fmt.Errorf("mstudio.tools.%s.%s: unknown key (known: mock, command, timeout)", name, k)
		}
	}
	mock, hasMock := fields["mock"]
	cmd, hasCmd := fields["command"]
	if hasMock && hasCmd {
		return h, fmt.Errorf("mstudio.tools.%s: give mock or command, not both", name)
	}
	if hasMock {
		h.Kind = HandlerMock
		if s, ok := mock.(string); ok {
			h.Mock = s
		} else {
			b, err := json.Marshal(mock)
			if err != nil {
				return h, fmt.Errorf("mstudio.tools.%s.mock: cannot be written as JSON: %v", name, err)
			}
			h.Mock = string(b)
		}
	}
	if hasCmd {
		list, ok := cmd.([]any)
		if !ok || len(list) == 0 {
			return h, fmt.Errorf(`mstudio.tools.%s.command: want a list of strings, the program and its arguments (never run through a shell), such as ["./tools/%s.sh"]`, name, name)
		}
		for i, a := range list {
			s, ok := a.(string)
			if !ok || (i == 0 && s == "") {
				return h, fmt.Errorf("mstudio.tools.%s.command[%d]: want a string, got %v", name, i, a)
			}
			h.Command = append(h.Command, s)
		}
		h.Kind = HandlerCommand
		h.Timeout = DefaultToolTimeout
	}
	if t, ok := fields["timeout"]; ok {
		if !hasCmd {
			return h, fmt.Errorf("mstudio.tools.%s.timeout: only a command has a timeout", name)
		}
		d, err := parseTimeout(t)
		if err != nil {
			return h, fmt.Errorf("mstudio.tools.%s.timeout: %v", name, err)
		}
		h.Timeout = d
	}
	return h, nil
}

// parseTimeout takes a duration ("10s", "1m30s") or a number of seconds.
func parseTimeout(v any) (time.Duration, error) {
	var d time.Duration
	switch v := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(strings.TrimSpace(v)); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 10s or 1m", v)
		}
	case uint64:
		d = time.Duration(v) * time.Second
	case int64:
		d = time.Duration(v) * time.Second
	case int:
		d = time.Duration(v) * time.Second
	case float64:
		d = time.Duration(v * float64(time.Second))
	default:
		return 0, fmt.Errorf("%v is not a duration such as 10s or 1m", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%v: want a positive duration", v)
	}
	return d, nil
}

// String is how the handler reads in messages: the mock, or the command.
func (h Handler) String() string {
	switch h.Kind {
	case HandlerMock:
		return "mock " + h.Mock
	case HandlerCommand:
		return "command " + strings.Join(h.Command, " ")
	}
	return "answered by hand"
}

// RunCommand runs a command handler: args (the call's arguments JSON) on
// stdin, no shell, the inherited environment, killed at the timeout. The
// result is stdout; a non-zero exit is an error carrying stderr's last lines.
// It does not check trust: the loop does, before calling it.
func (h Handler) RunCommand(ctx context.Context, args string) (string, error) {
	if h.Kind != HandlerCommand || len(h.Command) == 0 {
		return "", errors.New("not a command tool")
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultToolTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prog := h.Command[0]
	// A relative path with a slash means the prompt's folder, wherever the
	// studio was started; a bare name is looked up in PATH.
	if strings.ContainsRune(prog, '/') && !filepath.IsAbs(prog) && h.Dir != "" {
		prog = filepath.Join(h.Dir, prog)
	}
	cmd := exec.CommandContext(ctx, prog, h.Command[1:]...)
	cmd.Dir = h.Dir
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	cmd.Stdin = strings.NewReader(args)
	stdout := &cappedBuffer{max: maxToolOutput}
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A child that keeps the pipes open must not hold the loop past the
	// timeout.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return "", fmt.Errorf("%s timed out after %s", h.Command[0], timeout)
	case ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil:
		msg := err.Error()
		if tail := lastLines(stderr.String(), 5); tail != "" {
			msg += ": " + tail
		}
		return "", fmt.Errorf("%s failed: %s", h.Command[0], msg)
	case stdout.over:
		return "", fmt.Errorf("%s printed more than 1 MB", h.Command[0])
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// cappedBuffer keeps the first max bytes and notes that more came. It
// must not embed bytes.Buffer: io.Copy would use its ReadFrom and bypass
// the cap.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.over = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) String() string { return b.buf.String() }

// tailBuffer keeps the last max bytes.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string { return string(b.buf) }

// lastLines returns the last n non-blank lines, joined with " | ".
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// compileSchema compiles a tool's parameters schema; nil when there is
// none or it cannot be compiled (the call is then not checked).
func compileSchema(params json.RawMessage) *jsonschema.Schema {
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(params))
	if err != nil {
		return nil
	}
	c := jsonschema.NewCompiler()
	if c.AddResource("mem:///params.json", doc) != nil {
		return nil
	}
	s, err := c.Compile("mem:///params.json")
	if err != nil {
		return nil
	}
	return s
}

// validateArgs checks a call's arguments against its tool's schema and
// lists the violations, each with where it is ("/unit: …").
func validateArgs(schema *jsonschema.Schema, args string) []string {
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(args))
	if err != nil {
		return []string{"the arguments are not valid JSON: " + err.Error()}
	}
	if schema == nil {
		return nil
	}
	err = schema.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			u := e.BasicOutput()
			msg := ""
			if u.Error != nil {
				msg = u.Error.String()
			}
			loc := u.InstanceLocation
			if loc == "" {
				loc = "/"
			}
			out = append(out, loc+": "+msg)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}
