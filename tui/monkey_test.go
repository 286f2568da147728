package tui

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api/sim"
	"mstudio/prompts"
	"mstudio/tui/models"
)

// monkeyKeys are the keys of the help screen and around them: every pane's,
// every dialog's, and the ones a hurried hand hits.
var monkeyKeys = func() []tea.KeyPressMsg {
	ks := []tea.KeyPressMsg{
		{Code: tea.KeyTab}, {Code: tea.KeyTab, Mod: tea.ModShift}, {Code: tea.KeyEscape}, {Code: tea.KeyEnter},
		{Code: tea.KeyUp}, {Code: tea.KeyDown}, {Code: tea.KeyLeft}, {Code: tea.KeyRight},
		{Code: tea.KeyPgUp}, {Code: tea.KeyPgDown}, {Code: tea.KeyHome}, {Code: tea.KeyEnd},
		{Code: tea.KeyBackspace}, {Code: tea.KeyF1}, {Code: tea.KeyF2}, {Code: tea.KeySpace, Text: " "},
	}
	for _, r := range "raxslocpd" {
		ks = append(ks, tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl})
	}
	for _, r := range "?][pdDSRXLteynskqj/xa1M" {
		ks = append(ks, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return ks
}()

// TestRandomKeysOnEveryKindOfRun presses random keys of the help screen,
// and resizes now and then, on a finished single run of a reasoning model,
// a comparison and an agent's conversation: no key in any state may panic,
// and every frame is drawn at the terminal's size. The keys' Cmds are not
// run (a run started here never streams), so the states a key leaves are
// taken as they are, a run in progress included.
func TestRandomKeysOnEveryKindOfRun(t *testing.T) {
	src, _ := prompts.ExampleSource("weather")
	weather, err := prompts.Parse("weather", src)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]func(t *testing.T) Model{
		"reasoning": func(t *testing.T) Model {
			m := newStudio(t, "dark", 120, 40)
			m.opts.SessionDir = t.TempDir()
			m = update(m, models.SelectedMsg{ID: "magistral-medium-latest"})
			m, cmd := key2(m, ctrl('r'))
			return doRun(t, m, cmd)
		},
		"comparison": func(t *testing.T) Model {
			m := newStudio(t, "dark", 120, 40)
			m.opts.SessionDir = t.TempDir()
			m.cols = []compareCol{{model: "mistral-small-latest", params: m.params.Params()}, {model: "magistral-medium-latest", params: m.params.Params()}}
			m.syncCompare()
			m, cmd := key2(m, ctrl('r'))
			return doRun(t, m, cmd)
		},
		"agent": func(t *testing.T) Model {
			m := studioOn(t, weather, filepath.Join(t.TempDir(), "trust.json"))
			m.opts.SessionDir = t.TempDir()
			m = update(m, m.loadModelsCmd()())
			m = update(m, models.SelectedMsg{ID: agentPrefix + sim.AgentWeather})
			m, cmd := key2(m, ctrl('r'))
			return doRun(t, m, cmd)
		},
	}
	for name, build := range states {
		t.Run(name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				rng := rand.New(rand.NewPCG(seed, 9))
				// a state of its own: a model's copies share their panes'
				// buffers, as the program's never outlive the next Update
				m := build(t)
				w, h := 120, 40
				var trail []string
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("seed %d: panic %v after %v\n%s", seed, r, trail, debug.Stack())
					}
				}()
				for i := 0; i < 400; i++ {
					var msg tea.Msg
					if rng.IntN(25) == 0 {
						w, h = 20+rng.IntN(140), 8+rng.IntN(42)
						msg = tea.WindowSizeMsg{Width: w, Height: h}
					} else {
						msg = monkeyKeys[rng.IntN(len(monkeyKeys))]
					}
					trail = append(trail, fmt.Sprint(msg))
					if len(trail) > 12 {
						trail = trail[1:]
					}
					out, _ := m.Update(msg)
					m = out.(Model)
					if got := len(splitLines(m.View().Content)); got != h {
						t.Fatalf("seed %d: %d lines drawn at %dx%d after %v", seed, got, w, h, trail)
					}
				}
			}
		})
	}
}

func splitLines(s string) []string { return strings.Split(s, "\n") }
