package tui

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/editor"
	"mstudio/tui/tools"
)

// A prompt that offers tools runs as a conversation (session.Converse, the
// same loop as `mstudio run --max-turns`): the calls appear in the tools
// pane as they are made and answered, the answers of every turn stream into
// the answer pane, and the loop goes on by itself up to the prompt's
// maxTurns. Command tools run only once the prompt file is trusted; the
// studio asks, once per version of the file.

// trustOffer is the question asked before a prompt's commands first run.
type trustOffer struct {
	commands []string // "name: argv"
	path     string
	hash     string
	req      api.ChatRequest
}

// showTools reports whether the tools pane has a place on screen: when the
// prompt offers tools, or calls were made.
func (m Model) showTools() bool { return m.prompt.HasTools() || len(m.calls) > 0 }

// loopOptions builds the conversation's options from the prompt: its
// handlers, its trust, its maxTurns.
func (m Model) loopOptions() (session.LoopOptions, []string, error) {
	handlers, err := session.ToolHandlers(m.prompt.Ext, m.prompt.Path)
	if err != nil {
		return session.LoopOptions{}, nil, err
	}
	opts := session.LoopOptions{MaxTurns: m.prompt.MaxTurns, Handlers: handlers, PromptPath: m.prompt.Path}
	var commands []string
	for name, h := range handlers {
		if h.Kind == "command" {
			commands = append(commands, name+": "+strings.Join(h.Command, " "))
		}
	}
	sort.Strings(commands)
	if len(commands) > 0 && m.prompt.Path != "" {
		if opts.PromptHash, err = session.HashFile(m.prompt.Path); err != nil {
			return opts, nil, err
		}
		trust, err := session.LoadTrust(m.trustPath())
		if err != nil {
			return opts, nil, err
		}
		opts.Trust = trust
	}
	return opts, commands, nil
}

func (m Model) trustPath() string {
	if m.opts.TrustPath != "" {
		return m.opts.TrustPath
	}
	return session.TrustPath()
}

// startConversation runs req as a conversation, asking for trust first
// when the prompt's commands are not trusted yet.
func (m Model) startConversation(req api.ChatRequest) (tea.Model, tea.Cmd) {
	opts, commands, err := m.loopOptions()
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	if len(commands) > 0 && opts.Trust != nil && !opts.Trust.Trusted(opts.PromptPath, opts.PromptHash) {
		m.trustOffer = &trustOffer{commands: commands, path: opts.PromptPath, hash: opts.PromptHash, req: req}
		return m, nil
	}
	return m.launch(req, &opts)
}

// answerTrust takes the user's answer: y trusts this version of the file
// and runs; anything else runs nothing.
func (m Model) answerTrust(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	offer := m.trustOffer
	m.trustOffer = nil
	if msg.String() != "y" {
		return m, m.status.Note("not run: the prompt's commands are not trusted")
	}
	trust, err := session.LoadTrust(m.trustPath())
	if err == nil {
		err = trust.Allow(offer.path, offer.hash)
	}
	if err != nil {
		return m, m.status.Error("trust not recorded: " + err.Error())
	}
	switch {
	case m.comparing():
		return m.startCompare(offer.req)
	case m.isAgent():
		return m.startAgentRun(offer.req)
	}
	return m.startConversation(offer.req)
}

// launch starts the conversation as the current run: session.Run's tool
// loop, its hand-answered tools and steps asked through the run's events.
func (m Model) launch(req api.ChatRequest, opts *session.LoopOptions) (tea.Model, tea.Cmd) {
	ctx, cmd := m.beginRun(req.Model, true)
	m.run.kind = session.KindConversation
	o := *opts
	spec := session.Spec{Kind: session.KindConversation, Loop: &o, Ask: true, Step: m.stepMode, Prompt: m.promptRecord(),
		Lanes: []session.LaneSpec{{Target: m.opts.Target, Request: req, Params: paramSummary(req)}}}
	return m, tea.Batch(cmd, startRunCmd(m.runID, ctx, m.opts.Engine, spec))
}

// applyCall records a tool call's new state and shows it.
func (m *Model) applyCall(c session.ToolCallState) {
	for i := range m.calls {
		if m.calls[i].Turn == c.Turn && m.calls[i].ID == c.ID {
			m.calls[i] = tools.Call(c)
			m.tools.SetCalls(m.calls)
			return
		}
	}
	m.calls = append(m.calls, tools.Call(c))
	if len(m.calls) == 1 {
		m.layout() // a prompt without toolDefs may still get calls
	}
	m.tools.SetCalls(m.calls)
}

// trustView asks before a prompt's commands run for the first time.
func (m Model) trustView() string {
	o := m.trustOffer
	var b strings.Builder
	b.WriteString(m.st.Warning.Render("This prompt runs commands on your machine") + "\n\n")
	b.WriteString(m.st.Text.Render(fmt.Sprintf("%s answers its tool calls with:", o.path)) + "\n\n")
	for _, c := range o.commands {
		b.WriteString("  " + m.st.Bold.Render(c) + "\n")
	}
	b.WriteString("\n" + m.st.Muted.Render("They run without a shell, with the arguments on stdin and a timeout. Trust is recorded") + "\n")
	b.WriteString(m.st.Muted.Render("for this version of the file: an edit asks again.") + "\n\n")
	b.WriteString("  " + m.st.HelpKey.Render("y") + "  " + m.st.HelpDesc.Render("trust the file and run") + "\n")
	b.WriteString("  " + m.st.HelpKey.Render("any other key") + "  " + m.st.HelpDesc.Render("do not run"))
	return b.String()
}

// fileEditedMsg says the user's editor closed on the prompt file.
type fileEditedMsg struct {
	path string
	err  error
}

// editPromptFile opens the prompt file itself in $EDITOR: the tools, their
// answers (mstudio.tools) and maxTurns live in its front matter. The file is
// read back when the editor closes; the next save records it as a version.
func (m Model) editPromptFile() (tea.Model, tea.Cmd) {
	path := m.prompt.Path
	switch {
	case path == "":
		return m, m.status.Error("save the prompt first (ctrl+s): its tools live in its file")
	case m.unsaved():
		return m, m.status.Error("save first (ctrl+s): editing the file would set the unsaved changes aside")
	}
	cmd, err := editor.EditorCommand(path)
	if err != nil {
		return m, m.status.Error(err.Error())
	}
	return m, tea.ExecProcess(cmd, func(err error) tea.Msg { return fileEditedMsg{path: path, err: err} })
}

func (m Model) fileEdited(msg fileEditedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Error("the editor failed: " + msg.err.Error())
	}
	p, err := prompts.Load(msg.path)
	if err != nil {
		return m, m.status.Error(err.Error()) // file:line: problem; the studio keeps what it had
	}
	version := m.version
	m.closeRecorder()
	m.openPrompt(p)
	m.version = version
	return m, m.status.Note("reloaded " + msg.path + " · ctrl+s records it as a new version")
}
