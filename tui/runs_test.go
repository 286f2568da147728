package tui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/matrix"
	"mstudio/tui/response"
)

// Every kind of run reaches the model through one message, runEventsMsg,
// routed by lane. These tests feed events by hand, as session.Run sends
// them, to each kind.

func events(id int, done bool, evs ...session.Event) runEventsMsg {
	return runEventsMsg{id: id, events: evs, done: done, ch: closedEvents()}
}

// closedEvents is a channel that is over: a read of it says done.
func closedEvents() <-chan session.Event {
	ch := make(chan session.Event)
	close(ch)
	return ch
}

func result(model, text, reason string) session.Result {
	return session.Result{Model: model, Message: api.Message{Role: api.RoleAssistant, Content: api.Text(text)}, FinishReason: reason}
}

func TestSingleRunEventsReachTheAnswerPane(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m, _ = m.startRunForTest(session.KindSingle)
	id := m.runID
	m = update(m, events(id, false, session.Event{Run: id, Content: "Hello "}, session.Event{Run: id, Thinking: "hm"}, session.Event{Run: id, Content: "Lyon"}))
	if m.response.Answer() != "Hello Lyon" {
		t.Fatalf("answer %q", m.response.Answer())
	}
	m = update(m, events(id, true, session.Event{Run: id, Finish: &session.Finish{Reason: "length", Result: result("m", "Hello Lyon", "length")}}, session.Event{Run: id, Done: true}))
	if m.response.State() != response.Done || !strings.Contains(screen(m), "length") {
		t.Fatalf("state %v; the finish reason is not on screen:\n%s", m.response.State(), screen(m))
	}
	// a replaced run's late events are dropped by id
	m = update(m, events(id-1, false, session.Event{Run: id - 1, Content: "stale"}))
	if strings.Contains(m.response.Answer(), "stale") {
		t.Fatal("a replaced run's events were shown")
	}
}

func TestConversationEventsFillTheInspector(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m, _ = m.startRunForTest(session.KindConversation)
	id := m.runID
	call := session.ToolCallState{Turn: 1, ID: "abcdefghi", Name: "get_weather", Arguments: `{"city":"Lyon"}`, State: session.CallPending}
	done := call
	done.State, done.Result = session.CallAnswered, `{"temp_c":21}`
	m = update(m, events(id, false,
		session.Event{Run: id, Turn: 1, ToolCall: &call},
		session.Event{Run: id, Turn: 1, ToolResult: &done},
		session.Event{Run: id, Turn: 2, Content: "It is 21 °C."}))
	if len(m.calls) != 1 || m.calls[0].State != session.CallAnswered || m.calls[0].Result != `{"temp_c":21}` {
		t.Fatalf("calls %+v", m.calls)
	}
	a := session.NewAsk(&session.ToolCallState{Turn: 2, ID: "x", Name: "search", Arguments: "{}"}, 2)
	m = update(m, events(id, false, session.Event{Run: id, Turn: 2, Ask: a}))
	if len(m.asks) != 1 || m.answer == nil {
		t.Fatal("the question is not shown")
	}
	m.answer.ta.SetValue(`{"hits": 3}`)
	m.answer.validate()
	m = update(m, ctrl('s'))
	if r, ok := a.Replied(); !ok || !r.OK || r.Text != `{"hits":3}` {
		t.Fatalf("reply %+v %v", r, ok)
	}
	// a run that ends (cancelled) while a question waits closes the question
	late := session.NewAsk(&session.ToolCallState{Turn: 3, ID: "y", Name: "search", Arguments: "{}"}, 3)
	m = update(m, events(id, false, session.Event{Run: id, Turn: 3, Ask: late}))
	m = update(m, events(id, true, session.Event{Run: id, Finish: &session.Finish{Result: session.Result{Err: context.Canceled}}}, session.Event{Run: id, Done: true}))
	if len(m.asks) != 0 || m.answer != nil || strings.Contains(screen(m), "Answer the tool call by hand") {
		t.Fatal("the question of a run that ended stays open")
	}
}

