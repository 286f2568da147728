package session

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/api/sim"
)

// collect drains a run's channel, answering asks with answer (nil: decline).
func collect(t *testing.T, ch <-chan Event, answer func(*Ask) AskReply) (events []Event, finishes map[Lane]*Finish) {
	t.Helper()
	finishes = map[Lane]*Finish{}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				if len(events) == 0 || !events[len(events)-1].Done {
					t.Fatal("the channel closed without a Done event")
				}
				return events, finishes
			}
			events = append(events, ev)
			if ev.Ask != nil {
				r := AskReply{}
				if answer != nil {
					r = answer(ev.Ask)
				}
				ev.Ask.Reply(r)
			}
			if ev.Finish != nil {
				if finishes[ev.Lane] != nil {
					t.Fatalf("lane %+v finished twice", ev.Lane)
				}
				finishes[ev.Lane] = ev.Finish
			}
		case <-timeout:
			t.Fatal("the run did not end")
		}
	}
}

// laneText is a lane's streamed text.
func laneText(events []Event, lane Lane) string {
	var b strings.Builder
	for _, ev := range events {
		if ev.Lane == lane {
			b.WriteString(ev.Content)
		}
	}
	return b.String()
}

func recordingEngine(t *testing.T, base string) (*Engine, *Recorder) {
	t.Helper()
	rec, err := Create(t.TempDir(), Header{Prompt: "kinds", Endpoint: "sim", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return &Engine{Recorder: rec}, rec
}

func simServer(t *testing.T) (*httptest.Server, *api.Client) {
	t.Helper()
	srv := httptest.NewServer(sim.New(sim.Options{Seed: 3, TokenRate: 5000}))
	t.Cleanup(srv.Close)
	return srv, api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1})
}

