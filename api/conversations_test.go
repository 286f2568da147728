package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"mstudio/api"
	"mstudio/api/sim"
)

// drainConv reads a conversation stream to its end and returns every event
// and the error that ended it (nil for a clean end).
func drainConv(t *testing.T, s *api.ConversationStream) ([]api.ConversationEvent, error) {
	t.Helper()
	defer s.Close()
	var evs []api.ConversationEvent
	for {
		ev, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return evs, nil
			}
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func types(evs []api.ConversationEvent) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		m[e.Type]++
	}
	return m
}

var hexID = regexp.MustCompile(`^ag_[0-9a-f]{32}$`)

func TestSimAgentsBareArray(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 1}, api.Options{})
	agents, meta, err := c.Agents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if meta.Status != 200 || len(agents) < 2 || len(agents) > 3 {
		t.Fatalf("status %d, %d agents", meta.Status, len(agents))
	}
	var web, fn bool
	for _, a := range agents {
		if !hexID.MatchString(a.ID) || a.Object != "agent" || a.Model == "" || a.Instructions == "" || a.Name == "" {
			t.Errorf("agent %+v", a)
		}
		for _, tl := range a.Tools {
			web = web || tl.Type == "web_search"
			fn = fn || (tl.Type == "function" && tl.Function != nil && len(tl.Function.Parameters) > 0)
		}
	}
	if !web || !fn {
		t.Errorf("want one web_search agent and one function agent: %+v", agents)
	}
}

func TestAgentDecodeLenient(t *testing.T) {
	var a api.Agent
	err := json.Unmarshal([]byte(`{"id":"ag_1","object":"agent","name":"x","description":null,"model":"m","instructions":null,"version":"3","tools":[{"type":"web_search","open_results":true}],"handoffs":null,"unknown":{"a":1}}`), &a)
	if err != nil {
		t.Fatal(err)
	}
	if a.Description != "" || a.Instructions != "" || a.Version != 0 || len(a.Tools) != 1 || a.Tools[0].Extra["open_results"] == nil {
		t.Fatalf("%+v", a)
	}
}

func TestConversationTextAnswer(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 2}, api.Options{})
	s, err := c.StartConversation(context.Background(), api.ConversationRequest{Model: "mistral-small-latest", Inputs: api.TextInputs("Tell me about the history of Lyon")})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := drainConv(t, s)
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	if !strings.HasPrefix(acc.ConversationID, "conv_") || len(acc.ConversationID) != 37 {
		t.Errorf("conversation id %q", acc.ConversationID)
	}
	if evs[0].Type != api.ConvResponseStarted || evs[len(evs)-1].Type != api.ConvResponseDone {
		t.Errorf("first %s last %s", evs[0].Type, evs[len(evs)-1].Type)
	}
	var joined strings.Builder
	for _, e := range evs {
		if e.Type == api.ConvMessageDelta {
			joined.WriteString(e.Content.String())
		}
	}
	if acc.Text() == "" || acc.Text() != joined.String() || !strings.Contains(acc.Text(), "Lyon") {
		t.Errorf("text %q", acc.Text())
	}
	if !acc.Done || acc.Usage == nil || acc.Usage.CompletionTokens == 0 || acc.Usage.TotalTokens != acc.Usage.PromptTokens+acc.Usage.CompletionTokens {
		t.Errorf("done %v usage %+v", acc.Done, acc.Usage)
	}
	if len(acc.Messages()) != 1 || !strings.HasPrefix(acc.Messages()[0].ID, "msg_") || acc.Messages()[0].Role != "assistant" {
		t.Errorf("messages %+v", acc.Messages())
	}
	if s.Err() != nil {
		t.Error(s.Err())
	}
}

func TestConversationWebSearchAgent(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 3}, api.Options{})
	s, err := c.StartConversation(context.Background(), api.ConversationRequest{AgentID: sim.AgentResearch, Inputs: api.TextInputs("What is new in Paris this winter?")})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := drainConv(t, s)
	if err != nil {
		t.Fatal(err)
	}
	n := types(evs)
	if n[api.ConvToolExecStarted] != 1 || n[api.ConvToolExecDone] != 1 || n[api.ConvMessageDelta] == 0 {
		t.Fatalf("events %v", n)
	}
	acc := s.Accumulator()
	ex := acc.ToolExecutions()
	if len(ex) != 1 || ex[0].Name != "web_search" || !ex[0].Done || !json.Valid([]byte(ex[0].Arguments)) || len(ex[0].Info) == 0 {
		t.Fatalf("executions %+v", ex)
	}
	if !strings.HasPrefix(ex[0].ID, "tool_exec_") {
		t.Errorf("id %q", ex[0].ID)
	}
	// content_index steps past the tool_reference chunk.
	maxIdx := 0
	var ref bool
	for _, e := range evs {
		if e.Type == api.ConvMessageDelta {
			maxIdx = max(maxIdx, e.ContentIndex)
			for _, p := range e.Content.Parts() {
				ref = ref || p.Type == "tool_reference"
			}
			if e.AgentID != sim.AgentResearch || e.OutputIndex != 1 {
				t.Fatalf("delta %+v", e)
			}
		}
	}
	if !ref || maxIdx != 2 {
		t.Errorf("reference %v, max content_index %d", ref, maxIdx)
	}
	msgs := acc.Messages()
	if len(msgs) != 1 || len(msgs[0].Content.Parts()) != 3 || acc.Text() == "" {
		t.Errorf("message parts %d text %q", len(msgs[0].Content.Parts()), acc.Text())
	}
}

