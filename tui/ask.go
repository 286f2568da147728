package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/session"
	"mstudio/untrusted"
)

// The conversation asks the studio two things while it runs, on its own
// goroutine, and waits for the answer: the result of a tool answered by hand
// (a JSON editor that validates as you type), and, in step mode, whether to
// go on to the next model call. The question travels through the run's pump;
// the answer goes back on a channel of its own, so the model is never
// touched from the loop's goroutine.

// ask is one question from the loop.
type ask struct {
	call  *session.ToolCallState // a tool to answer by hand
	turn  int                    // step mode: the model call about to be made
	reply chan askReply
}

type askReply struct {
	text string
	ok   bool
}

// askFromLoop sends a question through the pump and waits for the reply.
func askFromLoop(ctx context.Context, p *pump, a *ask) (askReply, error) {
	a.reply = make(chan askReply, 1)
	if !p.send(ctx, pumped{ask: a}) {
		return askReply{}, ctx.Err()
	}
	select {
	case r := <-a.reply:
		return r, nil
	case <-ctx.Done():
		return askReply{}, ctx.Err()
	}
}

// wireAsks gives the loop options the studio's way of asking.
func wireAsks(ctx context.Context, p *pump, opts *session.LoopOptions, step bool) {
	opts.Answer = func(ctx context.Context, call session.ToolCallState) (string, error) {
		r, err := askFromLoop(ctx, p, &ask{call: &call})
		if err != nil {
			return "", err
		}
		if !r.ok {
			return "", fmt.Errorf("%s was not answered: the user declined", call.Name)
		}
		return r.text, nil
	}
	if step {
		opts.Step = func(turn int, _ *api.ChatRequest) bool {
			if turn == 1 {
				return true
			}
			r, err := askFromLoop(ctx, p, &ask{turn: turn})
			return err == nil && r.ok
		}
	}
}

// answerEditor is the JSON editor for a tool answered by hand.
type answerEditor struct {
	ta  textarea.Model
	err string
}

func newAnswerEditor(w, h int) *answerEditor {
	ta := textarea.New()
	ta.ShowLineNumbers = true
	ta.Placeholder = `{"result": "…"}`
	ta.SetWidth(max(w, 10))
	ta.SetHeight(max(h, 3))
	ta.SetVirtualCursor(true) // drawn in the view: the modal owns no real cursor
	ta.Focus()
	e := &answerEditor{ta: ta}
	e.validate()
	return e
}

// validate checks the text as JSON after every key, saying where it breaks.
func (e *answerEditor) validate() {
	text := strings.TrimSpace(e.ta.Value())
	if text == "" {
		e.err = "empty: write the tool's result as JSON"
		return
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		e.err = jsonErrorAt(text, err)
		return
	}
	e.err = ""
}

// jsonErrorAt turns a decoding error into "line L, column C: problem".
func jsonErrorAt(text string, err error) string {
	var se *json.SyntaxError
	off := -1
	switch x := err.(type) {
	case *json.SyntaxError:
		se = x
		off = int(se.Offset)
	case *json.UnmarshalTypeError:
		off = int(x.Offset)
	}
	if off < 0 {
		return err.Error()
	}
	off = min(off, len(text))
	line := strings.Count(text[:off], "\n") + 1
	col := off - strings.LastIndexByte(text[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// compact returns the answer as compact JSON, ready to send.
func (e *answerEditor) compact() string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(strings.TrimSpace(e.ta.Value()))) != nil {
		return strings.TrimSpace(e.ta.Value())
	}
	return b.String()
}

// handleAsk shows a question from the loop.
func (m *Model) handleAsk(a *ask) {
	m.asks = append(m.asks, a)
	if len(m.asks) == 1 {
		m.showAsk()
	}
}

// showAsk prepares the view for the first waiting question.
func (m *Model) showAsk() {
	m.answer = nil
	if len(m.asks) > 0 && m.asks[0].call != nil {
		m.answer = newAnswerEditor(m.width-4, m.height-12)
	}
}

// replyAsk answers the first waiting question and moves to the next.
func (m *Model) replyAsk(r askReply) {
	if len(m.asks) == 0 {
		return
	}
	m.asks[0].reply <- r
	m.asks = m.asks[1:]
	m.showAsk()
}

// askKey handles keys while the loop waits for the user.
func (m Model) askKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a := m.asks[0]
	if a.call == nil { // step mode
		switch msg.String() {
		case "enter", "space":
			m.replyAsk(askReply{ok: true})
			return m, nil
		case "esc":
			m.replyAsk(askReply{})
			return m, m.status.Note("stopped before the next model call")
		}
		return m, nil
	}
	switch msg.String() {
	case "ctrl+s":
		if m.answer.err != "" {
			return m, m.status.Error("not sent: " + m.answer.err)
		}
		m.replyAsk(askReply{text: m.answer.compact(), ok: true})
		return m, nil
	case "esc":
		m.replyAsk(askReply{})
		return m, nil
	}
	var cmd tea.Cmd
	m.answer.ta, cmd = m.answer.ta.Update(msg)
	m.answer.validate()
	return m, cmd
}

// askView draws the question.
func (m Model) askView() string {
	a := m.asks[0]
	var b strings.Builder
	if a.call == nil {
		b.WriteString(m.st.Accent.Render(fmt.Sprintf("Step mode: the model is about to be called again (turn %d).", a.turn)) + "\n\n")
		b.WriteString("  " + m.st.HelpKey.Render("enter") + "  " + m.st.HelpDesc.Render("go on") + "\n")
		b.WriteString("  " + m.st.HelpKey.Render("esc") + "  " + m.st.HelpDesc.Render("stop here (the answer so far is kept)") + "\n")
		return b.String()
	}
	c := a.call
	b.WriteString(m.st.Accent.Render("Answer the tool call by hand") + m.st.Muted.Render(fmt.Sprintf("  (turn %d, id %s)", c.Turn, untrusted.StripLine(c.ID))) + "\n\n")
	b.WriteString(m.st.Bold.Render(untrusted.StripLine(c.Name)) + " " + untrusted.StripLine(c.Arguments) + "\n")
	for _, e := range c.SchemaErrors {
		b.WriteString(m.st.Warning.Render("✗ "+untrusted.StripLine(e)) + "\n")
	}
	b.WriteString("\n" + m.answer.ta.View() + "\n\n")
	if m.answer.err != "" {
		b.WriteString(m.st.Error.Render("✗ "+m.answer.err) + "\n")
	} else {
		b.WriteString(m.st.Success.Render("✓ valid JSON") + "\n")
	}
	b.WriteString(m.st.Muted.Render("ctrl+s sends the result · esc declines (the call fails and the model is told)"))
	if n := len(m.asks) - 1; n > 0 {
		b.WriteString(m.st.Muted.Render(fmt.Sprintf(" · %d more waiting", n)))
	}
	return b.String()
}
