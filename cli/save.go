package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mstudio/prompts"
	"mstudio/session"
)

// defaultSessionsDir is where session files go (DESIGN.md §3).
const defaultSessionsDir = "sessions"

// saveFlags are --save and --sessions.
type saveFlags struct {
	save     bool
	sessions string
	sessSet  bool // --sessions was given
}

func (s *saveFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&s.save, "save", false, "")
	fs.Func("sessions", "", func(v string) error {
		if strings.TrimSpace(v) == "" {
			return usagef("--sessions: empty folder name")
		}
		s.sessions, s.sessSet = v, true
		return nil
	})
}

// enabled reports whether the runs are recorded: --sessions DIR alone
// means --save too, since naming a folder says where to save.
func (s saveFlags) enabled() bool { return s.save || s.sessSet }

func (s saveFlags) dir() string {
	if s.sessions != "" {
		return s.sessions
	}
	return defaultSessionsDir
}

// startRecording creates the session file for a run of p on conn. It is
// created before anything is sent, so that a folder that cannot be written
// fails the command before it spends tokens.
func (a *app) startRecording(s saveFlags, p *prompts.Prompt, conn *connection) (*session.Recorder, error) {
	ep := conn.client.Endpoint()
	rec, err := session.Create(s.dir(), session.Header{
		Prompt:        promptName(p),
		PromptVersion: promptVersion(p),
		Endpoint:      ep.Name,
		BaseURL:       ep.BaseURL,
		Dialect:       string(conn.client.Dialect()),
		Mstudio:       version(),
	})
	if err != nil {
		return nil, usagef("--save: %s: %v", s.dir(), err)
	}
	return rec, nil
}

// finishRecording closes the session file and says where it is.
func (a *app) finishRecording(rec *session.Recorder) {
	if rec == nil {
		return
	}
	if err := rec.Close(); err != nil {
		a.note("the session was not saved whole: %v", err)
	}
	a.note("session saved to %s", displayPath(rec.Path()))
}

// promptName is what a session calls its prompt: the front matter name,
// else the file's name.
func promptName(p *prompts.Prompt) string {
	if p.Name != "" {
		return p.Name
	}
	if p.Path != "" {
		return strings.TrimSuffix(filepath.Base(p.Path), ".prompt")
	}
	return "inline"
}

// promptVersion is the prompt's saved version number, 0 when it has none.
// Versions are whole numbers in the store; "v3" is read as 3 too.
func promptVersion(p *prompts.Prompt) int {
	v := strings.TrimPrefix(strings.TrimSpace(p.Version), "v")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// displayPath shows a path relative to the working folder when it is
// inside it, so the line is short and can be pasted into the next command.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
