package session

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/prompts"
)

// recordingSim serves the simulator and keeps every chat body it was sent,
// so tests check the requests actually sent, not the ones meant.
type recordingSim struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newRecordingSim(t *testing.T) *recordingSim {
	t.Helper()
	rs := &recordingSim{}
	h := sim.New(sim.Options{Seed: 7})
	rs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			b, _ := io.ReadAll(r.Body)
			rs.mu.Lock()
			rs.bodies = append(rs.bodies, b)
			rs.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *recordingSim) requests(t *testing.T) []api.ChatRequest {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]api.ChatRequest, len(rs.bodies))
	for i, b := range rs.bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("request %d: %v\n%s", i, err, b)
		}
	}
	return out
}

var nineAlnum = regexp.MustCompile(`^[a-zA-Z0-9]{9}$`)

// checkMistralRules fails the test when a request breaks one of Mistral's
// conversation rules.
func checkMistralRules(t *testing.T, reqs []api.ChatRequest) {
	t.Helper()
	for n, req := range reqs {
		for i, m := range req.Messages {
			for _, tc := range m.ToolCalls {
				if !nineAlnum.MatchString(tc.ID) {
					t.Errorf("request %d message %d: tool call id %q", n, i, tc.ID)
				}
			}
			if m.Role == api.RoleTool && !nineAlnum.MatchString(m.ToolCallID) {
				t.Errorf("request %d message %d: tool_call_id %q", n, i, m.ToolCallID)
			}
			if m.Role == api.RoleUser && i > 0 && req.Messages[i-1].Role == api.RoleTool {
				t.Errorf("request %d message %d: user straight after tool", n, i)
			}
			if m.Role == api.RoleAssistant && !hasText(m.Content) && len(m.ToolCalls) == 0 {
				t.Errorf("request %d message %d: assistant with neither content nor tool calls", n, i)
			}
		}
	}
}

func weatherPrompt(t *testing.T) (*prompts.Prompt, string) {
	t.Helper()
	src, ok := prompts.ExampleSource("weather")
	if !ok {
		t.Fatal("no weather example")
	}
	path := filepath.Join(t.TempDir(), "weather.prompt")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := prompts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p, path
}

func simTarget(rs *recordingSim) Target {
	return Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: rs.srv.URL}, MaxRetries: -1}), Model: "mistral-small-latest"}
}

func TestConverseWeatherExample(t *testing.T) {
	rs := newRecordingSim(t)
	p, path := weatherPrompt(t)
	req, err := p.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	handlers, err := ToolHandlers(p.Ext, path)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	var e Engine
	conv := e.Converse(context.Background(), simTarget(rs), req, LoopOptions{
		MaxTurns: p.MaxTurns,
		Handlers: handlers,
		OnToolCall: func(turn int, c ToolCallState) {
			events = append(events, c.Name+":"+c.State)
		},
	})
	if conv.Err != nil {
		t.Fatal(conv.Err)
	}
	if len(conv.Turns) != 2 {
		t.Fatalf("turns = %d, want 2", len(conv.Turns))
	}
	if len(conv.Calls) != 2 {
		t.Fatalf("calls = %+v, want 2 parallel calls", conv.Calls)
	}
	byName := map[string]ToolCallState{}
	for _, c := range conv.Calls {
		byName[c.Name] = c
		if c.State != CallAnswered || c.Turn != 1 || len(c.SchemaErrors) != 0 {
			t.Errorf("call %+v", c)
		}
	}
	if byName["get_weather"].Result != `{"conditions":"sunny","temp_c":21}` || byName["get_time"].Result != `{"time":"14:05"}` {
		t.Errorf("results: %+v", byName)
	}
	final := conv.Final.Content()
	for _, want := range []string{"21", "sunny", "14:05"} {
		if !strings.Contains(final, want) {
			t.Errorf("final answer does not quote %q:\n%s", want, final)
		}
	}
	if len(conv.Final.Message.ToolCalls) != 0 || conv.Final.FinishReason != api.FinishStop {
		t.Errorf("final: %+v", conv.Final)
	}
	if len(events) != 4 || !strings.HasSuffix(events[0], ":pending") || !strings.HasSuffix(events[3], ":answered") {
		t.Errorf("events: %v", events)
	}
	reqs := rs.requests(t)
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	checkMistralRules(t, reqs)
	last := reqs[1].Messages
	n := len(last)
	if last[n-3].Role != api.RoleAssistant || last[n-2].Role != api.RoleTool || last[n-1].Role != api.RoleTool {
		t.Errorf("second request ends with %s %s %s", last[n-3].Role, last[n-2].Role, last[n-1].Role)
	}
	// results in call order, ids matching the calls
	for i, tc := range last[n-3].ToolCalls {
		if last[n-2+i].ToolCallID != tc.ID || last[n-2+i].Name != tc.Function.Name {
			t.Errorf("tool message %d answers %s/%s, call is %s/%s", i, last[n-2+i].ToolCallID, last[n-2+i].Name, tc.ID, tc.Function.Name)
		}
	}
	rec := conv.Record()
	if rec.Turns != 2 || len(rec.ToolResults) != 2 || len(rec.ToolCalls) != 0 || rec.Error != nil {
		t.Errorf("record: %+v", rec)
	}
}

