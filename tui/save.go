package tui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/editor"
)

// savedMsg reports a finished save.
type savedMsg struct {
	path    string
	source  string
	version prompts.Version
	created bool
	doc     editor.Document // what was saved, to tell later edits apart
	model   string
	err     error
}

// example is the prompt the studio opens when it is given none.
const example = `---
name: hello
description: A first prompt to try the studio with.
model: mistral-small-latest
config:
  temperature: 0.3
input:
  default:
    city: Lyon
---
{{role "system"}}
You are a friendly travel assistant. Answer in markdown.
{{role "user"}}
Name one thing to see in {{city}} and explain why, then give a plan for the day as a table.
`

// Example returns the built-in example prompt.
func Example() *prompts.Prompt {
	p, err := prompts.Parse("hello", example)
	if err != nil {
		panic("the built-in example prompt does not parse: " + err.Error())
	}
	return p
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// savePath is where the prompt goes: its own file, or SaveDir/NAME.prompt.
func (m Model) savePath() string {
	if _, _, _, isVersion := prompts.VersionOf(m.prompt.Path); m.prompt.Path != "" && !isVersion {
		return m.prompt.Path
	}
	name := strings.Trim(unsafeName.ReplaceAllString(m.prompt.Name, "-"), "-.")
	if name == "" {
		name = "prompt"
	}
	dir := m.opts.SaveDir
	if dir == "" {
		dir = "prompts"
	}
	return filepath.Join(dir, name+".prompt")
}

// save writes the prompt as the editor, the parameters and the model
// describe it. The file is composed (and checked) here; the write happens in
// a Cmd.
func (m Model) save() (tea.Model, tea.Cmd) {
	if !m.unsaved() && m.prompt.Path != "" {
		// Composing would only reformat the file: no new version for it.
		return m, m.status.Note("no changes to save")
	}
	doc := m.editor.Document()
	cfg, err := m.savedConfig()
	if err != nil {
		return m, m.status.Error("not saved: " + err.Error())
	}
	src, err := m.prompt.Compose(prompts.Edit{
		Model: m.model, Params: cfg, Defaults: doc.Vars, Turns: docTurns(doc),
	})
	if err != nil {
		return m, m.status.Error("not saved: " + err.Error())
	}
	path := m.savePath()
	model := m.model
	st := m.store()
	name := strings.TrimSuffix(filepath.Base(path), ".prompt")
	return m, func() tea.Msg {
		// Every save is a new version in the store; the store writes the
		// newest to NAME.prompt too.
		v, created, err := st.Save(name, src, "")
		if err == nil {
			if data, rerr := os.ReadFile(path); rerr == nil {
				src = string(data) // with its version line
			}
		}
		return savedMsg{path: path, source: src, version: v, created: created, doc: doc, model: model, err: err}
	}
}

// savedConfig is the config the saved file gets: the prompt's own, with
// the parameters changed in the pane over it. What the prompt sends from
// elsewhere (the response_format of its output) stays where it is written
// rather than being copied into config, which would not load.
func (m Model) savedConfig() (api.ChatRequest, error) {
	cfg, err := m.prompt.Params()
	if err != nil {
		return cfg, err
	}
	return cfg, session.ApplySettings(&cfg, m.params.Settings())
}

func (m Model) handleSaved(msg savedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.afterSave = nil // what waited for the save does not happen: the work stays
		return m, m.status.Error("not saved: " + msg.err.Error())
	}
	if p, err := prompts.Parse(m.prompt.Name, msg.source); err == nil {
		p.Path = msg.path
		m.prompt = p
		// what the file now holds is the prompt's own: no change left
		if req, err := session.PromptParams(p); err == nil {
			m.params.Rebase(req, p.ToolNames())
		}
		m.version = msg.version.N
	}
	// Edits made while the file was being written stay unsaved.
	if reflect.DeepEqual(m.editor.Document(), msg.doc) {
		m.editor.MarkSaved()
	}
	if m.model == msg.model {
		m.dirty = false
	}
	var cmd tea.Cmd
	if !m.unsaved() {
		cmd = m.removeDraftCmd()
	}
	return m.afterSaved(cmd, m.status.Note(savedVersionNote(msg.path, msg.version, msg.created)))
}

func stringValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(toJSON(v)), `"`))
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
