package session

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Format is the version of the session file format this package writes. A
// reader refuses files of a newer format rather than misreading them; lines
// of types it does not know are skipped, so adding a line type does not
// need a new format.
//
// Format 2 adds run groups: a "group" line says what kind of run a set of
// model calls was (single, conversation, agent, compare, matrix, replay),
// its columns, its matrix rows and its prompt; requests and results carry
// their group and lane; tool results and agent conversations are lines of
// their own. Files of format 1 (no groups) still load.
const Format = 2

// Line types of a session file (docs/files.md, "Session files").
const (
	lineSession = "session"
	lineRequest = "request"
	lineEvent   = "event"
	lineResult  = "result"
	// format 2
	lineGroup        = "group"
	lineToolResult   = "tool_result"
	lineConversation = "conversation"
)

// doneData is the data of the SSE event that ends a complete answer. It is
// recorded like any other event, so a replay ends the way the run did: with
// it after a whole answer, without it after a cut-off one.
const doneData = "[DONE]"

// Header is the first line of a session file: what produced the runs in it.
type Header struct {
	Format  int       `json:"format"`
	ID      string    `json:"id"`      // 12 random hex digits
	Created time.Time `json:"created"` // to the second, local time with its offset
	Prompt  string    `json:"prompt"`  // the prompt's name
	// PromptVersion is the saved version of the prompt, 0 when the prompt
	// was unsaved or inline.
	PromptVersion int    `json:"prompt_version,omitempty"`
	Endpoint      string `json:"endpoint"` // global, eu, us, sim, a config name or a URL
	BaseURL       string `json:"base_url"` // without /v1 and never with credentials
	Dialect       string `json:"dialect,omitempty"`
	Mstudio       string `json:"mstudio"` // the version of mstudio that wrote the file
}

// The lines as they are written; the type comes first so a reader (or a
// person with grep) sees it at once.
type (
	headerLine struct {
		Type string `json:"type"`
		Header
	}
	requestLine struct {
		Type     string `json:"type"`
		Run      int    `json:"run"`
		Group    int    `json:"group,omitempty"`
		Lane     *Lane  `json:"lane,omitempty"`
		Model    string `json:"model"`
		Endpoint string `json:"endpoint"`
		// API is "conversations" for an agent's call; absent for chat
		// completions.
		API  string          `json:"api,omitempty"`
		AtMs int64           `json:"at_ms"`
		Body json.RawMessage `json:"body"`
	}
	eventLine struct {
		Type string `json:"type"`
		Run  int    `json:"run"`
		TMs  int64  `json:"t_ms"`
		Data string `json:"data"`
	}
	resultLine struct {
		Type   string     `json:"type"`
		Run    int        `json:"run"`
		Group  int        `json:"group,omitempty"`
		Lane   *Lane      `json:"lane,omitempty"`
		Record *RunRecord `json:"record"`
	}
	groupLine struct {
		Type string `json:"type"`
		GroupRecord
	}
	toolResultLine struct {
		Type   string            `json:"type"`
		Group  int               `json:"group"`
		Lane   Lane              `json:"lane"`
		Record *ToolResultRecord `json:"record"`
	}
	conversationLine struct {
		Type  string `json:"type"`
		Group int    `json:"group"`
		Lane  Lane   `json:"lane"`
		ConversationRecord
	}
)

// GroupRecord is a run group as recorded: what kind of run it was and how
// it was laid out, so that reopening shows exactly what ran.
type GroupRecord struct {
	Group int  `json:"group"`
	Kind  Kind `json:"kind"`
	// Columns are the group's models in column order, each with its
	// parameters in a few words.
	Columns []ColumnRecord `json:"columns"`
	// Rows are a matrix's variables, one object per row, in row order.
	Rows   []map[string]string `json:"rows,omitempty"`
	Prompt *PromptRecord       `json:"prompt,omitempty"`
	// Agent is the agent an agent group talked to.
	Agent string `json:"agent,omitempty"`
}

// ColumnRecord is one column of a group.
type ColumnRecord struct {
	Model  string `json:"model"`
	Params string `json:"params,omitempty"`
}

