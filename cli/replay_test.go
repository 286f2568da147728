package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// streamBody returns the exact bytes a server sends for a recorded stream:
// a .sse file as it is; a .chunks.jsonl file (vercel/ai's format) with
// "data: " before and a blank line after each chunk, then data: [DONE], as
// vercel's own tests replay them.
func streamBody(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(name, ".chunks.jsonl") {
		return string(data)
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		b.WriteString("data: " + line + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// expected is what a stream carried, read straight from its JSON with
// encoding/json, independently of the api package.
type expected struct {
	content, reasoning, finish string
	toolCalls                  []toolCallRecord
	usage                      *usageRecord
}

func expectFromStream(t *testing.T, body string) expected {
	t.Helper()
	var e expected
	byIndex := map[int]int{} // tool-call index -> position in e.toolCalls
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content   json.RawMessage `json:"content"`
					ToolCalls []struct {
						Index    *int   `json:"index"`
						ID       string `json:"id"`
						Function struct {
							Name      string `json:"name"`
							Arguments string `json:"arguments"`
						} `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *usageRecord `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("fixture chunk %q: %v", data, err)
		}
		if chunk.Usage != nil {
			e.usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			var s string
			var parts []struct {
				Type     string `json:"type"`
				Text     string `json:"text"`
				Thinking []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"thinking"`
			}
			switch {
			case json.Unmarshal(ch.Delta.Content, &s) == nil:
				e.content += s
			case json.Unmarshal(ch.Delta.Content, &parts) == nil:
				for _, p := range parts {
					switch p.Type {
					case "text":
						e.content += p.Text
					case "thinking":
						for _, th := range p.Thinking {
							if th.Type == "text" {
								e.reasoning += th.Text
							}
						}
					}
				}
			}
			for pos, tc := range ch.Delta.ToolCalls {
				idx := pos
				if tc.Index != nil {
					idx = *tc.Index
				}
				i, seen := byIndex[idx]
				if !seen {
					i = len(e.toolCalls)
					byIndex[idx] = i
					e.toolCalls = append(e.toolCalls, toolCallRecord{})
				}
				if tc.ID != "" {
					e.toolCalls[i].ID = tc.ID
				}
				if tc.Function.Name != "" {
					e.toolCalls[i].Name = tc.Function.Name
				}
				e.toolCalls[i].Arguments += tc.Function.Arguments
			}
			if ch.FinishReason != nil {
				e.finish = *ch.FinishReason
			}
		}
	}
	if e.toolCalls == nil {
		e.toolCalls = []toolCallRecord{}
	}
	return e
}

// replayServer answers POST /v1/chat/completions with body, byte for byte.
func replayServer(t *testing.T, body string) (*httptest.Server, func() []byte) {
	t.Helper()
	var mu sync.Mutex
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = b
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []byte { mu.Lock(); defer mu.Unlock(); return got }
}

// TestRunJSONReplaysRealStreams is this milestone's acceptance test: each
// recorded real Mistral stream (and one synthetic reasoning stream built
// from the documented shape) is served byte for byte, and the real binary's
// --json record must carry exactly what the stream carried.
func TestRunJSONReplaysRealStreams(t *testing.T) {
	files := []string{
		"prism_stream-with-tools-1-1.sse",
		"vercel_mistral-text.chunks.jsonl",
		"vercel_mistral-tool-call.chunks.jsonl",
		"vercel_mistral-usage-raw-live.chunks.jsonl",
		"synthetic_reasoning.sse",
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			body := streamBody(t, name)
			want := expectFromStream(t, body)
			if want.content == "" && len(want.toolCalls) == 0 || want.usage == nil {
				t.Fatalf("fixture carries no answer or no usage: %+v", want)
			}
			srv, sent := replayServer(t, body)
			r := runBinary(t, nil, "", "run", "-p", "Say hi", "-m", "mistral-small-latest", "--endpoint", srv.URL, "--json")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var rec runRecord
			decodeStrict(t, r.stdout, &rec)
			if rec.Content != want.content {
				t.Errorf("content = %q, want %q", rec.Content, want.content)
			}
			if rec.Reasoning != want.reasoning {
				t.Errorf("reasoning = %q, want %q", rec.Reasoning, want.reasoning)
			}
			if !reflect.DeepEqual(rec.ToolCalls, want.toolCalls) {
				t.Errorf("tool_calls = %+v, want %+v", rec.ToolCalls, want.toolCalls)
			}
			if !reflect.DeepEqual(rec.Usage, want.usage) {
				t.Errorf("usage = %+v, want %+v", rec.Usage, want.usage)
			}
			if rec.FinishReason != want.finish {
				t.Errorf("finish_reason = %q, want %q", rec.FinishReason, want.finish)
			}
			if rec.Model != "mistral-small-latest" || rec.Endpoint != srv.URL || rec.Error != nil {
				t.Errorf("model %q, endpoint %q, error %v", rec.Model, rec.Endpoint, rec.Error)
			}
			checkNumber(t, "ttft_ms", rec.TTFTMs)
			checkNumber(t, "latency_ms", rec.LatencyMs)
			if rec.CostUSD == nil {
				t.Error("cost_usd is null for mistral-small-latest")
			}
			var req struct {
				Model    string `json:"model"`
				Stream   bool   `json:"stream"`
				Messages []struct {
					Role    string `json:"role"`
					Content string `json:"content"`
				} `json:"messages"`
			}
			if err := json.Unmarshal(sent(), &req); err != nil {
				t.Fatalf("request body: %v", err)
			}
			if req.Model != "mistral-small-latest" || !req.Stream || len(req.Messages) != 1 || req.Messages[0].Content != "Say hi" {
				t.Errorf("request %+v", req)
			}
		})
	}
}

// The expectations above must see what the fixtures are known to hold, or
// the acceptance test could pass on an empty reading.
func TestExpectFromStreamReadsFixtures(t *testing.T) {
	prism := expectFromStream(t, streamBody(t, "prism_stream-with-tools-1-1.sse"))
	want := []toolCallRecord{
		{"yBvJuId6u", "search", `{"query": "Detroit Tigers game time today"}`},
		{"ihQrVBDfy", "weather", `{"city": "Detroit"}`},
	}
	if !reflect.DeepEqual(prism.toolCalls, want) || prism.usage == nil || *prism.usage != (usageRecord{164, 25, 189}) {
		t.Errorf("prism: %+v", prism)
	}
	text := expectFromStream(t, streamBody(t, "vercel_mistral-text.chunks.jsonl"))
	if text.content != "Hello, world! This is a test response." || text.finish != "stop" {
		t.Errorf("vercel text: %+v", text)
	}
	reason := expectFromStream(t, streamBody(t, "synthetic_reasoning.sse"))
	if !strings.HasPrefix(reason.reasoning, "The user asks for 2 + 2.") || reason.content != "2 + 2 = **4**. ✓" {
		t.Errorf("synthetic reasoning: %+v", reason)
	}
}
