package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/untrusted"
)

// Mistral's agents in the studio: the workspace's agents are listed in the
// models pane (as "agent:ID"); choosing one makes ctrl+r talk to it through
// the Conversations API. The conversation's answer streams into the answer
// pane, and its built-in tool executions and function calls show in the
// tools pane. Each run starts a conversation with the editor's turns as its
// inputs, so continuing is forking from the answer (ctrl+x) and running
// again.

// agentPrefix marks an agent among the model ids.
const agentPrefix = session.AgentPrefix

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
// label is how a model id is shown on a run: an agent by its name (as the
// models pane lists it), a model by the id chosen.
func (m Model) label(id string) string {
	if !strings.HasPrefix(id, agentPrefix) {
		return untrusted.StripLine(id) // a model id may come from a session file
	}
	for _, e := range m.models.Entries() {
		if e.ID == id && strings.TrimSpace(e.Name) != "" {
			return untrusted.StripLine(e.Name)
		}
	}
	return id
}

func (m Model) isAgent() bool { return strings.HasPrefix(m.model, agentPrefix) }

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
	return m, m.loopOptionsCmd(nextRestart, api.ChatRequest{})
}

// restartWith restarts the remembered conversation with the loop's options.
func (m Model) restartWith(opts session.LoopOptions) (tea.Model, tea.Cmd) {
	c := m.conv
	if c == nil || c.agent != m.model || !m.isAgent() {
		return m, nil // another model or prompt was chosen meanwhile
	}
	ctx, recordCmd := m.beginRun(m.model, true)
	m.run.kind = session.KindAgent
	m.pendingInputs = c.inputs
	agent := strings.TrimPrefix(m.model, agentPrefix)
	spec := session.Spec{Kind: session.KindAgent, Loop: &opts, Ask: true, Step: m.stepMode, Prompt: m.promptRecord(),
		Agent: &session.AgentSpec{AgentID: agent, ConversationID: c.id, FromEntry: c.before, Inputs: api.TextInputs(c.inputs)},
		Lanes: []session.LaneSpec{{Target: m.opts.Target}}}
	return m, tea.Batch(recordCmd, m.startRunCmd(ctx, spec))
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
// The agent's function calls may run the prompt's commands, so its options
// are read (and trust asked for) first, as a conversation's are.
func (m Model) startAgentRun(req api.ChatRequest) (tea.Model, tea.Cmd) {
	return m, m.loopOptionsCmd(nextAgent, req)
}

// runAgent starts the agent run with the loop's options.
func (m Model) runAgent(req api.ChatRequest, opts session.LoopOptions) (tea.Model, tea.Cmd) {
	// the same conversation `mstudio run --agent` starts: the system
	// prompt as instructions, the other turns as inputs
	as := session.AgentSpecFor(m.model, req)
	// turns added after the agent's last answer continue its conversation
	convID, more := m.continuation()
	m.pendingInputs = lastUserText(req)
	if convID != "" {
		as = &session.AgentSpec{AgentID: as.AgentID, ConversationID: convID, Inputs: api.TextInputs(more)}
		m.pendingInputs = more
	}
	ctx, recordCmd := m.beginRun(m.model, true)
	m.run.kind = session.KindAgent
	spec := session.Spec{Kind: session.KindAgent, Loop: &opts, Ask: true, Step: m.stepMode, Prompt: m.promptRecord(), Agent: as,
		Lanes: []session.LaneSpec{{Target: m.opts.Target}}}
	return m, tea.Batch(recordCmd, m.startRunCmd(ctx, spec))
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
