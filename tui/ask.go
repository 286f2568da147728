package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/session"
	"mstudio/tui/frame"
	"mstudio/untrusted"
)

// The run asks the studio two things while it runs, on its own goroutine,
// and waits for the answer: the result of a tool answered by hand (a JSON
// editor that validates as you type), and, in step mode, whether to go on
// to the next model call. The question comes as a run event
// (session.Event.Ask); the answer goes back through Ask.Reply, so the model
// is never touched from the run's goroutines.

// ask is one question from the run.
type ask = session.Ask

// answerEditor is the JSON editor for a tool answered by hand, and for
// the next request in step mode (step: the text must be a request with
// messages; editing: keys edit it, else they scroll it and answer the step).
type answerEditor struct {
	ta      textarea.Model
	err     string
	step    bool
	editing bool
	shown   string // the request as shown, to tell an edit
}

// stepKeys are the step dialog's own keys, beside the dialog's go on and
// stop (tui/dialogs.go).
var stepKeys = struct{ Edit, Send, Leave key.Binding }{
	Edit:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit the next request")),
	Send:  key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send the edited request")),
	Leave: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop editing")),
}

// newRequestEditor shows a step's next request as indented JSON.
func newRequestEditor(w, h int, req *api.ChatRequest) *answerEditor {
	e := newAnswerEditor(w, h)
	e.step = true
	b, _ := json.MarshalIndent(req, "", "  ")
	e.shown = string(b)
	e.ta.SetValue(e.shown)
	e.ta.MoveToBegin()
	e.validate()
	return e
}

// request decodes the edited request.
func (e *answerEditor) request() (*api.ChatRequest, error) {
	var req api.ChatRequest
	dec := json.NewDecoder(strings.NewReader(e.ta.Value()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, err
	}
	if len(req.Messages) == 0 {
		return nil, fmt.Errorf("a request needs messages")
	}
	return &req, nil
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
	if e.step {
		if _, err := e.request(); err != nil {
			e.err = "not a request: " + strings.TrimPrefix(err.Error(), "json: ")
		}
	}
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
	if len(m.asks) > 0 && m.asks[0].Call != nil {
		m.answer = newAnswerEditor(m.width-4, m.height-12)
	}
	if len(m.asks) > 0 && m.asks[0].Call == nil && m.asks[0].Request != nil && len(m.asks[0].Request.Messages) > 0 {
		tw, th := m.askSplit()
		m.answer = newRequestEditor(m.width-tw-4, m.height-th-8, m.asks[0].Request)
	}
}

// replyAsk answers the first waiting question and moves to the next.
func (m *Model) replyAsk(r session.AskReply) {
	if len(m.asks) == 0 {
		return
	}
	m.asks[0].Reply(r)
	m.asks = m.asks[1:]
	m.showAsk()
}

// askKey handles keys while the loop waits for the user.
func (m Model) askKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a := m.asks[0]
	if a.Call == nil { // step mode
		return m.stepKey(msg)
	}
	switch msg.String() {
	case "ctrl+s":
		if m.answer.err != "" {
			return m, m.status.Error("not sent: " + m.answer.err)
		}
		m.replyAsk(session.AskReply{Text: m.answer.compact(), OK: true})
		return m, nil
	case "esc":
		m.replyAsk(session.AskReply{})
		return m, nil
	}
	var cmd tea.Cmd
	m.answer.ta, cmd = m.answer.ta.Update(msg)
	m.answer.validate()
	return m, cmd
}