func TestConversationFunctionCallThenResult(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 4}, api.Options{})
	ctx := context.Background()
	s, err := c.StartConversation(ctx, api.ConversationRequest{AgentID: sim.AgentWeather, Inputs: api.TextInputs("What's the weather in Tokyo right now?")})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := drainConv(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if types(evs)[api.ConvFunctionCallDelta] < 2 {
		t.Fatalf("want fragmented arguments, got %v", types(evs))
	}
	acc := s.Accumulator()
	calls := acc.FunctionCalls()
	if len(calls) != 1 || calls[0].Name != "get_weather" || len(calls[0].ToolCallID) != 9 || acc.Text() != "" {
		t.Fatalf("calls %+v text %q", calls, acc.Text())
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(calls[0].Arguments), &args); err != nil || args["location"] == nil {
		t.Fatalf("arguments %q: %v", calls[0].Arguments, err)
	}
	for _, e := range evs {
		if e.Type == api.ConvFunctionCallDelta && e.Arguments == calls[0].Arguments {
			t.Fatal("arguments arrived whole, not in fragments")
		}
	}

	s2, err := c.AppendConversation(ctx, acc.ConversationID, api.ConversationRequest{
		Inputs: api.FunctionResultInputs(api.FunctionResult{ToolCallID: calls[0].ToolCallID, Result: `{"temp_c": 17, "sky": "drizzle"}`}),
		// Start-only fields must not reach the append endpoint (422 there).
		Model: "ignored", Instructions: "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drainConv(t, s2); err != nil {
		t.Fatal(err)
	}
	a2 := s2.Accumulator()
	if a2.ConversationID != acc.ConversationID || !strings.Contains(a2.Text(), "drizzle") || !strings.Contains(a2.Text(), "17") {
		t.Fatalf("conv %s answer %q", a2.ConversationID, a2.Text())
	}

	// A result for a call that never happened is refused.
	_, err = c.AppendConversation(ctx, acc.ConversationID, api.ConversationRequest{Inputs: api.FunctionResultInputs(api.FunctionResult{ToolCallID: "AAAAAAAAA", Result: "x"})})
	var apiErr *api.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("unknown tool call: %v", err)
	}
}

func TestConversationRestart(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 5}, api.Options{})
	ctx := context.Background()
	s, err := c.StartConversation(ctx, api.ConversationRequest{Model: "mistral-small-latest", Inputs: api.TextInputs("Explain goroutines briefly")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drainConv(t, s); err != nil {
		t.Fatal(err)
	}
	first := s.Accumulator()
	entry := first.LastEntryID()
	s2, err := c.RestartConversation(ctx, first.ConversationID, entry, api.ConversationRequest{Inputs: api.TextInputs("Explain channels briefly")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drainConv(t, s2); err != nil {
		t.Fatal(err)
	}
	a2 := s2.Accumulator()
	if a2.ConversationID == "" || a2.ConversationID == first.ConversationID || a2.Text() == "" {
		t.Fatalf("restart: %s %q", a2.ConversationID, a2.Text())
	}
	_, err = c.RestartConversation(ctx, first.ConversationID, "msg_nope", api.ConversationRequest{Inputs: api.TextInputs("x")})
	var apiErr *api.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != api.KindNotFound {
		t.Fatalf("unknown entry: %v", err)
	}
}

func TestConversationRequestErrors(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 6}, api.Options{})
	ctx := context.Background()
	_, err := c.StartConversation(ctx, api.ConversationRequest{AgentID: "ag_00000000000000000000000000000000", Inputs: api.TextInputs("hi")})
	var apiErr *api.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || !strings.Contains(apiErr.Message, "ag_0000") {
		t.Fatalf("unknown agent: %v", err)
	}
	if _, err := c.StartConversation(ctx, api.ConversationRequest{AgentID: "a", Model: "b"}); err == nil {
		t.Fatal("agent and model both set: no error")
	}
	_, err = c.AppendConversation(ctx, "conv_missing", api.ConversationRequest{Inputs: api.TextInputs("hi")})
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("unknown conversation: %v", err)
	}
}