func TestConverseMaxTurnsLeavesCallsPending(t *testing.T) {
	rs := newRecordingSim(t)
	p, path := weatherPrompt(t)
	req, _ := p.Render(nil)
	handlers, _ := ToolHandlers(p.Ext, path)
	var e Engine
	conv := e.Converse(context.Background(), simTarget(rs), req, LoopOptions{MaxTurns: 1, Handlers: handlers})
	if conv.Err != nil || len(conv.Turns) != 1 || conv.Final.FinishReason != FinishMaxTurns {
		t.Fatalf("conv: err %v, %d turns, finish %q", conv.Err, len(conv.Turns), conv.Final.FinishReason)
	}
	for _, c := range conv.Calls {
		if c.State != CallPending {
			t.Errorf("call %+v: want pending", c)
		}
	}
	if rec := conv.Record(); rec.FinishReason != "max_turns" || len(rec.ToolCalls) != 2 {
		t.Errorf("record: %+v", rec)
	}
}

func TestConverseStepStops(t *testing.T) {
	rs := newRecordingSim(t)
	p, path := weatherPrompt(t)
	req, _ := p.Render(nil)
	handlers, _ := ToolHandlers(p.Ext, path)
	var asked []int
	var e Engine
	conv := e.Converse(context.Background(), simTarget(rs), req, LoopOptions{Handlers: handlers, Step: func(turn int, next *api.ChatRequest) bool {
		asked = append(asked, turn)
		return turn < 2 // step mode asks before the first call too
	}})
	if len(conv.Turns) != 1 || len(asked) != 2 || asked[0] != 1 || asked[1] != 2 {
		t.Fatalf("turns %d, asked %v", len(conv.Turns), asked)
	}
	// the answered calls are part of the conversation to continue from
	if n := len(conv.Messages); n < 2 || conv.Messages[n-1].Role != api.RoleTool {
		t.Errorf("messages: %+v", conv.Messages)
	}
}

