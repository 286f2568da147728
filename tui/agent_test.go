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

func studioOn(t *testing.T, p *prompts.Prompt, trustPath string) Model {
	t.Helper()
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 4}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p, TrustPath: trustPath})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return update(m, models.LoadedMsg{Entries: api.FoldAliases(sim.Models())})
}

func TestToolsRunAsAConversationInOneCtrlR(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	p, err := prompts.Parse("weather", src)
	if err != nil {
		t.Fatal(err)
	}
	m := studioOn(t, p, filepath.Join(t.TempDir(), "trust.json"))
	if !strings.Contains(screen(m), "Tool calls") {
		t.Fatalf("a prompt with tools shows the tools pane:\n%s", screen(m))
	}
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if m.response.State() != response.Done {
		t.Fatalf("state %v: %s", m.response.State(), m.status.Message())
	}
	if len(m.calls) != 2 || m.calls[0].State != "answered" || m.calls[1].State != "answered" {
		t.Fatalf("calls %+v", m.calls)
	}
	sc := screen(m)
	for _, want := range []string{"✓ get_weather", "✓ get_time", "2 parallel calls"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("screen lacks %q:\n%s", want, sc)
		}
	}
	if a := m.response.Answer(); !strings.Contains(a, "21") || !strings.Contains(a, "14:05") {
		t.Fatalf("the final answer should quote the mocks: %q", a)
	}
	// tab reaches the tools pane
	for i := 0; i < 2; i++ {
		m = update(m, press("tab"))
	}
	if m.focus != paneTools {
		t.Fatalf("focus %v", m.focus)
	}
}

func TestCommandToolsAskForTrustFirst(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "weather.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho '{\"temp_c\": 19}'\n"), 0o755)
	src := `---
name: cmd
model: mistral-small-latest
maxTurns: 3
toolDefs:
  - name: get_weather
    description: Weather in a city
    inputSchema:
      type: object
      properties: {city: {type: string}}
      required: [city]
mstudio.tools:
  get_weather:
    command: ["./weather.sh"]
    timeout: 5s
---
What's the weather in Lyon?
`
	path := filepath.Join(dir, "cmd.prompt")
	os.WriteFile(path, []byte(src), 0o644)
	p, err := prompts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(t.TempDir(), "trust.json")
	m := studioOn(t, p, trust)
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd) // the prompt's options and trust are read in a Cmd
	if m.trustOffer == nil || !strings.Contains(screen(m), "./weather.sh") {
		t.Fatalf("the studio asks before running commands:\n%s", screen(m))
	}
	m = update(m, press("n"))
	if m.trustOffer != nil || m.response.State() != response.Idle {
		t.Fatal("n runs nothing")
	}
	m, cmd = key2(m, ctrl('r'))
	m = do(t, m, cmd)
	m, cmd = key2(m, press("y"))
	m = doRun(t, m, cmd)
	if len(m.calls) == 0 || m.calls[0].State != "answered" || !strings.Contains(m.calls[0].Result, "19") {
		t.Fatalf("calls %+v (%s)", m.calls, m.status.Message())
	}
	// trusted now: the next run asks nothing
	m.calls = nil
	m, cmd = key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if m.trustOffer != nil || len(m.calls) == 0 {
		t.Fatalf("trust is remembered for this version of the file: offer %v, calls %+v", m.trustOffer != nil, m.calls)
	}
}

// TestAgentsAskForTrustBeforeCommands: an agent's function calls are
// answered with the prompt's tools, so its commands ask for trust first
// too, and once trusted the agent's get_weather runs the command.
func TestAgentsAskForTrustBeforeCommands(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "weather.sh"), []byte("#!/bin/sh\necho '{\"temp_c\": 19}'\n"), 0o755)
	src := "---\nname: cmd\nmaxTurns: 3\nmstudio.tools:\n  get_weather:\n    command: [\"./weather.sh\"]\n---\nWhat's the weather in Lyon?\n"
	path := filepath.Join(dir, "cmd.prompt")
	os.WriteFile(path, []byte(src), 0o644)
	p, err := prompts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m := studioOn(t, p, filepath.Join(t.TempDir(), "trust.json"))
	m.setModel(agentPrefix + sim.AgentWeather)
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd)
	if m.trustOffer == nil {
		t.Fatalf("the agent runs commands without asking: %s", m.status.Message())
	}
	m, cmd = key2(m, press("y"))
	m = doRun(t, m, cmd)
	found := false
	for _, c := range m.calls {
		if c.Name == "get_weather" && c.State == "answered" && strings.Contains(c.Result, "19") {
			found = true
		}
	}
	if !found || m.conv == nil {
		t.Fatalf("calls %+v (%s)", m.calls, m.status.Message())
	}
}

