package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/editor"
	"mstudio/tui/response"
)

// Every kind of run (one model, a tool conversation, an agent, a
// comparison, a matrix, a replay) goes one way: the Spec is built in
// Update, session.Run starts in a Cmd, and its events (session.Event, one
// type for all kinds) come back through one message, runEventsMsg, read by
// one Cmd a frame. Update routes each event by its lane to the answer pane,
// a compare column or a matrix cell, its tool calls to the tools
// inspector, its questions to the ask dialog. A replaced run's events carry
// the old id and are dropped; its context is cancelled and its goroutines
// end by themselves.

// runEventsMsg carries what a run sent within a frame; done says its
// channel closed: the run is over.
type runEventsMsg struct {
	id     int
	ch     <-chan session.Event
	events []session.Event
	done   bool
	// at is when the frame was handed over: the next waits out the rest
	// of its frame from there.
	at time.Time
	// recErr says the session file could not be created (the run goes on).
	recErr error
}

// runState is the run in progress as the views need it: its kind says
// where its lanes show (a replay shows as the kind it replays); turn and
// wrote lay a conversation's answers out as paragraphs.
type runState struct {
	kind  session.Kind
	turn  int
	wrote bool
	// opened is the session last opened and group the group of it shown:
	// ] and [ move between its groups (recording.go). They outlive runs.
	opened *session.Session
	group  int
}

// maxBatch bounds how many events one message carries, so a fast stream
// still shows progress frame by frame.
const maxBatch = 512

// frameTime is the least time between two handovers of a run's events: 10
// frames a second while text streams, each one Update, one render of the
// answer's tail and one draw of the whole screen (cli's studioFPS, 30,
// leaves room for keys, which never wait for a frame). A first token, or
// one after a pause, is handed over at once. Events that come within a
// frame share one Update and one View, which is what keeps a stream cheap
// (a token every few milliseconds would otherwise cost a whole frame
// each), and four compare columns cost one Update a frame, not four. At 50
// ms the studio took 4.3-5.1 s of CPU for a 10,000-token answer at 190
// tokens a second; at 100 ms 3.5-3.8 s (docs/PERFORMANCE.md).
const frameTime = 100 * time.Millisecond

// startRunCmd starts the run, in the Cmd (never in Update), recording to
// the prompt's session file (created on disk here, by the first run), and
// reads its first events.
func (m Model) startRunCmd(ctx context.Context, spec session.Spec) tea.Cmd {
	id, f := m.runID, m.recorder
	spec.ID = id
	// The engine is copied here, in Update: a later prompt change gives the
	// model another session file while this run records to its own.
	var eng session.Engine
	if m.opts.Engine != nil {
		eng = *m.opts.Engine
	}
	return func() tea.Msg {
		var recErr error
		if f != nil {
			eng.Recorder, recErr = f.open()
		}
		msg := readEvents(id, session.Run(ctx, &eng, spec), time.Time{})
		msg.recErr = recErr
		return msg
	}
}

func readEventsCmd(id int, ch <-chan session.Event, last time.Time) tea.Cmd {
	return func() tea.Msg { return readEvents(id, ch, last) }
}

// readEvents waits for the next event and gathers those that follow until
// a frame has passed since the last handed over (last): a first token, or
// one after a pause, shows at once; a steady stream comes a frame at a
// time.
func readEvents(id int, ch <-chan session.Event, last time.Time) (msg runEventsMsg) {
	msg = runEventsMsg{id: id, ch: ch}
	defer func() { msg.at = time.Now() }() // msg is the named result
	ev, ok := <-ch
	if !ok {
		msg.done = true
		return msg
	}
	msg.events = append(msg.events, ev)
	// Sleep out the frame, then take what came: waiting on the channel
	// instead would wake this goroutine (and the scheduler) for every token.
	if wait := frameTime - time.Since(last); wait > 0 {
		time.Sleep(wait)
	}
	for len(msg.events) < maxBatch {
		select {
		case ev, ok := <-ch:
			if !ok {
				msg.done = true
				return msg
			}
			msg.events = append(msg.events, ev)
		default:
			return msg
		}
	}
	return msg
}

// Request builds the request the editor, the parameters and the chosen model
// describe, by way of the prompt file format and session.Build, so the
// studio runs exactly what a saved file would, and what `mstudio run` with
// the same --set sends: the prompt's own config, output and tools, with the
// parameters changed in the pane as the overrides.
func (m Model) Request() (api.ChatRequest, error) {
	return m.requestFor(m.model, m.promptSettings())
}

// settingsOf is what the parameter values r change relative to the
// prompt's own, as session.Build takes them (a compare column's).
func (m Model) settingsOf(r api.ChatRequest) []session.Setting {
	pane := m.params
	pane.SetParams(r)
	return pane.Settings()
}

// promptSettings is what the prompt's parameters change, also while the
// pane shows a compare column's.
func (m Model) promptSettings() []session.Setting {
	if m.promptParams != nil {
		return m.settingsOf(*m.promptParams)
	}
	return m.params.Settings()
}