func TestCompareEventsGoToTheirColumns(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.cols = []compareCol{{model: "mistral-small-latest"}, {model: "mistral-large-latest"}}
	m.syncCompare()
	req, _ := m.Request()
	out, _ := m.startCompare(req)
	m = out.(Model)
	id := m.runID
	m = update(m, events(id, false,
		session.Event{Run: id, Lane: session.Lane{Column: 1}, Content: "large"},
		session.Event{Run: id, Lane: session.Lane{Column: 0}, Content: "small"}))
	m = update(m, events(id, true,
		session.Event{Run: id, Lane: session.Lane{Column: 0}, Finish: &session.Finish{Result: result("mistral-small-latest", "small", "stop")}},
		session.Event{Run: id, Lane: session.Lane{Column: 1}, Finish: &session.Finish{Result: result("mistral-large-latest", "large", "stop")}},
		session.Event{Run: id, Done: true}))
	if m.compare.Answer(0) != "small" || m.compare.Answer(1) != "large" || m.running != 0 {
		t.Fatalf("columns %q %q running %d", m.compare.Answer(0), m.compare.Answer(1), m.running)
	}
	if m.response.Answer() != "" {
		t.Fatal("compare text reached the answer pane")
	}
}

func TestMatrixEventsFillCells(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	_, _ = m.newRun(false)
	m.run.kind = session.KindMatrix
	mt := matrix.New(m.st, []map[string]string{{"city": "Lyon"}, {"city": "Nice"}}, []string{"a", "b"})
	m.mtx, m.mtxOpen = &mt, true
	id := m.runID
	var evs []session.Event
	for r := range 2 {
		for c := range 2 {
			evs = append(evs, session.Event{Run: id, Lane: session.Lane{Column: c, Row: r}, Finish: &session.Finish{Result: result("m", "cell", "stop")}})
		}
	}
	m = update(m, events(id, true, append(evs, session.Event{Run: id, Done: true})...))
	if done, total, _ := m.mtx.Done(); done != 4 || total != 4 || !strings.Contains(m.status.Message(), "4 cells done") {
		t.Fatalf("%d/%d cells; status %q", done, total, m.status.Message())
	}
}

func TestAgentEventsRememberTheConversation(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.setModel(agentPrefix + sim.AgentWeather)
	m, _ = m.startRunForTest(session.KindAgent)
	id := m.runID
	m = update(m, events(id, true,
		session.Event{Run: id, Turn: 1, Content: "Sunny."},
		session.Event{Run: id, Finish: &session.Finish{Result: result("agent", "Sunny.", "stop"), Agent: &session.AgentState{ConversationID: "conv_1", LastEntry: "msg_9"}}},
		session.Event{Run: id, Done: true}))
	if m.conv == nil || m.conv.id != "conv_1" || m.conv.lastEntry != "msg_9" || m.response.Answer() != "Sunny." {
		t.Fatalf("conv %+v answer %q", m.conv, m.response.Answer())
	}
}

// startRunForTest makes a run of kind current, as the start of that kind
// does, without starting anything.
func (m Model) startRunForTest(kind session.Kind) (Model, context.Context) {
	ctx, _ := m.beginRun(m.model, false)
	m.run.kind = kind
	return m, ctx
}

