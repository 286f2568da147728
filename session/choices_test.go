package session

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"mstudio/api"
	"mstudio/api/sim"
)

// A request with n=2 is billed for two answers: the result, its record
// (what `mstudio run --json` prints), the session file and its replay all
// carry both, choice 0 staying where a single answer is.
func TestEveryChoiceIsKept(t *testing.T) {
	srv := httptest.NewServer(sim.New(sim.Options{Seed: 1}))
	defer srv.Close()
	rec, err := Create(t.TempDir(), Header{Prompt: "n", Endpoint: "sim", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Recorder: rec}
	tg := Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1}), Model: "mistral-small-latest"}
	req := api.ChatRequest{Model: "x", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("Name one sight in Lyon and say why")}}}
	n := 2
	req.N = &n
	res := e.Run(context.Background(), tg, req, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Choices) != 2 || res.Choices[0].Message.Content.String() != res.Content() || res.Choices[1].Message.Content.String() == "" ||
		res.Choices[1].Index != 1 || res.Choices[1].FinishReason == "" {
		t.Fatalf("choices %+v", res.Choices)
	}
	if res.Choices[0].Message.Content.String() == res.Choices[1].Message.Content.String() {
		t.Fatalf("the two choices are the same text (the simulator varies them): %q", res.Content())
	}
	r := res.Record()
	if len(r.Choices) != 2 || r.Content != r.Choices[0].Content || r.Choices[1].Content != res.Choices[1].Message.Content.String() || r.Choices[1].Index != 1 {
		t.Fatalf("record choices %+v", r.Choices)
	}
	data, _ := json.Marshal(r)
	if !strings.Contains(string(data), `"choices":[{"index":0,`) {
		t.Fatalf("JSON: %s", data)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Run(1)
	if err != nil || run.Result == nil || len(run.Result.Choices) != 2 || run.Result.Choices[1].Content != r.Choices[1].Content {
		t.Fatalf("the session file's record: %+v (%v)", run.Result, err)
	}
	replayed, err := s.Replay(context.Background(), 1, -1, nil)
	if err != nil || len(replayed.Choices) != 2 || replayed.Choices[1].Message.Content.String() != r.Choices[1].Content {
		t.Fatalf("replayed choices %+v (%v)", replayed.Choices, err)
	}

	// One answer: no choices, and none in the JSON.
	one := e.Run(context.Background(), tg, hello, nil)
	if one.Choices != nil {
		t.Fatalf("one answer has choices %+v", one.Choices)
	}
	if data, _ := json.Marshal(one.Record()); strings.Contains(string(data), `"choices"`) {
		t.Fatalf("one answer's JSON has choices: %s", data)
	}
}
