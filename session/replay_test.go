package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mstudio/api"
)

// fixtureBody returns a recorded stream as a server sends it: a .sse file
// as it is, a .chunks.jsonl file (vercel/ai's format: one chunk a line)
// framed as events and ended by [DONE], as vercel's tests replay them.
func fixtureBody(t *testing.T, name string) string {
	t.Helper()
	data := string(readTestdata(t, filepath.Join("streams", name)))
	if !strings.HasSuffix(name, ".chunks.jsonl") {
		return data
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		b.WriteString("data: " + line + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// sessionFromStream writes a synthetic one-run session whose events are
// the stream's, step apart, with the result a direct read of the stream
// gives.
func sessionFromStream(t *testing.T, body string, step time.Duration) (*Session, Result) {
	t.Helper()
	rec, err := Create(t.TempDir(), Header{Prompt: "fixture", Endpoint: "global", BaseURL: api.GlobalURL})
	if err != nil {
		t.Fatal(err)
	}
	rec.request(1, "mistral-small-latest", "global", []byte(`{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}],"stream":true}`), tag{})
	dec := api.NewSSEDecoder(strings.NewReader(body))
	n := 0
	for {
		ev, err := dec.Next()
		if err != nil {
			break
		}
		n++
		rec.event(1, time.Duration(n)*step, ev.Data)
	}
	// what the live run got: the same body read straight from the wire
	var e Engine
	want := e.Run(context.Background(), Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "global", BaseURL: serveBody(t, body)}, MaxRetries: -1})}, hello, nil)
	want.Model = "mistral-small-latest"
	rec.result(1, want.Record(), tag{})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	return s, want
}

// serveBody answers chat requests with body, byte for byte.
func serveBody(t *testing.T, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Replaying each recorded real stream gives exactly what the stream
// carried: content, thinking, tool calls, usage, finish reason.
func TestReplayReproducesFixtures(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "streams"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		name := ent.Name()
		t.Run(name, func(t *testing.T) {
			s, want := sessionFromStream(t, fixtureBody(t, name), 0)
			var streamed strings.Builder
			got, err := s.Replay(context.Background(), 1, 0, func(ev api.StreamEvent) { streamed.WriteString(ev.Content) })
			if err != nil {
				t.Fatal(err)
			}
			if got.Err != nil || want.Err != nil {
				t.Fatalf("errors: replay %v, live %v", got.Err, want.Err)
			}
			if !reflect.DeepEqual(got.Record(), want.Record()) {
				t.Errorf("replay\n%+v\nlive\n%+v", got.Record(), want.Record())
			}
			if !reflect.DeepEqual(got.Message, want.Message) || !reflect.DeepEqual(got.Usage, want.Usage) {
				t.Errorf("message or usage differ:\n%+v\n%+v", got.Message, want.Message)
			}
			if streamed.String() != want.Content() {
				t.Errorf("streamed %q, want %q", streamed.String(), want.Content())
			}
			if want.Content() == "" && len(want.Message.ToolCalls) == 0 {
				t.Error("the fixture carries no answer")
			}
		})
	}
	// known contents, so an empty reading cannot pass
	s, _ := sessionFromStream(t, fixtureBody(t, "prism_stream-with-tools-1-1.sse"), 0)
	res, _ := s.Replay(context.Background(), 1, 0, nil)
	if len(res.Message.ToolCalls) != 2 || res.Message.ToolCalls[1].Function.Name != "weather" || res.Usage.TotalTokens != 189 {
		t.Errorf("prism: %+v", res.Record())
	}
	s, _ = sessionFromStream(t, fixtureBody(t, "synthetic_reasoning.sse"), 0)
	res, _ = s.Replay(context.Background(), 1, 0, nil)
	if res.Content() != "2 + 2 = **4**. ✓" || !strings.HasPrefix(res.Reasoning(), "The user asks for 2 + 2.") {
		t.Errorf("reasoning: %+v", res.Record())
	}
}