// TestStepShowsAndEditsTheNextRequest: step mode shows the request about
// to be sent, e edits it, a broken edit is refused, ctrl+s sends it.
func TestStepShowsAndEditsTheNextRequest(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m, _ = m.startRunForTest(session.KindConversation)
	req := api.ChatRequest{Model: "mistral-small-latest", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("hi")}}}
	a := session.NewAsk(nil, 1)
	a.Request = &req
	call := session.ToolCallState{Turn: 1, ID: "abcdefghi", Name: "get_weather", Arguments: `{"city":"Lyon"}`, State: session.CallAnswered, Result: `{"temp_c":21}`}
	m = update(m, events(m.runID, false, session.Event{Run: m.runID, Turn: 1, ToolResult: &call}, session.Event{Run: m.runID, Turn: 1, Ask: a}))
	sc := screen(m)
	if !strings.Contains(sc, "Next model call: turn 1") || !strings.Contains(sc, `"content": "hi"`) {
		t.Fatalf("the request is not shown:\n%s", sc)
	}
	// the step does not cover the tools inspector, beside it on a wide
	// screen, under it on a narrow one
	if !strings.Contains(sc, m.tools.Title()) || !strings.Contains(sc, "get_weather") {
		t.Fatalf("the tools inspector is covered:\n%s", sc)
	}
	checkExact(t, m, 120, 40)
	narrow := update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	narrow.showAsk()
	if sc := screen(narrow); !strings.Contains(sc, "get_weather") || !strings.Contains(sc, "Next model call: turn 1") {
		t.Fatalf("80x24: the tools inspector is covered:\n%s", sc)
	}
	checkExact(t, narrow, 80, 24)
	m = update(m, press("e"))
	if !m.answer.editing {
		t.Fatal("e does not edit")
	}
	m.answer.ta.SetValue(`{"model": "mistral-small-latest", "messages": []}`)
	m.answer.validate()
	m = update(m, ctrl('s'))
	if _, ok := a.Replied(); ok {
		t.Fatal("a request without messages was sent")
	}
	m.answer.ta.SetValue(`{"model": "mistral-small-latest", "temperature": 0.5, "messages": [{"role": "user", "content": "bonjour"}]}`)
	m.answer.validate()
	m = update(m, ctrl('s'))
	r, ok := a.Replied()
	if !ok || !r.OK || r.Request == nil || r.Request.Messages[0].Content.String() != "bonjour" || *r.Request.Temperature != 0.5 {
		t.Fatalf("reply %+v", r)
	}
	if len(m.asks) != 0 {
		t.Fatal("the step stays open")
	}
}

// TestSessionsReopenAsWhatRan: a session of several single runs on
// different models reopens as a single run (it once became a 14-cell
// matrix whose cells never ended), and its prompt comes back as the
// template with its variables, not the rendered text.
func TestSessionsReopenAsWhatRan(t *testing.T) {
	p, _ := prompts.Parse("trip", "---\nname: trip\nmodel: mistral-small-latest\n---\nName one sight in {{city}}.\n")
	m := studioOn(t, p, "")
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1
	doc := m.editor.Document()
	doc.Vars["city"] = "Lyon"
	m.editor.Load(doc)
	models := []string{"mistral-small-latest", "mistral-large-latest", "mistral-medium-latest", "ministral-8b-latest"}
	for _, model := range models {
		m.setModel(model)
		var cmd tea.Cmd
		m, cmd = key2(m, ctrl('r'))
		m = doRun(t, m, cmd)
	}
	path := m.recorder.Path()
	m.closeRecorder()
	_ = m.CloseSession()
	s, err := session.Load(path)
	if err != nil || len(s.Groups) != len(models) {
		t.Fatalf("groups: %v %+v", err, s)
	}
	for i, g := range s.Groups {
		if g.Kind != session.KindSingle || g.Columns[0].Model != models[i] {
			t.Fatalf("group %d is a %s", g.Group, g.Kind)
		}
	}
	m = doRun(t, m, loadSessionCmd(path))
	if m.mtx != nil || m.comparing() {
		t.Fatalf("reopened as a matrix or a comparison")
	}
	if m.response.State() != response.Done || !strings.Contains(m.response.ModelName(), "recorded") {
		t.Fatalf("the first run is not replayed in the answer pane: %v %q", m.response.State(), m.response.ModelName())
	}
	doc = m.editor.Document()
	text := doc.System
	for _, tt := range doc.Turns {
		text += tt.Text
	}
	if !strings.Contains(text, "{{city}}") || strings.Contains(text, "Name one sight in Lyon") || doc.Vars["city"] != "Lyon" {
		t.Fatalf("the editor holds %q with vars %v: not the template", text, doc.Vars)
	}
}

