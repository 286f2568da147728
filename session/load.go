package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Session is a session file as loaded.
type Session struct {
	Header Header
	Runs   []RecordedRun // by run number
	// Groups are the session's runs as they were made: each a kind with
	// its columns, rows, prompt, tool results and conversations. Every run
	// is in exactly one group; a file of format 1, which has no groups,
	// gets one per run (a comparison or matrix recognised by its timing).
	Groups []RecordedGroup
	Path   string
	// Truncated reports that the file ended in a cut-off line (a crash
	// while recording): everything up to its last whole line was loaded.
	Truncated bool
}

// RecordedRun is one run of a session: the request sent, the events that
// came back, and how it ended (Result is nil when the file ends before the
// run did).
type RecordedRun struct {
	Run      int
	Group    int
	Lane     Lane
	API      string // "conversations" for an agent's call; "" for chat
	Model    string
	Endpoint string
	At       time.Duration   // when the request was sent, from the session's start
	Body     json.RawMessage // exactly as sent; nil when it could not be encoded
	Events   []RecordedEvent
	Result   *RunRecord
}

// RecordedEvent is one SSE event's data, T after the request was sent.
type RecordedEvent struct {
	T    time.Duration
	Data string
}

// Run returns the run numbered n.
func (s *Session) Run(n int) (*RecordedRun, error) {
	for i := range s.Runs {
		if s.Runs[i].Run == n {
			return &s.Runs[i], nil
		}
	}
	if len(s.Runs) == 0 {
		return nil, fmt.Errorf("%s: no runs recorded", s.Path)
	}
	nums := make([]string, len(s.Runs))
	for i, r := range s.Runs {
		nums[i] = fmt.Sprint(r.Run)
	}
	return nil, fmt.Errorf("%s: no run %d (runs: %s)", s.Path, n, strings.Join(nums, ", "))
}

// Load reads a session file. A file cut off in its last line (a crash
// while recording) loads up to its last whole line, with Truncated set; a
// bad line anywhere else is an error naming the file and the line. Lines of
// a type this version does not know are skipped, so newer files stay
// readable.
func Load(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(path, f)
}

// read parses a session file's text; name is what errors call it.
func read(name string, r io.Reader) (*Session, error) {
	p := parser{s: &Session{Path: name}, runs: map[int]int{}, groups: map[int]int{}}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			p.line++
			whole := err == nil
			if perr := p.parse(line, whole); perr != nil {
				return nil, perr
			}
			if p.s.Truncated {
				break
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	slices.SortFunc(p.s.Runs, func(a, b RecordedRun) int { return a.Run - b.Run })
	p.s.gatherGroups()
	return p.s, nil
}

// parser holds what the lines read so far have established.
type parser struct {
	s      *Session
	line   int
	header bool
	runs   map[int]int // run number -> index in s.Runs
	groups map[int]int // group number -> index in s.Groups
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.s.Path, p.line, fmt.Sprintf(format, args...))
}

// parse reads one line; whole is false for a last line with no newline,
// which may have been cut in the middle.
func (p *parser) parse(line []byte, whole bool) error {
	text := bytes.TrimSpace(line)
	if len(text) == 0 {
		return nil
	}
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(text, &head); err != nil {
		if !whole {
			// a line is an object, and no prefix of an object is one:
			// this line was cut off
			p.s.Truncated = true
			return nil
		}
		return p.errorf("not a JSON object: %s", jsonProblem(err))
	}
	if head.Type == nil {
		return p.errorf(`the line has no "type"`)
	}
	typ := *head.Type
	if !p.header {
		if typ != lineSession {
			return p.errorf(`not a session file: the first line must be the "session" header, not %q`, clip(typ, 40))
		}
		return p.parseHeader(text)
	}
	switch typ {
	case lineSession:
		return p.errorf("a second session header (the first is on line 1)")
	case lineRequest:
		return p.parseRequest(text)
	case lineEvent:
		return p.parseEvent(text)
	case lineResult:
		return p.parseResult(text)
	case lineGroup:
		return p.parseGroup(text)
	case lineToolResult:
		return p.parseToolResult(text)
	case lineConversation:
		return p.parseConversation(text)
	}
	return nil // a line type from a newer mstudio
}

func (p *parser) parseHeader(text []byte) error {
	var h headerLine
	if err := json.Unmarshal(text, &h); err != nil {
		return p.errorf("session header: %s", jsonProblem(err))
	}
	switch {
	case h.Format < 1:
		return p.errorf("session header: format %d: want 1 or more", h.Format)
	case h.Format > Format:
		return p.errorf("session header: format %d is newer than this mstudio reads (%d); update mstudio", h.Format, Format)
	}
	p.s.Header = h.Header
	p.header = true
	return nil
}

