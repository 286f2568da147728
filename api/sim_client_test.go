package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/api/sim"
)

// The client against the simulator over real HTTP: every feature of the
// client meets a server that validates requests against the official schema.

func simClient(t *testing.T, opts sim.Options, copts api.Options) (*api.Client, *sim.Server) {
	t.Helper()
	s := sim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	copts.Endpoint = api.Endpoint{Name: "sim", BaseURL: srv.URL}
	if copts.RetryBase == 0 {
		copts.RetryBase = 10 * time.Millisecond
	}
	return api.New(copts), s
}

func user(s string) []api.Message { return []api.Message{{Role: api.RoleUser, Content: api.Text(s)}} }

func streamAll(t *testing.T, c *api.Client, req api.ChatRequest) (*api.Stream, error) {
	t.Helper()
	s, err := c.ChatStream(context.Background(), req)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	for {
		if _, err := s.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return s, nil
			}
			return s, err
		}
	}
}

func TestSimModelsFoldAndDescribe(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 1}, api.Options{})
	cards, meta, err := c.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries := api.FoldAliases(cards)
	if len(entries) >= len(cards) {
		t.Fatalf("%d cards folded to %d entries", len(cards), len(entries))
	}
	small, ok := api.Find(entries, "mistral-small-latest")
	if !ok || !small.Capabilities.FunctionCalling || small.MaxContextLength == 0 {
		t.Fatalf("mistral-small-latest: %+v %v", small, ok)
	}
	var deprecated, fineTuned bool
	for _, e := range entries {
		deprecated = deprecated || e.Deprecated()
		fineTuned = fineTuned || e.FineTuned()
	}
	if !deprecated || !fineTuned {
		t.Fatal("the list should hold deprecated and fine-tuned models")
	}
	if meta.CorrelationID == "" || !meta.RateLimit.Known() {
		t.Fatalf("meta %+v", meta)
	}
}

func TestSimChatStreamedAndNot(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 7}, api.Options{})
	req := api.ChatRequest{Model: "mistral-small-latest", Messages: user("Tell me about Lyon in a few paragraphs.")}
	s, err := streamAll(t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	if len(acc.Content()) < 100 || acc.FinishReason() != api.FinishStop || acc.Usage == nil || acc.Usage.CompletionTokens == 0 {
		t.Fatalf("stream: %d chars, finish %q, usage %+v", len(acc.Content()), acc.FinishReason(), acc.Usage)
	}
	resp, err := c.Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content.String() != acc.Content() {
		t.Fatal("the same request should give the same answer streamed and not")
	}
	if resp.Meta.CorrelationID == "" {
		t.Fatal("no correlation id")
	}
}

func TestSimEveryParameterIsAccepted(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 3}, api.Options{})
	req := api.ChatRequest{Model: "mistral-small-latest", Messages: user("Say hi")}
	values := map[string]string{
		"temperature": "0.2", "top_p": "0.9", "max_tokens": "50", "stop": `["STOP"]`, "random_seed": "1",
		"presence_penalty": "0.1", "frequency_penalty": "0.1", "n": "1", "response_format": "text",
		"tool_choice": "none", "parallel_tool_calls": "false", "reasoning_effort": "none",
		"safe_prompt": "true", "prediction": "Hi", "prompt_cache_key": "k",
	}
	for _, p := range api.Params() {
		v, ok := values[p.Name]
		if !ok {
			continue
		}
		if err := p.Set(&req, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := streamAll(t, c, req); err != nil {
		t.Fatalf("the schema refused a parameter the client offers: %v", err)
	}
}

func TestSimRefusesAForeignFieldWithA422(t *testing.T) {
	c, _ := simClient(t, sim.Options{}, api.Options{})
	// temperature 2 is outside the schema's range: the client lets the
	// server decide, and the server's 422 names the field.
	tooHot := 2.0
	_, err := c.Chat(context.Background(), api.ChatRequest{Model: "mistral-small-latest", Messages: user("x"), Temperature: &tooHot})
	var apiErr *api.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != api.KindValidation || !strings.Contains(err.Error(), "temperature") {
		t.Fatalf("err %v", err)
	}
}

func TestSimThinking(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 2}, api.Options{})
	effort := "high"
	s, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("What is 2+2?"), ReasoningEffort: &effort})
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	if acc.Reasoning() == "" || acc.Content() == "" {
		t.Fatalf("reasoning %q content %q", acc.Reasoning(), acc.Content())
	}
	// the message goes back as [thinking, text], which the server accepts
	msg := acc.Choice(0).Message
	next := append(user("What is 2+2?"), msg, api.Message{Role: api.RoleUser, Content: api.Text("And 3+3?")})
	if _, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: next}); err != nil {
		t.Fatalf("sending the reasoning answer back: %v", err)
	}
}

