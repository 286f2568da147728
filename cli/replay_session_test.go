package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mstudio/session"
)

const compareSession = "testdata/sessions/compare.jsonl"

func TestReplayOfflineJSON(t *testing.T) {
	isolate(t)
	r := runMain(t, "", "replay", compareSession, "--speed", "0", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []session.RunRecord
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	s, err := session.Load(compareSession)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d records", len(got))
	}
	for i, rec := range got {
		want, _ := json.Marshal(s.Runs[i].Result)
		have, _ := json.Marshal(rec)
		if string(want) != string(have) {
			t.Errorf("run %d\n%s\nrecorded\n%s", i+1, have, want)
		}
	}
	// one run: one object, timings scaled by --speed
	r = runMain(t, "", "replay", compareSession, "--run", "2", "--speed", "2", "--json")
	var one session.RunRecord
	if err := json.Unmarshal([]byte(r.stdout), &one); err != nil || one.Model != "magistral-medium-latest" || one.LatencyMs != 241 || one.TTFTMs != 125 {
		t.Fatalf("--run 2: %v %+v", err, one)
	}
}

// One run streams to stdout like `mstudio run`: the answer, tool calls,
// thinking and the summary on stderr, with the recorded timing.
func TestReplayOfflineStreams(t *testing.T) {
	isolate(t)
	start := time.Now()
	r := runMain(t, "", "replay", compareSession, "--run", "2")
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("a 482 ms recording replayed in %v", d)
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "Let me check the weather first.\ntool call: get_weather {\"city_name\": \"Lyon\"}  (id wx1)\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	for _, s := range []string{"Old streets: Vieux Lyon.", "magistral-medium-latest · global · ttft 250 ms", "no network"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	// both runs: each under its header
	r = runMain(t, "", "replay", compareSession, "--speed", "0")
	if r.code != 0 || !strings.Contains(r.stdout, "── mistral-small-latest") || !strings.Contains(r.stdout, "── magistral-medium-latest") {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
}

func TestReplayBadInput(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	data, _ := os.ReadFile(compareSession)
	lines := strings.SplitAfter(string(data), "\n")
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(lines[0]+lines[1]+"{oops\n"+strings.Join(lines[2:], "")), 0o644)
	cut := filepath.Join(dir, "cut.jsonl")
	os.WriteFile(cut, data[:len(data)-30], 0o644)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, []byte(lines[0]), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{bad}, bad + ":3: not a JSON object"},
		{[]string{filepath.Join(dir, "nope.jsonl")}, "nope.jsonl: no such session file"},
		{[]string{empty}, "empty.jsonl: no runs recorded"},
		{[]string{compareSession, "--run", "5"}, "no run 5 (runs: 1, 2)"},
		{[]string{compareSession, "--speed", "-1"}, "for flag -speed: want 0 (at once)"},
		{[]string{compareSession, "--live", "--speed", "2"}, "choose one"},
		{[]string{compareSession, "-m", "x"}, "-m needs --live"},
		{[]string{}, "nothing to replay"},
	}
	for _, c := range cases {
		r := runMain(t, "", append([]string{"replay"}, c.args...)...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("replay %q: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	// a file cut by a crash replays what it holds and says so
	r := runMain(t, "", "replay", cut, "--speed", "0", "--run", "1")
	if r.code != 0 || !strings.Contains(r.stderr, "cut-off line") || !strings.Contains(r.stdout, "Vieux Lyon traboules") {
		t.Fatalf("cut file: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// --live sends the recorded body again, on -m MODEL, and prints the diff.
func TestReplayLive(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, sseOf(textChunk(`"Go see Fourvière."`, "stop")), 0, "", "")
	s, err := session.Load(compareSession)
	if err != nil {
		t.Fatal(err)
	}
	r := runMain(t, "", "replay", compareSession, "--run", "1", "--live", "-m", "mistral-large-latest", "--endpoint", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var sent map[string]any
	json.Unmarshal(srv.last(t).body, &sent)
	var recorded map[string]any
	json.Unmarshal(s.Runs[0].Body, &recorded)
	recorded["model"] = "mistral-large-latest"
	a, _ := json.Marshal(sent)
	b, _ := json.Marshal(recorded)
	if string(a) != string(b) {
		t.Errorf("sent\n%s\nwant the recorded body on the new model\n%s", a, b)
	}
	for _, want := range []string{"--- recorded mistral-small-latest", "+++ live mistral-large-latest", `-{"morning_stop": "Vieux Lyon traboules", "max_price": 35}`, "+Go see Fourvière."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "recorded · mistral-small-latest") || !strings.Contains(r.stderr, "live     · mistral-large-latest") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	r = runMain(t, "", "replay", compareSession, "--run", "1", "--live", "-m", "mistral-large-latest", "--endpoint", srv.URL, "--json")
	var out struct {
		Run      int               `json:"run"`
		Recorded session.RunRecord `json:"recorded"`
		Live     session.RunRecord `json:"live"`
		Diff     string            `json:"diff"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if out.Run != 1 || out.Live.Content != "Go see Fourvière." || out.Recorded.Model != "mistral-small-latest" || !strings.Contains(out.Diff, "+Go see Fourvière.") {
		t.Errorf("%+v", out)
	}

	// a live run that fails exits 1 and says why
	down := newFakeServer(t, "", 401, `{"detail":"Unauthorized"}`, "")
	r = runMain(t, "", "replay", compareSession, "--run", "1", "--live", "--endpoint", down.URL)
	if r.code != ExitFailed || !strings.Contains(r.stdout, "+error:") {
		t.Errorf("failing live run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestColorDiff(t *testing.T) {
	d := "--- a\n+++ b\n@@ -1 +1 @@\n-old\x1b]52;c;aGk=\x07\n+new\n"
	plain := colorDiff(d, false)
	if strings.Contains(plain, "\x1b") || !strings.Contains(plain, "-old\n") {
		t.Errorf("plain %q", plain)
	}
	colored := colorDiff(d, true)
	if !strings.Contains(colored, "\x1b[31m-old\x1b[0m") || !strings.Contains(colored, "\x1b[32m+new\x1b[0m") || strings.Contains(colored, "]52;") {
		t.Errorf("colored %q", colored)
	}
}
