package params

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/session"
	"mstudio/themes"
)

// extractSchema is the response_format the extract example's output asks for.
var extractSchema = &api.ResponseFormat{Type: "json_schema", JSONSchema: &api.JSONSchema{
	Name: "extract", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`), Strict: true,
}}

func promptPane(t *testing.T) Model {
	t.Helper()
	m := New(themes.New(themes.Dark()))
	m.LoadPrompt(api.ChatRequest{Temperature: ptr(0.0), ResponseFormat: extractSchema, ToolChoice: &api.ToolChoice{Mode: "auto"}}, []string{"get_weather", "lookup"})
	m.SetSize(40, 20)
	m.Focus()
	return m
}

func TestPaneShowsThePromptsOwnValues(t *testing.T) {
	m := promptPane(t)
	if got := value(m, "response_format"); got != "json_schema:extract" {
		t.Fatalf("response_format shows %q, want the prompt's json_schema:extract", got)
	}
	m = to(t, m, "response_format")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "json_schema:extract") {
		t.Fatalf("the view does not show the prompt's schema:\n%s", v)
	}
	m = to(t, m, "tool_choice")
	if v := strings.Join(strings.Fields(ansi.Strip(m.View())), " "); !strings.Contains(v, "get_weather, lookup") {
		t.Fatalf("tool_choice's help does not name the prompt's tools:\n%s", v)
	}
	if s := m.Settings(); len(s) != 0 {
		t.Fatalf("nothing changed, yet Settings is %v", s)
	}
}

func TestSettingsAreTheChanges(t *testing.T) {
	m := promptPane(t)
	m = typeText(t, m, "0.7")
	m, _ = send(t, m, press("enter"))
	m = to(t, m, "tool_choice")
	m, _ = send(t, m, press("d")) // back to default: the prompt's auto is dropped
	m = to(t, m, "stop")
	m = typeText(t, m, `END`)
	m, _ = send(t, m, press("enter"))
	want := []session.Setting{{Name: "temperature", Value: "0.7"}, {Name: "stop", Value: "END"}, {Name: "tool_choice", Value: "default"}}
	if got := m.Settings(); !slices.Equal(got, want) {
		t.Fatalf("Settings = %v, want %v", got, want)
	}
	// Setting a value back to the prompt's own is no change.
	m = to(t, m, "temperature")
	m = typeText(t, m, "0")
	m, _ = send(t, m, press("enter"))
	if got := m.Settings(); len(got) != 2 || got[0].Name != "stop" {
		t.Fatalf("after temperature went back to the prompt's: %v", got)
	}
	// A compare column's (or a draft's) values shown: still relative to
	// the prompt.
	m.SetParams(api.ChatRequest{Temperature: ptr(0.0), ResponseFormat: extractSchema, ToolChoice: &api.ToolChoice{Mode: "auto"}, TopP: ptr(0.5)})
	if got := m.Settings(); !slices.Equal(got, []session.Setting{{Name: "top_p", Value: "0.5"}}) {
		t.Fatalf("after SetParams: %v", got)
	}
}

// The settings, applied on the prompt's own values, give exactly what the
// pane shows, whatever was changed.
func TestSettingsRebuildThePane(t *testing.T) {
	other := &api.ResponseFormat{Type: "json_schema", JSONSchema: &api.JSONSchema{Name: "other", Schema: json.RawMessage(`{"type":"string"}`)}}
	shown := []api.ChatRequest{
		{},
		{Temperature: ptr(1.25), TopP: ptr(0.1), MaxTokens: ptr(7), RandomSeed: ptr(int64(42)), N: ptr(2)},
		{Stop: api.Stop{"[a", "b]"}, ResponseFormat: other, ToolChoice: &api.ToolChoice{Function: "lookup"}},
		{Stop: api.Stop{"END"}, ResponseFormat: &api.ResponseFormat{Type: "json_object"}, ReasoningEffort: ptr("high"), PromptMode: ptr("reasoning")},
		{ResponseFormat: extractSchema, Prediction: &api.Prediction{Type: "content", Content: "a guess"}, SafePrompt: ptr(false)},
	}
	base := api.ChatRequest{Temperature: ptr(0.0), ResponseFormat: extractSchema, ToolChoice: &api.ToolChoice{Mode: "auto"}}
	for i, r := range shown {
		m := New(themes.New(themes.Dark()))
		m.LoadPrompt(base, []string{"lookup"})
		m.SetParams(r)
		got := base.Clone()
		if err := session.ApplySettings(&got, m.Settings()); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(m.Params())
		if string(a) != string(b) {
			t.Fatalf("%d: settings %v rebuild\n%s\nbut the pane shows\n%s", i, m.Settings(), a, b)
		}
	}
}

func TestRightAndLeftStepToolChoiceAndFormat(t *testing.T) {
	m := promptPane(t)
	m = to(t, m, "tool_choice")
	var seen []string
	for range 8 {
		m, _ = send(t, m, press("right"))
		seen = append(seen, value(m, "tool_choice"))
	}
	want := []string{"none", "any", "required", "function:get_weather", "function:lookup", "default", "auto", "none"}
	if !slices.Equal(seen, want) {
		t.Fatalf("→ on tool_choice: %v, want %v", seen, want)
	}
	m, _ = send(t, m, press("left"), press("left"))
	if got := value(m, "tool_choice"); got != "default" {
		t.Fatalf("← twice from none: %q, want default", got)
	}

	m = to(t, m, "response_format")
	seen = nil
	for range 4 {
		m, _ = send(t, m, press("right"))
		seen = append(seen, value(m, "response_format"))
	}
	want = []string{"default", "text", "json_object", "json_schema:extract"}
	if !slices.Equal(seen, want) {
		t.Fatalf("→ on response_format: %v, want %v", seen, want)
	}
	// Back on the prompt's schema, whole: no change left to send.
	for _, s := range m.Settings() {
		if s.Name == "response_format" {
			t.Fatalf("the prompt's schema stepped back to is a change: %v", s)
		}
	}
	m, _ = send(t, m, press("left"))
	if got := value(m, "response_format"); got != "json_object" {
		t.Fatalf("← from the schema: %q", got)
	}
}

// Every allowed value of every parameter can be read in the pane, in the
// side pane of a wide terminal (28 cells inside) and in the folded overlay
// of an 80x24 one.
func TestAllowedValuesReadable(t *testing.T) {
	for _, sz := range [][2]int{{28, 14}, {78, 21}, {40, 20}} {
		m := promptPane(t)
		m.SetSize(sz[0], sz[1])
		for _, p := range m.params {
			m = to(t, m, p.Name)
			v := ansi.Strip(m.View())
			_, help, _ := strings.Cut(v, "───")
			if want := strings.Join(strings.Fields(m.helpText(p)), " "); !strings.Contains(strings.Join(strings.Fields(help), " "), want) {
				t.Errorf("%dx%d %s: %q not all shown:\n%s", sz[0], sz[1], p.Name, want, v)
			}
			if !strings.Contains(help, strings.Fields(p.Range())[0]) {
				t.Errorf("%dx%d %s: no allowed values in the help", sz[0], sz[1], p.Name)
			}
			if !strings.Contains(v, "▸ "+p.Name[:min(len(p.Name), 10)]) {
				t.Errorf("%dx%d %s: the cursor's row is not shown:\n%s", sz[0], sz[1], p.Name, v)
			}
		}
	}
}

// A changed row says so: its value in the accent colour, and the help
// names the prompt's own value.
func TestChangedRowsShowTheirOrigin(t *testing.T) {
	m := promptPane(t)
	m = to(t, m, "tool_choice")
	m, _ = send(t, m, press("right")) // auto → none
	m = to(t, m, "temperature")
	m = to(t, m, "tool_choice")
	if v := strings.Join(strings.Fields(ansi.Strip(m.View())), " "); !strings.Contains(v, "changed from the prompt's auto") {
		t.Fatalf("the help does not name the prompt's value:\n%s", v)
	}
	m = to(t, m, "n")
	row := func(v, name string) string {
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(ansi.Strip(l), name) {
				return l
			}
		}
		return ""
	}
	st := themes.New(themes.Dark())
	if r := row(m.View(), "tool_choice"); !strings.Contains(r, st.Accent.Render("none")) {
		t.Fatalf("the changed row is not marked: %q", r)
	}
	if r := row(m.View(), "temperature"); strings.Contains(r, st.Accent.Render("0")) {
		t.Fatalf("an unchanged row is marked: %q", r)
	}
}

// A save that changes the prompt's tools gives the pane the new ones: →
// on tool_choice offers the function just added.
func TestRebaseTakesTheSavedPromptsTools(t *testing.T) {
	m := promptPane(t)
	m.Rebase(m.Params(), []string{"get_weather", "lookup", "convert"})
	m = to(t, m, "tool_choice")
	var seen []string
	for range 7 {
		m, _ = send(t, m, press("right"))
		seen = append(seen, value(m, "tool_choice"))
	}
	if !slices.Contains(seen, "function:convert") {
		t.Fatalf("→ on tool_choice after the save: %v", seen)
	}
}
