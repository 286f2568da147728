package prompts

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mstudio/api"
)

func TestExamplesParseAndRender(t *testing.T) {
	names := ExampleNames()
	if want := []string{"extract", "hello", "interview", "weather"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("examples %v, want %v", names, want)
	}
	for _, name := range names {
		src, ok := ExampleSource(name)
		if !ok {
			t.Fatalf("%s: no source", name)
		}
		p, err := Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != name || p.Description == "" || p.Model == "" {
			t.Errorf("%s: name %q description %q model %q", name, p.Name, p.Description, p.Model)
		}
		req, err := p.Render(nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(req.Messages) == 0 || req.Messages[0].Role != api.RoleSystem {
			t.Errorf("%s: messages %+v", name, req.Messages)
		}
		for _, m := range req.Messages {
			if strings.Contains(m.Content.String(), "{{") {
				t.Errorf("%s: unrendered template in %q", name, m.Content.String())
			}
		}
	}
	if _, ok := ExampleSource("nope"); ok {
		t.Fatal("found an example that does not exist")
	}
}

func renderExample(t *testing.T, name string) (*Prompt, api.ChatRequest) {
	t.Helper()
	src, _ := ExampleSource(name)
	p, err := Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	req, err := p.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, req
}

func TestExampleHello(t *testing.T) {
	p, req := renderExample(t, "hello")
	if !reflect.DeepEqual(p.Variables(), []string{"city"}) || p.Defaults()["city"] != "Lyon" {
		t.Fatalf("variables %v defaults %v", p.Variables(), p.Defaults())
	}
	if got := req.Messages[1].Content.String(); !strings.HasPrefix(got, "Name one thing to see in Lyon and explain why") {
		t.Fatalf("user message %q", got)
	}
	req, _ = p.Render(map[string]any{"city": "Porto"})
	if !strings.Contains(req.Messages[1].Content.String(), "Porto") {
		t.Fatal("--var city does not reach the message")
	}
}

func TestExampleWeatherHasTools(t *testing.T) {
	p, req := renderExample(t, "weather")
	if len(req.Tools) != 2 || req.Tools[0].Function.Name != "get_weather" || req.Tools[1].Function.Name != "get_time" {
		t.Fatalf("tools %+v", req.Tools)
	}
	if s := string(req.Tools[0].Function.Parameters); !strings.Contains(s, `"enum":["c","f"]`) || !strings.Contains(s, `"required":["city"]`) {
		t.Fatalf("get_weather parameters %s", s)
	}
	if p.MaxTurns != 3 {
		t.Fatalf("maxTurns %d", p.MaxTurns)
	}
	mocks, _ := p.Ext["tools"].(map[string]any)
	weather, _ := mocks["get_weather"].(map[string]any)
	clock, _ := mocks["get_time"].(map[string]any)
	if !reflect.DeepEqual(weather["mock"], map[string]any{"temp_c": uint64(21), "conditions": "sunny"}) || !reflect.DeepEqual(clock["mock"], map[string]any{"time": "14:05"}) {
		t.Fatalf("mocks %#v", p.Ext["tools"])
	}
	if req.Messages[1].Content.String() != "What's the weather and the local time in Lyon?" {
		t.Fatalf("user %q", req.Messages[1].Content.String())
	}
}

func TestExampleExtractAsksForJSON(t *testing.T) {
	_, req := renderExample(t, "extract")
	f := req.ResponseFormat
	if f == nil || f.JSONSchema == nil {
		t.Fatalf("response format %+v", f)
	}
	s := string(f.JSONSchema.Schema)
	for _, want := range []string{`"name"`, `"population":{"type":"integer"`, `"region"`, `"required":["name","population","region"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("schema %s lacks %s", s, want)
		}
	}
	if !strings.Contains(req.Messages[1].Content.String(), "520,000") {
		t.Fatal("the default text is not in the message")
	}
}

func TestExampleInterviewTurns(t *testing.T) {
	p, req := renderExample(t, "interview")
	var roles []string
	for _, turn := range p.Turns() {
		roles = append(roles, turn.Role)
	}
	want := []string{api.RoleSystem, api.RoleUser, api.RoleAssistant, api.RoleUser}
	if !reflect.DeepEqual(roles, want) || len(req.Messages) != 4 || req.Messages[2].Role != api.RoleAssistant {
		t.Fatalf("roles %v, messages %d", roles, len(req.Messages))
	}
}

func TestWriteExamples(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "project", "prompts")
	written, err := WriteExamples(dir)
	if err != nil || len(written) != len(ExampleNames()) {
		t.Fatalf("%v %v", written, err)
	}
	s := NewStore(dir)
	for i, name := range ExampleNames() {
		if written[i] != filepath.Join(dir, name+".prompt") {
			t.Fatalf("written %v", written)
		}
		p, err := Load(written[i])
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != "1" {
			t.Fatalf("%s: version %q", name, p.Version)
		}
		vs, err := s.Versions(name)
		if err != nil || len(vs) != 1 || vs[0].Unsaved || vs[0].Note == "" {
			t.Fatalf("%s: %+v %v", name, vs, err)
		}
		if src, _ := ExampleSource(name); !sameIgnoringVersion(src, p.Source) {
			t.Fatalf("%s: written text differs from the example beyond its version line", name)
		}
	}
	// An existing folder is the user's: nothing is written, not even a
	// deleted example.
	os.Remove(written[0])
	if again, err := WriteExamples(dir); err != nil || again != nil {
		t.Fatalf("second call: %v %v", again, err)
	}
	if _, err := os.Stat(written[0]); !os.IsNotExist(err) {
		t.Fatal("a deleted example came back")
	}
	empty := t.TempDir()
	if got, err := WriteExamples(empty); err != nil || got != nil {
		t.Fatalf("empty existing folder: %v %v", got, err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatal("wrote into an existing folder")
	}
}