// faultTransport adds the simulator's fault header to every request.
type faultTransport string

func (f faultTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(sim.FaultHeader, string(f))
	return http.DefaultTransport.RoundTrip(r)
}

func TestConversationTruncated(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 7}, api.Options{HTTPClient: &http.Client{Transport: faultTransport("cut=5")}})
	s, err := c.StartConversation(context.Background(), api.ConversationRequest{Model: "mistral-small-latest", Inputs: api.TextInputs("Describe the Loire valley")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = drainConv(t, s)
	var se *api.StreamError
	if !errors.Is(err, api.ErrTruncated) || !errors.As(err, &se) {
		t.Fatalf("want truncated, got %v", err)
	}
	if s.Accumulator().Text() == "" || s.Accumulator().Done {
		t.Errorf("partial %q done %v", s.Accumulator().Text(), s.Accumulator().Done)
	}
}

func TestConversationStatusFault(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 8}, api.Options{MaxRetries: -1, HTTPClient: &http.Client{Transport: faultTransport("status=503")}})
	_, err := c.StartConversation(context.Background(), api.ConversationRequest{Model: "mistral-small-latest", Inputs: api.TextInputs("hi")})
	var apiErr *api.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Fatalf("%v", err)
	}
}

func TestConversationErrorEventKeepsPartial(t *testing.T) {
	body := "event: conversation.response.started\n" +
		`data: {"type":"conversation.response.started","conversation_id":"conv_0123456789abcdef0123456789abcdef"}` + "\n\n" +
		"event: message.output.delta\n" +
		`data: {"type":"message.output.delta","output_index":0,"id":"msg_1","content_index":0,"model":"mistral-medium-latest","agent_id":null,"role":"assistant","content":"Half an "}` + "\n\n" +
		"event: message.output.delta\n" +
		`data: {"type":"message.output.delta","output_index":0,"id":"msg_1","content_index":0,"content":"answer"}` + "\n\n" +
		"event: conversation.response.error\n" +
		`data: {"type":"conversation.response.error","message":"Service unavailable","code":3000}` + "\n\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c := api.New(api.Options{Endpoint: api.Endpoint{BaseURL: srv.URL}})
	s, err := c.StartConversation(context.Background(), api.ConversationRequest{Model: "m", Inputs: api.TextInputs("x")})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := drainConv(t, s)
	var se *api.StreamError
	var ce *api.ConversationError
	if !errors.As(err, &se) || !errors.As(err, &ce) || ce.Message != "Service unavailable" || ce.Code != 3000 || se.Code != "3000" {
		t.Fatalf("error %v", err)
	}
	if len(evs) != 3 || s.Accumulator().Text() != "Half an answer" || s.Accumulator().Err == nil {
		t.Fatalf("%d events, partial %q", len(evs), s.Accumulator().Text())
	}
	if _, again := s.Next(); again != err {
		t.Errorf("Next after the error: %v", again)
	}
}

