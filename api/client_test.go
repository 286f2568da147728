package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }
func strp(v string) *string  { return &v }

func TestRequestEncodingOmitsUnsetFields(t *testing.T) {
	req := ChatRequest{Model: "mistral-small-latest", Messages: []Message{{Role: RoleUser, Content: Text("hi")}}}
	b, _ := json.Marshal(req)
	if string(b) != `{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}]}` {
		t.Fatalf("minimal body %s", b)
	}
	seed := int64(7)
	yes := true
	req = ChatRequest{
		Model: "m", Messages: []Message{
			{Role: RoleSystem, Content: Text("sys")},
			{Role: RoleUser, Content: Chunks(TextChunk("look"), Chunk{Type: ChunkImageURL, ImageURL: ImageURL{URL: "https://x/y.png"}}, Chunk{Type: ChunkDocumentURL, DocumentURL: "https://x/a.pdf"})},
			{Role: RoleAssistant, ToolCalls: []ToolCall{{ID: "abcdefghi", Type: "function", Function: FunctionCall{Name: "f", Arguments: `{"a":1}`}}}},
			{Role: RoleTool, ToolCallID: "abcdefghi", Name: "f", Content: Text(`{"ok":true}`)},
		},
		Temperature: f64(0.2), TopP: f64(0.9), MaxTokens: intp(100), Stream: true, Stop: Stop{"END"},
		RandomSeed: &seed, PresencePenalty: f64(0.5), FrequencyPenalty: f64(-0.5), N: intp(2),
		ResponseFormat: &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchema{Name: "x", Schema: json.RawMessage(`{"type":"object"}`), Strict: true}},
		Tools:          []Tool{FunctionTool("f", "does f", json.RawMessage(`{"type":"object","properties":{}}`)), {Type: "web_search"}},
		ToolChoice:     &ToolChoice{Function: "f"}, ParallelToolCalls: &yes, SafePrompt: &yes,
		PromptMode: strp("reasoning"), ReasoningEffort: strp("high"), Prediction: &Prediction{Type: "content", Content: "p"},
	}
	b, _ = json.Marshal(req)
	want := `{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":"https://x/y.png"},{"type":"document_url","document_url":"https://x/a.pdf"}]},{"role":"assistant","tool_calls":[{"id":"abcdefghi","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","content":"{\"ok\":true}","tool_call_id":"abcdefghi","name":"f"}],"temperature":0.2,"top_p":0.9,"max_tokens":100,"stream":true,"stop":"END","random_seed":7,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"},"strict":true}},"tools":[{"function":{"name":"f","description":"does f","parameters":{"type":"object","properties":{}}},"type":"function"},{"type":"web_search"}],"tool_choice":{"function":{"name":"f"},"type":"function"},"presence_penalty":0.5,"frequency_penalty":-0.5,"n":2,"prediction":{"type":"content","content":"p"},"parallel_tool_calls":true,"prompt_mode":"reasoning","reasoning_effort":"high","safe_prompt":true}`
	if string(b) != want {
		t.Fatalf("full body\n got %s\nwant %s", b, want)
	}
	// and it decodes back to the same body
	var again ChatRequest
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(again)
	if string(b2) != want {
		t.Fatalf("round trip\n got %s\nwant %s", b2, want)
	}
}

func TestOpenAIDialectMapsTheDifferences(t *testing.T) {
	seed := int64(3)
	yes := true
	req := ChatRequest{
		Model: "mistral-nemo", Stream: true, RandomSeed: &seed, SafePrompt: &yes, PromptMode: strp("reasoning"),
		ToolChoice: &ToolChoice{Mode: "any"}, Prediction: &Prediction{Type: "content", Content: "x"},
		Messages: []Message{
			{Role: RoleUser, Content: Text("q")},
			{Role: RoleAssistant, Content: Chunks(ThinkingChunk("hmm"), TextChunk("a"))},
			{Role: RoleUser, Content: Text("q2")},
		},
	}
	b, err := DialectOpenAI.encodeChat(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"mistral-nemo","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"q2"}],"stream":true,"stream_options":{"include_usage":true},"seed":3,"tool_choice":"required"}`
	if string(b) != want {
		t.Fatalf("openai body\n got %s\nwant %s", b, want)
	}
}

func TestOpenAIDialectNonStreamReasoning(t *testing.T) {
	var r ChatResponse
	body := []byte(`{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Paris","reasoning_content":"France's capital"},"finish_reason":"stop"}]}`)
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	DialectOpenAI.fixResponse(&r, body)
	if c := r.Choices[0].Message.Content; c.String() != "Paris" || c.Thinking() != "France's capital" {
		t.Fatalf("content %+v", c)
	}
}

func newTestClient(t *testing.T, h http.Handler, opts Options) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts.Endpoint = Endpoint{Name: "test", BaseURL: srv.URL + "/v1/"}
	c := New(opts)
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return c
}

const okStream = "data: {\"id\":\"a\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\ndata: [DONE]\n\n"

