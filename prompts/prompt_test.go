package prompts

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"mstudio/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// requestJSON is how a request goes on the wire, indented for diffs.
func requestJSON(t *testing.T, req api.ChatRequest) string {
	t.Helper()
	b, err := json.MarshalIndent(req, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendered request:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestRenderFull covers every front matter field on one file: system, user,
// model and user turns, config in Dotprompt and Mistral names, defaults,
// Picoschema and JSON Schema tools, and a Picoschema output.
func TestRenderFull(t *testing.T) {
	p, err := Load("testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "trip-planner" || p.Version != "3" || p.Model != "mistral-small-latest" ||
		p.MaxTurns != 4 || p.Description != "Plans a day in a city." || p.Path != "testdata/full.prompt" {
		t.Errorf("metadata: %+v", p)
	}
	wantExt := map[string]any{
		"models": []any{"mistral-small-latest", "mistral-large-latest"},
		"tools":  map[string]any{"weather": map[string]any{"mock": map[string]any{"temp_c": uint64(21)}}},
	}
	if !reflect.DeepEqual(p.Ext, wantExt) {
		t.Errorf("Ext = %#v", p.Ext)
	}
	if got := p.Defaults(); !reflect.DeepEqual(got, map[string]any{"days": uint64(1), "tone": "friendly"}) {
		t.Errorf("Defaults = %#v", got)
	}
	req, err := p.Render(map[string]any{"city": "Lyon", "tone": "concise"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.golden.json", requestJSON(t, req))
}

// TestRenderStable guards against Go map order leaking into the request:
// Picoschema builds properties from a map, and the same file must always
// send the same bytes (sessions are diffed, prompt caches keyed on them).
func TestRenderStable(t *testing.T) {
	var first string
	for range 30 {
		p, err := Load("testdata/full.prompt")
		if err != nil {
			t.Fatal(err)
		}
		req, err := p.Render(map[string]any{"city": "Lyon"})
		if err != nil {
			t.Fatal(err)
		}
		got := requestJSON(t, req)
		if first == "" {
			first = got
		} else if got != first {
			t.Fatalf("request changed between renders:\n%s\n%s", first, got)
		}
	}
}

func TestNoFrontMatter(t *testing.T) {
	p, err := Parse("-p", "Name a sight in {{city}}.")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "-p" || p.Model != "" {
		t.Errorf("name %q model %q", p.Name, p.Model)
	}
	req, err := p.Render(map[string]any{"city": "Lyon"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"","messages":[{"role":"user","content":"Name a sight in Lyon."}]}`
	if b, _ := json.Marshal(req); string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestModelPrefix(t *testing.T) {
	for src, want := range map[string]string{
		"---\nmodel: mistral/mistral-large-latest\n---\nhi":  "mistral-large-latest",
		"---\nmodel: codestral-latest\n---\nhi":              "codestral-latest",
		"---\nmodel: mistralai/Mistral-7B-Instruct\n---\nhi": "mistralai/Mistral-7B-Instruct", // a vLLM id
	} {
		p, err := Parse("m", src)
		if err != nil {
			t.Fatal(err)
		}
		req, err := p.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Model != want || req.Model != want {
			t.Errorf("%q: Model %q, request %q, want %q", src, p.Model, req.Model, want)
		}
	}
}

func TestMissingVariable(t *testing.T) {
	p, err := Parse("trip.prompt", "---\ninput:\n  default:\n    days: 2\n---\nPlan {{days}} days in {{city}}.")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Render(nil)
	var mv *MissingVarsError
	if err == nil || err.Error() != "trip.prompt: missing variable city" || !errors.As(err, &mv) || !reflect.DeepEqual(mv.Names, []string{"city"}) {
		t.Fatalf("err = %v", err)
	}
	// A value overrides the default; the default fills in the rest.
	req, err := p.Render(map[string]any{"city": "Lyon"})
	if err != nil || req.Messages[0].Content.String() != "Plan 2 days in Lyon." {
		t.Fatalf("%v %+v", err, req.Messages)
	}
	req, _ = p.Render(map[string]any{"city": "Lyon", "days": "3"})
	if got := req.Messages[0].Content.String(); got != "Plan 3 days in Lyon." {
		t.Errorf("override: %q", got)
	}

	p, _ = Parse("two", "{{a}} {{b}}")
	if _, err := p.Render(nil); err == nil || err.Error() != "two: missing variables a, b" {
		t.Errorf("err = %v", err)
	}
}

// TestOptionalVariables: what an {{#if}} tests may be absent, and what a
// loop reads belongs to its items, not to the input.
func TestOptionalVariables(t *testing.T) {
	src := "Hi{{#if name}} {{name}}{{/if}}.{{#unless formal}} Yo.{{else}} {{formal}}{{/unless}}\n" +
		"{{#each sights}}- {{title}} ({{@index}}) in {{../city}}\n{{/each}}{{@root.country}}"
	p, err := Parse("v", src)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Variables(), []string{"city", "country", "formal", "name", "sights"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Variables = %v, want %v", got, want)
	}
	_, err = p.Render(nil)
	if err == nil || !strings.Contains(err.Error(), "missing variables city, country, sights") {
		t.Errorf("err = %v", err)
	}
	req, err := p.Render(map[string]any{
		"city": "Lyon", "country": "France",
		"sights": []any{map[string]any{"title": "Fourvière"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Messages[0].Content.String(); got != "Hi. Yo.\n- Fourvière (0) in Lyon\nFrance" {
		t.Errorf("rendered %q", got)
	}
}

func TestVariables(t *testing.T) {
	p, err := Load("testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	// budget comes from the template only, the others from both.
	if got, want := p.Variables(), []string{"budget", "city", "days", "tone"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Variables = %v, want %v", got, want)
	}
	// A variable input.schema declares but the template does not use.
	p, err = Parse("s", "---\ninput:\n  schema:\n    type: object\n    properties:\n      lang: {type: string}\n---\n{{role \"user\"}}{{json this}}")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Variables(); !reflect.DeepEqual(got, []string{"lang"}) {
		t.Errorf("Variables = %v", got)
	}
}

func TestMedia(t *testing.T) {
	p, err := Parse("m", `{{role "user"}}What is this? {{media url=photo}}`)
	if err != nil {
		t.Fatal(err)
	}
	req, err := p.Render(map[string]any{"photo": "https://example.com/a.png"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":"https://example.com/a.png"}]}]`
	if b, _ := json.Marshal(req.Messages); string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestOutputFormats(t *testing.T) {
	for src, want := range map[string]string{
		"---\noutput:\n  format: json\n---\nGive JSON.":                                  `{"type":"json_object"}`,
		"---\noutput:\n  format: text\n---\nSay hi.":                                     `null`,
		"---\nname: a b/c\noutput:\n  schema:\n    z: string\n    a?: boolean\n---\nGo.": `{"type":"json_schema","json_schema":{"name":"a_b_c","schema":{"properties":{"z":{"type":"string"},"a":{"anyOf":[{"type":"boolean"},{"type":"null"}]}},"type":"object","required":["z"]},"strict":true}}`,
		// JSON Schema goes through as written, unions and key order kept.
		"---\noutput:\n  schema:\n    type: object\n    properties:\n      z: {type: [string, \"null\"]}\n      a: {type: integer, minimum: 0}\n---\nGo.": `{"type":"json_schema","json_schema":{"name":"o","schema":{"type":"object","properties":{"z":{"type":["string","null"]},"a":{"type":"integer","minimum":0}}},"strict":true}}`,
	} {
		p, err := Parse("o", src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		req, err := p.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(req.ResponseFormat); string(b) != want {
			t.Errorf("%q:\ngot  %s\nwant %s", src, b, want)
		}
	}
}

// TestErrors checks that each problem is reported at its line, with the
// file named as Load was given it.
func TestErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"bad config value", "---\nmodel: mistral-small-latest\nconfig:\n  temperature: 3\n---\nhi",
			"prompts/x.prompt:4: config.temperature: 3 is out of range (0 … 1.5)"},
		{"bad enum", "---\nconfig:\n  reasoning_effort: extreme\n---\nhi",
			`prompts/x.prompt:3: config.reasoning_effort: "extreme" is not one of none, minimal, low, medium, high, xhigh`},
		{"unknown config key", "---\nmodel: m\nconfig:\n  temperature: 0.2\n  topK: 40\n---\nhi",
			"prompts/x.prompt:5: config.topK: unknown parameter (known: "},
		{"alias twice", "---\nconfig:\n  topP: 0.5\n  top_p: 0.4\n---\nhi",
			"prompts/x.prompt:4: config.top_p: sets top_p again (already set by config.topP)"},
		{"yaml syntax", "---\nmodel: m\nconfig:\n  stop: [a, b\n---\nhi",
			"prompts/x.prompt:4: YAML: "},
		{"yaml tab", "---\nmodel: m\n\tconfig: 1\n---\nhi",
			"prompts/x.prompt:3: YAML: "},
		{"misindented key", "---\nmodel: m\nconfig:\n  temperature: 1\n   topP: 0.5\n---\nhi",
			"prompts/x.prompt:5: YAML: mapping value is not allowed in this context"},
		{"duplicate key", "---\nmodel: a\ndescription: d\nmodel: b\n---\nhi",
			`prompts/x.prompt:4: YAML: mapping key "model" already defined at line 2`},
		{"front matter not a mapping", "---\n- model\n---\nhi",
			"prompts/x.prompt:2: front matter must be a YAML mapping"},
		{"unclosed front matter", "---\nmodel: m\n\nhi {{x}}\n",
			"prompts/x.prompt:1: front matter opened with --- is never closed"},
		{"unknown top key", "---\nmodel: m\ntemperature: 0.2\n---\nhi",
			`prompts/x.prompt:3: unknown front matter key "temperature"`},
		{"config not a map", "---\nconfig: hot\n---\nhi",
			"prompts/x.prompt:2: config: want a mapping"},
		{"max turns", "---\nmaxTurns: many\n---\nhi",
			"prompts/x.prompt:2: maxTurns: many is not a whole number"},
		{"no template", "---\nmodel: m\n---\n",
			"prompts/x.prompt:4: the prompt has no template"},
		{"template syntax", "---\nmodel: m\n---\n\nPlan {{#if a}}x{{/each}}\n",
			"prompts/x.prompt:5: template: if doesn't match each"},
		{"unclosed mustache", "---\nmodel: m\n---\nfirst\nhi {{city\n",
			"prompts/x.prompt:5: template: unclosed expression"},
		{"unknown helper", "---\nmodel: m\n---\n{{role \"user\"}}\n{{upper city}}\n",
			`prompts/x.prompt:5: template: unknown helper "upper"`},
		{"bad role", "---\nmodel: m\n---\n{{role \"System\"}}\nhi\n",
			`prompts/x.prompt:4: template: role "System" is not supported`},
		{"partial", "hi {{> footer}}", "prompts/x.prompt:1: template: partials"},
		{"tool name", "---\ntoolDefs:\n  - name: get weather\n    description: d\n---\nhi",
			`prompts/x.prompt:3: toolDefs[0].name: "get weather" is not a valid tool name`},
		{"tool twice", "---\ntoolDefs:\n  - name: w\n  - name: w\n---\nhi",
			`prompts/x.prompt:4: toolDefs[1].name: tool "w" is defined twice`},
		{"tool key", "---\ntoolDefs:\n  - name: w\n    parameters: {}\n---\nhi",
			"prompts/x.prompt:4: toolDefs[0].parameters: unknown key"},
		{"registered tool", "---\ntools: [search]\n---\nhi",
			"prompts/x.prompt:2: tools: search is not defined in toolDefs"},
		{"tool_choice unknown", "---\nconfig:\n  tool_choice: weather\n---\nhi",
			`prompts/x.prompt:3: config.tool_choice: tool "weather" is not defined in toolDefs`},
		{"output format", "---\noutput:\n  format: enum\n---\nhi",
			"prompts/x.prompt:3: output.format: enum is not supported (json | text)"},
		{"named schema", "---\noutput:\n  format: json\n  schema: Recipe\n---\nhi",
			"prompts/x.prompt:4: output.schema: unsupported scalar type 'Recipe'"},
		{"broken picoschema", "---\noutput:\n  schema:\n    kind(enum): 3\n---\nhi",
			"prompts/x.prompt:3: output.schema: not a valid schema"},
		{"two response formats", "---\nconfig:\n  response_format: json_object\noutput:\n  format: json\n---\nhi",
			"prompts/x.prompt:3: config.response_format: output already sets the response format"},
		{"input default", "---\ninput:\n  default: [a]\n---\nhi",
			"prompts/x.prompt:3: input.default: want a mapping"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("prompts/x.prompt", c.src)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got  %v\nwant %s…", err, c.want)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != "prompts/x.prompt" {
				t.Errorf("not an *Error naming the file: %#v", err)
			}
		})
	}
}

func TestLoadErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.prompt")
	if err := os.WriteFile(path, []byte("---\nconfig:\n  temperature: 3\n---\nhi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || err.Error() != path+":3: config.temperature: 3 is out of range (0 … 1.5)" {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "none.prompt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestFrontMatterShapes: the fences Dotprompt accepts, and where the
// template's lines start for each.
func TestFrontMatterShapes(t *testing.T) {
	for src, want := range map[string]string{
		"---\nmodel: m\n---":                        "", // no template: an error, checked in TestErrors
		"---\n---\nHello {{who}}":                   "Hello you",
		"---\nmodel: m\n---\r\nHello {{who}}\r\n":   "Hello you",
		"---\n# only a comment\n---\nHello {{who}}": "Hello you",
		"\ufeff---\nmodel: m\n---\nHello {{who}}":   "Hello you",
	} {
		p, err := Parse("f", src)
		if want == "" {
			if err == nil {
				t.Errorf("%q: no error", src)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		req, err := p.Render(map[string]any{"who": "you"})
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Messages[0].Content.String(); got != want {
			t.Errorf("%q: %q", src, got)
		}
	}
}

// TestConcurrentRender runs compare mode's pattern under -race.
func TestConcurrentRender(t *testing.T) {
	p, err := Load("testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Render(map[string]any{"city": "Lyon"})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := requestJSON(t, want)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := p.Render(map[string]any{"city": "Lyon"})
			if err != nil {
				t.Error(err)
				return
			}
			if got := requestJSON(t, req); got != wantJSON {
				t.Error("concurrent render differs")
			}
			req.Tools[0].Function.Name = "changed" // must not reach p
		}()
	}
	wg.Wait()
	again, _ := p.Render(map[string]any{"city": "Lyon"})
	if again.Tools[0].Function.Name != "weather" {
		t.Error("a caller's edit of the tools leaked into the prompt")
	}
}

// TestRenderNeverPanics: helper misuse that panics inside Dotprompt, and a
// Prompt not made by Parse, are errors.
func TestRenderNeverPanics(t *testing.T) {
	p, err := Parse("j", `{{role "user"}}{{json x indent="2"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Render(map[string]any{"x": 1}); err == nil || !strings.HasPrefix(err.Error(), "j:1: template: ") {
		t.Errorf("err = %v", err)
	}
	var zero Prompt
	if _, err := zero.Render(nil); err == nil {
		t.Error("zero Prompt rendered")
	}
}

// Only function tools have names a tool_choice can name.
func TestToolNamesAreFunctionNames(t *testing.T) {
	p, err := Parse("t", "---\ntoolDefs:\n  - name: get_weather\n    description: w\n    inputSchema: {type: object}\n---\nhi\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ToolNames(); len(got) != 1 || got[0] != "get_weather" {
		t.Fatalf("tool names %v", got)
	}
}
