package cli

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/session"
)

// savedPath returns the session path that `run --save` printed on stderr.
func savedPath(t *testing.T, stderr string) string {
	t.Helper()
	const marker = "session saved to "
	i := strings.LastIndex(stderr, marker)
	if i < 0 {
		t.Fatalf("no session path on stderr:\n%s", stderr)
	}
	return strings.TrimSpace(strings.SplitN(stderr[i+len(marker):], "\n", 2)[0])
}

// The acceptance path of sessions, on the real binary against `mstudio
// sim --seed`: run --save, replay the file to the same record, and run its
// curl export through bash to the same answer.
func TestEndToEndSaveReplayExport(t *testing.T) {
	url := simURL(t, "--seed", "7")
	dir := t.TempDir()
	key := []string{"MISTRAL_API_KEY=sk-e2e-fake-key-do-not-record"}
	r := runBinary(t, key, "", "run", "-p", "Name one sight in {{city}}", "--var", "city=Lyon", "--endpoint", url, "--save", "--sessions", dir, "--json")
	if r.code != 0 {
		t.Fatalf("run exit %d: %s", r.code, r.stderr)
	}
	var ran runRecord
	decodeStrict(t, r.stdout, &ran)
	path := savedPath(t, r.stderr)
	if !strings.HasPrefix(path, dir) || !strings.HasSuffix(path, "-inline.jsonl") {
		t.Fatalf("session path %q", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "sk-e2e-fake-key") {
		t.Fatal("the API key reached the session file")
	}

	// replay offline: the same record, down to the timings
	rp := runBinary(t, nil, "", "replay", path, "--json")
	if rp.code != 0 {
		t.Fatalf("replay exit %d: %s", rp.code, rp.stderr)
	}
	var replayed runRecord
	decodeStrict(t, rp.stdout, &replayed)
	if !reflect.DeepEqual(replayed, ran) {
		t.Errorf("replay --json\n%+v\nrun --json\n%+v", replayed, ran)
	}

	// the curl export, run by bash against the same sim, gets the answer
	ex := runBinary(t, nil, "", "export", path, "--format", "curl")
	if ex.code != 0 {
		t.Fatalf("export exit %d: %s", ex.code, ex.stderr)
	}
	if strings.Contains(ex.stdout, "sk-e2e-fake-key") || !strings.Contains(ex.stdout, url+"/v1/chat/completions") {
		t.Fatalf("export:\n%s", ex.stdout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bash := exec.CommandContext(ctx, "bash")
	bash.Stdin = strings.NewReader(ex.stdout)
	bash.Env = append(os.Environ(), key...)
	out, err := bash.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	st := api.NewStreamReader(ctx, io.NopCloser(strings.NewReader(string(out))), api.DialectMistral)
	for {
		if _, err := st.Next(); err != nil {
			if err != io.EOF {
				t.Fatalf("curl's output: %v\n%s", err, out)
			}
			break
		}
	}
	if got := st.Accumulator().Content(); got != ran.Content || got == "" {
		t.Errorf("curl got %q, the run got %q", got, ran.Content)
	}
}

// A compare with --save records both runs in one file, numbered in the
// order of -m, and replays to the same records.
func TestEndToEndSaveCompare(t *testing.T) {
	url := simURL(t, "--seed", "7")
	dir := t.TempDir()
	r := runBinary(t, nil, "", "run", "-p", "Say hi", "-m", "mistral-small-latest", "-m", "mistral-large-latest", "--endpoint", url, "--sessions", dir, "--json")
	if r.code != 0 {
		t.Fatalf("run exit %d: %s", r.code, r.stderr)
	}
	var ran []runRecord
	decodeStrict(t, r.stdout, &ran)
	path := savedPath(t, r.stderr)
	s, err := session.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 2 || s.Runs[0].Model != "mistral-small-latest" || s.Runs[1].Model != "mistral-large-latest" {
		t.Fatalf("runs %+v", s.Runs)
	}
	rp := runBinary(t, nil, "", "replay", path, "--speed", "0", "--json")
	var replayed []runRecord
	decodeStrict(t, rp.stdout, &replayed)
	if rp.code != 0 || len(replayed) != 2 || replayed[0].Content != ran[0].Content || replayed[1].Content != ran[1].Content {
		t.Fatalf("replay exit %d: %+v\n%s", rp.code, replayed, rp.stderr)
	}
}

// Without --sessions, sessions go to ./sessions of the working folder.
func TestRunSaveDefaultFolder(t *testing.T) {
	isolate(t)
	wd := t.TempDir()
	t.Chdir(wd)
	r := runMain(t, "", "run", "-p", "Say hi", "--save")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	path := savedPath(t, r.stderr)
	want := filepath.Join("sessions", time.Now().Format("2006-01-02"))
	if filepath.Dir(path) != want {
		t.Fatalf("saved to %q, want a file in %q", path, want)
	}
	s, err := session.Load(filepath.Join(wd, path))
	if err != nil || len(s.Runs) != 1 || s.Runs[0].Result == nil || s.Header.Endpoint != "sim" {
		t.Fatalf("%v %+v", err, s)
	}
}

func TestRunSaveBadFolder(t *testing.T) {
	isolate(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	r := runMain(t, "", "run", "-p", "Say hi", "--sessions", file)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--save: "+file) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r = runMain(t, "", "run", "-p", "Say hi", "--sessions", "")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "empty folder name") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}
