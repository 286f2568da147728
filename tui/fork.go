package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/tui/editor"
)

// fork starts a new prompt from the conversation so far: from the focused
// turn of the editor (everything up to it), or from the answer (the whole
// conversation, the answer as an assistant turn, and a new user turn to
// write). The original prompt is left as it was; the fork is unsaved until
// ctrl+s writes it as a prompt of its own, and kept as a draft meanwhile
// (the browser lists it), like any unsaved work.
func (m Model) fork() (tea.Model, tea.Cmd) {
	doc := m.editor.Document()
	var turns []editor.Turn
	switch {
	case m.focus == paneResponse && strings.TrimSpace(m.response.Answer()) != "":
		turns = append(append(turns, doc.Turns...), editor.Turn{Role: api.RoleAssistant, Text: m.response.Answer()})
	case m.focus == paneEditor && m.editor.FocusedTurn() >= 0:
		turns = append(turns, doc.Turns[:m.editor.FocusedTurn()+1]...)
	default:
		return m, m.status.Error("to fork, focus a turn of the prompt, or the answer")
	}
	if turns[len(turns)-1].Role == api.RoleAssistant {
		turns = append(turns, editor.Turn{Role: api.RoleUser})
	}
	name := m.forkBase() + "-fork" // provisional: forkNameCmd finds one free
	doc.Turns = turns
	var pturns []prompts.Turn
	for _, t := range docTurns(doc) {
		if strings.TrimSpace(t.Text) != "" {
			pturns = append(pturns, t)
		}
	}
	forked, err := m.prompt.WithTurns(pturns)
	if err != nil {
		return m, m.status.Error("cannot fork: " + err.Error())
	}
	forked.Path, forked.Name = "", name
	params := m.params.Params()
	model := m.model
	m.closeRecorder() // the fork's runs go to a session of its own
	conv := m.conv    // a fork from an agent's answer continues its conversation
	// The answer and the recorded one were the original's: the fork has
	// none yet (forked from the answer, it is a turn of the fork).
	m.clearDocument()
	m.prompt = forked
	m.editor.Load(doc)
	m.params.SetParams(params)
	m.setModel(model)
	m.dirty = true
	m.conv = conv
	m.setFocus(paneEditor)
	return m, tea.Batch(m.focusCmd(), m.forkNameCmd(forked), m.status.Note(fmt.Sprintf("forked as %s (unsaved, kept as a draft) · ctrl+s saves it", name)))
}

// forkBase is the prompt's name without its -fork or -fork-N.
func (m Model) forkBase() string {
	base := strings.TrimSuffix(m.prompt.Name, "-fork")
	if i := strings.LastIndex(base, "-fork-"); i > 0 {
		base = base[:i]
	}
	return base
}

// forkNamedMsg carries the first fork name free in the prompts folder, for
// the fork made with a provisional one.
type forkNamedMsg struct {
	prompt *prompts.Prompt // the fork it names
	name   string
}

// forkNameCmd looks for the first of NAME-fork, NAME-fork-2, … that names
// no file in the prompts folder: the folder is read in a Cmd, never in
// Update, so the fork is made at once and named for good a moment later.
func (m Model) forkNameCmd(forked *prompts.Prompt) tea.Cmd {
	dir := m.opts.SaveDir
	if dir == "" {
		dir = "prompts"
	}
	base := m.forkBase()
	return func() tea.Msg {
		for n := 1; ; n++ {
			name := base + "-fork"
			if n > 1 {
				name = fmt.Sprintf("%s-fork-%d", base, n)
			}
			if _, err := os.Stat(filepath.Join(dir, name+".prompt")); os.IsNotExist(err) {
				return forkNamedMsg{prompt: forked, name: name}
			}
		}
	}
}

// nameFork gives the fork its free name, if it is still the prompt open.
func (m Model) nameFork(msg forkNamedMsg) (tea.Model, tea.Cmd) {
	if m.prompt != msg.prompt || m.prompt.Name == msg.name {
		return m, nil
	}
	taken := m.prompt.Name
	p := *m.prompt
	p.Name = msg.name
	m.prompt = &p
	return m, m.status.Note(fmt.Sprintf("forked as %s (%s is taken) · ctrl+s saves it", msg.name, taken))
}