// scriptedServer answers chat requests from a list of canned streams, one
// per request, and records the bodies.
func scriptedServer(t *testing.T, answers ...string) (*httptest.Server, *[][]byte) {
	t.Helper()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n := len(bodies)
		bodies = append(bodies, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		ans := answers[min(n, len(answers)-1)]
		io.WriteString(w, "data: "+ans+"\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

func toolCallChunk(calls ...string) string {
	return `{"id":"x","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[` + strings.Join(calls, ",") + `]},"finish_reason":"tool_calls"}]}`
}

const textChunk = `{"id":"x","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"done"},"finish_reason":"stop"}]}`

func lookupReq(schema string) api.ChatRequest {
	return api.ChatRequest{
		Model:    "m",
		Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("go")}},
		Tools:    []api.Tool{api.FunctionTool("lookup", "", json.RawMessage(schema))},
	}
}

func TestConverseRemapsForeignIDsAndChecksSchema(t *testing.T) {
	srv, bodies := scriptedServer(t,
		toolCallChunk(`{"id":"chatcmpl-tool-0a1b2c","type":"function","index":0,"function":{"name":"lookup","arguments":"{\"q\":7}"}}`,
			`{"id":"call_1","type":"function","index":1,"function":{"name":"nosuch","arguments":"{}"}}`),
		textChunk)
	req := lookupReq(`{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}`)
	var e Engine
	conv := e.Converse(context.Background(), target(srv, "m"), req, LoopOptions{
		Handlers: map[string]Handler{"lookup": {Kind: HandlerMock, Mock: "found"}},
	})
	if conv.Err != nil {
		t.Fatal(conv.Err)
	}
	if len(conv.Calls) != 2 {
		t.Fatalf("calls: %+v", conv.Calls)
	}
	c := conv.Calls[0]
	if c.State != CallAnswered || c.Result != "found" || len(c.SchemaErrors) != 1 || !strings.HasPrefix(c.SchemaErrors[0], "/q: ") {
		t.Errorf("lookup call: %+v", c)
	}
	if c := conv.Calls[1]; c.State != CallFailed || !strings.Contains(c.Error, `no tool named "nosuch"`) || !strings.HasPrefix(c.Result, `{"error":`) {
		t.Errorf("unknown tool call: %+v", c)
	}
	if len(*bodies) != 2 {
		t.Fatalf("%d requests", len(*bodies))
	}
	var second api.ChatRequest
	if err := json.Unmarshal((*bodies)[1], &second); err != nil {
		t.Fatal(err)
	}
	checkMistralRules(t, []api.ChatRequest{second})
	ids := second.Messages[1].ToolCalls
	if ids[0].ID == ids[1].ID || second.Messages[2].ToolCallID != ids[0].ID || second.Messages[3].ToolCallID != ids[1].ID {
		t.Errorf("ids not remapped consistently: %s", (*bodies)[1])
	}
}

func TestNormalizeMessages(t *testing.T) {
	call := func(id, name string) api.ToolCall {
		return api.ToolCall{ID: id, Type: "function", Function: api.FunctionCall{Name: name, Arguments: "{}"}}
	}
	in := []api.Message{
		{Role: api.RoleUser, Content: api.Text("hi")},
		{Role: api.RoleAssistant, ToolCalls: []api.ToolCall{call("call_0", "a"), call("abcDEF123", "b"), call("", "c")}},
		{Role: api.RoleTool, ToolCallID: "call_0", Content: api.Text("1")},
		{Role: api.RoleTool, ToolCallID: "abcDEF123", Content: api.Text("2")},
		{Role: api.RoleTool, Content: api.Text("3")},
		{Role: api.RoleUser, Content: api.Text("and then?")},
		{Role: api.RoleAssistant},
		{Role: api.RoleUser, Content: api.Text("again")},
		{Role: api.RoleAssistant, ToolCalls: []api.ToolCall{call("call_0", "a")}},
		{Role: api.RoleTool, ToolCallID: "call_0", Content: api.Text("4")},
	}
	orig, _ := json.Marshal(in)
	out := NormalizeMessages(in)
	if again, _ := json.Marshal(in); !bytes.Equal(orig, again) {
		t.Error("input modified")
	}
	checkMistralRules(t, []api.ChatRequest{{Messages: out}})
	roles := []string{}
	for _, m := range out {
		roles = append(roles, m.Role)
	}
	if got := strings.Join(roles, " "); got != "user assistant tool tool tool assistant user assistant user assistant tool" {
		t.Fatalf("roles: %s", got)
	}
	calls := out[1].ToolCalls
	if calls[1].ID != "abcDEF123" {
		t.Errorf("a valid id was changed: %s", calls[1].ID)
	}
	for i := range 3 {
		if out[2+i].ToolCallID != calls[i].ID {
			t.Errorf("tool message %d answers %s, call id %s", i, out[2+i].ToolCallID, calls[i].ID)
		}
	}
	if out[5].Content.String() != "…" || out[7].Content.String() != "…" {
		t.Errorf("placeholders: %q %q", out[5].Content.String(), out[7].Content.String())
	}
	// call_0 again on a later turn: a new id, answered by its own tool message
	if out[9].ToolCalls[0].ID == calls[0].ID || out[10].ToolCallID != out[9].ToolCalls[0].ID {
		t.Errorf("reused foreign id: %s then %s, answered as %s", calls[0].ID, out[9].ToolCalls[0].ID, out[10].ToolCallID)
	}
	// deterministic: the same history gives the same ids
	if again := NormalizeMessages(in); again[1].ToolCalls[0].ID != calls[0].ID || again[9].ToolCalls[0].ID != out[9].ToolCalls[0].ID {
		t.Error("remapping is not deterministic")
	}
}

func TestValidateArgs(t *testing.T) {
	s := compileSchema(json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city"],"additionalProperties":false}`))
	if s == nil {
		t.Fatal("schema did not compile")
	}
	if errs := validateArgs(s, `{"city":"Lyon","unit":"c"}`); len(errs) != 0 {
		t.Errorf("valid args: %v", errs)
	}
	errs := validateArgs(s, `{"unit":"k","extra":1}`)
	joined := strings.Join(errs, "\n")
	if len(errs) < 2 || !strings.Contains(joined, "/unit") || !strings.Contains(joined, "city") {
		t.Errorf("violations: %v", errs)
	}
	if errs := validateArgs(s, `{"city":`); len(errs) != 1 || !strings.Contains(errs[0], "not valid JSON") {
		t.Errorf("broken JSON: %v", errs)
	}
}

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConverseCommandTools(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "echo.sh", `read args; printf 'got %s' "$args"`)
	writeScript(t, dir, "fail.sh", "echo first >&2\necho 'no such city' >&2\nexit 3\n")
	promptPath := filepath.Join(dir, "p.prompt")
	os.WriteFile(promptPath, []byte("x"), 0o644)
	hash, err := HashFile(promptPath)
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]Handler{
		"echo": {Kind: HandlerCommand, Command: []string{"./echo.sh"}, Timeout: 5 * time.Second, Dir: dir},
		"fail": {Kind: HandlerCommand, Command: []string{"./fail.sh"}, Timeout: 5 * time.Second, Dir: dir},
		"slow": {Kind: HandlerCommand, Command: []string{"sleep", "5"}, Timeout: 100 * time.Millisecond, Dir: dir},
	}
	req := api.ChatRequest{Model: "m", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("go")}}}
	for name := range handlers {
		req.Tools = append(req.Tools, api.FunctionTool(name, "", json.RawMessage(`{"type":"object"}`)))
	}
	answers := []string{
		toolCallChunk(`{"id":"aaaaaaaa1","function":{"name":"echo","arguments":"{\"q\":1}"},"index":0}`,
			`{"id":"aaaaaaaa2","function":{"name":"fail","arguments":"{}"},"index":1}`,
			`{"id":"aaaaaaaa3","function":{"name":"slow","arguments":"{}"},"index":2}`),
		textChunk,
	}

	t.Run("untrusted", func(t *testing.T) {
		srv, bodies := scriptedServer(t, answers...)
		trust, _ := LoadTrust(filepath.Join(t.TempDir(), "trust.json"))
		var e Engine
		conv := e.Converse(context.Background(), target(srv, "m"), req, LoopOptions{Handlers: handlers, Trust: trust, PromptPath: promptPath, PromptHash: hash})
		if conv.Err == nil || !strings.Contains(conv.Err.Error(), "--trust") || !strings.Contains(conv.Err.Error(), "not trusted") {
			t.Fatalf("err = %v", conv.Err)
		}
		if len(*bodies) != 1 {
			t.Errorf("%d requests: the loop should stop", len(*bodies))
		}
		for _, c := range conv.Calls {
			if c.State != CallFailed {
				t.Errorf("call %+v ran untrusted", c)
			}
		}
	})

	t.Run("trusted", func(t *testing.T) {
		srv, bodies := scriptedServer(t, answers...)
		trustPath := filepath.Join(t.TempDir(), "state", "trust.json")
		trust, _ := LoadTrust(trustPath)
		if err := trust.Allow(promptPath, hash); err != nil {
			t.Fatal(err)
		}
		reloaded, err := LoadTrust(trustPath)
		if err != nil || !reloaded.Trusted(promptPath, hash) || reloaded.Trusted(promptPath, "other") {
			t.Fatalf("trust did not persist per hash: %v", err)
		}
		var e Engine
		start := time.Now()
		conv := e.Converse(context.Background(), target(srv, "m"), req, LoopOptions{Handlers: handlers, Trust: reloaded, PromptPath: promptPath, PromptHash: hash})
		if conv.Err != nil {
			t.Fatal(conv.Err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("the timeout did not stop sleep 5")
		}
		echo, fail, slow := conv.Calls[0], conv.Calls[1], conv.Calls[2]
		if echo.State != CallAnswered || echo.Result != `got {"q":1}` {
			t.Errorf("echo: %+v", echo)
		}
		if fail.State != CallFailed || !strings.Contains(fail.Error, "exit status 3") || !strings.Contains(fail.Error, "no such city") {
			t.Errorf("fail: %+v", fail)
		}
		if slow.State != CallFailed || !strings.Contains(slow.Error, "timed out after 100ms") {
			t.Errorf("slow: %+v", slow)
		}
		// the errors went back to the model, and the loop went on
		if len(*bodies) != 2 || conv.Final.Content() != "done" {
			t.Fatalf("%d requests, final %q", len(*bodies), conv.Final.Content())
		}
		var second api.ChatRequest
		json.Unmarshal((*bodies)[1], &second)
		var sent map[string]string
		if err := json.Unmarshal([]byte(second.Messages[3].Content.String()), &sent); err != nil || !strings.Contains(sent["error"], "exit status 3") {
			t.Errorf("failed result sent as %q", second.Messages[3].Content.String())
		}
	})
}

