package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/api"
)

// echoServer answers each chat request with "MODEL: the last user
// message", and model "fail" with a 500.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.ChatRequest
		json.NewDecoder(r.Body).Decode(&req)
		if req.Model == "fail" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"message":"boom"}`)
			return
		}
		text, _ := json.Marshal(req.Model + ": " + req.Messages[len(req.Messages)-1].Content.String())
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, sseOf(textChunk(string(text), ""), textChunk(`""`, "stop")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type cellRecord struct {
	Model   string            `json:"model"`
	Content string            `json:"content"`
	Error   *string           `json:"error"`
	Row     *int              `json:"row"`
	Vars    map[string]string `json:"vars"`
	Usage   *struct {
		PromptTokens int `json:"prompt_tokens"`
	} `json:"usage"`
	LatencyMs *int64 `json:"latency_ms"`
}

func TestVarsFileJSON(t *testing.T) {
	isolate(t)
	srv := echoServer(t)
	csvPath := writeFile(t, "rows.csv", "name,lang\nAda,fr\n\"Bob, Jr\",de\n")
	jsonlPath := writeFile(t, "rows.jsonl", "{\"name\":\"Ada\",\"lang\":\"fr\"}\n{\"name\":\"Bob, Jr\",\"lang\":\"de\"}\n")
	for _, path := range []string{csvPath, jsonlPath} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			r := runMain(t, "", "run", "-p", "Hi {{name}} in {{lang}} ({{tone}})", "--var", "tone=warm", "--var", "name=ignored",
				"--endpoint", srv.URL, "-m", "small", "-m", "large", "--vars-file", path, "--json", "--parallel", "3")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var recs []cellRecord
			if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 4 {
				t.Fatalf("stdout is not an array of four cells: %v\n%s", err, r.stdout)
			}
			want := []struct{ model, content, name string }{
				{"small", "small: Hi Ada in fr (warm)", "Ada"},
				{"large", "large: Hi Ada in fr (warm)", "Ada"},
				{"small", "small: Hi Bob, Jr in de (warm)", "Bob, Jr"},
				{"large", "large: Hi Bob, Jr in de (warm)", "Bob, Jr"},
			}
			for i, w := range want {
				c := recs[i]
				if c.Model != w.model || c.Content != w.content || c.Row == nil || *c.Row != i/2+1 || c.Vars["name"] != w.name || c.Error != nil || c.Usage == nil || c.LatencyMs == nil {
					t.Errorf("cell %d: %+v", i, c)
				}
			}
			var raw []map[string]json.RawMessage
			json.Unmarshal([]byte(r.stdout), &raw)
			for _, k := range []string{"model", "endpoint", "content", "reasoning", "tool_calls", "finish_reason", "usage", "ttft_ms", "latency_ms", "cost_usd", "error", "row", "vars"} {
				if _, ok := raw[0][k]; !ok {
					t.Errorf("record lacks %q", k)
				}
			}
		})
	}
}

func TestVarsFileTableAndFailure(t *testing.T) {
	isolate(t)
	srv := echoServer(t)
	path := writeFile(t, "rows.jsonl", "{\"name\":\"Ada\"}\n{\"name\":\"Bob\\u001b[31m\"}\n")
	r := runMain(t, "", "run", "-p", "Hi {{name}}", "--endpoint", srv.URL, "--retries", "0", "-m", "small", "-m", "fail", "--vars-file", path)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header and four cells:\n%s", r.stdout)
	}
	for _, w := range []string{"row", "model", "state", "latency", "in / out", "cost", "answer"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("header %q lacks %q", lines[0], w)
		}
	}
	checks := []struct {
		line int
		want []string
	}{
		{1, []string{"1 Ada", "small", "ok", "10 / 5", "small: Hi Ada"}},
		{2, []string{"1 Ada", "fail", "error"}},
		{3, []string{"2 Bob", "small", "ok", "small: Hi Bob"}},
		{4, []string{"2 Bob", "fail", "error"}},
	}
	for _, c := range checks {
		for _, w := range c.want {
			if !strings.Contains(lines[c.line], w) {
				t.Errorf("line %d %q lacks %q", c.line, lines[c.line], w)
			}
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("a control sequence reached stdout: %q", r.stdout)
	}
	for _, l := range lines {
		if w := len([]rune(l)); w > defaultWidth {
			t.Errorf("line of %d columns: %q", w, l)
		}
	}
	if !strings.Contains(r.stderr, "row 1: fail: ") {
		t.Errorf("stderr does not name the failed cell: %q", r.stderr)
	}
}

func TestVarsFileUsageErrors(t *testing.T) {
	isolate(t)
	srv := echoServer(t)
	bad := writeFile(t, "bad.jsonl", "{\"name\":\"Ada\"}\n{oops\n")
	missing := writeFile(t, "rows.csv", "other\nx\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--vars-file", bad}, "bad.jsonl:2:"},
		{[]string{"--vars-file", missing}, "row 1"},
		{[]string{"--vars-file", filepath.Join(t.TempDir(), "none.csv")}, "--vars-file"},
	} {
		args := append([]string{"run", "-p", "Hi {{name}}", "--endpoint", srv.URL}, tt.args...)
		r := runMain(t, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", tt.args, r.code, r.stderr, r.stdout)
		}
	}
}