func (p *parser) parseRequest(text []byte) error {
	var l requestLine
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("request: %s", jsonProblem(err))
	}
	if l.Run < 1 {
		return p.errorf("request: run %d: runs are numbered from 1", l.Run)
	}
	if _, dup := p.runs[l.Run]; dup {
		return p.errorf("request: run %d is recorded twice", l.Run)
	}
	if l.AtMs < 0 {
		return p.errorf("request: at_ms %d is negative", l.AtMs)
	}
	body := bytes.TrimSpace(l.Body)
	switch {
	case len(body) == 0 || string(body) == "null":
		body = nil
	case body[0] != '{':
		return p.errorf("request: the body of run %d is not a JSON object", l.Run)
	}
	if l.Group != 0 {
		if _, ok := p.groups[l.Group]; !ok {
			return p.errorf("request: run %d is in group %d, which has no group line before it", l.Run, l.Group)
		}
	}
	lane := Lane{}
	if l.Lane != nil {
		lane = *l.Lane
	}
	p.runs[l.Run] = len(p.s.Runs)
	p.s.Runs = append(p.s.Runs, RecordedRun{
		Run: l.Run, Group: l.Group, Lane: lane, API: l.API, Model: l.Model, Endpoint: l.Endpoint,
		At: time.Duration(l.AtMs) * time.Millisecond, Body: json.RawMessage(body),
	})
	return nil
}

func (p *parser) parseEvent(text []byte) error {
	var l struct {
		Run  int     `json:"run"`
		TMs  int64   `json:"t_ms"`
		Data *string `json:"data"`
	}
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("event: %s", jsonProblem(err))
	}
	run, err := p.run("event", l.Run)
	if err != nil {
		return err
	}
	if l.TMs < 0 || l.TMs > int64(time.Duration(1<<62)/time.Millisecond) {
		return p.errorf("event: t_ms %d is out of range", l.TMs)
	}
	if l.Data == nil {
		return p.errorf(`event: no "data"`)
	}
	run.Events = append(run.Events, RecordedEvent{T: time.Duration(l.TMs) * time.Millisecond, Data: *l.Data})
	return nil
}

func (p *parser) parseResult(text []byte) error {
	var l resultLine
	if err := json.Unmarshal(text, &l); err != nil {
		return p.errorf("result: %s", jsonProblem(err))
	}
	run, err := p.run("result", l.Run)
	if err != nil {
		return err
	}
	if l.Record == nil {
		return p.errorf(`result: no "record"`)
	}
	if run.Result != nil {
		return p.errorf("result: run %d has a result already", l.Run)
	}
	if l.Record.ToolCalls == nil {
		l.Record.ToolCalls = []ToolCallRecord{}
	}
	run.Result = l.Record
	return nil
}

// run returns the run an event or result belongs to, which must have been
// requested on an earlier line.
func (p *parser) run(what string, n int) (*RecordedRun, error) {
	i, ok := p.runs[n]
	if !ok {
		return nil, p.errorf("%s of run %d, which has no request line before it", what, n)
	}
	return &p.s.Runs[i], nil
}

// jsonProblem words a decoding error without Go type names where it can.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%q should be a %s, not a %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return fmt.Sprintf("want a %s, not a %s", jsonKind(te.Type.Kind().String()), te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "float64":
		return "number"
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	case "bool":
		return "boolean"
	}
	return goKind
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// SessionInfo is one session file as List finds it.
type SessionInfo struct {
	Path   string
	Header Header
}

// maxHeaderLine bounds how much of a file List reads to find its header.
const maxHeaderLine = 1 << 20

// List returns the session files under dir (in any depth of folders),
// newest first, reading only each file's first line. Files that are not
// session files are left out; a missing dir is no sessions.
func List(dir string) ([]SessionInfo, error) {
	var out []SessionInfo
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".jsonl") {
			return nil
		}
		if h, ok := readHeader(path); ok {
			out = append(out, SessionInfo{Path: path, Header: h})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b SessionInfo) int {
		if c := b.Header.Created.Compare(a.Header.Created); c != 0 {
			return c
		}
		return strings.Compare(b.Path, a.Path)
	})
	return out, nil
}

// readHeader reads a file's first line as a session header.
func readHeader(path string) (Header, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, false
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, maxHeaderLine)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return Header{}, false
	}
	var h headerLine
	if json.Unmarshal(line, &h) != nil || h.Type != lineSession || h.Format < 1 {
		return Header{}, false
	}
	return h.Header, true
}
