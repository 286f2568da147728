package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/browser"
	"mstudio/tui/matrix"
)

// Sessions in the studio: every run is recorded (the same recorder as
// `mstudio run --save`), one session file per prompt opened; a recorded
// session opens back into the editor and replays into the answer pane with
// its original timing; a live run after it can be diffed with the recorded
// answer.

// sessionFile is the session file a prompt's runs record to. Update only
// makes the value; the file is created on disk by the first run's Cmd
// (open) and closed by a Cmd (closeSessionFiles), so no file is touched in
// Update. The runs of a prompt share it through the pointer.
type sessionFile struct {
	mu     sync.Mutex
	dir    string
	header session.Header
	rec    *session.Recorder
	err    error
	tried  bool
	closed bool
}

// open creates the file at the first call and returns its recorder; nil
// (and the error once) when it could not be made or is closed already.
func (f *sessionFile) open() (*session.Recorder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, nil
	}
	if !f.tried {
		f.tried = true
		f.rec, f.err = session.Create(f.dir, f.header)
		return f.rec, f.err
	}
	return f.rec, nil
}

// Close ends the file, writing what its recorder holds.
func (f *sessionFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.rec == nil {
		return nil
	}
	return f.rec.Close()
}

// Path is the file's path, "" before its first run.
func (f *sessionFile) Path() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rec == nil {
		return ""
	}
	return f.rec.Path()
}

// ensureRecorder makes the session file of the prompt open, at its first
// run; nothing is written until the run's Cmd opens it.
func (m *Model) ensureRecorder() {
	if m.opts.SessionDir == "" || m.recorder != nil {
		return
	}
	ep := m.opts.Target.Client.Endpoint()
	m.recorder = &sessionFile{dir: m.opts.SessionDir, header: session.Header{
		Prompt: m.prompt.Name, PromptVersion: m.version,
		Endpoint: m.opts.Endpoint, BaseURL: ep.BaseURL, Dialect: string(ep.Dialect),
	}}
}

// closeRecorder ends the current session file (a prompt change or quit):
// it is closed by the Cmd Update adds after the message (or by quit's).
func (m *Model) closeRecorder() {
	if m.recorder == nil {
		return
	}
	m.toClose = append(m.toClose, m.recorder)
	m.recorder = nil
}

// sessionClosedMsg reports a session file that could not be written whole.
type sessionClosedMsg struct{ err error }

// closeSessionFiles closes session files left behind, in a Cmd.
func closeSessionFiles(files []*sessionFile) tea.Cmd {
	return func() tea.Msg {
		for _, f := range files {
			if err := f.Close(); err != nil {
				return sessionClosedMsg{err: err}
			}
		}
		return nil
	}
}

// CloseSession closes the session files still open: the program calls it
// once the studio has ended, however it ended (a signal included), so the
// last events of a run reach the file.
func (m Model) CloseSession() error {
	var first error
	for _, f := range append(m.toClose, m.recorder) {
		if f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// sessionOpenedMsg carries a session read from disk.
type sessionOpenedMsg struct {
	sess *session.Session
	err  error
}

func loadSessionCmd(path string) tea.Cmd {
	return func() tea.Msg {
		s, err := session.Load(path)
		return sessionOpenedMsg{sess: s, err: err}
	}
}

// openSession puts a session back in the studio, one run group at a time
// (its first; the status line says how many there are): the recorded
// prompt in the editor (its template and variables, never the rendered
// text, so ctrl+s saves a proper version), the group's parameters in the
// pane, and the group replayed as it ran, from its recorded kind: a single
// run, a conversation or an agent in the answer pane (its tool calls in the
// inspector), a comparison in columns, a matrix as its table.
func (m Model) openSession(msg sessionOpenedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Error(msg.err.Error())
	}
	s := msg.sess
	if len(s.Groups) == 0 {
		return m, m.status.Error(s.Path + ": the session has no runs")
	}
	return m.openGroup(s, s.Groups[0].Group)
}

// openGroup shows one group of a session and replays it.
func (m Model) openGroup(s *session.Session, n int) (tea.Model, tea.Cmd) {
	g, err := s.Group(n)
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	first, err := s.Run(g.Runs[0])
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	req, err := session.DecodeRequest(first.Body)
	if err != nil && first.API == "" {
		return m, m.status.Error(fmt.Sprintf("%s: run %d: %v", s.Path, first.Run, err))
	}
	p, vars, err := groupPrompt(s, g, req)
	if err != nil {
		return m, m.status.Error(s.Path + ": " + err.Error())
	}
	var cmds []tea.Cmd
	m.closeRecorder()
	m.browsing = false
	m.openPrompt(p)
	m.version = 0
	if g.Prompt != nil {
		m.version = g.Prompt.Version
	}
	if len(vars) > 0 {
		doc := m.editor.Document()
		for k, v := range vars {
			doc.Vars[k] = v
		}
		m.editor.Load(doc)
	}
	if first.API == "" {
		m.params.SetParams(req)
	}
	model := first.Model
	if len(g.Columns) > 0 && g.Columns[0].Model != "" {
		model = g.Columns[0].Model
	}
	m.setModel(model)
	m.dirty = false
	m.recorded = ""
	if first.Result != nil {
		m.recorded, m.recordedModel = first.Result.Content, first.Model
	}
	lanes := s.Lanes(g)
	var ctx context.Context
	switch g.Kind {
	case session.KindCompare:
		m.cols = nil
		for c := 0; c < len(g.Columns) && c < maxColumns; c++ {
			col := compareCol{model: g.Columns[c].Model}
			if runs := lanes[session.Lane{Column: c}]; len(runs) > 0 {
				col.params, _ = session.DecodeRequest(runs[0].Body)
			}
			m.cols = append(m.cols, col)
		}
		m.syncCompare()
		ctx, _ = m.newRun(false)
		m.run.kind = session.KindCompare
		m.running = len(m.cols)
		m.status.Start(fmt.Sprintf("%d recorded runs", len(m.cols)))
		for i := range m.cols {
			m.compare.Start(i)
		}
	case session.KindMatrix:
		var models []string
		for _, c := range g.Columns {
			models = append(models, c.Model)
		}
		rows := make([]map[string]string, len(g.Rows))
		for i, r := range g.Rows {
			rows[i] = r
			if len(r) == 0 {
				rows[i] = map[string]string{"row": fmt.Sprint(i + 1)} // a file that kept no variables
			}
		}
		ctx, _ = m.newRun(false)
		m.run.kind = session.KindMatrix
		mt := matrix.New(m.st, rows, models)
		m.mtx, m.mtxOpen = &mt, true
		m.layoutOverlays()
	default:
		ctx, _ = m.beginRun(model, false)
		m.run.kind = g.Kind
		m.response.Start(model + " · recorded")
	}
	m.run.opened, m.run.group = s, g.Group
	spec := session.Spec{Kind: session.KindReplay, Replay: &session.ReplaySpec{Session: s, Group: g.Group, Speed: m.replaySpeed()},
		NoDeltas: g.Kind == session.KindMatrix} // the table shows cells when they end
	note := fmt.Sprintf("replaying the %s of %s with its original timing · esc stops it", kindName(g.Kind), s.Path)
	if len(s.Groups) > 1 {
		note = fmt.Sprintf("replaying run %d of %d (a %s) of %s · ] next, [ previous", indexOf(s, g.Group)+1, len(s.Groups), kindName(g.Kind), s.Path)
	}
	cmds = append(cmds, m.startRunCmd(ctx, spec), m.status.Note(note))
	return m, tea.Batch(cmds...)
}

// GroupKeys move between the runs of the session opened.
type GroupKeys struct{ Next, Prev key.Binding }

// groupKeys are the keys of a session opened in the studio.
var groupKeys = GroupKeys{
	Next: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "the next run of the session opened")),
	Prev: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "the previous run of the session opened")),
}

