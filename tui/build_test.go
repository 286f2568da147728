package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/internal/screentest"
	"mstudio/prompts"
	"mstudio/tui/models"
	"mstudio/tui/response"
)

// runCmds runs cmd and the batches it makes, and returns the messages
// that come within a short wait each: timers (the draft's) are left out.
func runCmds(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, runCmds(c)...)
			}
			return out
		}
		if msg == nil {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(300 * time.Millisecond):
		return nil
	}
}

// feed sends msg and then every message its commands give, of the kinds
// listed, back to the model.
func feed(m Model, msg tea.Msg, keep func(tea.Msg) bool) Model {
	out, cmd := m.Update(msg)
	m = out.(Model)
	for _, r := range runCmds(cmd) {
		if keep(r) {
			m = feed(m, r, keep)
		}
	}
	return m
}

// The model chosen by its alias stays that alias: sent, shown and saved.
func TestModelAliasKeptAsChosen(t *testing.T) {
	dir := t.TempDir()
	m := New(Options{SaveDir: dir}) // the example prompt: model mistral-small-latest
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(m, models.LoadedMsg{Entries: api.FoldAliases([]api.ModelCard{
		{ID: "mistral-small-2603", Aliases: []string{"mistral-small-latest"}},
		{ID: "mistral-small-latest", Aliases: []string{"mistral-small-2603"}},
		{ID: "mistral-large-2512", Aliases: []string{"mistral-large-latest"}},
	})})
	m.setFocus(paneModels)
	isSelected := func(msg tea.Msg) bool { _, ok := msg.(models.SelectedMsg); return ok }
	// enter on the row that shows mistral-small-latest, the chosen one
	m = feed(m, tea.KeyPressMsg{Code: tea.KeyEnter}, isSelected)
	if m.model != "mistral-small-latest" {
		t.Fatalf("after enter on the chosen row the model is %q", m.model)
	}
	req, err := m.Request()
	if err != nil || req.Model != "mistral-small-latest" {
		t.Fatalf("request model %q (%v)", req.Model, err)
	}
	if v := screen(m); !strings.Contains(v, "mistral-small-latest") {
		t.Fatalf("the screen does not show the alias:\n%s", v)
	}
	// Another model picked by typing part of its alias, then back.
	m = feed(m, tea.PasteMsg{Content: "large-lat"}, isSelected)
	m = feed(m, tea.KeyPressMsg{Code: tea.KeyEnter}, isSelected)
	if m.model != "mistral-large-latest" {
		t.Fatalf("after choosing by part of an alias the model is %q", m.model)
	}
	isSaved := func(msg tea.Msg) bool { _, ok := msg.(savedMsg); return ok }
	m = feed(m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}, isSaved)
	src, err := os.ReadFile(filepath.Join(dir, "hello.prompt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "model: mistral-large-latest\n") {
		t.Fatalf("saved:\n%s", src)
	}
}

// Tab in a parameter's editor completes the value, as the pane's help
// says, instead of moving the focus to the next pane.
func TestTabCompletesInTheParameterEditor(t *testing.T) {
	m := New(Options{})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m.setFocus(paneParams)
	m = update(m, tea.KeyPressMsg{Code: tea.KeyHome})
	for m.params.Current().Name != "tool_choice" {
		m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	m = update(m, tea.KeyPressMsg{Code: 'r', Text: "r"}) // opens the editor on "r"
	m = update(m, tea.KeyPressMsg{Code: tea.KeyTab})
	if m.focus != paneParams || !m.params.Capturing() {
		t.Fatalf("tab left the editor: focus %v, editing %v", m.focus, m.params.Capturing())
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	req, err := m.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.ToolChoice == nil || req.ToolChoice.Mode != "required" {
		t.Fatalf("tab did not complete r to required: %+v", req.ToolChoice)
	}
	// Out of the editor, tab moves on as everywhere.
	m = update(m, tea.KeyPressMsg{Code: tea.KeyTab})
	if m.focus == paneParams {
		t.Fatal("tab outside the editor kept the focus")
	}
}

// A prompt whose output asks for a schema saves with a changed parameter:
// the schema stays in output (the pane shows it, config does not get it),
// and after the save nothing is left changed.
func TestSaveKeepsTheOutputSchemaOutOfConfig(t *testing.T) {
	src, _ := prompts.ExampleSource("extract")
	p, err := prompts.Parse("extract", src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m := New(Options{Prompt: p, SaveDir: dir})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m.setFocus(paneParams)
	m = update(m, tea.KeyPressMsg{Code: tea.KeyHome})
	m = update(m, tea.PasteMsg{Content: "0.4"})
	m = update(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	isSaved := func(msg tea.Msg) bool { _, ok := msg.(savedMsg); return ok }
	m = feed(m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}, isSaved)
	data, err := os.ReadFile(filepath.Join(dir, "extract.prompt"))
	if err != nil {
		t.Fatalf("not saved: %v\n%s", err, screen(m))
	}
	saved, err := prompts.Parse("extract", string(data))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := saved.Params(); cfg.Temperature == nil || *cfg.Temperature != 0.4 || cfg.ResponseFormat != nil {
		t.Fatalf("saved config: temperature %v, response_format %+v\n%s", cfg.Temperature, cfg.ResponseFormat, data)
	}
	if f := saved.Output(); f == nil || f.JSONSchema == nil {
		t.Fatalf("the output schema was lost:\n%s", data)
	}
	if s := m.params.Settings(); len(s) != 0 {
		t.Fatalf("after the save the pane still has changes: %v", s)
	}
}

// n=2 in the parameters pane: the answer pane shows the first choice as
// ever, then the second under its own heading, through the real program
// against the simulator.
func TestAnswerShowsEveryChoice(t *testing.T) {
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 2, TokenRate: 4000}), Endpoint: "sim", Offline: true, Theme: "dark"})
	m.params.SetParams(api.ChatRequest{Temperature: ptrTo(0.3), N: ptrTo(2)})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	scr := screentest.New(t, tm.Output(), 120, 40)
	tm.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	scr.WaitForText(t, "ttft ", 30*time.Second)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	answer := final.response.Answer()
	first, second, ok := strings.Cut(answer, "### choice 2 of 2")
	if final.response.State() != response.Done || !ok || !strings.Contains(first, "Lyon") || !strings.Contains(second, "Lyon") {
		t.Fatalf("state %v answer %q", final.response.State(), answer)
	}
	if strings.Contains(answer, "choice 3") {
		t.Fatalf("a third choice out of two: %q", answer)
	}
}

func ptrTo[T any](v T) *T { return &v }