// TestGroupsOfASessionOneAtATime: a session of a single run, a comparison
// and a matrix reopens as the single run; ] shows the comparison in its
// columns, ] again the matrix as its table, [ goes back.
func TestGroupsOfASessionOneAtATime(t *testing.T) {
	client := simTarget(t, sim.Options{Seed: 5}).Client
	dir := t.TempDir()
	rec, err := session.Create(dir, session.Header{Prompt: "trip", Endpoint: "sim"})
	if err != nil {
		t.Fatal(err)
	}
	e := &session.Engine{Recorder: rec}
	hi := api.ChatRequest{Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("Name one sight in Lyon.")}}}
	small, large := session.Target{Client: client, Model: "mistral-small-latest"}, session.Target{Client: client, Model: "mistral-large-latest"}
	src := "---\nname: trip\n---\nName one sight in {{city}}.\n"
	drain := func(spec session.Spec) {
		for range session.Run(context.Background(), e, spec) {
		}
	}
	drain(session.Spec{Kind: session.KindSingle, Prompt: &session.PromptRecord{Name: "trip", Source: src, Vars: map[string]string{"city": "Lyon"}},
		Lanes: []session.LaneSpec{{Target: small, Request: hi}}})
	drain(session.Spec{Kind: session.KindCompare, Lanes: []session.LaneSpec{
		{Lane: session.Lane{Column: 0}, Target: small, Request: hi}, {Lane: session.Lane{Column: 1}, Target: large, Request: hi}}})
	drain(session.MatrixSpec([]session.Target{small, large}, []api.ChatRequest{hi, hi}, []map[string]string{{"city": "Lyon"}, {"city": "Nice"}}, 2))
	rec.Close()

	m := newStudio(t, "dark", 120, 40)
	m.opts.ReplaySpeed = -1
	m = doRun(t, m, loadSessionCmd(rec.Path()))
	if m.comparing() || m.mtx != nil || m.response.State() != response.Done || m.editor.Document().Vars["city"] != "Lyon" {
		t.Fatalf("group 1: comparing %v matrix %v state %v", m.comparing(), m.mtx != nil, m.response.State())
	}
	m.setFocus(paneResponse)
	m, cmd := key2(m, press("]"))
	m = doRun(t, m, cmd)
	if !m.comparing() || m.compare.Answer(0) == "" || m.compare.Answer(1) == "" || m.running != 0 {
		t.Fatalf("group 2 is not the comparison: %d columns; %s", len(m.cols), m.status.Message())
	}
	m, cmd = key2(m, press("]"))
	m = doRun(t, m, cmd)
	if m.mtx == nil || !m.mtxOpen {
		t.Fatalf("group 3 is not the matrix: %s", m.status.Message())
	}
	if done, total, _ := m.mtx.Done(); done != 4 || total != 4 {
		t.Fatalf("matrix %d/%d", done, total)
	}
	if !strings.Contains(screen(m), "Nice") {
		t.Fatalf("the matrix rows lack their variables:\n%s", screen(m))
	}
	m, cmd = key2(m, press("esc")) // the table closes
	m = doRun(t, m, cmd)
	m, cmd = key2(m, press("["))
	m = doRun(t, m, cmd)
	if !m.comparing() || m.mtx != nil && m.mtxOpen {
		t.Fatal("[ does not go back to the comparison")
	}
}

// doRun is do for a run: while a run is in progress (its cancel function
// is set), a command may take as long as the run needs to send its next
// events (under the race detector, a simulator's first event can come
// later than do's 200 ms); once the run is over, timers are left out as do
// leaves them.
func doRun(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return driveRun(m, cmd, 0)
}

func driveRun(m Model, cmd tea.Cmd, depth int) Model {
	if cmd == nil || depth > 5000 {
		return m
	}
	// The command handed in (depth 0: a key's, a session's load) and those
	// of a run in progress are waited for as long as a loaded machine
	// needs; the others are timers once settle has passed.
	wait := 200 * time.Millisecond
	if m.cancel != nil || depth == 0 {
		wait = 10 * time.Second
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(wait):
		return m
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			m = driveRun(m, c, depth+1)
		}
		return m
	}
	if msg == nil {
		return m
	}
	out, next := m.Update(msg)
	return driveRun(out.(Model), next, depth+1)
}

