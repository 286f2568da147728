package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/config"
)

// helloSSE is a short ordinary answer.
var helloSSE = sseOf(
	textChunk(`""`, ""), textChunk(`"Hello"`, ""), textChunk(`" there."`, ""), textChunk(`""`, "stop"),
)

func TestExitStatuses(t *testing.T) {
	isolate(t)
	ok := newFakeServer(t, helloSSE, 0, "", "")
	unauthorized := newFakeServer(t, "", 401, `{"detail":"Unauthorized"}`, "")
	dir := t.TempDir()
	badPrompt := filepath.Join(dir, "bad.prompt")
	os.WriteFile(badPrompt, []byte("---\nconfig:\n  temperature: 9\n---\nHi\n"), 0o644)
	badConfig := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badConfig, []byte("endpoint: global\nparallel: 99\n"), 0o644)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // in stdout
		stderr string // in stderr
	}{
		{"no args prints help", nil, 0, "Usage:", ""},
		{"--help", []string{"--help"}, 0, "mstudio run FILE|-p TEXT", ""},
		{"help run", []string{"help", "run"}, 0, "--var NAME=VALUE", ""},
		{"help unknown", []string{"help", "bogus"}, 2, "", `unknown command "bogus"`},
		{"version", []string{"--version"}, 0, "mstudio ", ""},
		{"unknown command", []string{"bogus"}, 2, "", "unknown command \"bogus\"\n\nmstudio: a terminal studio"},
		{"run --help", []string{"run", "--help"}, 0, "Usage: mstudio run", ""},
		{"models --help", []string{"models", "-h"}, 0, "Usage: mstudio models", ""},
		{"sim --help", []string{"sim", "--help"}, 0, "Usage: mstudio sim", ""},
		{"run without prompt", []string{"run"}, 2, "", "nothing to run"},
		{"bad flag", []string{"run", "-p", "x", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{"unknown endpoint", []string{"run", "-p", "x", "--endpoint", "mars"}, 2, "", `unknown endpoint "mars"`},
		{"bad URL endpoint", []string{"run", "-p", "x", "--endpoint", "http://"}, 2, "", "not a valid URL"},
		{"unknown --set", []string{"run", "-p", "x", "--set", "temp=1"}, 2, "", "valid: temperature, top_p"},
		{"bad --set value", []string{"run", "-p", "x", "--set", "top_p=3"}, 2, "", "out of range (0 … 1)"},
		{"missing prompt file", []string{"run", filepath.Join(dir, "nope.prompt")}, 2, "", "no such prompt file"},
		{"bad prompt file", []string{"run", badPrompt, "--endpoint", ok.URL}, 2, "", "bad.prompt:3"},
		{"missing variable", []string{"run", "-p", "Hi {{name}}", "--endpoint", ok.URL}, 2, "", "--var name="},
		{"missing --var file", []string{"run", "-p", "Hi {{name}}", "--var", "name=@" + filepath.Join(dir, "none")}, 2, "", "--var name=@"},
		{"bad config", []string{"run", "-p", "x", "--config", badConfig}, 2, "", "bad.yaml:2: parallel"},
		{"missing --config", []string{"run", "-p", "x", "--config", filepath.Join(dir, "none.yaml")}, 2, "", "no such file"},
		{"empty inline prompt", []string{"run", "-p", " "}, 2, "", "the prompt is empty"},
		{"run ok", []string{"run", "-p", "Say hi", "--endpoint", ok.URL}, 0, "Hello there.\n", "mistral-small-latest · " + ok.URL},
		{"run refused", []string{"run", "-p", "Say hi", "--endpoint", unauthorized.URL}, 1, "", "401 unauthorized: the API key was refused"},
		{"models refused", []string{"models", "--endpoint", unauthorized.URL}, 1, "", "mstudio models: 401 unauthorized"},
		{"models extra arg", []string{"models", "x"}, 2, "", `unexpected argument "x"`},
		{"sim bad fault", []string{"sim", "--fault", "status=abc"}, 2, "", "--fault: sim fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tt.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
			if tt.code == 2 && r.stdout != "" {
				t.Errorf("usage error printed on stdout: %q", r.stdout)
			}
		})
	}
}

