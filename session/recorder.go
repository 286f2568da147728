package session

import (
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
const Format = 1

// Line types of a session file (docs/files.md, "Session files").
const (
	lineSession = "session"
	lineRequest = "request"
	lineEvent   = "event"
	lineResult  = "result"
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
		Type     string          `json:"type"`
		Run      int             `json:"run"`
		Model    string          `json:"model"`
		Endpoint string          `json:"endpoint"`
		AtMs     int64           `json:"at_ms"`
		Body     json.RawMessage `json:"body"`
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
		Record *RunRecord `json:"record"`
	}
)

// Recorder appends one session's runs to its file. It is safe for
// concurrent use: the runs of a compare record at the same time, and each
// line goes out whole in one write, so lines never interleave even though
// the events of different runs do. A failed write does not stop a run; the
// first error is kept and returned by Close.
type Recorder struct {
	mu     sync.Mutex
	f      *os.File
	path   string
	start  time.Time
	runs   int
	err    error
	closed bool
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
	r := &Recorder{f: f, path: path, start: time.Now()}
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
func (r *Recorder) request(run int, model, endpoint string, body []byte) {
	if r == nil {
		return
	}
	if len(body) == 0 {
		body = []byte("null")
	}
	r.write(requestLine{Type: lineRequest, Run: run, Model: model, Endpoint: endpoint, AtMs: time.Since(r.start).Milliseconds(), Body: body})
}

// event records one event's raw data, t after the request was sent.
func (r *Recorder) event(run int, t time.Duration, data string) {
	if r == nil {
		return
	}
	r.write(eventLine{Type: lineEvent, Run: run, TMs: t.Milliseconds(), Data: data})
}

// result records how a run ended.
func (r *Recorder) result(run int, rec RunRecord) {
	if r == nil {
		return
	}
	r.write(resultLine{Type: lineResult, Run: run, Record: &rec})
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
	if _, err := r.f.Write(buf.Bytes()); err != nil {
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
