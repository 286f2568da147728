package session

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mstudio/api"
)

// fakeKey is set in the test clients; it must never reach a session file.
const fakeKey = "sk-test-NEVER-IN-A-FILE-4f2a9c"

// keyedTarget is a target whose client sends fakeKey.
func keyedTarget(srv *httptest.Server, model string) Target {
	return Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "test", BaseURL: srv.URL}, APIKey: fakeKey, MaxRetries: -1}), Model: model}
}

// recordedRun runs req on each model with a recording engine and returns
// the session file's path, the results and the raw data of every event
// each run's onEvent saw.
func recordRuns(t *testing.T, srv *httptest.Server, req api.ChatRequest, models ...string) (string, []Result, map[int][]string) {
	t.Helper()
	rec, err := Create(t.TempDir(), Header{Prompt: "hello world/../x", PromptVersion: 3, Endpoint: "test", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Recorder: rec}
	targets := make([]Target, len(models))
	for i, m := range models {
		targets[i] = keyedTarget(srv, m)
	}
	var mu sync.Mutex
	seen := map[int][]string{}
	results := e.RunAll(context.Background(), targets, req, 0, func(i int, ev api.StreamEvent) {
		mu.Lock()
		seen[i+1] = append(seen[i+1], ev.Content)
		mu.Unlock()
	})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return rec.Path(), results, seen
}

func TestRecordLoadRoundTrip(t *testing.T) {
	srv := streamServer(t, 20*time.Millisecond)
	models := []string{"mistral-small-latest", "broken", "refused", "mistral-large-latest"}
	path, results, seen := recordRuns(t, srv, hello, models...)

	if dir := filepath.Base(filepath.Dir(path)); dir != time.Now().Format("2006-01-02") {
		t.Errorf("day folder %q", dir)
	}
	if base := filepath.Base(path); !strings.HasSuffix(base, "-hello-world-..-x.jsonl") || len(base) != len("150405-hello-world-..-x.jsonl") {
		t.Errorf("file name %q", base)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Truncated || s.Header.Prompt != "hello world/../x" || s.Header.PromptVersion != 3 || s.Header.Format != Format || len(s.Header.ID) != 12 || s.Header.BaseURL != srv.URL || s.Header.Mstudio == "" {
		t.Fatalf("header %+v", s.Header)
	}
	if len(s.Runs) != len(models) {
		t.Fatalf("%d runs, want %d", len(s.Runs), len(models))
	}
	for i, r := range s.Runs {
		// runs are numbered in target order, whatever order they ran in
		if r.Run != i+1 || r.Model != models[i] || r.Endpoint != "test" {
			t.Errorf("run %d: %d %q %q", i, r.Run, r.Model, r.Endpoint)
		}
		var body map[string]any
		if err := json.Unmarshal(r.Body, &body); err != nil || body["model"] != models[i] || body["stream"] != true {
			t.Errorf("run %d body %s", r.Run, r.Body)
		}
		// the recorded events, decoded again, are the text seen live
		var data []string
		if _, err := s.Replay(context.Background(), r.Run, 0, func(ev api.StreamEvent) {
			if ev.Content != "" {
				data = append(data, ev.Content)
			}
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(data, seen[r.Run]) {
			t.Errorf("run %d events %q, saw %q", r.Run, data, seen[r.Run])
		}
		for j := 1; j < len(r.Events); j++ {
			if r.Events[j].T < r.Events[j-1].T {
				t.Errorf("run %d: event times go back: %v", r.Run, r.Events)
			}
		}
		if want := results[i].Record(); r.Result == nil || !reflect.DeepEqual(*r.Result, want) {
			t.Errorf("run %d result\n%+v\nwant\n%+v", r.Run, r.Result, want)
		}
	}
	// how each run ended is in its events: [DONE] only after a whole answer
	ends := func(r RecordedRun) bool { return len(r.Events) > 0 && r.Events[len(r.Events)-1].Data == doneData }
	if !ends(s.Runs[0]) || ends(s.Runs[1]) || len(s.Runs[2].Events) != 0 || !ends(s.Runs[3]) {
		t.Errorf("[DONE] events wrong")
	}
	if s.Runs[2].Result.Error == nil || s.Runs[1].Result.Error == nil {
		t.Errorf("failed runs recorded without their error")
	}
	// the body is the one the client sent, byte for byte
	req := hello.Clone()
	req.Model, req.Stream = "mistral-small-latest", true
	want, _ := api.New(api.Options{}).EncodeChat(req)
	if string(s.Runs[0].Body) != string(want) {
		t.Errorf("body\n%s\nwant\n%s", s.Runs[0].Body, want)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), fakeKey) || strings.Contains(string(data), "Bearer") {
		t.Fatal("the API key reached the session file")
	}
}

// Open, read one event at a time and Close (the studio's way) records the
// same as Run does.
func TestRecordOpenStream(t *testing.T) {
	srv := streamServer(t, 0)
	rec, err := Create(t.TempDir(), Header{Prompt: "p"})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Recorder: rec}
	st := e.Open(context.Background(), keyedTarget(srv, "m1"), hello)
	if _, err := st.Next(); err != nil {
		t.Fatal(err)
	}
	st.Close() // before the end: the partial answer is the result
	res := e.Run(context.Background(), keyedTarget(srv, "m2"), hello, nil)
	rec.Close()
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 2 || s.Runs[0].Model != "m1" || s.Runs[1].Model != "m2" || len(s.Runs[0].Events) != 1 {
		t.Fatalf("runs %+v", s.Runs)
	}
	if s.Runs[0].Result == nil || s.Runs[1].Result.Content != res.Content() {
		t.Fatalf("results %+v %+v", s.Runs[0].Result, s.Runs[1].Result)
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.Local)
	var paths []string
	for range 3 {
		r, err := Create(dir, Header{Prompt: "hello", Created: at})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, r.Path())
		r.Close()
	}
	day := filepath.Join(dir, "2026-03-14")
	want := []string{filepath.Join(day, "092653-hello.jsonl"), filepath.Join(day, "092653-hello-2.jsonl"), filepath.Join(day, "092653-hello-3.jsonl")}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths %q, want %q", paths, want)
	}
	// empty and hostile names still give a file in the day folder
	for _, name := range []string{"", "../../etc/passwd", "ünïcode name", strings.Repeat("x", 300)} {
		r, err := Create(dir, Header{Prompt: name, Created: at})
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		if filepath.Dir(r.Path()) != day || len(filepath.Base(r.Path())) > 90 {
			t.Errorf("prompt %q -> %s", name, r.Path())
		}
	}
}