// PromptRecord is the prompt a group ran: its name, its saved version (0:
// unsaved), its template source as the editor held it, and the variables
// it was rendered with, so reopening restores the template and not its
// rendered text.
type PromptRecord struct {
	Name    string            `json:"name"`
	Version int               `json:"version,omitempty"`
	Source  string            `json:"source"`
	Vars    map[string]string `json:"vars,omitempty"`
}

// ConversationRecord is an agent conversation as it stood after a run:
// its id, the agent, the entry a restart starts from, and its entries.
type ConversationRecord struct {
	ConversationID string        `json:"conversation_id"`
	Agent          string        `json:"agent"`
	LastEntry      string        `json:"last_entry,omitempty"`
	Entries        []EntryRecord `json:"entries"`
}

// EntryRecord is one entry of an agent conversation: an input message, an
// output message, a function call and its result, a built-in tool
// execution or a handoff.
type EntryRecord struct {
	Type       string `json:"type"` // message.input, message.output, function.call, function.result, tool.execution, agent.handoff
	ID         string `json:"id,omitempty"`
	Role       string `json:"role,omitempty"`
	Text       string `json:"text,omitempty"`
	Name       string `json:"name,omitempty"`
	ToolCallID string `json:"tool_call_id,omitempty"`
	Arguments  string `json:"arguments,omitempty"`
	Result     string `json:"result,omitempty"`
}

// Recorder appends one session's runs to its file. It is safe for
// concurrent use: the runs of a compare record at the same time, and each
// line goes out whole in one write, so lines never interleave even though
// the events of different runs do. A failed write does not stop a run; the
// first error is kept and returned by Close.
type Recorder struct {
	mu sync.Mutex
	f  *os.File
	// bw holds stream events for up to flushEvery: one write a token cost
	// the studio a system call each (5% of its CPU at 190 tokens a
	// second). Every other line, and Close, write at once, so a crash
	// loses at most the last events of a run, never a request or a result.
	bw      *bufio.Writer
	flushed time.Time
	path    string
	start   time.Time
	runs    int
	groups  int
	err     error
	closed  bool
}

// Create starts a new session file for h under dir, at
// dir/YYYY-MM-DD/HHMMSS-PROMPT.jsonl (-2, -3, ... before .jsonl when that
// name is taken: an existing file is never overwritten), and writes its
// header line. The zero fields of h that have defaults are filled: the
// format, a random id, the time, the mstudio version.
func Create(dir string, h Header) (*Recorder, error) {
	h.Format = Format
	if h.ID == "" {
		h.ID = newID()
	}
	if h.Created.IsZero() {
		h.Created = time.Now()
	}
	h.Created = h.Created.Truncate(time.Second)
	if h.Mstudio == "" {
		h.Mstudio = buildVersion()
	}
	h.BaseURL = stripCredentials(h.BaseURL)
	day := filepath.Join(dir, h.Created.Format("2006-01-02"))
	if err := os.MkdirAll(day, 0o755); err != nil {
		return nil, fmt.Errorf("creating the sessions folder: %w", err)
	}
	stem := h.Created.Format("150405") + "-" + fileSafe(h.Prompt)
	var f *os.File
	var path string
	for n := 1; ; n++ {
		path = filepath.Join(day, stem+".jsonl")
		if n > 1 {
			path = filepath.Join(day, fmt.Sprintf("%s-%d.jsonl", stem, n))
		}
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || n >= 10000 {
			return nil, fmt.Errorf("creating the session file: %w", err)
		}
	}
	r := &Recorder{f: f, bw: bufio.NewWriterSize(f, 64<<10), path: path, start: time.Now()}
	r.write(headerLine{Type: lineSession, Header: h})
	if r.err != nil {
		err := r.err
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return r, nil
}

// Path returns the session file's path.
func (r *Recorder) Path() string { return r.path }

// Err returns the first write error, nil while all is well.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close flushes the file to disk and closes it; it returns the first error
// the recording met. Lines recorded after Close (a run still winding down)
// are dropped. It is safe to call more than once.
func (r *Recorder) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return r.err
	}
	r.closed = true
	r.flush()
	if err := r.f.Sync(); err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
	}
	if err := r.f.Close(); err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
	}
	return r.err
}

// reserve hands out n consecutive run numbers and returns the first, so
// that a compare's runs are numbered in the order of its targets however
// their goroutines are scheduled. A nil recorder returns 0.
func (r *Recorder) reserve(n int) int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	first := r.runs + 1
	r.runs += n
	return first
}

