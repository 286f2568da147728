package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
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
	m = do(t, m, cmd)
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
	m, _ = key2(m, ctrl('r'))
	if m.trustOffer == nil || !strings.Contains(screen(m), "./weather.sh") {
		t.Fatalf("the studio asks before running commands:\n%s", screen(m))
	}
	m = update(m, press("n"))
	if m.trustOffer != nil || m.response.State() != response.Idle {
		t.Fatal("n runs nothing")
	}
	m, _ = key2(m, ctrl('r'))
	m, cmd := key2(m, press("y"))
	m = do(t, m, cmd)
	if len(m.calls) == 0 || m.calls[0].State != "answered" || !strings.Contains(m.calls[0].Result, "19") {
		t.Fatalf("calls %+v (%s)", m.calls, m.status.Message())
	}
	// trusted now: the next run asks nothing
	m, _ = key2(m, ctrl('r'))
	if m.trustOffer != nil {
		t.Fatal("trust is remembered for this version of the file")
	}
}
