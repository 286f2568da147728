package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runRecord is the --json record, decoded with every figure as a JSON
// number so the test sees what a script sees.
type runRecord struct {
	Model        string           `json:"model"`
	Endpoint     string           `json:"endpoint"`
	Content      string           `json:"content"`
	Reasoning    string           `json:"reasoning"`
	ToolCalls    []toolCallRecord `json:"tool_calls"`
	FinishReason string           `json:"finish_reason"`
	Usage        *usageRecord     `json:"usage"`
	TTFTMs       json.Number      `json:"ttft_ms"`
	LatencyMs    json.Number      `json:"latency_ms"`
	CostUSD      *json.Number     `json:"cost_usd"`
	Error        *string          `json:"error"`
}

type toolCallRecord struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type usageRecord struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// decodeStrict decodes stdout as exactly one JSON value into v, requiring
// every key of the record to be present.
func decodeStrict(t *testing.T, stdout string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", stdout)
	}
	var generic any
	json.Unmarshal([]byte(stdout), &generic)
	objs, ok := generic.([]any)
	if !ok {
		objs = []any{generic}
	}
	for _, o := range objs {
		m := o.(map[string]any)
		for _, k := range []string{"model", "endpoint", "content", "reasoning", "tool_calls", "finish_reason", "usage", "ttft_ms", "latency_ms", "cost_usd", "error"} {
			if _, ok := m[k]; !ok {
				t.Errorf("record lacks %q: %v", k, m)
			}
		}
	}
	if !strings.HasPrefix(stdout, "{\n  \"") && !strings.HasPrefix(stdout, "[\n  {\n    \"") {
		t.Errorf("stdout is not indented by two spaces:\n%s", stdout)
	}
}

func checkNumber(t *testing.T, name string, n json.Number) {
	t.Helper()
	if _, err := n.Float64(); err != nil {
		t.Errorf("%s = %q, not a number", name, n)
	}
}

func TestEndToEndRunJSON(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "-m", "mistral-small-latest", "--endpoint", url, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec runRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Content == "" || rec.Model != "mistral-small-latest" || rec.Endpoint != url || rec.Error != nil {
		t.Errorf("record %+v", rec)
	}
	if rec.Usage == nil || rec.Usage.CompletionTokens == 0 || rec.Usage.TotalTokens != rec.Usage.PromptTokens+rec.Usage.CompletionTokens {
		t.Errorf("usage %+v", rec.Usage)
	}
	checkNumber(t, "ttft_ms", rec.TTFTMs)
	checkNumber(t, "latency_ms", rec.LatencyMs)
	if rec.CostUSD == nil {
		t.Error("cost_usd is null for a priced model")
	} else {
		checkNumber(t, "cost_usd", *rec.CostUSD)
	}
	if rec.FinishReason != "stop" {
		t.Errorf("finish_reason %q", rec.FinishReason)
	}
	if strings.Contains(r.stderr, "simulated") {
		t.Errorf("an explicit endpoint is not the automatic simulator: %q", r.stderr)
	}
}

func TestEndToEndFlagsAfterArguments(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "Say hi", "run", "-", "--endpoint", url, "--json", "-m", "mistral-small-latest")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec runRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Content == "" {
		t.Errorf("record %+v", rec)
	}
}

func TestEndToEndCompareJSON(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "-m", "mistral-small-latest", "-m", "mistral-large-latest", "--endpoint", url, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []runRecord
	decodeStrict(t, r.stdout, &recs)
	if len(recs) != 2 || recs[0].Model != "mistral-small-latest" || recs[1].Model != "mistral-large-latest" {
		t.Fatalf("records %+v", recs)
	}
	for _, rec := range recs {
		if rec.Content == "" || rec.Error != nil || rec.Usage == nil {
			t.Errorf("record %+v", rec)
		}
	}
}

func TestEndToEndTextOutput(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "--endpoint", url)
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "mistral-small-latest · "+url+" · ttft ") || !strings.Contains(r.stderr, " in / ") {
		t.Errorf("summary line: %q", r.stderr)
	}
	if strings.ContainsRune(r.stdout+r.stderr, 0x1b) {
		t.Errorf("escape sequences on a pipe: %q %q", r.stdout, r.stderr)
	}
}