// stepKey answers a step: go on, stop, or edit the next request first.
func (m Model) stepKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	e := m.answer
	if e != nil && e.editing {
		switch {
		case key.Matches(msg, stepKeys.Send):
			req, err := e.request()
			if err != nil {
				return m, m.status.Error("not sent: " + e.err)
			}
			m.replyAsk(session.AskReply{OK: true, Request: req})
			return m, m.status.Note("sent the edited request")
		case key.Matches(msg, stepKeys.Leave):
			e.editing = false
			return m, nil
		}
		var cmd tea.Cmd
		e.ta, cmd = e.ta.Update(msg)
		e.validate()
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.dkeys.StepGo):
		if e != nil && e.ta.Value() != e.shown {
			// an edit left with esc still goes out as edited, when valid
			if req, err := e.request(); err == nil {
				m.replyAsk(session.AskReply{OK: true, Request: req})
				return m, nil
			}
			return m, m.status.Error("not sent: " + e.err + " · e edits it, esc stops")
		}
		m.replyAsk(session.AskReply{OK: true})
		return m, nil
	case key.Matches(msg, m.dkeys.StepStop):
		m.replyAsk(session.AskReply{})
		return m, m.status.Note("stopped before the next model call")
	case key.Matches(msg, stepKeys.Edit) && e != nil:
		e.editing = true
		return m, nil
	}
	if e != nil {
		// the request scrolls with the arrows and page keys
		var cmd tea.Cmd
		switch msg.String() {
		case "up", "down", "pgup", "pgdown", "home", "end":
			e.ta, cmd = e.ta.Update(msg)
		}
		return m, cmd
	}
	return m, nil
}

// askSplit is where the step dialog leaves the tools inspector in view
// (the calls whose results the next request sends back are what the user
// checks): beside it on a wide screen (toolsW), under it on a narrow one
// (toolsH); both 0 when there are no calls or no room.
func (m Model) askSplit() (toolsW, toolsH int) {
	if len(m.asks) == 0 || m.asks[0].Call != nil || len(m.calls) == 0 {
		return 0, 0
	}
	switch {
	case m.width >= 100:
		return max(m.width/3, 34), 0
	case m.height >= 20:
		return 0, max(m.height/3, 6)
	}
	return 0, 0
}

// askDialog draws the question in a frame of w×h; a step keeps the tools
// inspector in view.
func (m Model) askDialog(title string, w, h int) string {
	tw, th := m.askSplit()
	if (tw == 0 && th == 0) || tw >= w || th >= h {
		return frame.Render(m.st, title, true, w, h, m.askView())
	}
	t := m.tools
	if th > 0 {
		t.SetSize(frame.Inner(w, th))
		return frame.Render(m.st, title, true, w, h-th, m.askView()) + "\n" + frame.Render(m.st, t.Title(), false, w, th, t.View())
	}
	t.SetSize(frame.Inner(tw, h))
	left := strings.Split(frame.Render(m.st, title, true, w-tw, h, m.askView()), "\n")
	right := strings.Split(frame.Render(m.st, t.Title(), false, tw, h, t.View()), "\n")
	for i := range left {
		if i < len(right) {
			left[i] += right[i]
		}
	}
	return strings.Join(left, "\n")
}

// askView draws the question.
func (m Model) askView() string {
	a := m.asks[0]
	var b strings.Builder
	if a.Call == nil {
		b.WriteString(m.st.Accent.Render(fmt.Sprintf("Next model call: turn %d", a.Turn)))
		if r := a.Request; r != nil {
			b.WriteString(m.st.Muted.Render(fmt.Sprintf(" · %s · %d messages · %s", untrusted.StripLine(r.Model), len(r.Messages), session.ParamSummary(*r))))
		}
		b.WriteString("\n\n")
		if e := m.answer; e != nil {
			b.WriteString(e.ta.View() + "\n")
			switch {
			case e.err != "":
				b.WriteString(m.st.Error.Render("✗ "+e.err) + "\n")
			case e.ta.Value() != e.shown:
				b.WriteString(m.st.Success.Render("✓ edited: goes out as edited") + "\n")
			}
			if e.editing {
				b.WriteString(m.st.Muted.Render("ctrl+s sends the edited request · esc stops editing"))
				return b.String()
			}
			b.WriteString(m.st.Muted.Render(fmt.Sprintf("turn %d · ↑/↓ scroll · e edits it · ", a.Turn)))
		}
		b.WriteString(m.st.HelpKey.Render("enter") + " " + m.st.HelpDesc.Render("go on") + m.st.Muted.Render(" · "))
		b.WriteString(m.st.HelpKey.Render("esc") + " " + m.st.HelpDesc.Render("stop here (the answer so far is kept)"))
		return b.String()
	}
	c := a.Call
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
