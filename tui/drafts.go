package tui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/tui/browser"
	"mstudio/tui/dialog"
	"mstudio/tui/editor"
	"mstudio/untrusted"
)

// A draft keeps unsaved work safe from a crash: while the prompt has
// unsaved changes it is written to the state folder a moment after each
// change, removed when the prompt is saved or the user quits on purpose,
// and offered back when the same prompt is opened again; the browser lists
// drafts too, so the work of a prompt never saved (a fork) is found again.

// draft is what a draft file holds.
type draft struct {
	Prompt string          `json:"prompt"` // the prompt's file, or its name when it has none
	Saved  time.Time       `json:"saved"`
	Doc    editor.Document `json:"document"`
	Model  string          `json:"model"`
	Params api.ChatRequest `json:"params"`
	// Name and Path are the prompt's; Source is the prompt as a file with
	// the work in it, so a prompt never saved (a fork) opens from its
	// draft alone.
	Name   string `json:"name,omitempty"`
	Path   string `json:"path,omitempty"`
	Source string `json:"source,omitempty"`
}

// draftDelay is how long after a change the draft is written: soon enough
// that a crash loses almost nothing, late enough not to write on every key.
const draftDelay = time.Second

// draftTickMsg asks for the draft to be written if work is still unsaved.
type draftTickMsg struct{ seq int }

// draftWrittenMsg reports a draft write (errors are shown, never fatal).
type draftWrittenMsg struct{ err error }

// draftPath returns where the current prompt's draft lives.
func (m Model) draftPath() string {
	if m.opts.StateDir == "" {
		return ""
	}
	id := m.prompt.Path
	if id == "" {
		id = "name:" + m.prompt.Name
	} else if abs, err := filepath.Abs(id); err == nil {
		id = abs
	}
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(m.opts.StateDir, "drafts", hex.EncodeToString(sum[:8])+".json")
}

func (m Model) draftID() string {
	if m.prompt.Path != "" {
		return m.prompt.Path
	}
	return m.prompt.Name
}

// scheduleDraft arms the draft timer after a change.
func (m *Model) scheduleDraft() tea.Cmd {
	if m.opts.StateDir == "" || !m.unsaved() || m.draftArmed {
		return nil
	}
	m.draftArmed = true
	m.draftSeq++
	seq := m.draftSeq
	return tea.Tick(draftDelay, func(time.Time) tea.Msg { return draftTickMsg{seq: seq} })
}

// writeDraftCmd writes the current work; the snapshot is taken here, in
// Update, so the Cmd touches no model state.
func (m Model) writeDraftCmd() tea.Cmd {
	path := m.draftPath()
	if path == "" {
		return nil
	}
	doc := m.editor.Document()
	d := draft{Prompt: m.draftID(), Saved: time.Now().UTC(), Doc: doc, Model: m.model, Params: m.params.Params(),
		Name: m.prompt.Name, Path: m.prompt.Path}
	if src, err := m.prompt.Compose(prompts.Edit{Model: m.model, Params: d.Params, Defaults: doc.Vars, Turns: docTurns(doc)}); err == nil {
		d.Source = src
	}
	return func() tea.Msg {
		data, err := json.MarshalIndent(d, "", "  ")
		if err == nil {
			err = prompts.WriteFile(path, data)
		}
		return draftWrittenMsg{err: err}
	}
}

// removeDraftCmd deletes the draft after a save or a discard; the path is
// taken now, the file removed in the Cmd.
func (m Model) removeDraftCmd() tea.Cmd {
	path := m.draftPath()
	if path == "" {
		return nil
	}
	return func() tea.Msg {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return draftWrittenMsg{err: err}
		}
		return nil
	}
}

// draftFoundMsg carries the draft of a prompt just opened, nil when none.
type draftFoundMsg struct {
	id string // the prompt it was looked up for
	d  *draft
}

// loadDraftCmd looks for the draft of the prompt open.
func (m Model) loadDraftCmd() tea.Cmd {
	path, id := m.draftPath(), m.draftID()
	if path == "" {
		return nil
	}
	return func() tea.Msg {
		d, err := readDraft(path)
		if err != nil || d.Prompt != id {
			return draftFoundMsg{id: id}
		}
		return draftFoundMsg{id: id, d: d}
	}
}

func readDraft(path string) (*draft, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) > maxDraft {
		return nil, fmt.Errorf("%s: a draft over %d bytes is not read", path, maxDraft)
	}
	var d draft
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

