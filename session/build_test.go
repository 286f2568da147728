package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mstudio/prompts"
)

func example(t *testing.T, name string) *prompts.Prompt {
	t.Helper()
	src, ok := prompts.ExampleSource(name)
	if !ok {
		t.Fatalf("no example %q", name)
	}
	p, err := prompts.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildKeepsThePromptsOwnUnlessASettingSaysOtherwise(t *testing.T) {
	p := example(t, "extract")
	req, err := Build(p, "", nil, []Setting{{Name: "temperature", Value: "0.5"}, {Name: "maxOutputTokens", Value: "99"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "mistral-small-latest" || req.ResponseFormat == nil || req.ResponseFormat.JSONSchema == nil || req.ResponseFormat.JSONSchema.Name != "extract" ||
		*req.Temperature != 0.5 || *req.MaxTokens != 99 || !strings.Contains(req.Messages[1].Content.String(), "Lyon") {
		t.Fatalf("request %+v", req)
	}
	req, err = Build(p, "mistral-large-latest", map[string]any{"text": "Paris"}, []Setting{{Name: "response_format", Value: "default"}, {Name: "temperature", Value: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "mistral-large-latest" || req.ResponseFormat != nil || req.Temperature != nil || req.Messages[1].Content.String() != "Paris" {
		t.Fatalf("overridden: %+v", req)
	}
	for _, bad := range []Setting{{Name: "warmth", Value: "1"}, {Name: "temperature", Value: "9"}} {
		_, err := Build(p, "", nil, []Setting{bad})
		var se *SettingError
		if !errors.As(err, &se) || se.Setting != bad {
			t.Fatalf("%v: error %v", bad, err)
		}
	}
	w := example(t, "weather")
	params, err := PromptParams(w)
	if err != nil || params.ToolChoice == nil || params.ToolChoice.Mode != "auto" || *params.Temperature != 0.2 {
		t.Fatalf("weather's own parameters %+v (%v)", params, err)
	}
	if params, _ := PromptParams(p); params.ResponseFormat == nil || params.ResponseFormat.JSONSchema == nil {
		t.Fatalf("extract's own parameters lack its schema: %+v", params)
	}
}

// What Build makes is recorded as the very bytes that went out, and the
// curl export sends those bytes again.
func TestBuiltRequestIsRecordedAndExportedByteForByte(t *testing.T) {
	var wire []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wire, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"id":"a","choices":[{"index":0,"delta":{"content":"{}"},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	req, err := Build(example(t, "extract"), "", nil, []Setting{{Name: "stop", Value: `["}\n", "<\u2028>"]`}, {Name: "random_seed", Value: "7"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Create(t.TempDir(), Header{Prompt: "extract", Endpoint: "test", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Recorder: rec}
	if res := e.Run(context.Background(), target(srv, ""), req, nil); res.Err != nil {
		t.Fatal(res.Err)
	}
	rec.Close()
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	body := string(s.Runs[0].Body)
	if body != strings.TrimSuffix(string(wire), "\n") || !strings.Contains(body, `"json_schema"`) {
		t.Fatalf("recorded\n%s\nsent\n%s", body, wire)
	}
	script, err := Export(s, 0, FormatCurl)
	if err != nil || !strings.Contains(script, "\n"+body+"\n") {
		t.Fatalf("the curl export does not carry the recorded bytes (%v):\n%s", err, script)
	}
	// replay --live sends the recorded request again, not a rebuilt one:
	// the same bytes.
	wire = nil
	if res := (&Engine{}).ReplayLive(context.Background(), target(srv, ""), s.Runs[0], ""); res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := strings.TrimSuffix(string(wire), "\n"); got != body {
		t.Fatalf("replay --live sent\n%s\nrecorded\n%s", got, body)
	}
}
