package tui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/tools"
)

// Mistral's agents in the studio: the workspace's agents are listed in the
// models pane (as "agent:ID"); choosing one makes ctrl+r talk to it through
// the Conversations API. The conversation's answer streams into the answer
// pane, and its built-in tool executions and function calls show in the
// tools pane. Each run starts a conversation with the editor's turns as its
// inputs, so continuing is forking from the answer (ctrl+x) and running
// again.

// agentPrefix marks an agent among the model ids.
const agentPrefix = "agent:"

// agentEntries turns the workspace's agents into model-list entries.
func agentEntries(agents []api.Agent) []api.ModelEntry {
	var out []api.ModelEntry
	for _, a := range agents {
		card := api.ModelCard{
			ID: agentPrefix + a.ID, Name: a.Name, Type: "agent",
			Description: strings.TrimSpace("agent on " + a.Model + " · " + a.Description),
		}
		for _, t := range a.Tools {
			if t.Type == "function" {
				card.Capabilities.FunctionCalling = true
			}
		}
		card.Capabilities.CompletionChat = true
		out = append(out, api.ModelEntry{ModelCard: card, IDs: []string{card.ID}})
	}
	return out
}

// isAgent reports whether the chosen model is an agent.
func (m Model) isAgent() bool { return strings.HasPrefix(m.model, agentPrefix) }

// conversationInputs writes the request's messages as conversation entries:
// the agent has its own instructions, so a system message becomes the
// conversation's instructions instead.
func conversationInputs(req api.ChatRequest) (json.RawMessage, string) {
	type entry struct {
		Object  string      `json:"object"`
		Type    string      `json:"type"`
		Role    string      `json:"role"`
		Content api.Content `json:"content"`
	}
	var entries []entry
	var instructions []string
	for _, msg := range req.Messages {
		switch msg.Role {
		case api.RoleSystem:
			instructions = append(instructions, msg.Content.String())
		case api.RoleUser, api.RoleAssistant:
			entries = append(entries, entry{Object: "entry", Type: "message.input", Role: msg.Role, Content: api.Text(msg.Content.String())})
		}
	}
	data, _ := json.Marshal(entries)
	return data, strings.Join(instructions, "\n\n")
}

// convState is the agent conversation the editor continues: its id, and
// the turns it holds so far (what was sent, and the agent's answer).
type convState struct {
	agent string
	id    string
	turns []prompts.Turn
	// lastEntry is the agent's last output entry; before is the one the
	// run before ended on (the entry a restart of the last answer starts
	// from), and inputs what the last run sent after it.
	lastEntry, before, inputs string
}

// rememberConversation keeps what an agent run left, so that adding turns
// after the answer and running again continues the same conversation.
func (m *Model) rememberConversation(id, lastEntry, answer string) {
	turns := docTurns(m.editor.Document())
	before, inputs := "", m.pendingInputs
	if c := m.conv; c != nil && c.id == id {
		before = c.lastEntry // a continued conversation: the last answer came after this
	}
	turns = append(turns, prompts.Turn{Role: api.RoleAssistant, Text: answer})
	m.conv = &convState{agent: m.model, id: id, turns: turns, lastEntry: lastEntry, before: before, inputs: inputs}
}

// restartAgent asks the agent again for its last answer: the conversation
// is restarted from the entry before it, with the same inputs (a
// conversation of one answer is simply started again).
func (m Model) restartAgent() (tea.Model, tea.Cmd) {
	c := m.conv
	if c == nil || c.agent != m.model || !m.isAgent() {
		return m, m.status.Error("restart needs an agent's answer: run an agent first")
	}
	if c.before == "" {
		m.conv = nil
		return m.startRun()
	}
	opts, _, err := m.loopOptions()
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	req := api.ConversationRequest{Inputs: api.TextInputs(c.inputs)}
	ctx, _ := m.beginRun(m.model, false)
	id, client, label, conv, from, step := m.runID, m.opts.Target.Client, m.model, c.id, c.before, m.stepMode
	m.pendingInputs = c.inputs
	return m, func() tea.Msg {
		p := &pump{ch: make(chan pumped, maxBatch)}
		wireAsks(ctx, p, &opts, step)
		go runConversationFrom(ctx, p, client, req, conv, from, label, opts)
		return openedMsg{id: id, pump: p}
	}
}