func TestReplayTiming(t *testing.T) {
	// ten events 50 ms apart: a 500 ms recording
	s, _ := sessionFromStream(t, fixtureBody(t, "vercel_mistral-text.chunks.jsonl"), 50*time.Millisecond)
	last := s.Runs[0].Events[len(s.Runs[0].Events)-1].T
	if last < 300*time.Millisecond {
		t.Fatalf("recording lasts %v", last)
	}
	start := time.Now()
	if _, err := s.Replay(context.Background(), 1, 0, nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("instant replay took %v", d)
	}
	start = time.Now()
	var times []time.Duration
	res, err := s.Replay(context.Background(), 1, 10, func(api.StreamEvent) { times = append(times, time.Since(start)) })
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if want := last / 10; d < want || d > want+100*time.Millisecond {
		t.Errorf("speed 10 on %v took %v, want about %v", last, d, want)
	}
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Fatal("events out of order")
		}
	}
	// timings are the recorded ones, scaled
	if rec := s.Runs[0].Result; res.Latency != time.Duration(rec.LatencyMs)*time.Millisecond/10 {
		t.Errorf("latency %v, recorded %d ms", res.Latency, rec.LatencyMs)
	}
	// a cancelled replay stops at once
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	res, _ = s.Replay(ctx, 1, 1, nil)
	if !errors.Is(res.Err, context.DeadlineExceeded) || time.Since(start) > 200*time.Millisecond {
		t.Errorf("cancelled replay: %v after %v", res.Err, time.Since(start))
	}
}

// A run recorded cut off replays cut off, with the recorded error.
func TestReplayCutRun(t *testing.T) {
	srv := streamServer(t, 0)
	path, results, _ := recordRuns(t, srv, hello, "broken")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Replay(context.Background(), 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || res.Err.Error() != results[0].Err.Error() || res.Content() != "Hello from broken" {
		t.Fatalf("replay %+v %v", res.Record(), res.Err)
	}
	if _, err := s.Replay(context.Background(), 7, 0, nil); err == nil || !strings.Contains(err.Error(), "no run 7 (runs: 1)") {
		t.Fatalf("missing run: %v", err)
	}
}

// A live replay re-sends the recorded body (on another model when asked)
// and the diff shows what changed.
func TestReplayLive(t *testing.T) {
	srv := streamServer(t, 0)
	path, _, _ := recordRuns(t, srv, api.ChatRequest{Messages: hello.Messages, Temperature: new(0.2)}, "mistral-small-latest")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	recorded, _ := s.Replay(context.Background(), 1, 0, nil)

	// the live server keeps the body it got and answers as srv does
	var got []byte
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(got)))
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer live.Close()
	var e Engine
	same := e.ReplayLive(context.Background(), keyedTarget(live, ""), s.Runs[0], "")
	if same.Err != nil || same.Model != "mistral-small-latest" {
		t.Fatalf("same model: %+v", same)
	}
	if string(got) != string(s.Runs[0].Body) {
		t.Errorf("re-sent body\n%s\nrecorded\n%s", got, s.Runs[0].Body)
	}
	if d := AnswerDiff(recorded, same); d != "" {
		t.Errorf("same answer, diff:\n%s", d)
	}

	other := e.ReplayLive(context.Background(), keyedTarget(live, ""), s.Runs[0], "mistral-large-latest")
	var sent map[string]any
	json.Unmarshal(got, &sent)
	if other.Err != nil || other.Model != "mistral-large-latest" || sent["model"] != "mistral-large-latest" || sent["temperature"] != 0.2 {
		t.Fatalf("other model: %+v, sent %v", other, sent)
	}
	d := AnswerDiff(recorded, other)
	for _, want := range []string{"--- recorded mistral-small-latest", "+++ live mistral-large-latest", "-Hello from mistral-small-latest", "+Hello from mistral-large-latest"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}

	bad := e.ReplayLive(context.Background(), keyedTarget(live, ""), RecordedRun{Run: 3, Model: "m"}, "")
	if bad.Err == nil || !strings.Contains(bad.Err.Error(), "run 3: no request body") {
		t.Fatalf("no body: %v", bad.Err)
	}
}

func TestAnswerDiffToolCallsAndErrors(t *testing.T) {
	a := Result{Model: "a", Message: api.Message{ToolCalls: []api.ToolCall{{Function: api.FunctionCall{Name: "weather", Arguments: `{"city":"Lyon"}`}}}}}
	b := Result{Model: "b", Err: errors.New("401 bad key")}
	d := AnswerDiff(a, b)
	if !strings.Contains(d, `-tool call: weather {"city":"Lyon"}`) || !strings.Contains(d, "+error: 401 bad key") {
		t.Fatalf("diff:\n%s", d)
	}
}

func TestDecodeRequestOpenAISeed(t *testing.T) {
	req, err := DecodeRequest(json.RawMessage(`{"model":"m","messages":[],"seed":7,"stream_options":{"include_usage":true}}`))
	if err != nil || req.RandomSeed == nil || *req.RandomSeed != 7 {
		t.Fatalf("%+v %v", req, err)
	}
	if _, err := DecodeRequest(json.RawMessage(`{"model":1}`)); err == nil {
		t.Fatal("bad body decoded")
	}
}