// requestFor builds the editor's prompt for a model with settings, through
// the one builder every run uses.
func (m Model) requestFor(model string, settings []session.Setting) (api.ChatRequest, error) {
	doc := m.editor.Document()
	p, err := m.prompt.WithTurns(docTurns(doc))
	if err != nil {
		return api.ChatRequest{}, err
	}
	vars := map[string]any{}
	for k, v := range doc.Vars {
		if v != "" {
			vars[k] = v
		}
	}
	return session.Build(p, model, vars, settings)
}

// docTurns turns the editor's document into prompt turns.
func docTurns(doc editor.Document) []prompts.Turn {
	var turns []prompts.Turn
	if strings.TrimSpace(doc.System) != "" {
		turns = append(turns, prompts.Turn{Role: api.RoleSystem, Text: doc.System})
	}
	for _, t := range doc.Turns {
		turns = append(turns, prompts.Turn{Role: t.Role, Text: t.Text})
	}
	return turns
}

// startRun sends the prompt. A run in progress is cancelled first: its
// late events carry the old id and are dropped.
func (m Model) startRun() (tea.Model, tea.Cmd) {
	req, err := m.Request()
	if err != nil {
		return m, m.status.Error(requestError(err))
	}
	if m.opts.Target.Client == nil {
		return m, m.status.Error("no endpoint to run on")
	}
	if m.comparing() {
		return m.startCompare(req)
	}
	if m.isAgent() {
		return m.startAgentRun(req)
	}
	if len(req.Tools) > 0 && m.prompt.MaxTurns != 1 {
		return m.startConversation(req)
	}
	ctx, cmd := m.beginRun(req.Model, true)
	spec := session.Spec{Kind: session.KindSingle, Prompt: m.promptRecord(), Lanes: []session.LaneSpec{{Target: m.opts.Target, Request: req, Params: session.ParamSummary(req)}}}
	return m, tea.Batch(cmd, m.startRunCmd(ctx, spec))
}

// promptRecord is the prompt as a session records it with a run: the
// template the editor holds (front matter and turns, never rendered) and
// its variables, so reopening the session gives the template back.
func (m Model) promptRecord() *session.PromptRecord {
	doc := m.editor.Document()
	p, err := m.prompt.WithTurns(docTurns(doc))
	if err != nil {
		return nil
	}
	r := &session.PromptRecord{Name: m.prompt.Name, Version: m.version, Source: p.Source}
	for k, v := range doc.Vars {
		if v != "" {
			if r.Vars == nil {
				r.Vars = map[string]string{}
			}
			r.Vars[k] = v
		}
	}
	return r
}