func TestEndToEndStatusFault(t *testing.T) {
	url := simURL(t, "--fault", "status=500,times=always")
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "--endpoint", url, "--json", "--retries", "0")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	var rec runRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Error == nil || !strings.HasPrefix(*rec.Error, "500 internal server error") {
		t.Errorf("error %v", rec.Error)
	}
	if !strings.Contains(r.stderr, "500 internal server error") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestEndToEndCutStreamKeepsPartial(t *testing.T) {
	url := simURL(t, "--fault", "cut=5,times=always")
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "--endpoint", url, "--json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	var rec runRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Error == nil || !strings.Contains(*rec.Error, "partial answer is kept") {
		t.Errorf("error %v", rec.Error)
	}
	if rec.Content == "" {
		t.Error("the partial answer was lost")
	}
	// Without --json the partial answer is on stdout and the error on stderr.
	r = runBinary(t, nil, "", "run", "-p", "Say hi", "--endpoint", url)
	if r.code != 1 || strings.TrimSpace(r.stdout) == "" || !strings.Contains(r.stderr, "cut off") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestEndToEndModelsJSON(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "models", "--endpoint", url, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var models []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &models); err != nil || len(models) == 0 {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	var small map[string]any
	for _, m := range models {
		for _, k := range []string{"id", "aliases", "name", "capabilities", "max_context_length", "deprecation", "type", "price_input", "price_output"} {
			if _, ok := m[k]; !ok {
				t.Errorf("model lacks %q: %v", k, m)
			}
		}
		ids := []any{m["id"]}
		ids = append(ids, m["aliases"].([]any)...)
		for _, id := range ids {
			if id == "mistral-small-latest" {
				small = m
			}
		}
	}
	if small == nil {
		t.Fatalf("no model answers to mistral-small-latest:\n%s", r.stdout)
	}
	if small["price_input"] == nil || small["price_output"] == nil {
		t.Errorf("mistral-small-latest has no price: %v", small)
	}
	// The table: a header row and one row per model, within 100 columns.
	r = runBinary(t, nil, "", "models", "--endpoint", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "MODEL") || len(lines) != len(models)+1 {
		t.Errorf("table has %d lines for %d models:\n%s", len(lines), len(models), r.stdout)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > defaultWidth {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}

func TestEndToEndInterrupt(t *testing.T) {
	url := simURL(t, "--fault", "stall=20s,at=3,times=always")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "run", "-p", "Say hi", "--endpoint", url)
	cmd.Env = testEnv(t.TempDir())
	var errb bytes.Buffer
	out := &watchWriter{want: "", seen: make(chan struct{})} // any answer text
	cmd.Stdout, cmd.Stderr = out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.seen:
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer within 10s; stderr %q", errb.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; stderr %q", err, errb.String())
	}
	if strings.TrimSpace(out.b.String()) == "" || !strings.HasSuffix(out.b.String(), "\n") {
		t.Errorf("partial answer %q", out.b.String())
	}
	if !strings.Contains(errb.String(), "interrupted; the partial answer is kept") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestEndToEndSimServesAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "sim", "--addr", "127.0.0.1:0", "--key", "sk-sim-secret")
	cmd.Env = testEnv(t.TempDir())
	out := &watchWriter{want: "\n", seen: make(chan struct{})}
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.seen:
	case <-time.After(10 * time.Second):
		t.Fatal("no listening line")
	}
	line := out.b.String()
	url := strings.TrimSuffix(strings.TrimPrefix(line, "mstudio sim listening on "), "\n")
	if !strings.HasPrefix(line, "mstudio sim listening on http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("listening line %q", line)
	}
	// The key the sim wants: a run without it fails, with it succeeds.
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "--endpoint", url, "--json")
	if r.code != 1 || !strings.Contains(r.stderr, "401") {
		t.Errorf("without key: exit %d, %s", r.code, r.stderr)
	}
	r = runBinary(t, []string{"MISTRAL_API_KEY=sk-sim-secret"}, "", "run", "-p", "Say hi", "--endpoint", url, "--json")
	if r.code != 0 {
		t.Errorf("with key: exit %d, %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "sk-sim-secret") {
		t.Error("the key was printed")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("sim after SIGTERM: %v; stderr %q", err, errb.String())
	}
	if out.b.String() != line || strings.Contains(errb.String(), "sk-sim-secret") {
		t.Errorf("stdout %q, stderr %q: one line only, no key", out.b.String(), errb.String())
	}
}