func TestConverseManualToolFailsHeadless(t *testing.T) {
	srv, bodies := scriptedServer(t, toolCallChunk(`{"id":"aaaaaaaa1","function":{"name":"lookup","arguments":"{}"},"index":0}`), textChunk)
	var e Engine
	conv := e.Converse(context.Background(), target(srv, "m"), lookupReq(`{"type":"object"}`), LoopOptions{})
	if conv.Err == nil || conv.Err.Error() != "tool lookup has no mock or command: answer it in the studio, or add mstudio.tools.lookup.mock" {
		t.Fatalf("err = %v", conv.Err)
	}
	if len(*bodies) != 1 {
		t.Errorf("%d requests", len(*bodies))
	}
	if rec := conv.Record(); rec.Error == nil || rec.ToolResults[0].State != CallFailed {
		t.Errorf("record: %+v", rec)
	}
	// with an Answer (the studio's editor) the same call is answered
	srv, _ = scriptedServer(t, toolCallChunk(`{"id":"aaaaaaaa1","function":{"name":"lookup","arguments":"{}"},"index":0}`), textChunk)
	conv = e.Converse(context.Background(), target(srv, "m"), lookupReq(`{"type":"object"}`), LoopOptions{
		Answer: func(ctx context.Context, c ToolCallState) (string, error) { return "by hand", nil },
	})
	if conv.Err != nil || conv.Calls[0].Result != "by hand" {
		t.Errorf("conv: %v %+v", conv.Err, conv.Calls)
	}
}

