package cli

import (
	"encoding/json"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/config"
	"mstudio/prompts"
	"mstudio/tui"
)

// studioRequest is what the studio sends for p after the parameters in
// sets were entered in its parameters pane, key by key as a user would:
// shift+tab to the pane, the row, the value pasted and committed.
func studioRequest(t *testing.T, p *prompts.Prompt, sets []kv) (api.ChatRequest, error) {
	t.Helper()
	var m tea.Model = tui.New(tui.Options{Prompt: p})
	send := func(msg tea.Msg) { m, _ = m.Update(msg) }
	send(tea.WindowSizeMsg{Width: 120, Height: 40})
	send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}) // editor → parameters
	for _, s := range sets {
		prm, ok := api.LookupParam(s.key)
		if !ok {
			t.Fatalf("no parameter %q", s.key)
		}
		row := -1
		for i, q := range api.Params() {
			if q.Name == prm.Name {
				row = i
			}
		}
		send(tea.KeyPressMsg{Code: tea.KeyHome})
		for range row {
			send(tea.KeyPressMsg{Code: tea.KeyDown})
		}
		send(tea.PasteMsg{Content: s.value})
		send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	return m.(tui.Model).Request()
}

// Every example prompt, with each of a table of parameter settings, gives
// the same request body in the studio and in `mstudio run --set`: one
// builder (session.Build) for both.
func TestStudioAndRunBuildTheSameBody(t *testing.T) {
	schema := `{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}`
	table := [][]kv{
		nil,
		{{"temperature", "0.9"}},
		{{"temperature", "default"}},
		{{"max_tokens", "64"}, {"top_p", "0.5"}},
		{{"random_seed", "42"}},
		{{"stop", "END"}},
		{{"stop", `["a","b"]`}},
		{{"response_format", "json_object"}},
		{{"response_format", "text"}},
		{{"response_format", "default"}},
		{{"response_format", schema}},
		{{"tool_choice", "any"}},
		{{"tool_choice", "none"}},
		{{"tool_choice", "default"}},
		{{"tool_choice", "function:get_weather"}},
		{{"reasoning_effort", "high"}},
		{{"prompt_mode", "reasoning"}},
		{{"n", "2"}},
		{{"temperature", "0"}, {"n", "3"}, {"random_seed", "7"}, {"stop", "###"}, {"max_tokens", "100"}},
	}
	cfg := &config.Config{}
	for _, name := range prompts.ExampleNames() {
		src, _ := prompts.ExampleSource(name)
		for _, sets := range table {
			p, err := prompts.Parse(name, src)
			if err != nil {
				t.Fatal(err)
			}
			run, runErr := buildRequest(p, runOptions{sets: sets})
			studio, studioErr := studioRequest(t, p, sets)
			if runErr != nil || studioErr != nil {
				t.Fatalf("%s %v: run: %v; studio: %v", name, sets, runErr, studioErr)
			}
			// The engine sends on the target's model: the one run picks.
			run.Model = pickModels(nil, p.Model, cfg)[0]
			a, _ := json.Marshal(run)
			b, _ := json.Marshal(studio)
			if string(a) != string(b) {
				t.Errorf("%s %v:\n run    %s\n studio %s", name, sets, a, b)
			}
		}
	}
}

// The extract example's output schema is sent by the studio as by run.
func TestStudioSendsThePromptsSchema(t *testing.T) {
	src, _ := prompts.ExampleSource("extract")
	p, err := prompts.Parse("extract", src)
	if err != nil {
		t.Fatal(err)
	}
	req, err := studioRequest(t, p, []kv{{"temperature", "0.5"}})
	if err != nil {
		t.Fatal(err)
	}
	rf := req.ResponseFormat
	if rf == nil || rf.Type != "json_schema" || rf.JSONSchema == nil || rf.JSONSchema.Name != "extract" ||
		!strings.Contains(string(rf.JSONSchema.Schema), `"population"`) {
		t.Fatalf("the studio's extract request has response_format %+v", rf)
	}
	if req.Temperature == nil || *req.Temperature != 0.5 {
		t.Fatalf("temperature %v, want the pane's 0.5", req.Temperature)
	}
}

// n=2 is billed for two answers: --json prints both under "choices",
// content staying choice 0's, and the text output shows the second after
// the first.
func TestRunShowsEveryChoice(t *testing.T) {
	isolate(t)
	r := runMain(t, "", "run", "-p", "Name one sight in Lyon and say why", "--endpoint", "sim", "--set", "n=2", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec struct {
		Content string
		Choices []struct {
			Index   int
			Content string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(rec.Choices) != 2 || rec.Choices[0].Content != rec.Content || rec.Choices[1].Index != 1 || rec.Choices[1].Content == "" || rec.Choices[1].Content == rec.Content {
		t.Fatalf("choices %+v, content %q", rec.Choices, rec.Content)
	}
	one := runMain(t, "", "run", "-p", "Name one sight in Lyon and say why", "--endpoint", "sim", "--json")
	if strings.Contains(one.stdout, `"choices"`) {
		t.Fatalf("one answer's record has choices:\n%s", one.stdout)
	}
	text := runMain(t, "", "run", "-p", "Name one sight in Lyon and say why", "--endpoint", "sim", "--set", "n=2", "--set", "random_seed=3")
	first, second, ok := strings.Cut(text.stdout, "── choice 2 of 2 ──")
	if text.code != 0 || !ok || strings.TrimSpace(first) == "" || strings.TrimSpace(second) == "" {
		t.Fatalf("text output (exit %d):\n%s", text.code, text.stdout)
	}
}