// TestAnAgentInAComparisonColumn: an agent added to a comparison talks to
// the agent in its column (it was sent to chat completions as a model
// named agent:…), and both columns end with their finish reason.
func TestAnAgentInAComparisonColumn(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.cols = []compareCol{{model: "mistral-small-latest"}, {model: agentPrefix + sim.AgentResearch}}
	m.syncCompare()
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	res := m.compare.Results()
	for i, r := range res {
		if r == nil || r.Err != nil || r.FinishReason != "stop" || m.compare.Answer(i) == "" {
			t.Fatalf("column %d: %+v", i, r)
		}
	}
}

// TestARunKeepsTheEngineItStartedWith: a prompt change closes the session
// file and clears the engine's recorder while a run may still be going;
// the run goes on to its end on the copy of the engine made in Update
// (startRunCmd), and the file it wrote still loads.
func TestARunKeepsTheEngineItStartedWith(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SessionDir = t.TempDir()
	m, cmd := key2(m, ctrl('r'))
	if m.recorder == nil {
		t.Fatal("no session file")
	}
	done := make(chan Model)
	running := m // the program's copy; the session file behind both is shared
	go func() { done <- doRun(t, running, cmd) }()
	// the run's Cmd creates the file; close it while the run goes on, as
	// opening another prompt does
	var path string
	for deadline := time.Now().Add(10 * time.Second); path == "" && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		path = m.recorder.Path()
	}
	m.closeRecorder()
	_ = m.CloseSession()
	if out := <-done; out.response.State() != response.Done {
		t.Fatalf("the run did not end: %v", out.response.State())
	}
	if _, err := session.Load(path); err != nil {
		t.Fatal(err)
	}
}

// The reader hands over a first event at once (a run's first token, or one
// after a pause), and a steady stream a frame at a time, every event of the
// frame in one message.
func TestReadEventsFramesASteadyStream(t *testing.T) {
	ch := make(chan session.Event, 64)
	ch <- session.Event{Content: "first"}
	start := time.Now()
	msg := readEvents(1, ch, time.Time{})
	if took := time.Since(start); took > frameTime/2 || len(msg.events) != 1 {
		t.Fatalf("the first event took %v, %d events", took, len(msg.events))
	}
	go func() {
		for i := 0; i < 20; i++ {
			ch <- session.Event{Content: "x"}
			time.Sleep(frameTime / 20)
		}
		close(ch)
	}()
	msg2 := readEvents(1, ch, msg.at)
	if gap := msg2.at.Sub(msg.at); gap < frameTime*9/10 {
		t.Fatalf("the second frame came %v after the first, less than a frame (%v)", gap, frameTime)
	}
	if len(msg2.events) < 5 {
		t.Fatalf("a frame of a steady stream carried %d events", len(msg2.events))
	}
}

// No file is touched in Update: ctrl+r makes the session file's value, the
// run's Cmd creates it on disk, and quit closes it (whole) before the
// program ends.
func TestTheSessionFileIsMadeAndClosedInCmds(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	dir := t.TempDir()
	m.opts.SessionDir = dir
	m, cmd := key2(m, ctrl('r'))
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Update wrote %v", entries)
	}
	m = doRun(t, m, cmd)
	path := m.recorder.Path()
	if path == "" || m.response.State() != response.Done {
		t.Fatalf("the run's Cmd made no file (%q, %v)", path, m.response.State())
	}
	out, quit := m.Update(press("ctrl+c"))
	if !isQuit(quit) { // runs the Sequence: the close, then the quit
		t.Fatal("ctrl+c with nothing unsaved quits")
	}
	s, err := session.Load(path)
	if err != nil || len(s.Groups) != 1 {
		t.Fatalf("%v %+v", err, s)
	}
	if r, err := s.Run(1); err != nil || r.Result == nil || len(r.Events) == 0 {
		t.Fatalf("the run is not whole in its file: %v %+v", err, r)
	}
	if err := out.(Model).CloseSession(); err != nil {
		t.Fatal(err)
	}
}