// moveGroup opens the next (or previous) group of the session opened.
func (m Model) moveGroup(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	s := m.run.opened
	if s == nil || len(s.Groups) == 0 {
		return m, m.status.Error("open a session first (ctrl+l): ] and [ move between its runs")
	}
	i := indexOf(s, m.run.group)
	if key.Matches(msg, groupKeys.Next) {
		i++
	} else {
		i--
	}
	if i < 0 || i >= len(s.Groups) {
		return m, m.status.Note(fmt.Sprintf("the session has %d runs: this is the %s", len(s.Groups), map[bool]string{true: "first", false: "last"}[i < 0]))
	}
	if m.unsaved() {
		return m, m.status.Error("save first (ctrl+s): the next run of the session replaces the editor")
	}
	return m.openGroup(s, s.Groups[i].Group)
}

// groupPrompt is the prompt a group ran: the template and variables it
// recorded, or, for a file that kept none (format 1), one made of the
// request's messages.
func groupPrompt(s *session.Session, g *session.RecordedGroup, req api.ChatRequest) (*prompts.Prompt, map[string]string, error) {
	name := s.Header.Prompt
	if g.Prompt != nil && g.Prompt.Name != "" {
		name = g.Prompt.Name
	}
	if prompts.CheckName(name) != nil {
		name = "session"
	}
	if g.Prompt != nil && strings.TrimSpace(g.Prompt.Source) != "" {
		p, err := prompts.Parse(name, g.Prompt.Source)
		return p, g.Prompt.Vars, err
	}
	var turns []prompts.Turn
	system := false
	for _, msg := range req.Messages {
		text := msg.Content.String()
		switch msg.Role {
		case api.RoleSystem:
			if !system {
				system = true
				turns = append(turns, prompts.Turn{Role: api.RoleSystem, Text: text})
				continue
			}
		case api.RoleUser, api.RoleAssistant:
		default:
			continue // tool turns come back with the tool-call inspector
		}
		turns = append(turns, prompts.Turn{Role: msg.Role, Text: text})
	}
	p, err := prompts.Parse(name, prompts.FormatTurns(turns))
	return p, nil, err
}

// kindName says what a group was, in words.
func kindName(k session.Kind) string {
	switch k {
	case session.KindCompare:
		return "comparison"
	case session.KindConversation:
		return "conversation"
	case session.KindAgent:
		return "agent conversation"
	case session.KindMatrix:
		return "matrix"
	}
	return "run"
}

func indexOf(s *session.Session, group int) int {
	for i, g := range s.Groups {
		if g.Group == group {
			return i
		}
	}
	return 0
}

// openFromBrowser routes the browser's session choice.
func (m Model) openFromBrowser(msg browser.OpenSessionMsg) (tea.Model, tea.Cmd) {
	return m, loadSessionCmd(msg.Path)
}

// replaySpeed is the speed sessions replay at: their original timing unless
// the options say otherwise.
func (m Model) replaySpeed() float64 {
	if m.opts.ReplaySpeed != 0 {
		return m.opts.ReplaySpeed
	}
	return 1
}