func writeConfig(t *testing.T, configHome, text string) string {
	t.Helper()
	dir := filepath.Join(configHome, "mstudio")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigEndpointAndKeyEnv(t *testing.T) {
	home := isolate(t)
	srv := newFakeServer(t, helloSSE, 0, "", "")
	writeConfig(t, home, "endpoints:\n  work:\n    url: "+srv.URL+"/v1\n    key_env: MY_WORK_KEY\n")
	t.Setenv("MY_WORK_KEY", "sk-work-secret-123")
	t.Setenv("MISTRAL_API_KEY", "sk-global-secret-456")

	r := runMain(t, "", "run", "-p", "Say hi", "--endpoint", "work", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := srv.last(t).auth; got != "Bearer sk-work-secret-123" {
		t.Errorf("Authorization = %q, want the key_env key", got)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	if rec["endpoint"] != "work" || rec["content"] != "Hello there." {
		t.Errorf("record %v", rec)
	}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, "secret") {
			t.Errorf("a key was printed: %q", s)
		}
	}

	// The config file's default endpoint applies without the flag.
	writeConfig(t, home, "endpoint: work\nendpoints:\n  work:\n    url: "+srv.URL+"\n    key_env: MY_WORK_KEY\n")
	r = runMain(t, "", "run", "-p", "Say hi")
	if r.code != 0 || r.stdout != "Hello there.\n" {
		t.Fatalf("default endpoint: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "· work ·") {
		t.Errorf("summary does not name the endpoint: %q", r.stderr)
	}

	// A named key variable that is not set is worth a word on stderr.
	t.Setenv("MY_WORK_KEY", "")
	r = runMain(t, "", "run", "-p", "Say hi")
	if r.code != 0 || !strings.Contains(r.stderr, "$MY_WORK_KEY is not set") || srv.last(t).auth != "" {
		t.Errorf("unset key_env: exit %d, stderr %q, auth %q", r.code, r.stderr, srv.last(t).auth)
	}
}

func TestConfigEndpointWithoutKeyIsNotTheSimulator(t *testing.T) {
	home := isolate(t)
	srv := newFakeServer(t, helloSSE, 0, "", "")
	writeConfig(t, home, "endpoint: local\nendpoints:\n  local:\n    url: "+srv.URL+"\n    dialect: openai\n")
	r := runMain(t, "", "run", "-p", "Say hi")
	if r.code != 0 || r.stdout != "Hello there.\n" || strings.Contains(r.stderr, "simulated") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// --endpoint sim asks for the simulator by name, whatever the config says.
	r = runMain(t, "", "run", "-p", "Say hi", "--endpoint", "sim", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"endpoint": "sim"`) || !strings.Contains(r.stderr, "offline simulated output") {
		t.Errorf("--endpoint sim: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestURLEndpointSendsMistralKey(t *testing.T) {
	isolate(t)
	t.Setenv("MISTRAL_API_KEY", "sk-abc")
	srv := newFakeServer(t, helloSSE, 0, "", "")
	if r := runMain(t, "", "run", "-p", "Say hi", "--endpoint", srv.URL); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := srv.last(t).auth; got != "Bearer sk-abc" {
		t.Errorf("Authorization = %q", got)
	}
}

func TestOpenAIDialectEndpointGetsNoMistralKey(t *testing.T) {
	home := isolate(t)
	t.Setenv("MISTRAL_API_KEY", "sk-abc")
	srv := newFakeServer(t, helloSSE, 0, "", "")
	writeConfig(t, home, "endpoints:\n  local:\n    url: "+srv.URL+"\n    dialect: openai\n")
	if r := runMain(t, "", "run", "-p", "Say hi", "--endpoint", "local"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	req := srv.last(t)
	if req.auth != "" {
		t.Errorf("a Mistral key went to a local OpenAI-dialect server: %q", req.auth)
	}
	if !strings.Contains(string(req.body), `"stream_options"`) {
		t.Errorf("the openai dialect was not used: %s", req.body)
	}
}

func TestChooseEndpoint(t *testing.T) {
	yes := true
	cfg := config.Default()
	cfg.Endpoints["work"] = config.Endpoint{URL: "https://proxy.example/v1", KeyEnv: "WORK_KEY", Regional: &yes}
	env := map[string]string{"MISTRAL_API_KEY": "g", "WORK_KEY": "w"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		flag, url, key string
		regional, sim  bool
	}{
		{"", "https://api.mistral.ai", "g", false, false},
		{"global", "https://api.mistral.ai", "g", false, false},
		{"eu", "https://api.eu.mistral.ai", "g", true, false},
		{"us", "https://api.us.mistral.ai", "g", true, false},
		{"https://api.eu.mistral.ai/v1/", "https://api.eu.mistral.ai", "g", true, false},
		{"work", "https://proxy.example", "w", true, false},
		{"vllm", "http://127.0.0.1:8000", "", false, false},
		{"sim", "", "", false, true},
	}
	for _, tt := range tests {
		ch, err := chooseEndpoint(tt.flag, cfg, getenv)
		if err != nil {
			t.Errorf("%q: %v", tt.flag, err)
			continue
		}
		if ch.endpoint.BaseURL != tt.url || ch.key != tt.key || ch.regional != tt.regional || ch.simulated != tt.sim {
			t.Errorf("%q: got %+v", tt.flag, ch)
		}
	}
	// no key, no endpoint: the simulator, chosen automatically
	ch, err := chooseEndpoint("", config.Default(), func(string) string { return "" })
	if err != nil || !ch.simulated || !ch.auto || ch.endpoint.Name != "sim" {
		t.Errorf("no key: %+v, %v", ch, err)
	}
	// an endpoint but no key: that endpoint, without a key
	ch, err = chooseEndpoint("eu", config.Default(), func(string) string { return "" })
	if err != nil || ch.simulated || ch.key != "" {
		t.Errorf("eu without key: %+v, %v", ch, err)
	}
	if _, err := chooseEndpoint("mars", cfg, getenv); err == nil || !strings.Contains(err.Error(), "the config file names: work") {
		t.Errorf("unknown endpoint: %v", err)
	}
}

func TestNoKeyRunsOnTheSimulator(t *testing.T) {
	isolate(t)
	r := runMain(t, "", "run", "-p", "Say hi")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "offline simulated output") {
		t.Errorf("stderr does not say the output is simulated: %q", r.stderr)
	}
	if strings.Contains(r.stdout, "simulated") || strings.TrimSpace(r.stdout) == "" {
		t.Errorf("stdout should hold only the answer: %q", r.stdout)
	}
	r = runMain(t, "", "run", "-p", "Say hi", "--json")
	var rec map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rec) != nil {
		t.Fatalf("--json on the simulator: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if rec["endpoint"] != "sim" || rec["content"] == "" || rec["error"] != nil {
		t.Errorf("record %v", rec)
	}
	if !strings.Contains(r.stderr, "offline simulated output") {
		t.Errorf("--json: stderr does not say the output is simulated: %q", r.stderr)
	}
	r = runMain(t, "", "models", "--json")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[") || !strings.Contains(r.stderr, "offline simulated output") {
		t.Errorf("models on the simulator: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
}

func TestRequestFromVarsAndSets(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, helloSSE, 0, "", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "city.txt")
	os.WriteFile(file, []byte("Lyon"), 0o644)
	prompt := filepath.Join(dir, "prompts", "trip.prompt")
	os.MkdirAll(filepath.Dir(prompt), 0o755)
	os.WriteFile(prompt, []byte("---\nmodel: mistral/mistral-large-latest\nconfig:\n  temperature: 0.7\n---\nOne sight in {{city}}, {{mood}}.\n"), 0o644)

	// FILE given as a name in --dir; --set overrides the file's config.
	r := runMain(t, "", "run", "trip", "--dir", filepath.Join(dir, "prompts"), "--var", "city=@"+file, "--var", "mood=@@calm",
		"--set", "temperature=0.2", "--set", "max_tokens=50", "--endpoint", srv.URL, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var body struct {
		Model       string   `json:"model"`
		Temperature *float64 `json:"temperature"`
		MaxTokens   *int     `json:"max_tokens"`
		Messages    []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(srv.last(t).body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Model != "mistral-large-latest" {
		t.Errorf("model = %q, want the prompt's (without mistral/)", body.Model)
	}
	if body.Temperature == nil || *body.Temperature != 0.2 || body.MaxTokens == nil || *body.MaxTokens != 50 {
		t.Errorf("temperature %v, max_tokens %v", body.Temperature, body.MaxTokens)
	}
	if len(body.Messages) != 1 || !strings.Contains(body.Messages[0].Content.(string), "One sight in Lyon, @calm.") {
		t.Errorf("messages %+v", body.Messages)
	}

	// -m wins over the prompt's model; -p - reads stdin.
	r = runMain(t, "Hello from stdin", "run", "-p", "-", "-m", "ministral-8b-latest", "--endpoint", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if b := string(srv.last(t).body); !strings.Contains(b, `"model":"ministral-8b-latest"`) || !strings.Contains(b, "Hello from stdin") {
		t.Errorf("body %s", b)
	}
}

func TestModelPrecedence(t *testing.T) {
	cfg := config.Default()
	if got := pickModels(nil, "", cfg); got[0] != "mistral-small-latest" {
		t.Errorf("default %q", got)
	}
	cfg.Model = "codestral-latest"
	if got := pickModels(nil, "", cfg); got[0] != "codestral-latest" {
		t.Errorf("config %q", got)
	}
	if got := pickModels(nil, "mistral/mistral-large-latest", cfg); got[0] != "mistral-large-latest" {
		t.Errorf("prompt %q", got)
	}
	if got := pickModels([]string{"a", "b"}, "p", cfg); len(got) != 2 || got[0] != "a" {
		t.Errorf("flag %q", got)
	}
	cfg.Model = ""
	if got := pickModels(nil, "", cfg); got[0] != "mistral-small-latest" {
		t.Errorf("empty config model %q", got)
	}
}

// hostileSSE carries terminal escapes in the answer, the thinking and the
// tool call: a title change, an OSC 52 clipboard write, a screen clear, a
// C1 CSI, a carriage return.
var hostileSSE = sseOf(
	`{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"think\u001b]0;pwned\u0007ing"}]}]},"finish_reason":null}]}`,
	textChunk(`"Safe \u001b]52;c;ZWNobyBwd25lZA==\u0007text"`, ""),
	textChunk(`" \u001b[2J\u001b[Hmore \u009b31mred\rdone \u001b[3"`, ""),
	textChunk(`"1m end 😀"`, ""),
	`{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"id":"abcdefghi","function":{"name":"we\u001b[8mather","arguments":"{\"q\":\"\u001b]0;t\u0007x\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
)

func TestUntrustedTextNeverReachesTheTerminalRaw(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, hostileSSE, 0, "", "")
	r := runMain(t, "", "run", "-p", "x", "--endpoint", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if strings.ContainsAny(s, "\x1b\x07\r\u009b") {
			t.Errorf("%s carries a control: %q", name, s)
		}
	}
	if want := "Safe text more reddone  end 😀\ntool call: weather {\"q\":\"x\"}  (id abcdefghi)\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "thinking") {
		t.Errorf("thinking missing from stderr: %q", r.stderr)
	}
	// Two models: the finished answers are printed the same way.
	r = runMain(t, "", "run", "-p", "x", "--endpoint", srv.URL, "-m", "a", "-m", "b")
	if r.code != 0 || strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07\r\u009b") {
		t.Errorf("compare output carries a control (exit %d): %q %q", r.code, r.stdout, r.stderr)
	}
	// --json keeps the exact text, escaped as JSON (C1 included).
	r = runMain(t, "", "run", "-p", "x", "--endpoint", srv.URL, "--json")
	if strings.ContainsAny(r.stdout, "\x1b\x07\u009b") {
		t.Errorf("--json carries a raw control: %q", r.stdout)
	}
	var rec struct{ Content, Reasoning string }
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Content != "Safe \x1b]52;c;ZWNobyBwd25lZA==\x07text \x1b[2J\x1b[Hmore \u009b31mred\rdone \x1b[31m end 😀" {
		t.Errorf("--json content changed: %q", rec.Content)
	}
	if rec.Reasoning != "think\x1b]0;pwned\x07ing" {
		t.Errorf("--json reasoning changed: %q", rec.Reasoning)
	}
}