// maxDraft bounds a draft file read back: a prompt is text, not a dataset.
const maxDraft = 8 << 20

// offerDraft asks what to do with the draft found for the prompt open.
func (m *Model) offerDraft(d *draft) {
	k := m.dkeys
	body := m.st.Warning.Render("Unsaved work was found for "+untrusted.StripLine(m.draftID())) + "\n\n" +
		m.st.Text.Render("It was kept "+d.Saved.Local().Format("2006-01-02 15:04")+", when the studio stopped or another prompt was opened without saving it.")
	m.dialogs.Push(dialog.Choice{
		K: dialog.Draft, T: "Unsaved work", Body: body, Data: d,
		Options: []dialog.Option{{Key: k.Restore, Desc: "restore it (still unsaved)", Value: "restore"}, {Key: k.DraftDiscard, Desc: "discard it", Value: "discard"}},
		Other:   "later", OtherHelp: "open the saved prompt and keep the draft for later",
	})
}

// answerDraft takes the user's answer to a draft offered.
func (m Model) answerDraft(d *draft, v string) (tea.Model, tea.Cmd) {
	switch v {
	case "restore":
		m.restoreDraft(d)
		return m, m.status.Note("restored the unsaved work")
	case "discard":
		return m, tea.Batch(m.removeDraftCmd(), m.status.Note("discarded the unsaved work"))
	}
	return m, m.status.Note("the unsaved work is kept for next time")
}

// restoreDraft puts a draft's work back in the panes, still unsaved.
func (m *Model) restoreDraft(d *draft) {
	m.editor.Load(d.Doc)
	m.params.SetParams(d.Params)
	if d.Model != "" {
		m.setModel(d.Model)
	}
	m.dirty = true // the restored work is not in the file
}

// draftOpenedMsg carries a draft chosen in the browser, with the prompt it
// belongs to.
type draftOpenedMsg struct {
	d   *draft
	p   *prompts.Prompt
	err error
}

// openDraftCmd reads a draft file and the prompt under it: the draft's own
// copy of the prompt when it has one (a fork never saved has no file).
func openDraftCmd(path string) tea.Cmd {
	return func() tea.Msg {
		d, err := readDraft(path)
		if err != nil {
			return draftOpenedMsg{err: err}
		}
		var p *prompts.Prompt
		switch {
		case d.Source != "":
			p, err = prompts.Parse(d.Name, d.Source)
			if p != nil {
				// a fork's file still names the prompt it came from
				p.Path, p.Name = d.Path, d.Name
			}
		case d.Path != "":
			p, err = prompts.Load(d.Path)
		default:
			err = fmt.Errorf("%s: the draft does not say which prompt it belongs to", path)
		}
		return draftOpenedMsg{d: d, p: p, err: err}
	}
}

// openDraft replaces the prompt open with a draft's work, still unsaved.
func (m Model) openDraft(msg draftOpenedMsg) (tea.Model, tea.Cmd) {
	m.browsing = false
	m.clearDocument()
	m.closeRecorder()
	m.openPrompt(msg.p)
	m.version = 0
	m.restoreDraft(msg.d)
	m.setFocus(paneEditor)
	return m, tea.Batch(m.focusCmd(), m.status.Note("opened the draft of "+untrusted.StripLine(msg.d.Prompt)+" (unsaved) · ctrl+s saves it"))
}

// listDrafts reads the drafts kept in the state folder, for the browser:
// those of the prompts of dir, and those of prompts never saved (forks).
func listDrafts(stateDir, dir string) map[string]browser.Draft {
	out := map[string]browser.Draft{}
	if stateDir == "" {
		return out
	}
	files, _ := filepath.Glob(filepath.Join(stateDir, "drafts", "*.json"))
	absDir, _ := filepath.Abs(dir)
	for _, f := range files {
		d, err := readDraft(f)
		if err != nil {
			continue
		}
		name := d.Name
		if name == "" { // a draft from before drafts named their prompt
			name = strings.TrimSuffix(filepath.Base(d.Prompt), ".prompt")
		}
		if d.Path != "" {
			if pd, _ := filepath.Abs(filepath.Dir(d.Path)); pd != absDir {
				continue // another folder's prompt
			}
		}
		if prompts.CheckName(name) != nil {
			continue
		}
		if old, ok := out[name]; ok && old.Saved.After(d.Saved) {
			continue
		}
		out[name] = browser.Draft{Path: f, Saved: d.Saved, Model: d.Model}
	}
	return out
}

