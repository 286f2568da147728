package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// startServer runs a simulator over real HTTP for one test.
func startServer(t *testing.T, opts Options) (*httptest.Server, *Server) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s
}

// post sends a JSON body with optional header pairs.
func post(t *testing.T, ts *httptest.Server, path, body string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, data
}

// chatBody builds a chat request body from a map, so tests read as JSON.
func chatBody(t *testing.T, m map[string]any) string {
	t.Helper()
	if _, ok := m["model"]; !ok {
		m["model"] = "mistral-small-latest"
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func user(text string) map[string]any { return map[string]any{"role": "user", "content": text} }

// sseEvent is one "data:" payload and when it arrived.
type sseEvent struct {
	data string
	at   time.Duration
}

// readSSE parses a text/event-stream by hand: data lines, blank-line
// separators. It reports whether the stream ended with [DONE].
func readSSE(t *testing.T, body io.Reader, start time.Time) (events []sseEvent, done bool) {
	t.Helper()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("unexpected SSE line %q", line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		if done {
			t.Fatalf("event after [DONE]: %q", data)
		}
		events = append(events, sseEvent{data, time.Since(start)})
	}
	return events, done
}

// stream posts a streamed chat request and returns its events.
func stream(t *testing.T, ts *httptest.Server, body string, headers ...string) (*http.Response, []sseEvent, bool) {
	t.Helper()
	return streamAt(t, ts, "/v1/chat/completions", body, headers...)
}

func streamAt(t *testing.T, ts *httptest.Server, path, body string, headers ...string) (*http.Response, []sseEvent, bool) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	events, done := readSSE(t, resp.Body, start)
	return resp, events, done
}

// chunk is the part of a stream chunk the tests look at.
type chunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role      *string           `json:"role"`
			Content   json.RawMessage   `json:"content"`
			ToolCalls []json.RawMessage `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
	P *string `json:"p"`
}

func decodeChunks(t *testing.T, events []sseEvent) []chunk {
	t.Helper()
	out := make([]chunk, len(events))
	for i, e := range events {
		dec := json.NewDecoder(strings.NewReader(e.data))
		if err := dec.Decode(&out[i]); err != nil {
			t.Fatalf("event %d %q: %v", i, e.data, err)
		}
	}
	return out
}

// collect joins a stream's answer and thinking text.
func collect(t *testing.T, chunks []chunk) (text, thinking string) {
	t.Helper()
	var tb, th strings.Builder
	for _, c := range chunks {
		for _, ch := range c.Choices {
			raw := ch.Delta.Content
			if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
				continue
			}
			if raw[0] == '"' {
				var s string
				_ = json.Unmarshal(raw, &s)
				tb.WriteString(s)
				continue
			}
			var parts []struct {
				Type     string `json:"type"`
				Text     string `json:"text"`
				Thinking []struct {
					Text string `json:"text"`
				} `json:"thinking"`
			}
			if err := json.Unmarshal(raw, &parts); err != nil {
				t.Fatalf("content %s: %v", raw, err)
			}
			for _, p := range parts {
				switch p.Type {
				case "thinking":
					for _, x := range p.Thinking {
						th.WriteString(x.Text)
					}
				case "text":
					tb.WriteString(p.Text)
				}
			}
		}
	}
	return tb.String(), th.String()
}

// response is the non-streamed body as the tests read it.
type response struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role      string          `json:"role"`
			Content   json.RawMessage `json:"content"`
			ToolCalls []struct {
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

func complete(t *testing.T, ts *httptest.Server, body string) response {
	t.Helper()
	resp, data := post(t, ts, "/v1/chat/completions", body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return r
}

func contentString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("content %s is not a string: %v", raw, err)
	}
	return s
}

// withTimeout bounds a test step that must not hang.
func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