func TestSimToolCallsAndAnswer(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 5}, api.Options{})
	weather := api.FunctionTool("get_weather", "Current weather in a city", json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"]}`))
	clock := api.FunctionTool("get_time", "Local time in a city", json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`))
	req := api.ChatRequest{Model: "mistral-small-latest", Messages: user("What's the weather and the time in Lyon?"), Tools: []api.Tool{weather, clock}}
	s, err := streamAll(t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	calls := s.Accumulator().ToolCalls()
	if len(calls) == 0 || s.Accumulator().FinishReason() != api.FinishToolCalls {
		t.Fatalf("calls %+v finish %q", calls, s.Accumulator().FinishReason())
	}
	msgs := append(req.Messages, s.Accumulator().Choice(0).Message)
	for _, call := range calls {
		var args map[string]any
		if err := json.Unmarshal([]byte(call.Function.Arguments), &args); err != nil || args["city"] == nil {
			t.Fatalf("arguments %q", call.Function.Arguments)
		}
		if len(call.ID) != 9 {
			t.Fatalf("id %q", call.ID)
		}
		msgs = append(msgs, api.Message{Role: api.RoleTool, ToolCallID: call.ID, Name: call.Function.Name, Content: api.Text(`{"temp_c": 21, "time": "14:05"}`)})
	}
	req.Messages = msgs
	s, err = streamAll(t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Accumulator().Content(), "21") {
		t.Fatalf("the answer should use the tool result: %q", s.Accumulator().Content())
	}
}

func TestSimStructuredOutput(t *testing.T) {
	c, _ := simClient(t, sim.Options{Seed: 4}, api.Options{})
	rf := &api.ResponseFormat{Type: "json_schema", JSONSchema: &api.JSONSchema{Name: "city", Strict: true,
		Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"population":{"type":"integer","minimum":0}},"required":["name","population"],"additionalProperties":false}`)}}
	s, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("Describe Lyon as JSON"), ResponseFormat: rf})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Name       string `json:"name"`
		Population *int   `json:"population"`
	}
	if err := json.Unmarshal([]byte(s.Accumulator().Content()), &out); err != nil || out.Name == "" || out.Population == nil {
		t.Fatalf("content %q: %v", s.Accumulator().Content(), err)
	}
}

func TestSimFaults(t *testing.T) {
	t.Run("cut stream keeps the partial answer", func(t *testing.T) {
		c, srv := simClient(t, sim.Options{}, api.Options{})
		f, _ := sim.ParseFault("cut=5")
		srv.InjectFault(f)
		s, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("Tell me about Lyon")})
		if !errors.Is(err, api.ErrTruncated) || s.Accumulator().Content() == "" {
			t.Fatalf("err %v partial %q", err, s.Accumulator().Content())
		}
	})
	t.Run("malformed event", func(t *testing.T) {
		c, srv := simClient(t, sim.Options{}, api.Options{})
		f, _ := sim.ParseFault("malformed=3")
		srv.InjectFault(f)
		_, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")})
		var de *api.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("429 with Retry-After is retried", func(t *testing.T) {
		var waits []time.Duration
		c, srv := simClient(t, sim.Options{}, api.Options{OnRetry: func(_ int, d time.Duration, _ *api.APIError) { waits = append(waits, d) }})
		f, _ := sim.ParseFault("status=429,retry-after=1")
		srv.InjectFault(f)
		start := time.Now()
		if _, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")}); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 1 || waits[0] != time.Second || time.Since(start) < time.Second {
			t.Fatalf("waits %v", waits)
		}
	})
	t.Run("zero quota is not retried", func(t *testing.T) {
		retried := false
		c, srv := simClient(t, sim.Options{}, api.Options{OnRetry: func(int, time.Duration, *api.APIError) { retried = true }})
		f, _ := sim.ParseFault("quota=0")
		srv.InjectFault(f)
		_, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")})
		var apiErr *api.APIError
		if !errors.As(err, &apiErr) || apiErr.Kind != api.KindNoQuota || retried {
			t.Fatalf("err %v retried %v", err, retried)
		}
	})
	t.Run("5xx retried then succeeds", func(t *testing.T) {
		c, srv := simClient(t, sim.Options{}, api.Options{})
		f, _ := sim.ParseFault("status=503,times=2")
		srv.InjectFault(f)
		if _, err := streamAll(t, c, api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("stall then cancel", func(t *testing.T) {
		c, srv := simClient(t, sim.Options{}, api.Options{})
		f, _ := sim.ParseFault("stall=10s,at=2")
		srv.InjectFault(f)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		s, err := c.ChatStream(ctx, api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for {
			if _, err = s.Next(); err != nil {
				break
			}
		}
		if !errors.Is(err, context.DeadlineExceeded) || s.Accumulator().Content() == "" {
			t.Fatalf("err %v partial %q", err, s.Accumulator().Content())
		}
	})
	t.Run("unknown model and bad key", func(t *testing.T) {
		c, _ := simClient(t, sim.Options{APIKey: "right"}, api.Options{APIKey: "wrong"})
		_, err := c.Chat(context.Background(), api.ChatRequest{Model: "mistral-small-latest", Messages: user("hi")})
		var apiErr *api.APIError
		if !errors.As(err, &apiErr) || apiErr.Kind != api.KindAuth {
			t.Fatalf("bad key: %v", err)
		}
		c, _ = simClient(t, sim.Options{}, api.Options{})
		_, err = c.Chat(context.Background(), api.ChatRequest{Model: "no-such-model", Messages: user("hi")})
		if !errors.As(err, &apiErr) || apiErr.Kind != api.KindNotFound {
			t.Fatalf("unknown model: %v", err)
		}
	})
	t.Run("message order rule", func(t *testing.T) {
		c, _ := simClient(t, sim.Options{}, api.Options{})
		msgs := []api.Message{
			{Role: api.RoleUser, Content: api.Text("q")},
			{Role: api.RoleAssistant, ToolCalls: []api.ToolCall{{ID: "abcdefghi", Type: "function", Function: api.FunctionCall{Name: "f", Arguments: "{}"}}}},
			{Role: api.RoleTool, ToolCallID: "abcdefghi", Name: "f", Content: api.Text("1")},
			{Role: api.RoleUser, Content: api.Text("next")},
		}
		_, err := c.Chat(context.Background(), api.ChatRequest{Model: "mistral-small-latest", Messages: msgs})
		var apiErr *api.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "3230" || !strings.Contains(err.Error(), "assistant message must come between") {
			t.Fatalf("err %v", err)
		}
	})
}