// askUnsaved asks before unsaved work is replaced or dropped: then is what
// waits for the answer (the prompt to open, the quit).
func (m Model) askUnsaved(then tea.Msg, what string) (tea.Model, tea.Cmd) {
	k := m.dkeys
	name := untrusted.StripLine(m.prompt.Name)
	body := m.st.Warning.Render("“"+name+"” has unsaved changes.") + "\n\n" +
		m.st.Text.Render("Before you "+untrusted.StripLine(what)+":")
	discard := k.Discard
	if _, ok := then.(quitMsg); ok {
		// ctrl+c twice quits, as it always did
		discard = key.NewBinding(key.WithKeys("d", "ctrl+c"), key.WithHelp("d", "discard"))
	}
	opts := []dialog.Option{{Key: k.Save, Desc: "save it first", Value: "save"}, {Key: discard, Desc: "discard it", Value: "discard"}}
	if m.draftPath() != "" { // no state folder: no draft to keep it in
		opts = append(opts, dialog.Option{Key: k.KeepDraft, Desc: "keep it as a draft (ctrl+l lists drafts)", Value: "keep"})
	}
	m.dialogs.Push(dialog.Choice{
		K: dialog.Unsaved, T: "Unsaved work", Body: body, Data: then,
		Options: append(opts, dialog.Option{Key: k.Stay, Desc: "go back to it", Value: "stay"}),
	})
	return m, nil
}

// askingToQuit reports whether the unsaved-work question on top is a quit's.
func (m Model) askingToQuit() bool {
	c, ok := m.dialogs.Top().(dialog.Choice)
	if !ok || c.K != dialog.Unsaved {
		return false
	}
	_, quit := c.Data.(quitMsg)
	return quit
}

// answerUnsaved acts on the answer, then goes on with what waited.
func (m Model) answerUnsaved(then tea.Msg, v string) (tea.Model, tea.Cmd) {
	switch v {
	case "save":
		seq := m.status.Seq()
		next, cmd := m.save()
		nm := next.(Model)
		if nm.status.Seq() != seq && nm.status.IsError() {
			return nm, cmd // not saved: nothing goes on, the work stays
		}
		nm.afterSave = then
		return nm, cmd
	case "discard", "keep":
		var first tea.Cmd
		if v == "keep" {
			first = m.writeDraftCmd()
		} else {
			first = m.removeDraftCmd()
		}
		m.markClean()
		next, cmd := m.route(then)
		return next, tea.Sequence(first, cmd)
	}
	return m, m.status.Note("the unsaved work is still here")
}

// afterSaved goes on with what waited for a save ("save it first"), once
// the save is done and nothing was edited meanwhile.
func (m Model) afterSaved(cmds ...tea.Cmd) (tea.Model, tea.Cmd) {
	then := m.afterSave
	m.afterSave = nil
	if then == nil {
		return m, tea.Batch(cmds...)
	}
	if m.unsaved() { // edited while the file was written: ask again
		next, cmd := m.askUnsaved(then, "go on")
		return next, tea.Batch(append(cmds, cmd)...)
	}
	next, cmd := m.route(then)
	return next, tea.Sequence(tea.Batch(cmds...), cmd)
}

// markClean forgets that the work open is unsaved: it was kept or dropped
// on purpose.
func (m *Model) markClean() {
	m.dirty = false
	m.editor.MarkSaved()
	m.draftSeq++ // a draft tick armed for this work has nothing to write
	m.draftArmed = false
}

func (m Model) handleDraft(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case draftTickMsg:
		if msg.seq != m.draftSeq {
			return m, nil
		}
		m.draftArmed = false
		if !m.unsaved() {
			return m, nil
		}
		return m, m.writeDraftCmd()
	case draftWrittenMsg:
		if msg.err != nil {
			return m, m.status.Error("draft not kept: " + msg.err.Error())
		}
	case draftFoundMsg:
		if msg.d != nil && msg.id == m.draftID() && !m.unsaved() {
			m.offerDraft(msg.d)
		}
	case browser.OpenDraftMsg:
		return m, openDraftCmd(msg.Path)
	case draftOpenedMsg:
		if msg.err != nil {
			return m, m.status.Error(msg.err.Error())
		}
		if m.unsaved() {
			return m.askUnsaved(msg, "open the draft of "+msg.d.Prompt)
		}
		return m.openDraft(msg)
	}
	return m, nil
}