// continuation returns the user text to append when the editor extends
// the remembered conversation with new user turns; "" when it does not.
func (m Model) continuation() (id, text string) {
	c := m.conv
	turns := docTurns(m.editor.Document())
	if c == nil || c.agent != m.model || len(turns) <= len(c.turns) {
		return "", ""
	}
	for i, t := range c.turns {
		if t.Role != turns[i].Role || strings.TrimSpace(t.Text) != strings.TrimSpace(turns[i].Text) {
			return "", ""
		}
	}
	var parts []string
	for _, t := range turns[len(c.turns):] {
		if t.Role != api.RoleUser {
			return "", ""
		}
		if strings.TrimSpace(t.Text) != "" {
			parts = append(parts, t.Text)
		}
	}
	if len(parts) == 0 {
		return "", ""
	}
	return c.id, strings.Join(parts, "\n\n")
}

// startAgentRun talks to the chosen agent. Function calls the agent makes
// are answered like a prompt's tools (mstudio.tools mocks and trusted
// commands, or by hand) and sent back, up to the prompt's maxTurns.
func (m Model) startAgentRun(req api.ChatRequest) (tea.Model, tea.Cmd) {
	opts, _, err := m.loopOptions()
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	agent := strings.TrimPrefix(m.model, agentPrefix)
	inputs, _ := conversationInputs(req)
	creq := api.ConversationRequest{Inputs: inputs, AgentID: agent}
	// turns added after the agent's last answer continue its conversation
	convID, more := m.continuation()
	m.pendingInputs = lastUserText(req)
	if convID != "" {
		creq = api.ConversationRequest{Inputs: api.TextInputs(more)}
		m.pendingInputs = more
	}
	ctx, _ := m.beginRun(m.model, false)
	id, client, label, step := m.runID, m.opts.Target.Client, m.model, m.stepMode
	return m, func() tea.Msg {
		p := &pump{ch: make(chan pumped, maxBatch)}
		wireAsks(ctx, p, &opts, step)
		go runConversation(ctx, p, client, creq, convID, label, opts)
		return openedMsg{id: id, pump: p}
	}
}

// runConversation reads the agent's answers on the pump's goroutine: text
// and thinking go out as stream events, built-in tool executions and
// function calls as tool-call states; function calls are answered and the
// conversation appended to until the agent answers without them.
func runConversation(ctx context.Context, p *pump, c *api.Client, req api.ConversationRequest, convID, label string, opts session.LoopOptions) {
	runConversationFrom(ctx, p, c, req, convID, "", label, opts)
}

// lastUserText is the last user message of a request: what a restart sends
// again.
func lastUserText(req api.ChatRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == api.RoleUser {
			return req.Messages[i].Content.String()
		}
	}
	return ""
}

