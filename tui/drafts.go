package tui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/tui/editor"
)

// A draft keeps unsaved work safe from a crash: while the prompt has
// unsaved changes it is written to the state folder a moment after each
// change, removed when the prompt is saved or the user quits on purpose,
// and offered back when the same prompt is opened again.

// draft is what a draft file holds.
type draft struct {
	Prompt string          `json:"prompt"` // the prompt's file, or its name when it has none
	Saved  time.Time       `json:"saved"`
	Doc    editor.Document `json:"document"`
	Model  string          `json:"model"`
	Params api.ChatRequest `json:"params"`
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
	d := draft{Prompt: m.draftID(), Saved: time.Now().UTC(), Doc: m.editor.Document(), Model: m.model, Params: m.params.Params()}
	return func() tea.Msg {
		data, err := json.MarshalIndent(d, "", "  ")
		if err == nil {
			err = prompts.WriteFile(path, data)
		}
		return draftWrittenMsg{err: err}
	}
}

// removeDraft deletes the draft after a save or a deliberate quit.
func (m Model) removeDraft() {
	if path := m.draftPath(); path != "" {
		os.Remove(path)
	}
}

// loadDraft reads the draft of the current prompt, if there is one.
func (m Model) loadDraft() *draft {
	path := m.draftPath()
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var d draft
	if json.Unmarshal(data, &d) != nil || d.Prompt != m.draftID() {
		return nil
	}
	return &d
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
	}
	return m, nil
}