func TestRetries429And5xxThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	var waits []time.Duration
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(429)
			io.WriteString(w, `{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}`)
		case 2:
			w.WriteHeader(503)
			io.WriteString(w, `upstream connect error`)
		default:
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Mistral-Correlation-Id", "019b46db-0000")
			w.Header().Set("X-Ratelimit-Remaining-Req-Minute", "57")
			w.Header().Set("X-Ratelimit-Limit-Req-Minute", "60")
			io.WriteString(w, okStream)
		}
	})
	c := newTestClient(t, h, Options{OnRetry: func(n int, d time.Duration, e *APIError) { waits = append(waits, d) }})
	s, err := c.ChatStream(context.Background(), ChatRequest{Model: "m", Messages: []Message{{Role: RoleUser, Content: Text("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for {
		if _, err := s.Next(); err != nil {
			break
		}
	}
	if s.Accumulator().Content() != "ok" || calls.Load() != 3 {
		t.Fatalf("content %q after %d calls", s.Accumulator().Content(), calls.Load())
	}
	if len(waits) != 2 || waits[0] != 2*time.Second || waits[1] < time.Second || waits[1] > 4*time.Second {
		t.Fatalf("waits %v", waits)
	}
	m := s.Meta()
	if m.CorrelationID != "019b46db-0000" || m.RateLimit.RemainingRequestsMinute != 57 || m.RateLimit.LimitRequestsMinute != 60 || m.RateLimit.LimitTokensMonth != -1 {
		t.Fatalf("meta %+v", m)
	}
}

func TestNoRetryFor4xxOrZeroQuota(t *testing.T) {
	for _, c := range []struct {
		status int
		header map[string]string
		kind   ErrorKind
	}{
		{400, nil, KindBadRequest},
		{401, nil, KindAuth},
		{422, nil, KindValidation},
		{429, map[string]string{"X-Ratelimit-Limit-Req-Minute": "0"}, KindNoQuota},
		{429, map[string]string{"Retry-After": "3600"}, KindRateLimited}, // longer than we would wait
	} {
		var calls atomic.Int32
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			for k, v := range c.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(c.status)
			io.WriteString(w, `{"detail":"nope"}`)
		})
		cl := newTestClient(t, h, Options{})
		_, err := cl.Chat(context.Background(), ChatRequest{Model: "m"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Kind != c.kind || calls.Load() != 1 {
			t.Errorf("%d %v: err %v after %d calls", c.status, c.header, err, calls.Load())
		}
	}
}

func TestRetriesGiveUpAfterMax(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(500)
	})
	cl := newTestClient(t, h, Options{MaxRetries: 2})
	_, err := cl.Chat(context.Background(), ChatRequest{Model: "m"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != KindServer || calls.Load() != 3 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	if !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "try again later") {
		t.Fatalf("message %q", err.Error())
	}
}

func TestCancelMidStream(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	})
	c := newTestClient(t, h, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.ChatStream(ctx, ChatRequest{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	_, err = s.Next()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if s.Accumulator().Content() != "par" {
		t.Fatal("partial lost")
	}
}

func TestSendsKeyAndStreamHeaders(t *testing.T) {
	var got http.Header
	var body map[string]any
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		json.NewDecoder(r.Body).Decode(&body)
		if r.URL.Path != "/v1/chat/completions" {
			t.Errorf("path %s", r.URL.Path)
		}
		io.WriteString(w, okStream)
	})
	c := newTestClient(t, h, Options{APIKey: "sk-test"})
	s, err := c.ChatStream(context.Background(), ChatRequest{Model: "m", Messages: []Message{{Role: RoleUser, Content: Text("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got.Get("Authorization") != "Bearer sk-test" || got.Get("Accept") != "text/event-stream" || got.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", got)
	}
	if body["stream"] != true {
		t.Fatalf("body %v", body)
	}
}

func TestNetworkErrorNamesTheURL(t *testing.T) {
	c := New(Options{Endpoint: Endpoint{BaseURL: "http://127.0.0.1:1"}})
	_, _, err := c.Models(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "http://127.0.0.1:1/v1/models") {
		t.Fatalf("err %v", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"global": GlobalURL, "eu": EUURL, "US": USURL,
		"http://127.0.0.1:8000/v1/": "http://127.0.0.1:8000", "https://x.example/": "https://x.example",
	} {
		e, err := ParseEndpoint(in)
		if err != nil || e.BaseURL != want {
			t.Errorf("%s: %+v %v", in, e, err)
		}
	}
	if e, _ := ParseEndpoint("ollama"); e.Dialect != DialectOpenAI {
		t.Error("ollama is the openai dialect")
	}
	if _, err := ParseEndpoint("nowhere"); err == nil || !strings.Contains(err.Error(), "global, eu, us") {
		t.Errorf("err %v", err)
	}
}

func TestRetryAfterAsDate(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if d := parseRetryAfter(now.Add(5*time.Second).Format(http.TimeFormat), now); d != 5*time.Second {
		t.Fatalf("d = %v", d)
	}
	if d := parseRetryAfter("1.5", now); d != 1500*time.Millisecond {
		t.Fatalf("d = %v", d)
	}
	if d := parseRetryAfter("soon", now); d != 0 {
		t.Fatalf("d = %v", d)
	}
}

func TestOlderRateLimitHeaderFamily(t *testing.T) {
	h := http.Header{}
	h.Set("Ratelimitbysize-Limit", "500000")
	h.Set("Ratelimitbysize-Remaining", "499000")
	h.Set("Ratelimitbysize-Reset", "13")
	h.Set("Ratelimitbysize-Query-Cost", "1000")
	h.Set("X-Ratelimitbysize-Limit-Month", "1000000000")
	m := metaFromHeader(h)
	r := m.RateLimit
	if r.LimitTokensMinute != 500000 || r.RemainingTokensMinute != 499000 || r.Reset != 13*time.Second || r.QueryCost != 1000 || r.LimitTokensMonth != 1000000000 || !r.Known() || r.ZeroAllowance() {
		t.Fatalf("rate limit %+v", r)
	}
}
