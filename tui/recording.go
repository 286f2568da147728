package tui

import (
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/browser"
	"mstudio/tui/editor"
	"mstudio/tui/matrix"
)

// Sessions in the studio: every run is recorded (the same recorder as
// `mstudio run --save`), one session file per prompt opened; a recorded
// session opens back into the editor and replays into the answer pane with
// its original timing; a live run after it can be diffed with the recorded
// answer.

// recorderFor starts the session file at the first run of a prompt.
func (m *Model) ensureRecorder() error {
	if m.opts.SessionDir == "" || m.recorder != nil {
		return nil
	}
	ep := m.opts.Target.Client.Endpoint()
	rec, err := session.Create(m.opts.SessionDir, session.Header{
		Prompt: m.prompt.Name, PromptVersion: m.version,
		Endpoint: m.opts.Endpoint, BaseURL: ep.BaseURL, Dialect: string(ep.Dialect),
	})
	if err != nil {
		return err
	}
	m.recorder = rec
	m.opts.Engine.Recorder = rec
	return nil
}

// closeRecorder ends the current session file (a prompt change or quit).
func (m *Model) closeRecorder() {
	if m.recorder == nil {
		return
	}
	m.recorder.Close()
	if m.opts.Engine.Recorder == m.recorder {
		m.opts.Engine.Recorder = nil
	}
	m.recorder = nil
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

// openSession puts a session's first run back in the studio: its request in
// the editor and the parameters, its answer replayed with the original
// timing.
func (m Model) openSession(msg sessionOpenedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Error(msg.err.Error())
	}
	s := msg.sess
	if len(s.Runs) == 0 {
		return m, m.status.Error(s.Path + ": the session has no runs")
	}
	run := s.Runs[0]
	req, err := session.DecodeRequest(run.Body)
	if err != nil {
		return m, m.status.Error(fmt.Sprintf("%s: run %d: %v", s.Path, run.Run, err))
	}
	doc := editor.Document{Vars: map[string]string{}}
	var turns []prompts.Turn
	for _, msg := range req.Messages {
		text := msg.Content.String()
		switch msg.Role {
		case api.RoleSystem:
			if doc.System == "" {
				doc.System = text
				turns = append(turns, prompts.Turn{Role: api.RoleSystem, Text: text})
				continue
			}
		case api.RoleUser, api.RoleAssistant:
		default:
			continue // tool turns come back with the tool-call inspector
		}
		doc.Turns = append(doc.Turns, editor.Turn{Role: msg.Role, Text: text})
		turns = append(turns, prompts.Turn{Role: msg.Role, Text: text})
	}
	name := s.Header.Prompt
	if prompts.CheckName(name) != nil {
		name = "session"
	}
	p, err := prompts.Parse(name, prompts.FormatTurns(turns))
	if err != nil {
		return m, m.status.Error(s.Path + ": " + err.Error())
	}
	var cmds []tea.Cmd
	if m.unsaved() {
		cmds = append(cmds, m.writeDraftCmd())
	}
	m.closeRecorder()
	m.browsing = false
	m.prompt, m.version = p, 0
	m.editor.Load(doc)
	m.params.SetParams(req)
	m.setModel(run.Model)
	m.dirty = false
	m.recorded = ""
	if run.Result != nil {
		m.recorded, m.recordedModel = run.Result.Content, run.Model
	}

	if isMatrix(s) {
		return m.replayMatrix(s, cmds)
	}
	if len(s.Runs) >= 2 {
		return m.replayComparison(s, cmds)
	}
	// replay, as a run of its own: a later ctrl+r cancels it like any run
	ctx, _ := m.beginRun(run.Model, false)
	m.response.Start(run.Model + " · recorded")
	pump := startReplayPump(ctx, s, run.Run, m.replaySpeed())
	id := m.runID
	cmds = append(cmds, func() tea.Msg { return openedMsg{id: id, pump: pump} },
		m.status.Note("replaying "+s.Path+" with its original timing · esc stops it"))
	return m, tea.Batch(cmds...)
}

