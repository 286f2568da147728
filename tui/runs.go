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

// openedMsg says a run's request was answered (or refused).
type openedMsg struct {
	id     int
	column int // 1-based compare column; 0 for a single run
	pump   *pump
}

// eventMsg carries the events of a run that arrived since the last one;
// err (with done) ends the run.
type eventMsg struct {
	id     int
	column int
	pump   *pump
	events []api.StreamEvent
	calls  []session.ToolCallState
	asks   []*ask
	done   bool
}

// pump reads a run on its own goroutine, so that the events that arrive
// while the program is busy can be handed over together: one message, one
// Update and one frame for all of them, instead of a round trip through the
// Bubble Tea loop for each token. It never touches the model.
type pump struct {
	ch chan pumped
	// res is the run's result, written by the pump's goroutine before it
	// sends the last item: reading it after that item is safe. convID is
	// an agent conversation's id, written the same way.
	res       session.Result
	convID    string
	lastEntry string // the agent's last output entry, for a later restart
}

type pumped struct {
	ev   api.StreamEvent
	call *session.ToolCallState // a conversation's tool call, new or updated
	ask  *ask                   // a question from the loop (see ask.go)
	err  error
}

// maxBatch bounds how many events one message carries, so a fast stream
// still shows progress frame by frame.
const maxBatch = 512

func startPump(ctx context.Context, s *session.Stream) *pump {
	p := &pump{ch: make(chan pumped, maxBatch)}
	go func() {
		defer close(p.ch)
		for {
			ev, err := s.Next()
			if err != nil {
				p.res = s.Result()
				p.ch <- pumped{err: err} // the buffer keeps room: see send
				return
			}
			if !p.send(ctx, pumped{ev: ev}) {
				// nobody reads a replaced run: end it and let the
				// goroutine go
				s.Close()
				for {
					if _, err := s.Next(); err != nil {
						return
					}
				}
			}
		}
	}()
	return p
}

// send hands an event over, giving up when the run was cancelled and
// nobody drains the channel any more. One slot is always left free for the
// final item.
func (p *pump) send(ctx context.Context, it pumped) bool {
	for len(p.ch) >= cap(p.ch)-1 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	p.ch <- it
	return true
}

// startReplayPump plays a recorded run back through a pump, with its
// original timing divided by speed, so a replay reaches the answer pane
// exactly as a live run does.
func startReplayPump(ctx context.Context, s *session.Session, run int, speed float64) *pump {
	p := &pump{ch: make(chan pumped, maxBatch)}
	go func() {
		defer close(p.ch)
		res, err := s.Replay(ctx, run, speed, func(ev api.StreamEvent) {
			p.send(ctx, pumped{ev: ev}) // a cancelled replay ends with ctx
		})
		if err != nil && res.Err == nil {
			res.Err = err
		}
		p.res = res
		p.ch <- pumped{err: io.EOF}
	}()
	return p
}

func openCmd(id int, e *session.Engine, ctx context.Context, t session.Target, req api.ChatRequest) tea.Cmd {
	return func() tea.Msg { return openedMsg{id: id, pump: startPump(ctx, e.Open(ctx, t, req))} }
}

// frameTime is how long a read waits for more events after the first: one
// frame at 60 per second. Events that come within it share one Update and
// one View, which is what keeps a slow stream cheap (a token every few
// milliseconds would otherwise cost a whole frame each).
const frameTime = 16 * time.Millisecond

// readCmd waits for the next event and gathers those that follow within a
// frame.
func readCmd(id int, p *pump) tea.Cmd { return readColumnCmd(id, 0, p) }

// readColumnCmd is readCmd for a compare column.
func readColumnCmd(id, column int, p *pump) tea.Cmd {
	return func() tea.Msg {
		msg := eventMsg{id: id, column: column, pump: p}
		take := func(it pumped) {
			switch {
			case it.ask != nil:
				msg.asks = append(msg.asks, it.ask)
			case it.call != nil:
				msg.calls = append(msg.calls, *it.call)
			default:
				msg.events = append(msg.events, it.ev)
			}
		}
		it, ok := <-p.ch
		if !ok || it.err != nil {
			msg.done = true
			return msg
		}
		take(it)
		deadline := time.NewTimer(frameTime)
		defer deadline.Stop()
		for len(msg.events)+len(msg.calls) < maxBatch {
			select {
			case it, ok := <-p.ch:
				if !ok || it.err != nil {
					msg.done = true
					return msg
				}
				take(it)
			case <-deadline.C:
				return msg
			}
		}
		return msg
	}
}

// Request builds the request the editor, the parameters and the chosen model
// describe, by way of the prompt file format and session.Build, so the
// studio runs exactly what a saved file would, and what `mstudio run` with
// the same --set sends: the prompt's own config, output and tools, with the
// parameters changed in the pane as the overrides.
func (m Model) Request() (api.ChatRequest, error) {
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
	return session.Build(p, m.model, vars, m.params.Settings())
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
		return m, m.status.Error(err.Error())
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
	return m, tea.Batch(cmd, openCmd(m.runID, m.opts.Engine, ctx, m.opts.Target, req))
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
		if err := m.ensureRecorder(); err != nil {
			cmd = m.status.Error("session not recorded: " + err.Error())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.runID++
	m.asks, m.answer = nil, nil // the old loop stops asking with its context
	return ctx, cmd
}

// beginRun is newRun for a run shown in the answer pane: the pane, the
// status line and the tool calls start afresh.
func (m *Model) beginRun(model string, record bool) (context.Context, tea.Cmd) {
	ctx, cmd := m.newRun(record)
	m.response.Start(model)
	m.status.Start(model)
	m.calls = nil
	m.tools.Reset()
	return ctx, cmd
}

func (m Model) handleRun(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case openedMsg:
		if msg.id != m.runID {
			return m, nil // a replaced run: its context is cancelled, it ends by itself
		}
		return m, readColumnCmd(msg.id, msg.column, msg.pump)
	case eventMsg:
		if msg.id != m.runID {
			return m, nil
		}
		if msg.column > 0 {
			return m.handleColumn(msg)
		}
		for _, c := range msg.calls {
			m.applyCall(c)
		}
		for _, a := range msg.asks {
			m.handleAsk(a)
		}
		var content, thinking strings.Builder
		for _, ev := range msg.events {
			content.WriteString(ev.Content)
			thinking.WriteString(ev.Thinking)
		}
		var cmd tea.Cmd
		if content.Len() > 0 || thinking.Len() > 0 {
			m.status.Progress(content.Len())
			m.response, cmd = m.response.Update(response.DeltaMsg{Content: content.String(), Thinking: thinking.String()})
		}
		if msg.done {
			if m.isAgent() && msg.pump.convID != "" {
				m.rememberConversation(msg.pump.convID, msg.pump.lastEntry, msg.pump.res.Content())
			}
			next, fin := m.finishRun(msg.pump.res)
			return next, tea.Batch(cmd, fin)
		}
		return m, tea.Batch(cmd, readCmd(msg.id, msg.pump))
	}
	return m, nil
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