func TestToolHandlers(t *testing.T) {
	ext := map[string]any{"tools": map[string]any{
		"weather": map[string]any{"mock": map[string]any{"temp_f": uint64(75)}},
		"greet":   map[string]any{"mock": "hello"},
		"search":  map[string]any{"command": []any{"./tools/search.sh", "-q"}, "timeout": "2s"},
		"ask":     nil,
		"other":   map[string]any{"command": []any{"x"}},
	}}
	hs, err := ToolHandlers(ext, "/p/prompts/a.prompt")
	if err != nil {
		t.Fatal(err)
	}
	if h := hs["weather"]; h.Kind != HandlerMock || h.Mock != `{"temp_f":75}` {
		t.Errorf("weather: %+v", h)
	}
	if h := hs["greet"]; h.Mock != "hello" {
		t.Errorf("greet: %+v", h)
	}
	if h := hs["search"]; h.Kind != HandlerCommand || h.Timeout != 2*time.Second || h.Dir != "/p/prompts" || len(h.Command) != 2 {
		t.Errorf("search: %+v", h)
	}
	if h := hs["other"]; h.Timeout != DefaultToolTimeout {
		t.Errorf("other: %+v", h)
	}
	if h := hs["ask"]; h.Kind != HandlerManual {
		t.Errorf("ask: %+v", h)
	}
	for _, tc := range []struct {
		tools any
		want  string
	}{
		{[]any{"x"}, "mstudio.tools: want a mapping"},
		{map[string]any{"s": map[string]any{"comand": []any{"x"}}}, `mstudio.tools.s.comand: unknown key`},
		{map[string]any{"s": map[string]any{"command": "./s.sh"}}, "mstudio.tools.s.command: want a list"},
		{map[string]any{"s": map[string]any{"command": []any{"x"}, "mock": 1}}, "mstudio.tools.s: give mock or command, not both"},
		{map[string]any{"s": map[string]any{"command": []any{"x"}, "timeout": "soon"}}, "mstudio.tools.s.timeout:"},
		{map[string]any{"s": map[string]any{"mock": 1, "timeout": "1s"}}, "mstudio.tools.s.timeout: only a command"},
		{map[string]any{"s": "mock"}, "mstudio.tools.s: want a mapping"},
	} {
		_, err := ToolHandlers(map[string]any{"tools": tc.tools}, "")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.tools, err, tc.want)
		}
	}
}

func TestRunCommandCapsOutput(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "big.sh", "head -c 2000000 /dev/zero\n")
	h := Handler{Kind: HandlerCommand, Command: []string{"./big.sh"}, Timeout: 5 * time.Second, Dir: dir}
	if _, err := h.RunCommand(context.Background(), "{}"); err == nil || !strings.Contains(err.Error(), "more than 1 MB") {
		t.Errorf("err = %v", err)
	}
}