// TestRunEveryKindOverHTTP runs each kind of run against the simulator
// through the one entry point, records it, and reopens the file: each
// group comes back with its kind and lanes, and replays as it ran.
func TestRunEveryKindOverHTTP(t *testing.T) {
	srv, client := simServer(t)
	e, rec := recordingEngine(t, srv.URL)
	target := func(m string) Target { return Target{Client: client, Model: m} }
	ctx := context.Background()
	prompt := &PromptRecord{Name: "kinds", Version: 2, Source: "Hello {{name}}", Vars: map[string]string{"name": "Lyon"}}

	// single
	ev, fin := collect(t, Run(ctx, e, Spec{ID: 7, Kind: KindSingle, Prompt: prompt, Lanes: []LaneSpec{{Target: target("mistral-small-latest"), Request: hello}}}), nil)
	f := fin[Lane{}]
	if f == nil || f.Result.Err != nil || f.Result.Content() == "" || laneText(ev, Lane{}) != f.Result.Content() || f.Reason != "stop" {
		t.Fatalf("single: %+v", f)
	}
	for _, e := range ev {
		if e.Run != 7 {
			t.Fatalf("an event of run %d, want 7", e.Run)
		}
	}

	// compare: two columns, each its own request
	hot := hello.Clone()
	hot.Temperature = ptr(0.9)
	ev, fin = collect(t, Run(ctx, e, Spec{Kind: KindCompare, Lanes: []LaneSpec{
		{Lane: Lane{Column: 0}, Target: target("mistral-small-latest"), Request: hello, Params: "defaults"},
		{Lane: Lane{Column: 1}, Target: target("mistral-small-latest"), Request: hot, Params: "t=0.9"},
	}}), nil)
	if len(fin) != 2 || fin[Lane{Column: 1}].Result.Content() != laneText(ev, Lane{Column: 1}) {
		t.Fatalf("compare: %d lanes", len(fin))
	}

	// matrix: 2 rows × 2 models, at most 2 at once
	rows := []map[string]string{{"city": "Lyon"}, {"city": "Nice"}}
	reqs := []api.ChatRequest{hello, hot}
	spec := MatrixSpec([]Target{target("mistral-small-latest"), target("mistral-large-latest")}, reqs, rows, 2)
	ev, fin = collect(t, Run(ctx, e, spec), nil)
	if len(fin) != 4 || fin[Lane{Column: 1, Row: 1}].Result.Model != "mistral-large-latest" || fin[Lane{Column: 1, Row: 1}].Result.Content() == "" {
		t.Fatalf("matrix: %+v", fin)
	}
	for _, e := range ev {
		if e.Content != "" {
			t.Fatal("a matrix sends text deltas: its table shows cells when they end")
		}
	}

	// conversation: the weather example's tool loop, its mock answering
	p, path := weatherPrompt(t)
	wreq, _ := p.Render(nil)
	handlers, _ := ToolHandlers(p.Ext, path)
	ev, fin = collect(t, Run(ctx, e, Spec{Kind: KindConversation, Loop: &LoopOptions{Handlers: handlers}, Lanes: []LaneSpec{{Target: target("mistral-small-latest"), Request: wreq}}}), nil)
	f = fin[Lane{}]
	if f == nil || f.Conversation == nil || len(f.Conversation.Turns) < 2 || f.Result.Err != nil {
		t.Fatalf("conversation: %+v", f)
	}
	var calls, results int
	for _, e := range ev {
		if e.ToolCall != nil {
			calls++
		}
		if e.ToolResult != nil {
			results++
		}
	}
	if calls == 0 || results != calls {
		t.Fatalf("conversation: %d calls, %d results", calls, results)
	}

	// agent: the simulator's weather agent, its function answered by a mock
	agentEv, fin := collect(t, Run(ctx, e, Spec{Kind: KindAgent,
		Agent: AgentSpecFor(AgentPrefix+sim.AgentWeather, hello2("What is the weather in Paris?")),
		Loop:  &LoopOptions{Handlers: map[string]Handler{"get_weather": {Kind: HandlerMock, Mock: `{"temp_c": 21}`}}},
		Lanes: []LaneSpec{{Target: Target{Client: client}}},
	}), nil)
	f = fin[Lane{}]
	if f == nil || f.Result.Err != nil || f.Agent == nil || f.Agent.ConversationID == "" || f.Result.Content() == "" {
		t.Fatalf("agent: %+v", f)
	}
	answered := false
	for _, e := range agentEv {
		if e.ToolResult != nil && e.ToolResult.Name == "get_weather" && e.ToolResult.Result == `{"temp_c": 21}` {
			answered = true
		}
	}
	if !answered {
		t.Fatal("agent: the function call was not answered by its mock")
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	// reopened: one group per run, each of its kind
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	kinds := []Kind{KindSingle, KindCompare, KindMatrix, KindConversation, KindAgent}
	if len(s.Groups) != len(kinds) {
		t.Fatalf("%d groups, want %d", len(s.Groups), len(kinds))
	}
	for i, g := range s.Groups {
		if g.Kind != kinds[i] || g.Group != i+1 || g.Legacy {
			t.Errorf("group %d: %s (legacy %v), want %s", g.Group, g.Kind, g.Legacy, kinds[i])
		}
	}
	if g := s.Groups[0]; g.Prompt == nil || g.Prompt.Source != "Hello {{name}}" || g.Prompt.Vars["name"] != "Lyon" || g.Prompt.Version != 2 {
		t.Errorf("single: prompt %+v", g.Prompt)
	}
	if g := s.Groups[1]; len(g.Columns) != 2 || g.Columns[1].Params != "t=0.9" || len(g.Runs) != 2 {
		t.Errorf("compare: %+v", g)
	}
	if g := s.Groups[2]; len(g.Rows) != 2 || g.Rows[1]["city"] != "Nice" || len(g.Columns) != 2 || len(g.Runs) != 4 {
		t.Errorf("matrix: %+v", g)
	}
	if g := s.Groups[3]; len(g.ToolResults) != calls || len(g.Runs) < 2 {
		t.Errorf("conversation: %d tool results, %d runs", len(g.ToolResults), len(g.Runs))
	}
	if g := s.Groups[4]; len(g.Conversations) != 1 || g.Conversations[0].ConversationID == "" || len(g.Conversations[0].Entries) < 3 || g.Agent != sim.AgentWeather {
		t.Errorf("agent: %+v", g)
	}
	for _, r := range s.Runs {
		if g := s.GroupOf(r.Run); g == nil || g.Group != r.Group {
			t.Errorf("run %d is in no group", r.Run)
		}
	}

	// an agent's call is not exported as chat completions code
	agentRun := s.Groups[4].Runs[0]
	if _, err := Export(s, agentRun, FormatCurl); err == nil || !strings.Contains(err.Error(), "agent conversation") {
		t.Errorf("export of an agent call: %v", err)
	}
	last := s.Groups[4].Runs[len(s.Groups[4].Runs)-1] // the answer after the function call
	if res, err := s.Replay(ctx, last, 0, nil); err != nil || res.Content() == "" || res.FinishReason != "stop" || mustRun(t, s, last).Result.TTFTMs < 0 {
		t.Errorf("replay of an agent call: %v %q", err, res.Content())
	}
	if res := e.ReplayLive(ctx, target("mistral-small-latest"), *mustRun(t, s, agentRun), ""); res.Err == nil {
		t.Error("an agent call was sent again as chat completions")
	}
	if _, err := Export(s, 0, FormatMarkdown); err != nil {
		t.Errorf("markdown export of every kind: %v", err)
	}

	// replayed: every kind comes back through the same events
	for _, g := range s.Groups {
		ev, fin := collect(t, Run(ctx, e, Spec{Kind: KindReplay, Replay: &ReplaySpec{Session: s, Group: g.Group}}), nil)
		lanes := s.Lanes(&g)
		if len(fin) != len(lanes) {
			t.Errorf("replay of %s: %d lanes finished, want %d", g.Kind, len(fin), len(lanes))
		}
		if g.Kind == KindAgent && (!strings.Contains(laneText(ev, Lane{}), fin[Lane{}].Result.Content()) || fin[Lane{}].Reason != "stop") {
			t.Errorf("agent replay: text %q, finish %q", laneText(ev, Lane{}), fin[Lane{}].Reason)
		}
		if g.Kind == KindConversation {
			n := 0
			for _, e := range ev {
				if e.ToolResult != nil {
					n++
				}
			}
			if n != calls {
				t.Errorf("conversation replay: %d tool results, want %d", n, calls)
			}
		}
	}
	// a replay is not recorded again
	if again, _ := Load(rec.Path()); len(again.Groups) != len(kinds) {
		t.Errorf("the replays were recorded")
	}
}

func hello2(text string) api.ChatRequest {
	return api.ChatRequest{Messages: []api.Message{{Role: api.RoleUser, Content: api.Text(text)}}}
}

func ptr[T any](v T) *T { return &v }

// TestSevenSingleRunsReopenAsSevenSingleRuns is issue 9's "sessions reopen
// as something else": seven ctrl+r runs on seven models were guessed to be
// a 14-cell matrix.
func TestSevenSingleRunsReopenAsSevenSingleRuns(t *testing.T) {
	srv, client := simServer(t)
	e, rec := recordingEngine(t, srv.URL)
	models := []string{"mistral-small-latest", "mistral-large-latest", "mistral-medium-latest", "ministral-8b-latest", "ministral-3b-latest", "magistral-small-latest", "mistral-small-latest"}
	for _, m := range models {
		_, fin := collect(t, Run(context.Background(), e, Spec{Kind: KindSingle, Lanes: []LaneSpec{{Target: Target{Client: client, Model: m}, Request: hello}}}), nil)
		if fin[Lane{}] == nil {
			t.Fatal("no finish")
		}
	}
	rec.Close()
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != len(models) {
		t.Fatalf("%d groups, want %d", len(s.Groups), len(models))
	}
	for i, g := range s.Groups {
		if g.Kind != KindSingle || len(g.Runs) != 1 || len(g.Columns) != 1 || g.Columns[0].Model != models[i] {
			t.Errorf("group %d: %s %+v", i+1, g.Kind, g.Columns)
		}
	}
}

// TestFormatOneFilesStillLoad: files of format 1 have no groups; their
// runs get one each, a comparison (runs sent at once, same messages) is
// recognised as one.
func TestFormatOneFilesStillLoad(t *testing.T) {
	s, err := Load("testdata/compare.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].Kind != KindCompare || !s.Groups[0].Legacy || len(s.Groups[0].Columns) != 2 {
		t.Fatalf("groups %+v", s.Groups)
	}
	if s.Runs[1].Lane.Column != 1 {
		t.Errorf("run 2 lane %+v", s.Runs[1].Lane)
	}
	s, err = Load("testdata/toolturn.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].Kind != KindSingle {
		t.Fatalf("groups %+v", s.Groups)
	}
}

// TestStepAsksBeforeTheFirstCallAndSendsTheEdit: step mode pauses before
// turn 1 too, shows the request, and sends it as edited.
func TestStepAsksBeforeTheFirstCallAndSendsTheEdit(t *testing.T) {
	rs := newRecordingSim(t)
	p, path := weatherPrompt(t)
	req, _ := p.Render(nil)
	handlers, _ := ToolHandlers(p.Ext, path)
	var turns []int
	_, fin := collect(t, Run(context.Background(), nil, Spec{Kind: KindConversation, Step: true, Loop: &LoopOptions{Handlers: handlers},
		Lanes: []LaneSpec{{Target: simTarget(rs), Request: req}}}), func(a *Ask) AskReply {
		turns = append(turns, a.Turn)
		if a.Request == nil || len(a.Request.Messages) == 0 {
			t.Errorf("step %d shows no request", a.Turn)
		}
		if a.Turn == 1 {
			edited := a.Request.Clone()
			edited.Temperature = ptr(0.123)
			return AskReply{OK: true, Request: &edited}
		}
		return AskReply{}
	})
	if len(turns) != 2 || turns[0] != 1 {
		t.Fatalf("asked before turns %v", turns)
	}
	sent := rs.requests(t)
	if len(sent) != 1 || sent[0].Temperature == nil || *sent[0].Temperature != 0.123 {
		t.Fatalf("sent %+v", sent)
	}
	if f := fin[Lane{}]; f == nil || len(f.Conversation.Turns) != 1 {
		t.Fatalf("finish %+v", f)
	}
}

// TestCancelEndsEveryLane: cancelling the context ends every lane, the
// channel closes, and a reader that has gone does not keep goroutines.
func TestCancelEndsEveryLane(t *testing.T) {
	srv := httptest.NewServer(sim.New(sim.Options{Seed: 3, TokenRate: 20}))
	defer srv.Close()
	client := api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1})
	ctx, cancel := context.WithCancel(context.Background())
	ch := Run(ctx, nil, Spec{Kind: KindCompare, Lanes: []LaneSpec{
		{Lane: Lane{Column: 0}, Target: Target{Client: client, Model: "mistral-small-latest"}, Request: hello},
		{Lane: Lane{Column: 1}, Target: Target{Client: client, Model: "mistral-large-latest"}, Request: hello},
	}})
	<-ch // the first event
	cancel()
	_, fin := collect(t, ch, nil)
	if len(fin) != 2 {
		t.Fatalf("%d lanes finished", len(fin))
	}
	for l, f := range fin {
		if f.Result.Err == nil {
			t.Errorf("lane %+v: no error after cancel", l)
		}
	}
}