func TestCreateStripsCredentials(t *testing.T) {
	r, err := Create(t.TempDir(), Header{Prompt: "p", BaseURL: "https://user:secret@example.com/api"})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	data, _ := os.ReadFile(r.Path())
	if strings.Contains(string(data), "secret") {
		t.Fatalf("credentials recorded: %s", data)
	}
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"a", "b", "c"} {
		r, err := Create(dir, Header{Prompt: name, Created: time.Date(2026, 1, 1+i, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	os.WriteFile(filepath.Join(dir, "notes.jsonl"), []byte(`{"type":"other"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jsonl"), nil, 0o644)
	list, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Header.Prompt)
	}
	if !reflect.DeepEqual(names, []string{"c", "b", "a"}) {
		t.Fatalf("list %q", names)
	}
	if list, err := List(filepath.Join(dir, "missing")); err != nil || len(list) != 0 {
		t.Fatalf("missing dir: %v %v", list, err)
	}
}

// Lines are whole even when many runs record at once.
func TestRecorderConcurrentLines(t *testing.T) {
	rec, err := Create(t.TempDir(), Header{Prompt: "p"})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100<<10) // larger than a pipe buffer
	var wg sync.WaitGroup
	first := rec.reserve(8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := first + i
			rec.request(run, "m", "e", []byte(`{"model":"m"}`), tag{})
			for range 10 {
				rec.event(run, time.Millisecond, big)
			}
			rec.result(run, RunRecord{Model: "m"}, tag{})
		}()
	}
	wg.Wait()
	rec.Close()
	rec.event(1, 0, "after close") // dropped, no panic
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 8 {
		t.Fatalf("%d runs", len(s.Runs))
	}
	for _, r := range s.Runs {
		if len(r.Events) != 10 || r.Result == nil {
			t.Fatalf("run %d: %d events", r.Run, len(r.Events))
		}
	}
}
