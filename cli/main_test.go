package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the real mstudio, built once by TestMain for the end-to-end
// tests.
var binary string

// buildFlags are the go build flags of binary (race_test.go adds -race).
var buildFlags []string

// TestMain builds the binary; the simulators the end-to-end tests run
// against are started on first use (see simURL).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mstudio-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "mstudio")
	args := append(append([]string{"build"}, buildFlags...), "-o", binary, "mstudio")
	build := exec.Command("go", args...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building mstudio:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	stopSims()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sims are `mstudio sim` processes shared by the tests, keyed by their
// extra arguments.
var (
	simMu   sync.Mutex
	simURLs = map[string]string{}
	simCmds []*exec.Cmd
)

// simURL returns the base URL of a running `mstudio sim --addr 127.0.0.1:0`
// started with extra arguments, starting it on first use.
func simURL(t *testing.T, extra ...string) string {
	t.Helper()
	key := strings.Join(extra, "\x00")
	simMu.Lock()
	defer simMu.Unlock()
	if u, ok := simURLs[key]; ok {
		return u
	}
	args := append([]string{"sim", "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = testEnv(t.TempDir())
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	simCmds = append(simCmds, cmd)
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case l := <-line:
		const prefix = "mstudio sim listening on "
		if !strings.HasPrefix(l, prefix) {
			t.Fatalf("sim said %q, want %q + URL", l, prefix)
		}
		u := strings.TrimPrefix(l, prefix)
		simURLs[key] = u
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not report its address within 10s")
	}
	return ""
}

// stopSims ends the shared simulators the way a user does: SIGINT, then a
// graceful shutdown.
func stopSims() {
	simMu.Lock()
	defer simMu.Unlock()
	for _, c := range simCmds {
		c.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			c.Process.Kill()
		}
	}
}

// testEnv is the process environment with no API key and a config folder
// of the test's own, so no user setting leaks into a test.
func testEnv(configHome string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "MISTRAL_API_KEY", name == "XDG_CONFIG_HOME", name == "NO_COLOR", name == "GORACE":
			continue
		}
		env = append(env, kv)
	}
	// A race-enabled binary otherwise sleeps a second at every exit.
	env = append(env, "XDG_CONFIG_HOME="+configHome, "GORACE=atexit_sleep_ms=0")
	return append(env, extra...)
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

// runBinary runs the real mstudio with args; env entries are added to
// testEnv.
func runBinary(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = testEnv(t.TempDir(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running mstudio %q: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// isolate gives an in-process test no API key and an empty config folder.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("MISTRAL_API_KEY", "")
	return dir
}

// runMain runs Main in-process with a stdin text.
func runMain(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// request is what a fake server received.
type request struct {
	path, auth string
	body       []byte
}

// fakeServer answers chat completions with the SSE body sse and models
// with modelsJSON, or every request with status and errBody when status is
// not 0, recording every request.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

func newFakeServer(t *testing.T, sse string, status int, errBody, modelsJSON string) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, request{r.URL.Path, r.Header.Get("Authorization"), body})
		f.mu.Unlock()
		switch {
		case status != 0:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, errBody)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, modelsJSON)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, sse)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) last(t *testing.T) request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("the server got no request")
	}
	return f.requests[len(f.requests)-1]
}

// sseOf builds a stream body from chunk JSON texts, as the real server
// sends it.
func sseOf(chunks ...string) string {
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString("data: " + c + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// textChunk is a chat chunk carrying content (a JSON value), and a finish
// with usage when finish is not "".
func textChunk(content string, finish string) string {
	fr := "null"
	usage := ""
	if finish != "" {
		fr = `"` + finish + `"`
		usage = `,"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}`
	}
	return `{"id":"0123456789abcdef0123456789abcdef","object":"chat.completion.chunk","created":1,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":` + content + `},"finish_reason":` + fr + `}]` + usage + `}`
}

// stallServer sends the start of an answer, then holds the stream open
// until the client goes away.
type stallServer struct {
	*httptest.Server
}

func newStallServer(t *testing.T) *stallServer {
	t.Helper()
	s := &stallServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: "+textChunk(`"partial"`, "")+"\n\ndata: "+textChunk(`" answer"`, "")+"\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(s.Close)
	return s
}
