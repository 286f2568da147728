package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

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
	stream *session.Stream
}

// eventMsg carries one event of a run; err ends the run.
type eventMsg struct {
	id     int
	stream *session.Stream
	ev     api.StreamEvent
	err    error
}

func openCmd(id int, e *session.Engine, ctx context.Context, t session.Target, req api.ChatRequest) tea.Cmd {
	return func() tea.Msg { return openedMsg{id: id, stream: e.Open(ctx, t, req)} }
}

func readCmd(id int, s *session.Stream) tea.Cmd {
	return func() tea.Msg {
		ev, err := s.Next()
		return eventMsg{id: id, stream: s, ev: ev, err: err}
	}
}

// Request builds the request the editor, the parameters and the chosen model
// describe, by way of the prompt file format, so the studio runs exactly
// what a saved file would.
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
	req, err := p.Render(vars)
	if err != nil {
		return api.ChatRequest{}, err
	}
	m.params.Apply(&req)
	req.Model = m.model
	return req, nil
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
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.runID++
	m.response.Start(req.Model)
	m.status.Start(req.Model)
	return m, openCmd(m.runID, m.opts.Engine, ctx, m.opts.Target, req)
}

func (m Model) handleRun(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case openedMsg:
		if msg.id != m.runID {
			return m, nil // a replaced run: its context is cancelled, it ends by itself
		}
		return m, readCmd(msg.id, msg.stream)
	case eventMsg:
		if msg.id != m.runID {
			return m, nil
		}
		if msg.err == nil {
			m.status.Progress(len(msg.ev.Content))
			var cmd tea.Cmd
			m.response, cmd = m.response.Update(response.DeltaMsg{Content: msg.ev.Content, Thinking: msg.ev.Thinking})
			return m, tea.Batch(cmd, readCmd(msg.id, msg.stream))
		}
		return m.finishRun(msg.stream.Result())
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
	if calls := res.Message.ToolCalls; len(calls) > 0 {
		// The tool-call inspector comes with its own pane; until the calls
		// are answered, show what the model asked for.
		var b strings.Builder
		b.WriteString("\n\n---\n\n**Tool calls** (not answered):\n\n")
		for _, c := range calls {
			fmt.Fprintf(&b, "- `%s` `%s`\n", c.Function.Name, c.Function.Arguments)
		}
		m.response.Append(b.String(), "")
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
