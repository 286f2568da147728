package session

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/export")

// TestExportGolden writes both test sessions in every format and compares
// with testdata/export/SESSION.FORMAT.golden (go test -update rewrites).
func TestExportGolden(t *testing.T) {
	for _, name := range []string{"compare", "toolturn"} {
		s, err := Load(filepath.Join("testdata", name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range ExportFormats {
			t.Run(name+"."+format, func(t *testing.T) {
				got, err := Export(s, 0, format)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(got, fakeKey) {
					t.Fatal("key in export")
				}
				golden := filepath.Join("testdata", "export", name+"."+format+".golden")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("export differs from %s (go test -update rewrites it):\n%s", golden, got)
				}
			})
		}
	}
}

// The exports carry the exact body, the key only as an environment
// variable, and the SDKs' spelling of every field.
func TestExportContents(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "compare.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(s.Runs[0].Body)
	curl, _ := Export(s, 0, FormatCurl)
	if !strings.Contains(curl, "\n"+body+"\n") || !strings.Contains(curl, " -N") || !strings.Contains(curl, `"Authorization: Bearer $MISTRAL_API_KEY"`) || !strings.Contains(curl, "https://api.mistral.ai/v1/chat/completions") {
		t.Errorf("curl:\n%s", curl)
	}
	run2, _ := Export(s, 2, FormatCurl)
	if !strings.Contains(run2, "\n"+string(s.Runs[1].Body)+"\n") {
		t.Errorf("curl --run 2:\n%s", run2)
	}
	ts, _ := Export(s, 0, FormatTypeScript)
	for _, want := range []string{"maxTokens: 400", "randomSeed: 42", "responseFormat: {", "jsonSchema: {", "schemaDefinition: {", "toolChoice: \"auto\"", "parallelToolCalls: false",
		"morning_stop: {", "max_price: {", "city_name: {", "unit_system: {", "client.chat.stream("} {
		if !strings.Contains(ts, want) {
			t.Errorf("typescript lacks %q", want)
		}
	}
	if strings.Contains(ts, "max_tokens") || strings.Contains(ts, "stream: true") {
		t.Errorf("typescript keeps wire names:\n%s", ts)
	}
	py, _ := Export(s, 0, FormatPython)
	for _, want := range []string{`"parallel_tool_calls": False`, `"strict": True`, `client.chat.stream(**body)`, `Mistral(api_key=os.environ["MISTRAL_API_KEY"])`} {
		if !strings.Contains(py, want) {
			t.Errorf("python lacks %q", want)
		}
	}
	eu, _ := Load(filepath.Join("testdata", "toolturn.jsonl"))
	py, _ = Export(eu, 0, FormatPython)
	ts, _ = Export(eu, 0, FormatTypeScript)
	if !strings.Contains(py, `server_url="https://api.eu.mistral.ai"`) || !strings.Contains(py, "client.chat.complete(**body)") {
		t.Errorf("python eu:\n%s", py)
	}
	if !strings.Contains(ts, `serverURL: "https://api.eu.mistral.ai"`) || !strings.Contains(ts, "toolCallId: \"wx1\"") || !strings.Contains(ts, "user_id: \"u-1\"") || !strings.Contains(ts, "toolCalls: [") {
		t.Errorf("typescript eu:\n%s", ts)
	}
	if _, err := Export(s, 0, "yaml"); err == nil || !strings.Contains(err.Error(), "curl, python, typescript, go, markdown, json") {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := Export(s, 9, FormatCurl); err == nil || !strings.Contains(err.Error(), "no run 9") {
		t.Errorf("unknown run: %v", err)
	}
	js, _ := Export(s, 0, FormatJSON)
	var parsed struct {
		Header Header `json:"header"`
		Runs   []struct {
			Run     int             `json:"run"`
			Request json.RawMessage `json:"request"`
			Record  RunRecord       `json:"record"`
			Events  int             `json:"events"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil || len(parsed.Runs) != 2 || parsed.Runs[1].Events != 3 || parsed.Runs[1].Record.Reasoning == "" || parsed.Header.ID != s.Header.ID {
		t.Errorf("json: %v %+v", err, parsed)
	}
}

// A body holding a backtick still exports to Go that compiles.
func TestExportAwkwardBodies(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":"use ` + "`go vet`" + `"}]}`
	s := &Session{Header: Header{ID: "x", Endpoint: "global"}, Runs: []RecordedRun{{Run: 1, Model: "m", Body: json.RawMessage(body)}}}
	src, err := Export(s, 0, FormatGo)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "const body = \"{\\\"model\\\"") {
		t.Errorf("go with a backtick:\n%s", src)
	}
	s.Runs[0].Body = nil
	if _, err := Export(s, 0, FormatCurl); err == nil {
		t.Error("exported a run with no body")
	}
}

// The Go export compiles and vets, and run against a server it prints the
// answer; the Python and TypeScript exports parse.
func TestExportsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	srv := streamServer(t, 0)
	path, results, _ := recordRuns(t, srv, hello, "mistral-small-latest")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Export(s, 0, FormatGo)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module export\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	env := append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "MISTRAL_API_KEY="+fakeKey)
	for _, args := range [][]string{{"vet", "."}, {"build", "-o", "export", "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s\n%s", args[0], err, out, src)
		}
	}
	cmd := exec.Command(filepath.Join(dir, "export"))
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the export: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != results[0].Content() {
		t.Errorf("the Go export printed %q, want %q", got, results[0].Content())
	}

	for _, name := range []string{"compare", "toolturn"} {
		gs, _ := Load(filepath.Join("testdata", name+".jsonl"))
		if py, err := exec.LookPath("python3"); err == nil {
			src, _ := Export(gs, 0, FormatPython)
			cmd := exec.Command(py, "-c", "import ast, sys; ast.parse(sys.stdin.read())")
			cmd.Stdin = strings.NewReader(src)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("python does not parse the %s export: %v\n%s", name, err, out)
			}
		}
		if node, err := exec.LookPath("node"); err == nil {
			src, _ := Export(gs, 0, FormatTypeScript)
			f := filepath.Join(t.TempDir(), "export.mjs")
			os.WriteFile(f, []byte(src), 0o644)
			if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
				t.Errorf("node does not parse the %s export: %v\n%s", name, err, out)
			}
		}
	}
}

// The curl export, run by bash against a server, sends the recorded body
// byte for byte (the heredoc adds only a final newline).
func TestExportCurlSendsBody(t *testing.T) {
	bash, err1 := exec.LookPath("bash")
	_, err2 := exec.LookPath("curl")
	if err1 != nil || err2 != nil {
		t.Skip("needs bash and curl")
	}
	var got []byte
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	s, err := Load(filepath.Join("testdata", "compare.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s.Header.BaseURL = srv.URL
	script, _ := Export(s, 0, FormatCurl)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash)
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append(os.Environ(), "MISTRAL_API_KEY="+fakeKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\n%s", err, stderr.String())
	}
	if string(bytes.TrimSuffix(got, []byte("\n"))) != string(s.Runs[0].Body) {
		t.Errorf("sent\n%s\nrecorded\n%s", got, s.Runs[0].Body)
	}
	if auth != "Bearer "+fakeKey {
		t.Errorf("auth %q", auth)
	}
}