const manualPrompt = `---
name: manual
model: mistral-small-latest
maxTurns: 3
toolDefs:
  - name: get_weather
    description: Weather in a city
    inputSchema:
      type: object
      properties: {city: {type: string}}
      required: [city]
---
What's the weather in Lyon?
`

// TestToolAnsweredByHand runs the real program: the loop stops on a tool
// without a mock or command, the JSON editor takes the answer (refusing
// broken JSON), and the conversation goes on with it.
func TestToolAnsweredByHand(t *testing.T) {
	p, err := prompts.Parse("manual", manualPrompt)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 4, TokenRate: 5000}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	scr := screentest.New(t, tm.Output(), 120, 40)
	tm.Send(press("ctrl+r"))
	scr.WaitForText(t, "Answer the tool call by hand", 30*time.Second)
	tm.Type(`{"temp_c": 7`)
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}) // broken JSON: refused
	tm.Type(`}`)
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	scr.WaitForText(t, "ttft ", 30*time.Second)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if len(final.calls) != 1 || final.calls[0].State != "answered" || final.calls[0].Result != `{"temp_c":7}` {
		t.Fatalf("calls %+v", final.calls)
	}
	if !strings.Contains(final.response.Answer(), "7") {
		t.Fatalf("answer %q", final.response.Answer())
	}
}

func TestStepModePausesBeforeTheNextCall(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	p, _ := prompts.Parse("weather", src)
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 4, TokenRate: 5000}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p, TrustPath: filepath.Join(t.TempDir(), "t.json")})
	m.stepMode = true
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	scr := screentest.New(t, tm.Output(), 120, 40)
	tm.Send(press("ctrl+r"))
	// step mode pauses before the first call too, showing the request
	// (the footer names the turn: the top rows of a dialog drawn over a
	// busy screen are not always decoded whole by the emulator)
	scr.WaitForText(t, "turn 1 · ↑/↓ scroll · e edits it", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	scr.WaitForText(t, "turn 2 · ↑/↓ scroll", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	scr.WaitForText(t, "ttft ", 30*time.Second)
	tm.Quit()
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if len(final.calls) != 2 || strings.Contains(final.response.Answer(), "14:05") {
		t.Fatalf("stopping before turn 2 keeps the calls but no final answer: %+v %q", final.calls, final.response.Answer())
	}
}

func TestToolsAreEditedInTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.prompt")
	src, _ := prompts.ExampleSource("weather")
	os.WriteFile(path, []byte(src), 0o644)
	p, _ := prompts.Load(path)
	m := studioOn(t, p, filepath.Join(t.TempDir(), "t.json"))
	// as if the user's editor added a tool and closed
	edited := strings.Replace(src, "toolDefs:", "toolDefs:\n  - name: get_news\n    description: Headlines\n    inputSchema: {type: object, properties: {city: {type: string}}}", 1)
	os.WriteFile(path, []byte(edited), 0o644)
	m = update(m, fileEditedMsg{path: path})
	req, err := m.Request()
	if err != nil || len(req.Tools) != 3 {
		t.Fatalf("tools after the edit: %d (%v)", len(req.Tools), err)
	}
	// a broken edit keeps what the studio had and says where
	os.WriteFile(path, []byte("---\nname: [\n---\nhi\n"), 0o644)
	m = update(m, fileEditedMsg{path: path})
	if !strings.Contains(m.status.Message(), "w.prompt:") {
		t.Fatalf("status %q", m.status.Message())
	}
	if req, _ := m.Request(); len(req.Tools) != 3 {
		t.Fatal("a broken file must not replace the prompt")
	}
	m, _ = key2(m, press("e"))
	_ = m
}

