package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sseFromChunks turns vercel's .chunks.jsonl (one chunk per line) into the
// SSE body the server sent, as vercel's own tests do.
func sseFromChunks(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			b.WriteString("data: " + line + "\n\n")
		}
	}
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// drain reads a whole stream and returns its events and final error.
func drain(t *testing.T, body []byte) (*Stream, []StreamEvent, error) {
	t.Helper()
	s := NewStreamReader(context.Background(), io.NopCloser(bytes.NewReader(body)), DialectMistral)
	var events []StreamEvent
	for {
		ev, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s, events, nil
			}
			return s, events, err
		}
		events = append(events, ev)
	}
}

func TestRecordedTextStream(t *testing.T) {
	s, events, err := drain(t, sseFromChunks(t, "vercel_mistral-text.chunks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	var streamed strings.Builder
	for _, ev := range events {
		streamed.WriteString(ev.Content)
	}
	if acc.Content() != streamed.String() {
		t.Fatalf("accumulated %q, streamed %q", acc.Content(), streamed.String())
	}
	if !strings.HasPrefix(acc.Content(), "Hello, world! This is a test response.") {
		t.Fatalf("content = %q", acc.Content())
	}
	if acc.FinishReason() != FinishStop || acc.Usage == nil || acc.Usage.TotalTokens == 0 {
		t.Fatalf("finish %q usage %+v", acc.FinishReason(), acc.Usage)
	}
	if acc.ID != "5319bd0299614c679a0068a4f2c8ffd0" || acc.Model != "mistral-small-latest" {
		t.Fatalf("id %q model %q", acc.ID, acc.Model)
	}
	// the final message is plain string content, as the server sends it
	msg := acc.Choice(0).Message
	b, _ := json.Marshal(msg)
	want := `{"role":"assistant","content":` + mustJSON(acc.Content()) + `}`
	if string(b) != want {
		t.Fatalf("message = %s, want %s", b, want)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRecordedUsageWithPaddingAndDetails(t *testing.T) {
	s, _, err := drain(t, sseFromChunks(t, "vercel_mistral-usage-raw-live.chunks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	if acc.Content() != "OK" {
		t.Fatalf("content %q", acc.Content())
	}
	u := acc.Usage
	if u == nil || u.PromptTokens != 19 || u.CompletionTokens != 2 || u.TotalTokens != 21 || u.ServiceTier != "standard" || u.CachedTokens() != 0 || u.PromptTokensDetails == nil {
		t.Fatalf("usage %+v", u)
	}
}

func TestRecordedToolCallWithoutIndexOrType(t *testing.T) {
	s, events, err := drain(t, sseFromChunks(t, "vercel_mistral-tool-call.chunks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	calls := acc.ToolCalls()
	if len(calls) != 1 {
		t.Fatalf("calls %+v", calls)
	}
	c := calls[0]
	if c.ID != "gSIMJiOkT" || c.Function.Name != "weather" || c.Function.Arguments != `{"location": "San Francisco"}` || c.Type != "function" {
		t.Fatalf("call %+v", c)
	}
	if acc.FinishReason() != FinishToolCalls || acc.Usage.TotalTokens != 146 {
		t.Fatalf("finish %q usage %+v", acc.FinishReason(), acc.Usage)
	}
	last := events[len(events)-1]
	if len(last.ToolCalls) != 1 || last.FinishReason != FinishToolCalls || last.Usage == nil {
		t.Fatalf("last event %+v", last.Update)
	}
	// Sent back, the message has the call and (empty) content: never neither.
	b, _ := json.Marshal(acc.Choice(0).Message)
	want := `{"role":"assistant","content":"","tool_calls":[{"id":"gSIMJiOkT","type":"function","function":{"name":"weather","arguments":"{\"location\": \"San Francisco\"}"},"index":0}]}`
	if string(b) != want {
		t.Fatalf("message\n got %s\nwant %s", b, want)
	}
}

func TestRecordedParallelToolCalls(t *testing.T) {
	s, _, err := drain(t, readFixture(t, "prism_stream-with-tools-1-1.sse"))
	if err != nil {
		t.Fatal(err)
	}
	calls := s.Accumulator().ToolCalls()
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
	if calls[0].ID != "yBvJuId6u" || calls[0].Function.Name != "search" || calls[0].Function.Arguments != `{"query": "Detroit Tigers game time today"}` {
		t.Fatalf("call 0 %+v", calls[0])
	}
	if calls[1].ID != "ihQrVBDfy" || calls[1].Function.Name != "weather" || calls[1].Function.Arguments != `{"city": "Detroit"}` {
		t.Fatalf("call 1 %+v", calls[1])
	}
	if u := s.Accumulator().Usage; u.PromptTokens != 164 || u.CompletionTokens != 25 {
		t.Fatalf("usage %+v", u)
	}
}

func TestRecordedNonStreamedBodies(t *testing.T) {
	cases := []struct {
		file, content, thinking, finish string
		calls                           int
	}{
		{"prism_generate-text-with-reasoning-model-1.json", "The capital of France is Paris.", "Okay, the user asked about the capital of France.", "stop", 0},
		{"vercel_mistral-large-4-reasoning-high.json", "3", "The user is asking \"How many r are in strawberry?", "stop", 0},
		{"vercel_mistral-tool-call.json", "", "", "tool_calls", 1},
		{"prism_fim-completion-1.json", "return a+b", "", "stop", 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var r ChatResponse
			if err := json.Unmarshal(readFixture(t, c.file), &r); err != nil {
				t.Fatal(err)
			}
			msg := r.Choices[0].Message
			if msg.Content.String() != c.content {
				t.Fatalf("content %q", msg.Content.String())
			}
			if !strings.HasPrefix(msg.Content.Thinking(), c.thinking) {
				t.Fatalf("thinking %q", msg.Content.Thinking())
			}
			if r.Choices[0].FinishReason != c.finish || len(msg.ToolCalls) != c.calls {
				t.Fatalf("finish %q calls %d", r.Choices[0].FinishReason, len(msg.ToolCalls))
			}
			// Sending it back re-encodes the content in its original form.
			out, _ := json.Marshal(msg)
			var again Message
			if err := json.Unmarshal(out, &again); err != nil {
				t.Fatal(err)
			}
			if again.Content.String() != c.content || again.Content.Thinking() != msg.Content.Thinking() || again.Content.IsString() != msg.Content.IsString() {
				t.Fatalf("round trip changed the message: %s", out)
			}
		})
	}
}

func TestReasoningFixtureKeepsClosedFlag(t *testing.T) {
	var r ChatResponse
	if err := json.Unmarshal(readFixture(t, "vercel_mistral-large-4-reasoning-high.json"), &r); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(r.Choices[0].Message.Content)
	if !strings.Contains(string(out), `"closed":true`) || !strings.HasPrefix(string(out), `[{"type":"thinking","thinking":[{"type":"text","text":`) {
		t.Fatalf("content re-encoded as %s", out)
	}
	if r.Usage.CachedTokens() != 0 || r.Usage.ServiceTier != "standard" {
		t.Fatalf("usage %+v", r.Usage)
	}
}

// TestEveryRecordedErrorBody decodes every real error body and checks the
// kind and the message a user sees.
func TestEveryRecordedErrorBody(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var rec struct {
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		n++
		e := ParseError(rec.Status, nil, rec.Body)
		msg := e.Error()
		var wantKind ErrorKind
		var wantIn []string
		switch {
		case rec.Status == 401:
			wantKind, wantIn = KindAuth, []string{"401", "MISTRAL_API_KEY"}
		case rec.Status == 422:
			wantKind, wantIn = KindValidation, []string{"max_completion_tokens", "not accepted"}
		case rec.Status == 429:
			wantKind, wantIn = KindRateLimited, []string{"rate limit"}
		case strings.Contains(string(rec.Body), "3230"):
			wantKind, wantIn = KindBadRequest, []string{"Unexpected role 'user' after role 'tool'", "assistant message must come between"}
		case strings.Contains(string(rec.Body), "3280"):
			wantKind, wantIn = KindBadRequest, []string{"must be a-z", "9 letters or digits"}
		default:
			wantKind, wantIn = KindBadRequest, []string{"400"}
		}
		if e.Kind != wantKind {
			t.Errorf("%s: kind %v, want %v", rec.Body, e.Kind, wantKind)
		}
		for _, w := range wantIn {
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
				t.Errorf("%s: message %q lacks %q", rec.Body, msg, w)
			}
		}
		if strings.Contains(msg, "{") {
			t.Errorf("message shows raw JSON: %q", msg)
		}
	}
	if n != 12 {
		t.Fatalf("read %d error bodies", n)
	}
}

func TestErrorShapesFromOtherServers(t *testing.T) {
	cases := []struct {
		status int
		body   string
		kind   ErrorKind
		want   string
	}{
		{404, `{"error":{"message":"The model 'x' does not exist.","type":"NotFoundError","code":404}}`, KindNotFound, "does not exist"},
		{404, `{"error":"model \"x\" not found, try pulling it first"}`, KindNotFound, "try pulling it first"},
		{422, ``, KindValidation, "validation failed"},
		{502, `<html>Bad gateway</html>`, KindServer, "Bad gateway"},
		{400, `{"object":"error","message":"Prompt contains 40000 tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":null}`, KindContextLimit, "shorten"},
		{403, `{"detail":"Forbidden"}`, KindForbidden, "Forbidden"},
	}
	for _, c := range cases {
		e := ParseError(c.status, nil, []byte(c.body))
		if e.Kind != c.kind || !strings.Contains(e.Error(), c.want) {
			t.Errorf("%d %s: kind %v msg %q", c.status, c.body, e.Kind, e.Error())
		}
	}
}