// runConversationFrom is runConversation that starts (no id), appends (an
// id) or restarts from an entry (an id and fromEntry).
func runConversationFrom(ctx context.Context, p *pump, c *api.Client, req api.ConversationRequest, convID, fromEntry, label string, opts session.LoopOptions) {
	defer close(p.ch)
	start := time.Now()
	res := session.Result{Model: label, Endpoint: c.Endpoint().Name}
	finish := func(err error) {
		res.Latency = time.Since(start)
		if err != nil && !errors.Is(err, io.EOF) {
			res.Err = err
		}
		p.res = res
		p.ch <- pumped{err: io.EOF}
	}
	maxTurns := opts.MaxTurns
	if maxTurns < 1 {
		maxTurns = session.DefaultMaxTurns
	}
	var text strings.Builder
	seen := map[string]string{} // output key -> the state last shown
	var s *api.ConversationStream
	var err error
	switch {
	case convID != "" && fromEntry != "":
		s, err = c.RestartConversation(ctx, convID, fromEntry, req)
	case convID != "":
		s, err = c.AppendConversation(ctx, convID, req)
	default:
		s, err = c.StartConversation(ctx, req)
	}
	for turn := 1; ; turn++ {
		if err != nil {
			finish(err)
			return
		}
		res.Meta = s.Meta()
		for {
			ev, err := s.Next()
			acc := s.Accumulator()
			if err == nil && ev.Type == api.ConvMessageDelta {
				up := api.StreamEvent{Update: api.Update{Content: ev.Content.String(), Thinking: ev.Content.Thinking()}}
				text.WriteString(up.Content)
				if res.TTFT == 0 && (up.Content != "" || up.Thinking != "") {
					res.TTFT = time.Since(start)
				}
				p.send(ctx, pumped{ev: up})
			}
			outs := append(append(acc.ToolExecutions(), acc.FunctionCalls()...), acc.Handoffs()...)
			for _, out := range outs {
				call := agentCall(out, turn)
				if key := out.Type + out.ID + out.ToolCallID; seen[key] != call.State+call.Arguments {
					seen[key] = call.State + call.Arguments
					p.send(ctx, pumped{call: &call})
				}
			}
			if err != nil {
				s.Close()
				res.Message = api.Message{Role: api.RoleAssistant, Content: api.Text(text.String())}
				res.Usage = addUsage(res.Usage, acc.Usage)
				if !errors.Is(err, io.EOF) {
					finish(err)
					return
				}
				break
			}
		}
		acc := s.Accumulator()
		if acc.ConversationID != "" {
			p.convID = acc.ConversationID
		}
		if e := acc.LastEntryID(); e != "" {
			p.lastEntry = e
		}
		calls := acc.FunctionCalls()
		if len(calls) == 0 || turn >= maxTurns {
			finish(nil)
			return
		}
		var results []api.FunctionResult
		for _, out := range calls {
			call := agentCall(out, turn)
			answer, err := answerAgentCall(ctx, opts, call)
			if err != nil {
				call.State, call.Error, answer = tools.StateFailed, err.Error(), `{"error": `+jsonString(err.Error())+`}`
			} else {
				call.State, call.Result = tools.StateAnswered, answer
			}
			p.send(ctx, pumped{call: &call})
			results = append(results, api.FunctionResult{ToolCallID: out.ToolCallID, Result: answer})
		}
		if opts.Step != nil && !opts.Step(turn+1, &api.ChatRequest{}) {
			finish(nil) // step mode: the user stopped before the results go back
			return
		}
		if text.Len() > 0 {
			text.WriteString("\n\n")
			p.send(ctx, pumped{ev: api.StreamEvent{Update: api.Update{Content: "\n\n"}}})
		}
		s, err = c.AppendConversation(ctx, acc.ConversationID, api.ConversationRequest{Inputs: api.FunctionResultInputs(results...)})
	}
}

// answerAgentCall answers one function call the way a prompt's tool is
// answered: its mock, its command (only in a trusted file), or by hand.
func answerAgentCall(ctx context.Context, opts session.LoopOptions, call session.ToolCallState) (string, error) {
	h, ok := opts.Handlers[call.Name]
	switch {
	case ok && h.Kind == session.HandlerMock:
		return h.Mock, nil
	case ok && h.Kind == session.HandlerCommand:
		if opts.Trust == nil || !opts.Trust.Trusted(opts.PromptPath, opts.PromptHash) {
			return "", errors.New("the prompt file is not trusted to run commands: run a prompt of it once to be asked")
		}
		return h.RunCommand(ctx, call.Arguments)
	case opts.Answer != nil:
		return opts.Answer(ctx, call)
	}
	return "", errors.New(call.Name + " has no mock or command")
}

func addUsage(a, b *api.Usage) *api.Usage {
	if b == nil {
		return a
	}
	if a == nil {
		u := *b
		return &u
	}
	return &api.Usage{PromptTokens: a.PromptTokens + b.PromptTokens, CompletionTokens: a.CompletionTokens + b.CompletionTokens, TotalTokens: a.TotalTokens + b.TotalTokens}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// agentCall shows a conversation output in the tools pane: a built-in
// tool execution (answered by Mistral, its info as the result) or a
// function call (for the studio to answer).
func agentCall(out api.ConversationOutput, turn int) session.ToolCallState {
	call := session.ToolCallState{Turn: turn, ID: out.ToolCallID, Name: out.Name, Arguments: out.Arguments, State: tools.StatePending}
	if call.ID == "" {
		call.ID = out.ID
	}
	if out.Type == api.OutputHandoff {
		// a handoff from one agent to another: shown as a step of its own
		call.Name = "handoff"
		call.Arguments = `{"from":` + jsonString(cmp.Or(out.PreviousAgentName, out.PreviousAgentID)) + `,"to":` + jsonString(cmp.Or(out.NextAgentName, out.NextAgentID)) + `}`
		if out.Done {
			call.State, call.Result = tools.StateAnswered, "handed over"
		}
		return call
	}
	if out.Type == api.OutputToolExecution && out.Done {
		call.State = tools.StateAnswered
		call.Result = string(out.Info)
		if call.Result == "" {
			call.Result = "(run by Mistral)"
		}
	}
	return call
}
