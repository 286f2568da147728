package tui

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/prompts"
	"mstudio/tui/browser"
	"mstudio/tui/diffview"
	"mstudio/tui/response"
)

// The studio's history: saving makes a new version in the prompts folder's
// store; the browser lists prompts, versions and sessions; a diff view
// compares two versions, or a live answer with the recorded one.

// store returns the versioned store the current prompt belongs to: the
// folder of its file, or the prompts folder for a prompt not saved yet.
func (m Model) store() *prompts.Store {
	if m.prompt.Path != "" {
		return prompts.NewStore(prompts.StoreDir(m.prompt.Path))
	}
	dir := m.opts.SaveDir
	if dir == "" {
		dir = "prompts"
	}
	return prompts.NewStore(dir)
}

// historyLoadedMsg carries what the browser shows.
type historyLoadedMsg struct{ msg browser.LoadedMsg }

// versionOpenedMsg carries a version read from the store.
type versionOpenedMsg struct {
	prompt *prompts.Prompt
	n      int
	err    error
}

// diffReadyMsg carries a diff to show.
type diffReadyMsg struct {
	title, diff string
	err         error
}

// openBrowser shows the browser and reads the store (and the sessions) in
// a Cmd.
func (m Model) openBrowser() (tea.Model, tea.Cmd) {
	m.browsing = true
	m.browser = browser.New(m.st)
	m.browser.SetCurrent(m.prompt.Name)
	m.layoutOverlays()
	st := m.store()
	sessions, state := m.opts.SessionDir, m.opts.StateDir
	return m, func() tea.Msg { return historyLoadedMsg{msg: readHistory(st, sessions, state)} }
}

func readHistory(st *prompts.Store, sessionDir, stateDir string) browser.LoadedMsg {
	names, err := st.Names()
	if err != nil {
		return browser.LoadedMsg{Err: err}
	}
	byName := sessionsByPrompt(sessionDir)
	drafts := listDrafts(stateDir, st.Dir)
	// a prompt never saved may still have sessions or a draft: list it too
	for name := range byName {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for name := range drafts {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []browser.Prompt
	for _, name := range names {
		p := browser.Prompt{Name: name, Sessions: byName[name]}
		if d, ok := drafts[name]; ok {
			p.Draft = &d
		}
		vs, err := st.Versions(name)
		if err != nil && !errors.Is(err, prompts.ErrNoPrompt) {
			return browser.LoadedMsg{Err: err}
		}
		for _, v := range vs {
			p.Versions = append(p.Versions, browser.Version{N: v.N, Saved: v.Saved, Model: v.Model, Note: v.Note})
		}
		out = append(out, p)
	}
	return browser.LoadedMsg{Prompts: out}
}

func (m Model) handleHistory(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case historyLoadedMsg:
		var cmd tea.Cmd
		m.browser, cmd = m.browser.Update(msg.msg)
		return m, cmd
	case browser.ClosedMsg:
		m.browsing = false
		return m, nil
	case browser.OpenVersionMsg:
		st := m.store()
		return m, func() tea.Msg {
			p, err := st.Load(msg.Name, msg.N)
			if err == nil {
				// Saving an old version makes it the newest: it is saved
				// through the prompt's own file.
				p.Path = filepath.Join(st.Dir, msg.Name+".prompt")
			}
			return versionOpenedMsg{prompt: p, n: msg.N, err: err}
		}
	case versionOpenedMsg:
		if msg.err != nil {
			return m, m.status.Error(msg.err.Error())
		}
		if m.unsaved() {
			return m.askUnsaved(msg, fmt.Sprintf("open %s v%d", msg.prompt.Name, msg.n))
		}
		m.browsing = false
		m.clearDocument()
		m.closeRecorder()
		m.openPrompt(msg.prompt)
		m.version = msg.n
		m.setFocus(paneEditor)
		return m, tea.Batch(m.loadDraftCmd(), m.focusCmd(), m.status.Note(fmt.Sprintf("opened %s v%d", msg.prompt.Name, msg.n)))
	case browser.DiffMsg:
		st := m.store()
		return m, func() tea.Msg {
			a, err := st.Source(msg.Name, msg.A)
			if err != nil {
				return diffReadyMsg{err: err}
			}
			b, err := st.Source(msg.Name, msg.B)
			if err != nil {
				return diffReadyMsg{err: err}
			}
			la, lb := fmt.Sprintf("%s v%d", msg.Name, msg.A), fmt.Sprintf("%s v%d", msg.Name, msg.B)
			return diffReadyMsg{title: la + " → " + lb, diff: prompts.Diff(la, a, lb, b)}
		}
	case diffReadyMsg:
		if msg.err != nil {
			return m, m.status.Error(msg.err.Error())
		}
		m.showDiff(msg.title, msg.diff)
		return m, nil
	case diffview.ClosedMsg:
		m.diff = nil
		return m, nil
	}
	return m, nil
}

// showDiff opens the diff view over the main area.
func (m *Model) showDiff(title, diff string) {
	d := diffview.New(m.st, title, diff)
	m.diff = &d
	m.layoutOverlays()
}

// layoutOverlays sizes the browser and the diff view to the window.
func (m *Model) layoutOverlays() {
	w, h := max(m.width-2, 0), max(m.height-3, 0)
	m.browser.SetSize(w, h)
	if m.mtx != nil {
		m.mtx.SetSize(w, h)
	}
	if m.cell != nil {
		m.cell.SetSize(w, h)
	}
	if m.diff != nil {
		m.diff.SetSize(w, h)
	}
}

// overlayKey routes keys to the browser or the diff view while one is open.
func (m Model) overlayKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	switch {
	case m.diff != nil:
		d, c := m.diff.Update(msg)
		m.diff, cmd = &d, c
	case m.browsing:
		m.browser, cmd = m.browser.Update(msg)
	default:
		return m, nil, false
	}
	return m, cmd, true
}

// diffLiveWithRecorded shows the answer of this prompt's last live run
// against the recorded one of the session opened: only an answer the prompt
// produced here, labelled with the models that gave each.
func (m Model) diffLiveWithRecorded() (tea.Model, tea.Cmd) {
	switch {
	case m.recorded == "":
		return m, m.status.Error("open a session first (ctrl+l): there is no recorded answer to compare with")
	case m.comparing():
		return m, m.status.Error("D compares the answer pane with the recorded answer: in a comparison, d diffs two columns")
	case m.liveRun == 0 || m.liveRun != m.runID:
		return m, m.status.Error("run the prompt first (ctrl+r): D compares its answer with the recorded one")
	case m.response.State() == response.Waiting || m.response.State() == response.Streaming:
		return m, m.status.Error("the answer is still streaming: D compares it once it ends")
	}
	from := "recorded · " + m.recordedModel
	to := "live · " + m.response.ModelName()
	m.showDiff(from+" → "+to, prompts.Diff(from, m.recorded, to, m.response.Answer()))
	return m, nil
}

// versionLabel is the title's version mark.
func (m Model) versionLabel() string {
	if m.version <= 0 {
		return ""
	}
	return fmt.Sprintf(" v%d", m.version)
}

// savedVersionNote says what a save did.
func savedVersionNote(path string, v prompts.Version, created bool) string {
	if !created {
		return "no changes since v" + fmt.Sprint(v.N) + ": nothing saved"
	}
	return fmt.Sprintf("saved v%d · %s", v.N, strings.TrimPrefix(path, "./"))
}