// replayComparison opens a session of several runs (a comparison, or a
// matrix) as columns, each replaying its run with the original timing.
func (m Model) replayComparison(s *session.Session, cmds []tea.Cmd) (tea.Model, tea.Cmd) {
	m.cols = nil
	for _, r := range s.Runs {
		if len(m.cols) == maxColumns {
			break
		}
		req, err := session.DecodeRequest(r.Body)
		if err != nil {
			return m, m.status.Error(fmt.Sprintf("%s: run %d: %v", s.Path, r.Run, err))
		}
		m.cols = append(m.cols, compareCol{model: r.Model, params: req})
	}
	m.syncCompare()
	ctx, _ := m.newRun(false)
	m.running = len(m.cols)
	m.status.Start(fmt.Sprintf("%d recorded runs", len(m.cols)))
	for i := range m.cols {
		m.compare.Start(i)
		pump := startReplayPump(ctx, s, s.Runs[i].Run, m.replaySpeed())
		id, column := m.runID, i+1
		cmds = append(cmds, func() tea.Msg { return openedMsg{id: id, column: column, pump: pump} })
	}
	more := ""
	if len(s.Runs) > maxColumns {
		more = fmt.Sprintf(" (the first %d of %d runs)", maxColumns, len(s.Runs))
	}
	cmds = append(cmds, m.status.Note("replaying the comparison "+s.Path+more))
	return m, tea.Batch(cmds...)
}

// diffWithRecorded shows the last answer against the recorded one.
func (m Model) diffWithRecorded() (tea.Model, tea.Cmd) {
	if m.recorded == "" {
		return m, m.status.Error("open a session first (ctrl+l): there is no recorded answer to compare with")
	}
	live := m.response.Answer()
	from := "recorded · " + m.recordedModel
	to := "live · " + strings.TrimSuffix(m.response.ModelName(), " · recorded")
	m.showDiff(from+" → "+to, prompts.Diff(from, m.recorded, to, live))
	return m, nil
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

// isMatrix tells a matrix session (the same models run again for each row)
// from a comparison (each model once).
func isMatrix(s *session.Session) bool {
	seen := map[string]bool{}
	for _, r := range s.Runs {
		if seen[r.Model] {
			return true
		}
		seen[r.Model] = true
	}
	return false
}

// replayMatrix opens a recorded matrix as its table: rows in the order
// recorded (the file holds no variables, so rows are numbered), each cell
// replayed offline and filled in as it ends.
func (m Model) replayMatrix(s *session.Session, cmds []tea.Cmd) (tea.Model, tea.Cmd) {
	var models []string
	col := map[string]int{}
	for _, r := range s.Runs {
		if _, ok := col[r.Model]; !ok {
			col[r.Model] = len(models)
			models = append(models, r.Model)
		}
	}
	rowOf := make([]int, len(s.Runs))
	perModel := map[string]int{}
	rows := 0
	for i, r := range s.Runs {
		rowOf[i] = perModel[r.Model]
		perModel[r.Model]++
		rows = max(rows, perModel[r.Model])
	}
	vars := make([]map[string]string, rows)
	for i := range vars {
		vars[i] = map[string]string{"row": fmt.Sprint(i + 1)}
	}
	ctx, _ := m.newRun(false)
	mt := matrix.New(m.st, vars, models)
	m.mtx, m.mtxOpen = &mt, true
	m.layoutOverlays()
	ch := make(chan cellDone, len(s.Runs))
	speed := m.replaySpeed()
	go func() {
		var wg sync.WaitGroup
		for i, r := range s.Runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Replay(ctx, r.Run, speed, nil)
				if err != nil && res.Err == nil {
					res.Err = err
				}
				ch <- cellDone{row: rowOf[i], col: col[r.Model], res: res}
			}()
		}
		wg.Wait()
		close(ch)
	}()
	cmds = append(cmds, readCellsCmd(m.runID, ch), m.status.Note("replaying the matrix "+s.Path))
	return m, tea.Batch(cmds...)
}
