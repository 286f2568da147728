package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/prompts"
)

// loopRecord is the --json record of a run through the agent loop.
type loopRecord struct {
	runRecord
	Turns       int `json:"turns"`
	ToolResults []struct {
		ID           string   `json:"id"`
		Name         string   `json:"name"`
		Arguments    string   `json:"arguments"`
		Result       string   `json:"result"`
		Error        *string  `json:"error"`
		State        string   `json:"state"`
		Turn         int      `json:"turn"`
		SchemaErrors []string `json:"schema_errors"`
	} `json:"tool_results"`
}

func writeWeather(t *testing.T) string {
	t.Helper()
	src, ok := prompts.ExampleSource("weather")
	if !ok {
		t.Fatal("no weather example")
	}
	path := filepath.Join(t.TempDir(), "weather.prompt")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEndToEndWeatherLoopJSON(t *testing.T) {
	url := simURL(t)
	path := writeWeather(t)
	r := runBinary(t, nil, "", "run", path, "--max-turns", "3", "--json", "--endpoint", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec loopRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Turns != 2 || len(rec.ToolResults) != 2 || len(rec.ToolCalls) != 0 || rec.Error != nil || rec.FinishReason != "stop" {
		t.Fatalf("record: %+v", rec)
	}
	results := map[string]string{}
	for _, c := range rec.ToolResults {
		if c.State != "answered" || c.Turn != 1 || c.Error != nil || c.SchemaErrors == nil || len(c.ID) != 9 || !json.Valid([]byte(c.Arguments)) {
			t.Errorf("call %+v", c)
		}
		results[c.Name] = c.Result
	}
	if results["get_weather"] != `{"conditions":"sunny","temp_c":21}` || results["get_time"] != `{"time":"14:05"}` {
		t.Errorf("results: %v", results)
	}
	for _, want := range []string{"21", "sunny", "14:05"} {
		if !strings.Contains(rec.Content, want) {
			t.Errorf("final answer does not quote %s: %s", want, rec.Content)
		}
	}
}

func TestEndToEndWeatherLoopText(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", writeWeather(t), "--endpoint", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "→ get_weather({") || !strings.Contains(r.stderr, `= {"time":"14:05"}`) {
		t.Errorf("stderr lacks the tool lines:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "14:05") || strings.Contains(r.stdout, "tool call:") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestEndToEndMaxTurnsOneIsAPlainRun(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", writeWeather(t), "--max-turns", "1", "--json", "--endpoint", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec runRecord
	decodeStrict(t, r.stdout, &rec)
	if len(rec.ToolCalls) != 2 || rec.FinishReason != "tool_calls" || strings.Contains(r.stdout, "tool_results") {
		t.Errorf("record: %s", r.stdout)
	}
	for _, bad := range []string{"0", "x", "1001"} {
		if r := runBinary(t, nil, "", "run", writeWeather(t), "--max-turns", bad, "--endpoint", url); r.code != ExitUsage || !strings.Contains(r.stderr, "--max-turns") {
			t.Errorf("--max-turns %s: exit %d, %s", bad, r.code, r.stderr)
		}
	}
}

const lookupPrompt = `---
model: mistral-small-latest
maxTurns: 3
toolDefs:
  - name: get_weather
    description: The current weather in a city.
    inputSchema:
      type: object
      properties:
        city: {type: string}
      required: [city]
%s
---
{{role "user"}}
What's the weather in Lyon?
`

func TestEndToEndManualToolFails(t *testing.T) {
	url := simURL(t)
	path := filepath.Join(t.TempDir(), "manual.prompt")
	os.WriteFile(path, []byte(strings.Replace(lookupPrompt, "%s", "", 1)), 0o644)
	r := runBinary(t, nil, "", "run", path, "--endpoint", url)
	if r.code != ExitFailed || !strings.Contains(r.stderr, "tool get_weather has no mock or command: answer it in the studio, or add mstudio.tools.get_weather.mock") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestEndToEndCommandToolNeedsTrust(t *testing.T) {
	url := simURL(t)
	dir := t.TempDir()
	state := "XDG_STATE_HOME=" + t.TempDir()
	os.WriteFile(filepath.Join(dir, "weather.sh"), []byte("#!/bin/sh\nread args\necho \"{\\\"temp_c\\\": 19, \\\"asked\\\": $args}\"\n"), 0o755)
	path := filepath.Join(dir, "cmd.prompt")
	os.WriteFile(path, []byte(strings.Replace(lookupPrompt, "%s", "mstudio.tools:\n  get_weather: {command: [\"./weather.sh\"], timeout: 5s}", 1)), 0o644)

	r := runBinary(t, []string{state}, "", "run", path, "--endpoint", url, "--json")
	if r.code != ExitFailed || !strings.Contains(r.stderr, "is not trusted") || !strings.Contains(r.stderr, "--trust") {
		t.Fatalf("untrusted: exit %d: %s", r.code, r.stderr)
	}
	var rec loopRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Error == nil || len(rec.ToolResults) != 1 || rec.ToolResults[0].State != "failed" {
		t.Errorf("untrusted record: %s", r.stdout)
	}

	r = runBinary(t, []string{state}, "", "run", path, "--endpoint", url, "--json", "--trust")
	if r.code != 0 || !strings.Contains(r.stderr, "trusted "+path) {
		t.Fatalf("--trust: exit %d: %s", r.code, r.stderr)
	}
	rec = loopRecord{}
	decodeStrict(t, r.stdout, &rec)
	if len(rec.ToolResults) != 1 || !strings.HasPrefix(rec.ToolResults[0].Result, `{"temp_c": 19, "asked": {`) || !strings.Contains(rec.Content, "19") {
		t.Errorf("trusted record: %s", r.stdout)
	}
	// trusted once is trusted on the next run, until the file changes
	if r := runBinary(t, []string{state}, "", "run", path, "--endpoint", url, "--json"); r.code != 0 {
		t.Errorf("second run: exit %d: %s", r.code, r.stderr)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("Please.\n")
	f.Close()
	if r := runBinary(t, []string{state}, "", "run", path, "--endpoint", url, "--json"); r.code != ExitFailed || !strings.Contains(r.stderr, "not trusted") {
		t.Errorf("edited file: exit %d: %s", r.code, r.stderr)
	}
}
