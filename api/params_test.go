package api

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParamsSetGetAndRanges(t *testing.T) {
	cases := []struct {
		name, value, wantGet, wantErr string
	}{
		{"temperature", "0.3", "0.3", ""},
		{"temperature", "1.6", "", "out of range (0 … 1.5)"},
		{"temperature", "warm", "", "not a number"},
		{"topP", "0.5", "0.5", ""},
		{"top_p", "1.01", "", "out of range"},
		{"maxOutputTokens", "256", "256", ""},
		{"max_tokens", "-1", "", "out of range"},
		{"max_tokens", "1.5", "", "not a whole number"},
		{"stop", "END", "END", ""},
		{"stopSequences", `["a","b"]`, `["a","b"]`, ""},
		{"random_seed", "42", "42", ""},
		{"presence_penalty", "-2", "-2", ""},
		{"frequency_penalty", "2.5", "", "out of range (-2 … 2)"},
		{"n", "0", "", "out of range (≥ 1)"},
		{"response_format", "json_object", "json_object", ""},
		{"response_format", `{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object"}}}`, "json_schema:city", ""},
		{"response_format", `{"type":"json_schema"}`, "", "needs a json_schema.schema"},
		{"response_format", "yaml", "", "not text, json_object"},
		{"tool_choice", "ANY", "any", ""},
		{"tool_choice", "function:weather", "function:weather", ""},
		{"tool_choice", "get weather!", "", "not auto, none"},
		{"parallel_tool_calls", "false", "false", ""},
		{"parallel_tool_calls", "maybe", "", "not true or false"},
		{"reasoning_effort", "High", "high", ""},
		{"reasoning_effort", "max", "", "not one of none, minimal"},
		{"prompt_mode", "reasoning", "reasoning", ""},
		{"safe_prompt", "true", "true", ""},
		{"prediction", "def f():", "def f():", ""},
		{"prompt_cache_key", "k1", "k1", ""},
	}
	for _, c := range cases {
		p, ok := LookupParam(c.name)
		if !ok {
			t.Fatalf("no param %s", c.name)
		}
		var req ChatRequest
		err := p.Set(&req, c.value)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), p.Name+": ") {
				t.Errorf("%s=%s: err %v, want %q", c.name, c.value, err, c.wantErr)
			}
			if v, set := p.Get(&req); set || v != DefaultWord {
				t.Errorf("%s=%s: a refused value was written: %s", c.name, c.value, v)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%s: %v", c.name, c.value, err)
			continue
		}
		if v, set := p.Get(&req); !set || v != c.wantGet {
			t.Errorf("%s=%s: get %q %v", c.name, c.value, v, set)
		}
		if err := p.Set(&req, "default"); err != nil {
			t.Fatal(err)
		}
		if v, set := p.Get(&req); set || v != DefaultWord {
			t.Errorf("%s: default left %q", c.name, v)
		}
		b, _ := json.Marshal(req)
		if string(b) != `{"model":"","messages":null}` {
			t.Errorf("%s: unset still sends %s", c.name, b)
		}
	}
}

func TestEveryParamIsAWireField(t *testing.T) {
	// A parameter the table offers must be a field the request really
	// sends under that name: the server refuses anything else with a 422.
	for _, p := range Params() {
		var req ChatRequest
		v := map[ParamKind]string{KindFloat: "0.5", KindInt: "1", KindBool: "true", KindText: "x", KindStops: "x", KindFormat: "json_object", KindToolChoice: "auto"}[p.Kind]
		if p.Kind == KindEnum {
			v = p.Enum[0]
		}
		if err := p.Set(&req, v); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		var m map[string]any
		b, _ := json.Marshal(req)
		json.Unmarshal(b, &m)
		if _, ok := m[p.Name]; !ok {
			t.Errorf("%s is not sent as %q: %s", p.Name, p.Name, b)
		}
		if p.Range() == "" || p.Help == "" {
			t.Errorf("%s lacks help", p.Name)
		}
	}
}

func TestFoldAliases(t *testing.T) {
	cards := []ModelCard{
		{ID: "mistral-medium-latest", Aliases: []string{"mistral-medium-2508", "mistral-medium"}},
		{ID: "mistral-medium-2508", Aliases: []string{"mistral-medium-latest", "mistral-medium"}, MaxContextLength: 131072},
		{ID: "mistral-medium", Aliases: []string{"mistral-medium-2508", "mistral-medium-latest"}},
		{ID: "codestral-2508", Capabilities: Capabilities{CompletionFIM: true, CompletionChat: true}},
		{ID: "open-mistral-nemo", Deprecation: "2026-07-31T00:00:00Z"},
		{ID: "ft:open-mistral-7b:abc", Type: "fine-tuned", Job: "j", Root: "open-mistral-7b"},
	}
	entries := FoldAliases(cards)
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ID+"="+strings.Join(e.IDs, ","))
	}
	got := strings.Join(ids, " ")
	want := "codestral-2508=codestral-2508 ft:open-mistral-7b:abc=ft:open-mistral-7b:abc mistral-medium-latest=mistral-medium-latest,mistral-medium-2508,mistral-medium open-mistral-nemo=open-mistral-nemo"
	if got != want {
		t.Fatalf("folded\n got %s\nwant %s", got, want)
	}
	if e, ok := Find(entries, "mistral-medium"); !ok || e.ID != "mistral-medium-latest" {
		t.Fatalf("find alias: %+v %v", e, ok)
	}
	if !entries[1].FineTuned() || !entries[3].Deprecated() {
		t.Fatal("markers lost")
	}
	if b := (Capabilities{FunctionCalling: true, Vision: true, CompletionFIM: true}).Badges(); strings.Join(b, " ") != "tools vision fim" {
		t.Fatalf("badges %v", b)
	}
}

func TestContentForms(t *testing.T) {
	for _, in := range []string{
		`"plain"`, `null`, `[]`,
		`[{"type":"text","text":""}]`,
		`[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA","detail":"low"}}]`,
		`[{"type":"reference","reference_ids":[1,"a"]}]`,
		`[{"type":"file","file_id":"f"},{"type":"input_audio","input_audio":"b64"}]`,
		`[{"type":"tool_file","tool":"code_interpreter","file_id":"x"}]`, // unknown type, kept raw
		`[{"type":"thinking","thinking":[{"type":"text","text":"t"}],"signature":"sig","closed":false}]`,
	} {
		var c Content
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := json.Marshal(c)
		if err != nil || string(out) != in {
			t.Errorf("round trip %s -> %s (%v)", in, out, err)
		}
	}
	var c Content
	if err := json.Unmarshal([]byte(`42`), &c); err == nil {
		t.Fatal("a number is not content")
	}
}

func TestArgumentsAsObject(t *testing.T) {
	var tc ToolCall
	if err := json.Unmarshal([]byte(`{"id":"a","function":{"name":"f","arguments":{"city": "Lyon"}}}`), &tc); err != nil {
		t.Fatal(err)
	}
	if tc.Function.Arguments != `{"city":"Lyon"}` {
		t.Fatalf("arguments %q", tc.Function.Arguments)
	}
}
