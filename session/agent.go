package session

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"mstudio/api"
)

// Agents: a lane of an agent run talks to one of the workspace's Mistral
// agents through the Conversations API. The answer's text and thinking go
// out as events, built-in tool executions and handoffs as tool calls, and
// function calls are answered like a prompt's tools (mocks, trusted
// commands, or by hand) and sent back, up to the loop's MaxTurns. Every
// call is recorded with the group (api "conversations"), and the
// conversation's entries at the end.

// AgentSpec is the conversation an agent lane has.
type AgentSpec struct {
	AgentID string
	// ConversationID continues that conversation (append), or restarts it
	// from FromEntry when that is set too; empty starts a new one.
	ConversationID string
	FromEntry      string
	// Inputs are what is sent: a JSON string or a list of entries (see
	// ConversationInputs and api.TextInputs).
	Inputs json.RawMessage
	// Instructions go with a new conversation (the system messages).
	Instructions string
}

// AgentPrefix marks an agent among model ids ("agent:ID").
const AgentPrefix = "agent:"

// ConversationInputs writes a chat request's messages as conversation
// entries; its system messages become the instructions, the agent having
// its own otherwise.
func ConversationInputs(req api.ChatRequest) (json.RawMessage, string) {
	type entry struct {
		Object  string      `json:"object"`
		Type    string      `json:"type"`
		Role    string      `json:"role"`
		Content api.Content `json:"content"`
	}
	entries := []entry{}
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

// AgentSpecFor is the spec of a new conversation with agent from a chat
// request's messages.
func AgentSpecFor(agent string, req api.ChatRequest) *AgentSpec {
	inputs, instructions := ConversationInputs(req)
	return &AgentSpec{AgentID: strings.TrimPrefix(agent, AgentPrefix), Inputs: inputs, Instructions: instructions}
}

func errDeclined(name string) error {
	return fmt.Errorf("%s was not answered: the user declined", name)
}

// agentRun is one agent lane in progress.
type agentRun struct {
	e        *Engine
	em       *emitter
	lane     Lane
	tg       tag
	label    string
	conv     ConversationRecord
	runNo    int       // the call being read
	sent     time.Time // when its request went out
	noDeltas bool      // Spec.NoDeltas
}

// runAgent talks to the agent until it answers without function calls (or
// the turn limit, a step refused, an error).
func (e *Engine) runAgent(ctx context.Context, em *emitter, spec Spec, l LaneSpec, a *AgentSpec, loop *LoopOptions, tg tag) *Finish {
	opts := e.laneLoop(em, spec, loop, l.Lane)
	maxTurns := opts.MaxTurns
	if maxTurns < 1 {
		maxTurns = DefaultMaxTurns
	}
	c := l.Target.Client
	r := &agentRun{e: e, em: em, lane: l.Lane, tg: tg, label: AgentPrefix + a.AgentID, noDeltas: spec.NoDeltas}
	r.conv = ConversationRecord{ConversationID: a.ConversationID, Agent: a.AgentID}
	r.conv.Entries = append(r.conv.Entries, inputEntries(a.Inputs)...)
	start := e.now()
	res := Result{Model: r.label, Endpoint: c.Endpoint().Name}
	state := &AgentState{ConversationID: a.ConversationID}
	fin := func(err error) *Finish {
		res.Latency = e.now().Sub(start)
		if err != nil && !errors.Is(err, io.EOF) {
			res.Err = err
		}
		if res.Usage != nil {
			res.CostUSD, res.CostKnown = 0, false // the agent's model bills; its price is not known here
		}
		r.conv.LastEntry = state.LastEntry
		r.conv.ConversationID = state.ConversationID
		e.Recorder.conversation(r.conv, tg)
		return &Finish{Reason: res.FinishReason, Result: res, Agent: state}
	}
	var text strings.Builder
	req := api.ConversationRequest{Inputs: a.Inputs}
	convID, from := a.ConversationID, a.FromEntry
	if convID == "" {
		req.AgentID, req.Instructions = a.AgentID, a.Instructions
	}
	for turn := 1; ; turn++ {
		if opts.Step != nil {
			// an agent's next request is its inputs: shown, not edited
			show := api.ChatRequest{Model: r.label}
			if !opts.Step(turn, &show) {
				return fin(nil)
			}
		}
		s, err := r.open(ctx, c, req, convID, from)
		from = ""
		if err != nil {
			return fin(err)
		}
		res.Meta = s.Meta()
		state.Turns = turn
		out, err := r.read(s, turn, &text, &res, start)
		for _, o := range append(s.Accumulator().ToolExecutions(), s.Accumulator().Handoffs()...) {
			state.Calls = append(state.Calls, agentCall(o, turn))
		}
		acc := s.Accumulator()
		res.Usage = addUsage(res.Usage, acc.Usage)
		if acc.ConversationID != "" {
			state.ConversationID, convID = acc.ConversationID, acc.ConversationID
		}
		if id := acc.LastEntryID(); id != "" {
			state.LastEntry = id
		}
		r.conv.Entries = append(r.conv.Entries, outputEntries(acc)...)
		res.Message = api.Message{Role: api.RoleAssistant, Content: api.Text(text.String())}
		if err != nil {
			return fin(err)
		}
		calls := out
		if len(calls) == 0 {
			res.FinishReason = "stop"
			return fin(nil)
		}
		if turn >= maxTurns {
			res.FinishReason = FinishMaxTurns
			return fin(nil)
		}
		var results []api.FunctionResult
		for _, o := range calls {
			call := agentCall(o, turn)
			answer, err, fatal := e.answer(ctx, call, nil, opts)
			if err != nil {
				call.State, call.Error = CallFailed, err.Error()
				b, _ := json.Marshal(map[string]string{"error": call.Error})
				answer = string(b)
			} else {
				call.State, call.Result = CallAnswered, answer
			}
			call.Result = answer
			opts.OnToolCall(turn, call)
			e.Recorder.toolResult(call, tg)
			state.Calls = append(state.Calls, call)
			r.conv.Entries = append(r.conv.Entries, EntryRecord{Type: "function.result", ToolCallID: o.ToolCallID, Result: answer})
			if fatal {
				return fin(err)
			}
			results = append(results, api.FunctionResult{ToolCallID: o.ToolCallID, Result: answer})
		}
		if text.Len() > 0 {
			text.WriteString("\n\n")
			if !spec.NoDeltas {
				em.send(Event{Lane: l.Lane, Turn: turn, Content: "\n\n"})
			}
		}
		req = api.ConversationRequest{Inputs: api.FunctionResultInputs(results...)}
		if err := ctx.Err(); err != nil {
			return fin(err)
		}
	}
}

// open sends one call of the conversation and records it.
func (r *agentRun) open(ctx context.Context, c *api.Client, req api.ConversationRequest, convID, from string) (*api.ConversationStream, error) {
	runNo := r.e.Recorder.reserve(1)
	// the bytes StartConversation sends: the request, streamed
	start := req
	start.Stream = true
	if len(start.Inputs) == 0 {
		start.Inputs = api.TextInputs("")
	}
	var body any = start
	if convID != "" {
		// the body the append and restart endpoints get (the conversation
		// is in their path; the conversation line records its id)
		type appendBody struct {
			Inputs      json.RawMessage `json:"inputs"`
			Stream      bool            `json:"stream"`
			FromEntryID string          `json:"from_entry_id,omitempty"`
		}
		body = appendBody{Inputs: req.Inputs, Stream: true, FromEntryID: from}
	}
	if r.e.Recorder != nil {
		data, _ := json.Marshal(body)
		r.e.Recorder.requestAPI(runNo, r.label, c.Endpoint().Name, apiConversations, data, r.tg)
	}
	var s *api.ConversationStream
	var err error
	r.sent = r.e.now()
	switch {
	case convID != "" && from != "":
		s, err = c.RestartConversation(ctx, convID, from, req)
	case convID != "":
		s, err = c.AppendConversation(ctx, convID, req)
	default:
		s, err = c.StartConversation(ctx, req)
	}
	if err != nil {
		rec := Result{Model: r.label, Endpoint: c.Endpoint().Name, Err: err}.Record()
		r.e.Recorder.result(runNo, rec, r.tg)
		return nil, err
	}
	r.runNo = runNo
	return s, nil
}

// read takes one answer of the agent, sending its text and its tool
// executions as they come, and returns its function calls.
func (r *agentRun) read(s *api.ConversationStream, turn int, text *strings.Builder, res *Result, start time.Time) ([]api.ConversationOutput, error) {
	defer s.Close()
	seen := map[string]string{} // output key -> the state last shown
	callStart := r.sent         // times count from the request, as a chat run's do
	var ttft time.Duration      // of this call: to its first text, thinking or tool output
	for {
		ev, err := s.Next()
		acc := s.Accumulator()
		if err == nil {
			r.e.Recorder.event(r.runNo, r.e.now().Sub(callStart), ev.Raw)
		}
		if err == nil && ev.Type == api.ConvMessageDelta {
			content, thinking := ev.Content.String(), ev.Content.Thinking()
			text.WriteString(content)
			if res.TTFT == 0 && (content != "" || thinking != "") {
				res.TTFT = r.e.now().Sub(start)
			}
			if (content != "" || thinking != "") && !r.noDeltas {
				r.em.send(Event{Lane: r.lane, Turn: turn, Content: content, Thinking: thinking})
			}
		}
		// A text delta changes no tool execution, call or handoff: those
		// are scanned again only on the other events (once per token
		// would copy every call's arguments for every token).
		var outs []api.ConversationOutput
		if err != nil || ev.Type != api.ConvMessageDelta {
			outs = append(append(acc.ToolExecutions(), acc.FunctionCalls()...), acc.Handoffs()...)
		}
		if ttft == 0 && (len(outs) > 0 || acc.Text() != "" || acc.Thinking() != "") {
			ttft = r.e.now().Sub(callStart)
		}
		for _, out := range outs {
			call := agentCall(out, turn)
			if key := out.Type + out.ID + out.ToolCallID; seen[key] != call.State+call.Arguments {
				seen[key] = call.State + call.Arguments
				c := call
				if call.State == CallPending {
					r.em.send(Event{Lane: r.lane, Turn: turn, ToolCall: &c})
				} else {
					r.em.send(Event{Lane: r.lane, Turn: turn, ToolResult: &c})
				}
			}
		}
		if err != nil {
			rec := RunRecord{Model: r.label, Content: acc.Text(), Reasoning: acc.Thinking(), ToolCalls: []ToolCallRecord{}, TTFTMs: ttft.Milliseconds(), LatencyMs: r.e.now().Sub(callStart).Milliseconds()}
			for _, fc := range acc.FunctionCalls() {
				rec.ToolCalls = append(rec.ToolCalls, ToolCallRecord{ID: fc.ToolCallID, Name: fc.Name, Arguments: fc.Arguments})
			}
			if acc.Usage != nil {
				rec.Usage = &UsageRecord{PromptTokens: acc.Usage.PromptTokens, CompletionTokens: acc.Usage.CompletionTokens, TotalTokens: acc.Usage.TotalTokens}
				r.em.send(Event{Lane: r.lane, Turn: turn, Usage: acc.Usage})
			}
			if errors.Is(err, io.EOF) {
				r.e.Recorder.event(r.runNo, r.e.now().Sub(callStart), doneData)
				// a call the agent ends with function calls waits for their
				// results; one without has answered
				rec.FinishReason = "stop"
				if len(rec.ToolCalls) > 0 {
					rec.FinishReason = "tool_calls"
				}
			} else {
				msg := err.Error()
				rec.Error = &msg
			}
			r.e.Recorder.result(r.runNo, rec, r.tg)
			if !errors.Is(err, io.EOF) {
				return nil, err
			}
			return acc.FunctionCalls(), nil
		}
	}
}

// inputEntries lists what was sent as conversation entries.
func inputEntries(inputs json.RawMessage) []EntryRecord {
	var text string
	if json.Unmarshal(inputs, &text) == nil {
		return []EntryRecord{{Type: "message.input", Role: api.RoleUser, Text: text}}
	}
	var list []struct {
		Type    string      `json:"type"`
		Role    string      `json:"role"`
		Content api.Content `json:"content"`
	}
	if json.Unmarshal(inputs, &list) != nil {
		return nil
	}
	out := make([]EntryRecord, 0, len(list))
	for _, e := range list {
		out = append(out, EntryRecord{Type: cmp.Or(e.Type, "message.input"), Role: e.Role, Text: e.Content.String()})
	}
	return out
}

// outputEntries lists an answer's output entries.
func outputEntries(acc *api.ConversationAccumulator) []EntryRecord {
	var out []EntryRecord
	for _, o := range acc.Outputs {
		e := EntryRecord{Type: o.Type, ID: o.ID, Role: o.Role, Text: o.Text(), Name: o.Name, ToolCallID: o.ToolCallID, Arguments: o.Arguments}
		switch o.Type {
		case api.OutputToolExecution:
			e.Result = string(o.Info)
		case api.OutputHandoff:
			e.Name = cmp.Or(o.NextAgentName, o.NextAgentID)
		}
		out = append(out, e)
	}
	return out
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

// agentCall is a conversation output as a tool call: a built-in tool
// execution (answered by Mistral, its info as the result), a function call
// (for the caller to answer) or a handoff from one agent to another.
func agentCall(out api.ConversationOutput, turn int) ToolCallState {
	call := ToolCallState{Turn: turn, ID: out.ToolCallID, Name: out.Name, Arguments: out.Arguments, State: CallPending}
	if call.ID == "" {
		call.ID = out.ID
	}
	if out.Type == api.OutputHandoff {
		call.Name = "handoff"
		call.Arguments = `{"from":` + jsonString(cmp.Or(out.PreviousAgentName, out.PreviousAgentID)) + `,"to":` + jsonString(cmp.Or(out.NextAgentName, out.NextAgentID)) + `}`
		if out.Done {
			call.State, call.Result = CallAnswered, "handed over"
		}
		return call
	}
	if out.Type == api.OutputToolExecution && out.Done {
		call.State = CallAnswered
		call.Result = string(out.Info)
		if call.Result == "" {
			call.Result = "(run by Mistral)"
		}
	}
	return call
}