// request records the body sent for a run; body is nil when it could not
// be encoded (the run then fails before sending anything).
func (r *Recorder) request(run int, model, endpoint string, body []byte, tg tag) {
	r.requestAPI(run, model, endpoint, "", body, tg)
}

// requestAPI is request for another API than chat completions.
func (r *Recorder) requestAPI(run int, model, endpoint, api string, body []byte, tg tag) {
	if r == nil {
		return
	}
	if len(body) == 0 {
		body = []byte("null")
	}
	l := requestLine{Type: lineRequest, Run: run, Model: model, Endpoint: endpoint, API: api, AtMs: time.Since(r.start).Milliseconds(), Body: body}
	if tg.group > 0 {
		l.Group, l.Lane = tg.group, &tg.lane
	}
	r.write(l)
}

// group numbers a new run group and records it.
func (r *Recorder) group(g GroupRecord) int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	r.groups++
	g.Group = r.groups
	r.mu.Unlock()
	if g.Columns == nil {
		g.Columns = []ColumnRecord{}
	}
	r.write(groupLine{Type: lineGroup, GroupRecord: g})
	return g.Group
}

// toolResult records how one tool call of a conversation ended.
func (r *Recorder) toolResult(st ToolCallState, tg tag) {
	if r == nil || tg.group == 0 {
		return
	}
	rec := st.Record()
	r.write(toolResultLine{Type: lineToolResult, Group: tg.group, Lane: tg.lane, Record: &rec})
}

// conversation records where an agent conversation stands.
func (r *Recorder) conversation(c ConversationRecord, tg tag) {
	if r == nil || tg.group == 0 {
		return
	}
	if c.Entries == nil {
		c.Entries = []EntryRecord{}
	}
	r.write(conversationLine{Type: lineConversation, Group: tg.group, Lane: tg.lane, ConversationRecord: c})
}

// event records one event's raw data, t after the request was sent.
func (r *Recorder) event(run int, t time.Duration, data string) {
	if r == nil {
		return
	}
	r.write(eventLine{Type: lineEvent, Run: run, TMs: t.Milliseconds(), Data: data})
}

// result records how a run ended.
func (r *Recorder) result(run int, rec RunRecord, tg tag) {
	if r == nil {
		return
	}
	l := resultLine{Type: lineResult, Run: run, Record: &rec}
	if tg.group > 0 {
		l.Group, l.Lane = tg.group, &tg.lane
	}
	r.write(l)
}

// write encodes v as one line and appends it with a single write.
func (r *Recorder) write(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// HTML escaping would rewrite the recorded body's bytes; the file is
	// never embedded in HTML.
	enc.SetEscapeHTML(false)
	encErr := enc.Encode(v)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return
	}
	if encErr != nil {
		r.err = fmt.Errorf("%s: encoding a line: %w", r.path, encErr)
		return
	}
	if _, err := r.bw.Write(buf.Bytes()); err != nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
		return
	}
	if _, event := v.(eventLine); !event || time.Since(r.flushed) >= flushEvery {
		r.flush()
	}
}

// flushEvery is how long stream events may wait in the buffer.
const flushEvery = 250 * time.Millisecond

// flush writes what is buffered; r.mu is held.
func (r *Recorder) flush() {
	r.flushed = time.Now()
	if err := r.bw.Flush(); err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
	}
}

// newID returns 12 random hex digits.
func newID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported systems; a time-based id
		// is still unique enough to tell sessions apart.
		return fmt.Sprintf("%012x", time.Now().UnixNano()&0xffffffffffff)
	}
	return hex.EncodeToString(b[:])
}

// fileSafe turns a prompt name into a file name part: letters, digits,
// dot, dash and underscore, other runs of characters as one dash.
func fileSafe(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(c)
		dash = false
	}
	s := strings.Trim(b.String(), "-.")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-.")
	}
	if s == "" {
		return "session"
	}
	return s
}

// stripCredentials drops user:password@ from a URL: a base URL may carry
// them, and a session file is meant to be committed.
func stripCredentials(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

// buildVersion is the module version from the build info, "dev" for a
// plain go build; the cli passes its own (which release builds set).
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