func mustRun(t *testing.T, s *Session, n int) *RecordedRun {
	t.Helper()
	r, err := s.Run(n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestACompareColumnOnAnAgent: a comparison may put an agent in a column
// beside a model; each lane ends with its finish reason, and the group
// records the agent's column.
func TestACompareColumnOnAnAgent(t *testing.T) {
	srv, client := simServer(t)
	e, rec := recordingEngine(t, srv.URL)
	req := hello2("Name one sight in Lyon.")
	_, fin := collect(t, Run(context.Background(), e, Spec{Kind: KindCompare, Lanes: []LaneSpec{
		{Lane: Lane{Column: 0}, Target: Target{Client: client, Model: "mistral-small-latest"}, Request: req},
		{Lane: Lane{Column: 1}, Target: Target{Client: client}, Request: req, Agent: AgentSpecFor(AgentPrefix+sim.AgentResearch, req), Loop: &LoopOptions{}},
	}}), nil)
	for c := range 2 {
		f := fin[Lane{Column: c}]
		if f == nil || f.Result.Err != nil || f.Reason != "stop" || f.Result.Content() == "" {
			t.Fatalf("column %d: %+v", c, f)
		}
	}
	if fin[Lane{Column: 1}].Agent == nil {
		t.Fatal("the agent column left no conversation")
	}
	rec.Close()
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if g := s.Groups[0]; g.Kind != KindCompare || len(g.Columns) != 2 || g.Columns[1].Model != AgentPrefix+sim.AgentResearch || len(g.Conversations) != 1 {
		t.Fatalf("group %+v", g)
	}
}

// TestAgentCallsRecordTheBodiesSent: every call of an agent conversation
// (the start, the append with the function results) is recorded with the
// very bytes the server received.
func TestAgentCallsRecordTheBodiesSent(t *testing.T) {
	h := sim.New(sim.Options{Seed: 3})
	var mu sync.Mutex
	var sent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/conversations") {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			sent = append(sent, string(b))
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	client := api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1})
	e, rec := recordingEngine(t, srv.URL)
	_, fin := collect(t, Run(context.Background(), e, Spec{Kind: KindAgent,
		Agent: AgentSpecFor(AgentPrefix+sim.AgentWeather, hello2("Weather in Paris?")),
		Loop:  &LoopOptions{Handlers: map[string]Handler{"get_weather": {Kind: HandlerMock, Mock: `{"temp_c": 21}`}}},
		Lanes: []LaneSpec{{Target: Target{Client: client}}},
	}), nil)
	if f := fin[Lane{}]; f == nil || f.Result.Err != nil {
		t.Fatalf("agent: %+v", f)
	}
	rec.Close()
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) < 2 || len(s.Runs) != len(sent) {
		t.Fatalf("%d calls sent, %d recorded", len(sent), len(s.Runs))
	}
	for i, r := range s.Runs {
		if r.API != "conversations" || string(r.Body) != sent[i] {
			t.Errorf("call %d recorded\n%s\nsent\n%s", i+1, r.Body, sent[i])
		}
	}
}
