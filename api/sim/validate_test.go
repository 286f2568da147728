package sim

import (
	"encoding/json"
	"reflect"
	"testing"
)

// detail decodes a 422 into its detail list, checking the envelope.
func detail(t *testing.T, status int, data []byte) []fieldError {
	t.Helper()
	if status != 422 {
		t.Fatalf("status %d: %s", status, data)
	}
	var env struct {
		Object  string `json:"object"`
		Message struct {
			Detail []fieldError `json:"detail"`
		} `json:"message"`
		Type  string `json:"type"`
		Param any    `json:"param"`
		Code  any    `json:"code"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	if env.Object != "error" || env.Type != "invalid_request_error" || env.Param != nil || env.Code != nil || len(env.Message.Detail) == 0 {
		t.Fatalf("envelope: %s", data)
	}
	return env.Message.Detail
}

func TestExtraFieldExactBody(t *testing.T) {
	ts, _ := startServer(t, Options{})
	resp, data := post(t, ts, "/v1/chat/completions",
		`{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":32000}`)
	want := `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","max_completion_tokens"],"msg":"Extra inputs are not permitted","input":32000}]},"type":"invalid_request_error","param":null,"code":null}`
	if resp.StatusCode != 422 || string(data) != want {
		t.Errorf("got %d\n%s\nwant\n%s", resp.StatusCode, data, want)
	}
}

func TestSchemaRefusals(t *testing.T) {
	ts, _ := startServer(t, Options{})
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	for _, tc := range []struct {
		name, body string
		typ        string
		loc        []any
		ctx        map[string]any
	}{
		{"temperature too high", `{"model":"m",` + msgs + `,"temperature":2.0}`, "less_than_equal", []any{"body", "temperature"}, map[string]any{"le": 1.5}},
		{"temperature negative", `{"model":"m",` + msgs + `,"temperature":-1}`, "greater_than_equal", []any{"body", "temperature"}, map[string]any{"ge": 0.0}},
		{"temperature a word", `{"model":"m",` + msgs + `,"temperature":"hot"}`, "float_parsing", []any{"body", "temperature"}, nil},
		{"temperature a bool", `{"model":"m",` + msgs + `,"temperature":true}`, "float_type", []any{"body", "temperature"}, nil},
		{"max_tokens fraction", `{"model":"m",` + msgs + `,"max_tokens":1.5}`, "int_from_float", []any{"body", "max_tokens"}, nil},
		{"stream a string", `{"model":"m",` + msgs + `,"stream":"yes"}`, "bool_parsing", []any{"body", "stream"}, nil},
		{"messages not a list", `{"model":"m","messages":"hi"}`, "list_type", []any{"body", "messages"}, nil},
		{"model missing", `{` + msgs + `}`, "missing", []any{"body", "model"}, nil},
		{"model a number", `{"model":7,` + msgs + `}`, "string_type", []any{"body", "model"}, nil},
		{"content missing", `{"model":"m","messages":[{"role":"user"}]}`, "missing", []any{"body", "messages", 0.0, "user", "content"}, nil},
		{"unknown role", `{"model":"m","messages":[{"role":"bot","content":"hi"}]}`, "union_tag_invalid", []any{"body", "messages", 0.0}, nil},
		{"no role", `{"model":"m","messages":[{"content":"hi"}]}`, "union_tag_not_found", []any{"body", "messages", 0.0}, nil},
		{"extra field in a message", `{"model":"m","messages":[{"role":"user","content":"hi","id":3}]}`, "extra_forbidden", []any{"body", "messages", 0.0, "user", "id"}, nil},
		{"reasoning effort", `{"model":"m",` + msgs + `,"reasoning_effort":"max"}`, "enum", []any{"body", "reasoning_effort"}, nil},
		{"tool choice", `{"model":"m",` + msgs + `,"tool_choice":"sometimes"}`, "enum", []any{"body", "tool_choice"}, nil},
		{"prompt mode", `{"model":"m",` + msgs + `,"prompt_mode":"fast"}`, "enum", []any{"body", "prompt_mode"}, nil},
		{"n zero", `{"model":"m",` + msgs + `,"n":0}`, "greater_than_equal", []any{"body", "n"}, nil},
		{"top_p zero", `{"model":"m",` + msgs + `,"top_p":0}`, "greater_than", []any{"body", "top_p"}, nil},
		{"stop item", `{"model":"m",` + msgs + `,"stop":["a",1]}`, "string_type", []any{"body", "stop", 1.0}, nil},
		{"tool without parameters", `{"model":"m",` + msgs + `,"tools":[{"type":"function","function":{"name":"f"}}]}`, "missing", []any{"body", "tools", 0.0, "function", "function", "parameters"}, nil},
		{"chunk without text", `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`, "missing", []any{"body", "messages", 0.0, "user", "content", 0.0, "text", "text"}, nil},
		{"body a list", `[]`, "model_attributes_type", []any{"body"}, nil},
		{"not JSON", `{"model":`, "json_invalid", []any{"body", 9.0}, nil},
		{"empty body", ``, "missing", []any{"body"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := post(t, ts, "/v1/chat/completions", tc.body)
			var raw struct {
				Message struct {
					Detail []struct {
						Type string         `json:"type"`
						Loc  []any          `json:"loc"`
						Msg  string         `json:"msg"`
						Ctx  map[string]any `json:"ctx"`
					} `json:"detail"`
				} `json:"message"`
			}
			detail(t, resp.StatusCode, data)
			_ = json.Unmarshal(data, &raw)
			d := raw.Message.Detail
			if len(d) != 1 || d[0].Type != tc.typ || !reflect.DeepEqual(d[0].Loc, tc.loc) || d[0].Msg == "" {
				t.Fatalf("got %s", data)
			}
			if tc.ctx != nil && !reflect.DeepEqual(d[0].Ctx, tc.ctx) {
				t.Errorf("ctx %v, want %v", d[0].Ctx, tc.ctx)
			}
		})
	}
}

func TestSchemaSeveralErrorsInOrder(t *testing.T) {
	ts, _ := startServer(t, Options{})
	resp, data := post(t, ts, "/v1/chat/completions",
		`{"store":false,"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":9,"max_completion_tokens":8192}`)
	d := detail(t, resp.StatusCode, data)
	var got []string
	for _, e := range d {
		got = append(got, e.Type+":"+e.Loc[1].(string))
	}
	want := []string{"less_than_equal:temperature", "extra_forbidden:store", "extra_forbidden:max_completion_tokens"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSchemaAcceptsRealRequests(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 3})
	// Every shape the spec allows and api.ChatRequest sends must pass.
	body := `{"model":"mistral-small-latest","temperature":0.3,"top_p":1,"max_tokens":50,"stream":false,"stop":"END",
	"random_seed":42,"metadata":{"k":"v"},"n":1,"presence_penalty":0.1,"frequency_penalty":-0.1,
	"prediction":{"type":"content","content":"x"},"parallel_tool_calls":true,"reasoning_effort":"none",
	"prompt_cache_key":"k1","safe_prompt":false,"service_tier":"auto","guardrails":null,"prompt_mode":null,
	"response_format":{"type":"text"},"tool_choice":{"type":"function","function":{"name":"f"}},
	"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}},{"type":"web_search"}],
	"messages":[
	 {"role":"system","content":[{"type":"text","text":"be brief"}]},
	 {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},{"type":"image_url","image_url":"data:image/png;base64,AA"}]},
	 {"role":"assistant","content":null,"tool_calls":[{"id":"abcDEF123","type":"function","function":{"name":"f","arguments":{"a":1}},"index":0}]},
	 {"role":"tool","tool_call_id":"abcDEF123","name":"f","content":"ok"},
	 {"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"hm"}],"closed":true},{"type":"text","text":"done"}]},
	 {"role":"user","content":"again"}]}`
	resp, data := post(t, ts, "/v1/chat/completions", body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
}

func TestFIMSchema(t *testing.T) {
	ts, _ := startServer(t, Options{})
	resp, data := post(t, ts, "/v1/fim/completions", `{"model":"codestral-latest","prompt":"def f():","messages":[]}`)
	d := detail(t, resp.StatusCode, data)
	if d[0].Type != "extra_forbidden" || !reflect.DeepEqual(d[0].Loc, []any{"body", "messages"}) {
		t.Errorf("got %s", data)
	}
	resp, data = post(t, ts, "/v1/fim/completions", `{"model":"codestral-latest"}`)
	d = detail(t, resp.StatusCode, data)
	if d[0].Type != "missing" || !reflect.DeepEqual(d[0].Loc, []any{"body", "prompt"}) {
		t.Errorf("got %s", data)
	}
}