func TestTextOutputSummaryAndCompare(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, helloSSE, 0, "", "")
	r := runMain(t, "", "run", "-p", "Say hi", "--endpoint", srv.URL, "-m", "mistral-small-latest")
	if r.code != 0 || r.stdout != "Hello there.\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"mistral-small-latest · " + srv.URL, "10 in / 5 out", "$"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("summary %q lacks %q", r.stderr, want)
		}
	}
	r = runMain(t, "", "run", "-p", "Say hi", "--endpoint", srv.URL, "-m", "mistral-small-latest", "-m", "unknown-model-x", "--parallel", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	sections := strings.Split(r.stdout, "── ")
	if len(sections) != 3 || !strings.HasPrefix(sections[1], "mistral-small-latest · ") ||
		!strings.HasPrefix(sections[2], "unknown-model-x · ") || !strings.Contains(sections[2], "cost unknown") ||
		!strings.Contains(sections[1], "Hello there.\n") {
		t.Errorf("compare output:\n%s", r.stdout)
	}
}

func TestJSONArrayAndFailure(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, "", 422, `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","store"],"msg":"Extra inputs are not permitted","input":false}]},"type":"invalid_request_error","param":null,"code":null}`, "")
	r := runMain(t, "", "run", "-p", "x", "--endpoint", srv.URL, "-m", "a", "-m", "b", "--json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	var recs []struct {
		Model string
		Error *string
	}
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("stdout is not an array of two records: %v\n%s", err, r.stdout)
	}
	if recs[0].Model != "a" || recs[1].Model != "b" || recs[0].Error == nil || !strings.Contains(*recs[0].Error, `field "store" is not accepted`) {
		t.Errorf("records %+v", recs)
	}
	if !strings.Contains(r.stderr, `field "store" is not accepted`) {
		t.Errorf("stderr does not explain the failure: %q", r.stderr)
	}
}

func TestInterruptKeepsPartialAnswer(t *testing.T) {
	isolate(t)
	// The server sends two pieces, then holds the stream open.
	srv := newStallServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl+C comes once the start of the answer is on the screen.
	out := &watchWriter{want: "answer", seen: make(chan struct{})}
	var errb strings.Builder
	a := newApp(ctx, strings.NewReader(""), out, &errb)
	go func() {
		<-out.seen
		cancel()
	}()
	code := a.main([]string{"run", "-p", "x", "--endpoint", srv.URL})
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if out.b.String() != "partial answer\n" {
		t.Errorf("stdout = %q", out.b.String())
	}
	if !strings.Contains(errb.String(), "interrupted; the partial answer is kept") {
		t.Errorf("stderr = %q", errb.String())
	}
}

// watchWriter closes seen once what was written contains want.
type watchWriter struct {
	b    strings.Builder
	want string
	seen chan struct{}
	done bool
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.b.Write(p)
	if !w.done && strings.Contains(w.b.String(), w.want) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}