func TestConversationDocsExample(t *testing.T) {
	f, err := os.Open("testdata/conversation-docs-example.sse")
	if err != nil {
		t.Fatal(err)
	}
	s := api.NewConversationStreamReader(context.Background(), f)
	evs, err := drainConv(t, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{api.ConvResponseStarted, api.ConvToolExecStarted, api.ConvMessageDelta, api.ConvResponseDone}
	if len(evs) != len(want) {
		t.Fatalf("%d events", len(evs))
	}
	for i, w := range want {
		if evs[i].Type != w || evs[i].Raw == "" {
			t.Errorf("event %d: %s", i, evs[i].Type)
		}
	}
	acc := s.Accumulator()
	if acc.ConversationID != "conv_067f2a98c1a773678000ce73a36b785a" || acc.Text() != "The" {
		t.Errorf("conv %s text %q", acc.ConversationID, acc.Text())
	}
	ex := acc.ToolExecutions()
	if len(ex) != 1 || ex[0].Name != "web_search" || ex[0].OutputIndex != 0 || ex[0].Done {
		t.Errorf("executions %+v", ex)
	}
	m := acc.Messages()
	if len(m) != 1 || m[0].OutputIndex != 1 || m[0].Model != "mistral-medium-latest" || m[0].AgentID != "ag_067f2a39ddd67bf68000fa921bc0c25d" {
		t.Errorf("messages %+v", m)
	}
	if acc.Usage == nil || acc.Usage.PromptTokens != 18709 || acc.Usage.CompletionTokens != 183 || acc.Usage.TotalTokens != 18892 {
		t.Errorf("usage %+v", acc.Usage)
	}
}

func TestConversationAccumulatorHandoffsAndThinking(t *testing.T) {
	var acc api.ConversationAccumulator
	lines := []string{
		`{"type":"agent.handoff.started","output_index":0,"id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"Editor"}`,
		`{"type":"agent.handoff.done","output_index":0,"id":"handoff_1","next_agent_id":"ag_b","next_agent_name":"Research"}`,
		`{"type":"message.output.delta","output_index":1,"id":"msg_1","content_index":0,"content":{"type":"thinking","thinking":[{"type":"text","text":"Let me "}]}}`,
		`{"type":"message.output.delta","output_index":1,"id":"msg_1","content_index":0,"content":{"type":"thinking","thinking":[{"type":"text","text":"think."}]}}`,
		`{"type":"message.output.delta","output_index":1,"id":"msg_1","content_index":1,"content":"Answer."}`,
		`{"type":"function.call.delta","output_index":2,"id":"fc_1","name":"f","tool_call_id":"abcDEF123","arguments":"{\"a\""}`,
		`{"type":"function.call.delta","output_index":2,"id":"fc_1","name":"f","tool_call_id":"abcDEF123","arguments":":1}"}`,
		`{"type":"tool.execution.delta","output_index":3,"id":"tool_exec_1","name":"code_interpreter","arguments":"{\"code\":"}`,
		`{"type":"tool.execution.delta","output_index":3,"id":"tool_exec_1","name":"code_interpreter","arguments":"\"1+1\"}"}`,
	}
	for _, l := range lines {
		ev, err := api.DecodeConversationEvent("", l)
		if err != nil {
			t.Fatal(err)
		}
		acc.Add(ev)
	}
	h := acc.Handoffs()
	if len(h) != 1 || h[0].PreviousAgentName != "Editor" || h[0].NextAgentID != "ag_b" || !h[0].Done {
		t.Errorf("handoffs %+v", h)
	}
	if acc.Thinking() != "Let me think." || acc.Text() != "Answer." {
		t.Errorf("thinking %q text %q", acc.Thinking(), acc.Text())
	}
	if fc := acc.FunctionCalls(); len(fc) != 1 || fc[0].Arguments != `{"a":1}` {
		t.Errorf("calls %+v", fc)
	}
	if ex := acc.ToolExecutions(); len(ex) != 1 || ex[0].Arguments != `{"code":"1+1"}` {
		t.Errorf("executions %+v", ex)
	}
}

func TestConversationRequestBodies(t *testing.T) {
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		m["_path"] = r.URL.Path
		got = append(got, m)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: conversation.response.done\ndata: {\"type\":\"conversation.response.done\",\"usage\":{}}\n\n")
	}))
	defer srv.Close()
	c := api.New(api.Options{Endpoint: api.Endpoint{BaseURL: srv.URL}})
	ctx := context.Background()
	no := false
	req := api.ConversationRequest{Model: "m", Instructions: "be brief", Inputs: api.TextInputs("hi"), Store: &no, CompletionArgs: map[string]any{"temperature": 0.1}}
	for _, open := range []func() (*api.ConversationStream, error){
		func() (*api.ConversationStream, error) { return c.StartConversation(ctx, req) },
		func() (*api.ConversationStream, error) { return c.AppendConversation(ctx, "conv_1", req) },
		func() (*api.ConversationStream, error) { return c.RestartConversation(ctx, "conv_1", "msg_1", req) },
	} {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drainConv(t, s); err != nil {
			t.Fatal(err)
		}
	}
	if got[0]["_path"] != "/v1/conversations" || got[0]["model"] != "m" || got[0]["instructions"] != "be brief" || got[0]["stream"] != true || got[0]["store"] != false {
		t.Errorf("start %v", got[0])
	}
	if got[1]["_path"] != "/v1/conversations/conv_1" || got[1]["model"] != nil || got[1]["instructions"] != nil || got[1]["stream"] != true || got[1]["completion_args"] == nil {
		t.Errorf("append %v", got[1])
	}
	if got[2]["_path"] != "/v1/conversations/conv_1/restart" || got[2]["from_entry_id"] != "msg_1" || got[2]["model"] != nil {
		t.Errorf("restart %v", got[2])
	}
	var list []map[string]any
	if err := json.Unmarshal(api.FunctionResultInputs(api.FunctionResult{"abcDEF123", "42"}), &list); err != nil || list[0]["type"] != "function.result" || list[0]["object"] != "entry" || list[0]["tool_call_id"] != "abcDEF123" || list[0]["result"] != "42" {
		t.Errorf("function result inputs %v %v", list, err)
	}
}