func TestAgentsTalkThroughConversations(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	p, _ := prompts.Parse("weather", src)
	target := simTarget(t, sim.Options{Seed: 4})
	m := New(Options{Target: target, Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p, TrustPath: filepath.Join(t.TempDir(), "t.json")})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(m, m.loadModelsCmd()())
	found := false
	for _, e := range m.models.Entries() {
		found = found || e.ID == agentPrefix+sim.AgentWeather
	}
	if !found {
		t.Fatal("the workspace's agents are listed with the models")
	}
	// the weather agent calls get_weather: answered by the prompt's mock
	m = update(m, models.SelectedMsg{ID: agentPrefix + sim.AgentWeather})
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if m.response.State() != response.Done {
		t.Fatalf("state %v: %s", m.response.State(), m.status.Message())
	}
	var answered bool
	for _, c := range m.calls {
		answered = answered || (c.Name == "get_weather" && c.State == "answered" && strings.Contains(c.Result, "21"))
	}
	if !answered || !strings.Contains(m.response.Answer(), "21") {
		t.Fatalf("calls %+v answer %q", m.calls, m.response.Answer())
	}
	// the answer is headed by the agent's name, as the models pane lists it
	var name string
	for _, e := range m.models.Entries() {
		if e.ID == agentPrefix+sim.AgentWeather {
			name = e.Name
		}
	}
	if sc := screen(m); name == "" || !strings.Contains(sc, "Answer · "+name) {
		t.Fatalf("the answer is not headed by the agent's name %q:\n%s", name, sc)
	}
	// the research agent runs web_search on Mistral's side
	m = update(m, models.SelectedMsg{ID: agentPrefix + sim.AgentResearch})
	m, cmd = key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if len(m.calls) == 0 || m.calls[0].Name != "web_search" || m.calls[0].State != "answered" || m.response.Answer() == "" {
		t.Fatalf("calls %+v answer %q", m.calls, m.response.Answer())
	}
}

func TestForkingAnAgentsAnswerContinuesItsConversation(t *testing.T) {
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 4}), Endpoint: "sim", Offline: true, Theme: "dark", SaveDir: t.TempDir()})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(m, m.loadModelsCmd()())
	m = update(m, models.SelectedMsg{ID: agentPrefix + sim.AgentEditor})
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if m.conv == nil || m.conv.id == "" {
		t.Fatalf("the conversation is remembered: %+v (%s)", m.conv, m.status.Message())
	}
	first := m.conv.id
	m.setFocus(paneResponse)
	m, _ = key2(m, ctrl('x')) // fork from the answer: a new empty user turn
	for _, r := range "And in winter?" {
		m = update(m, press(string(r)))
	}
	if id, more := m.continuation(); id != first || more != "And in winter?" {
		t.Fatalf("continuation %q %q", id, more)
	}
	m, cmd = key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	if m.response.State() != response.Done || m.conv == nil || m.conv.id != first {
		t.Fatalf("appended to %v, state %v: %s", m.conv, m.response.State(), m.status.Message())
	}
	// R asks again for the last answer: a restart from the entry before it
	if m.conv.before == "" || m.conv.inputs != "And in winter?" {
		t.Fatalf("restart point %+v", m.conv)
	}
	m.setFocus(paneResponse)
	m, cmd = key2(m, press("R"))
	m = doRun(t, m, cmd)
	if m.response.State() != response.Done || m.response.Answer() == "" || m.conv == nil {
		t.Fatalf("restart: state %v: %s", m.response.State(), m.status.Message())
	}
}

func TestStepModeAlsoPausesAgentConversations(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	p, _ := prompts.Parse("weather", src)
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 4, TokenRate: 5000}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p, TrustPath: filepath.Join(t.TempDir(), "t.json")})
	m.stepMode = true
	m.setModel(agentPrefix + sim.AgentWeather)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	scr := screentest.New(t, tm.Output(), 120, 40)
	tm.Send(press("ctrl+r"))
	scr.WaitForText(t, "Next model call: turn 1", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	scr.WaitForText(t, "Next model call: turn 2", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	scr.WaitForText(t, "stopped before the next model call", 30*time.Second)
	tm.Quit()
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if strings.Contains(final.response.Answer(), "21") {
		t.Fatalf("stopped before the results went back, yet the answer quotes them: %q", final.response.Answer())
	}
}