// newRun makes a new run current, for every kind of run (one model, a
// conversation, a comparison, a matrix, a replay): the one in progress is
// cancelled (its late events carry the old id and are dropped), the session
// file is started if record is set (a replay is a record already), and the
// old loop's questions are dropped. It returns the run's context, whose
// cancel function stays here, in the model, and the Cmd of a status message
// when the session could not be recorded (the run goes ahead anyway).
func (m *Model) newRun(record bool) (context.Context, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	var cmd tea.Cmd
	if record {
		m.ensureRecorder() // created on disk by the run's Cmd
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.runID++
	m.run = runState{kind: session.KindSingle, opened: m.run.opened, group: m.run.group}
	m.asks, m.answer = nil, nil // the old loop stops asking with its context
	return ctx, cmd
}

// beginRun is newRun for a run shown in the answer pane: the pane, the
// status line and the tool calls start afresh.
func (m *Model) beginRun(model string, record bool) (context.Context, tea.Cmd) {
	ctx, cmd := m.newRun(record)
	m.response.Start(model) // titled by label when drawn
	m.status.Start(m.label(model))
	m.calls = nil
	m.tools.Reset()
	return ctx, cmd
}

// handleRunEvents applies a frame's worth of a run's events, routed by
// lane: text to the answer pane (one lane), a compare column or nowhere (a
// matrix shows cells when they finish); tool calls to the inspector;
// questions to the ask dialog; each lane's end to its place.
func (m Model) handleRunEvents(msg runEventsMsg) (tea.Model, tea.Cmd) {
	if msg.id != m.runID {
		return m, nil // a replaced run: its context is cancelled, it ends by itself
	}
	var content, thinking strings.Builder // the answer pane's
	var colContent, colThinking map[int]*strings.Builder
	var finishes []session.Event
	var cmds []tea.Cmd
	if msg.recErr != nil {
		cmds = append(cmds, m.status.Error("session not recorded: "+msg.recErr.Error()))
	}
	kind := m.run.kind
	for _, ev := range msg.events {
		switch {
		case ev.Ask != nil:
			m.handleAsk(ev.Ask)
		case ev.ToolCall != nil:
			m.applyCall(*ev.ToolCall)
		case ev.ToolResult != nil:
			m.applyCall(*ev.ToolResult)
		case ev.Finish != nil:
			finishes = append(finishes, ev)
		case ev.Err != nil:
			cmds = append(cmds, m.status.Error(ev.Err.Error()))
		case ev.Content != "" || ev.Thinking != "":
			switch kind {
			case session.KindCompare:
				if colContent == nil {
					colContent, colThinking = map[int]*strings.Builder{}, map[int]*strings.Builder{}
				}
				c := ev.Lane.Column
				if colContent[c] == nil {
					colContent[c], colThinking[c] = &strings.Builder{}, &strings.Builder{}
				}
				colContent[c].WriteString(ev.Content)
				colThinking[c].WriteString(ev.Thinking)
			case session.KindMatrix:
				// cells show when they finish
			default:
				text := ev.Content
				if text != "" {
					// each turn of a conversation starts a new paragraph
					if ev.Turn > m.run.turn && m.run.wrote && !strings.HasPrefix(text, "\n\n") && !strings.HasSuffix(content.String(), "\n\n") {
						text = "\n\n" + text
					}
					m.run.turn, m.run.wrote = max(ev.Turn, m.run.turn), true
				}
				content.WriteString(text)
				thinking.WriteString(ev.Thinking)
			}
		}
	}
	if content.Len() > 0 || thinking.Len() > 0 {
		m.status.Progress(content.Len())
		var cmd tea.Cmd
		m.response, cmd = m.response.Update(response.DeltaMsg{Content: content.String(), Thinking: thinking.String()})
		cmds = append(cmds, cmd)
	}
	for c, b := range colContent {
		if c < len(m.cols) {
			cmds = append(cmds, m.compare.Append(c, b.String(), colThinking[c].String()))
		}
	}
	var next tea.Model = m
	for _, ev := range finishes {
		var cmd tea.Cmd
		next, cmd = next.(Model).finishLane(ev.Lane, ev.Finish)
		cmds = append(cmds, cmd)
	}
	if msg.done {
		// a question left open by a run that ended (cancelled while it
		// waited) has nobody to answer any more
		nm := next.(Model)
		nm.asks, nm.answer = nil, nil
		next, cmd := nm.runDone()
		return next, tea.Batch(append(cmds, cmd)...)
	}
	cmds = append(cmds, readEventsCmd(msg.id, msg.ch, msg.at))
	return next, tea.Batch(cmds...)
}

// finishLane shows how one lane ended, where the run's kind shows it.
func (m Model) finishLane(lane session.Lane, f *session.Finish) (tea.Model, tea.Cmd) {
	switch m.run.kind {
	case session.KindCompare:
		if lane.Column < len(m.cols) {
			return m.finishColumn(lane.Column, f.Result)
		}
		return m, nil
	case session.KindMatrix:
		if m.mtx != nil {
			m.mtx.SetResult(lane.Row, lane.Column, f.Result)
		}
		return m, nil
	}
	if f.Agent != nil && m.isAgent() && f.Agent.ConversationID != "" {
		m.rememberConversation(f.Agent.ConversationID, f.Agent.LastEntry, f.Result.Content())
	}
	return m.finishRun(f.Result)
}

// runDone ends the run: a matrix sums its cells up.
func (m Model) runDone() (tea.Model, tea.Cmd) {
	if m.run.kind != session.KindMatrix || m.mtx == nil {
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	done, total, failed := m.mtx.Done()
	m.status.Finish(session.Result{})
	if failed > 0 {
		return m, m.status.Error(fmt.Sprintf("%d of %d cells failed", failed, total))
	}
	return m, m.status.Note(fmt.Sprintf("%d cells done · enter shows a cell's answer", done))
}

// finishRun shows the end of a run: its figures, its state, its error.
func (m Model) finishRun(res session.Result) (tea.Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.status.Finish(res)
	m.response.SetFinishReason(res.FinishReason)
	if calls := res.Message.ToolCalls; len(calls) > 0 && len(m.calls) == 0 {
		// The tool-call inspector comes with its own pane; until the calls
		// are answered, show what the model asked for.
		var b strings.Builder
		b.WriteString("\n\n---\n\n**Tool calls** (not answered):\n\n")
		for _, c := range calls {
			fmt.Fprintf(&b, "- `%s` `%s`\n", c.Function.Name, c.Function.Arguments)
		}
		m.response.Append(b.String(), "")
	}
	if more := choicesMarkdown(res); more != "" {
		m.response.Append(more, "") // n>1: the other choices under the first
	}
	switch {
	case res.Err == nil:
		m.response.Finish(response.Done, "")
		return m, nil
	case errors.Is(res.Err, context.Canceled):
		m.response.Finish(response.Cancelled, "")
		return m, nil
	case errors.Is(res.Err, io.EOF):
		m.response.Finish(response.Done, "")
		return m, nil
	}
	m.response.Finish(response.Failed, res.Err.Error())
	return m, m.status.Error(res.Err.Error())
}
