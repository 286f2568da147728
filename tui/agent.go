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
	"mstudio/untrusted"
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

// readLoopOptions builds a conversation's options from the prompt: its
// handlers, its trust, its maxTurns. It reads the prompt file (its hash)
// and the trust file, so it runs in a Cmd (loopOptionsCmd).
func readLoopOptions(ext map[string]any, path string, maxTurns int, trustPath string) (session.LoopOptions, []string, error) {
	handlers, err := session.ToolHandlers(ext, path)
	if err != nil {
		return session.LoopOptions{}, nil, err
	}
	opts := session.LoopOptions{MaxTurns: maxTurns, Handlers: handlers, PromptPath: path}
	var commands []string
	for name, h := range handlers {
		if h.Kind == "command" {
			commands = append(commands, name+": "+strings.Join(h.Command, " "))
		}
	}
	sort.Strings(commands)
	if len(commands) > 0 && path != "" {
		if opts.PromptHash, err = session.HashFile(path); err != nil {
			return opts, nil, err
		}
		trust, err := session.LoadTrust(trustPath)
		if err != nil {
			return opts, nil, err
		}
		opts.Trust = trust
	}
	return opts, commands, nil
}

// loopNext says what a run waiting for its loop options does with them.
type loopNext int

const (
	nextConversation loopNext = iota
	nextAgent
	nextCompare
	nextRestart // an agent's restart: trusted when its first run was
)

// loopReadyMsg carries a run's loop options, read in a Cmd: no file is
// read in Update.
type loopReadyMsg struct {
	path     string // the prompt they were read for
	next     loopNext
	req      api.ChatRequest
	opts     session.LoopOptions
	commands []string
	err      error
}

// loopOptionsCmd reads the prompt's loop options for a run of req.
func (m Model) loopOptionsCmd(next loopNext, req api.ChatRequest) tea.Cmd {
	ext, path, maxTurns, trustPath := m.prompt.Ext, m.prompt.Path, m.prompt.MaxTurns, m.trustPath()
	return func() tea.Msg {
		opts, commands, err := readLoopOptions(ext, path, maxTurns, trustPath)
		return loopReadyMsg{path: path, next: next, req: req, opts: opts, commands: commands, err: err}
	}
}

// loopReady starts the run that waited for its options, asking for trust
// first when the prompt's commands are not trusted yet.
func (m Model) loopReady(msg loopReadyMsg) (tea.Model, tea.Cmd) {
	if msg.path != m.prompt.Path {
		return m, nil // another prompt was opened meanwhile
	}
	if msg.err != nil {
		return m, m.status.Error(msg.err.Error())
	}
	o := msg.opts
	if msg.next != nextRestart && len(msg.commands) > 0 && o.Trust != nil && !o.Trust.Trusted(o.PromptPath, o.PromptHash) {
		m.trustOffer = &trustOffer{commands: msg.commands, path: o.PromptPath, hash: o.PromptHash, req: msg.req}
		return m, nil
	}
	switch msg.next {
	case nextAgent:
		return m.runAgent(msg.req, o)
	case nextCompare:
		return m.runCompare(msg.req, o)
	case nextRestart:
		return m.restartWith(o)
	}
	return m.launch(msg.req, &o)
}

func (m Model) trustPath() string {
	if m.opts.TrustPath != "" {
		return m.opts.TrustPath
	}
	return session.TrustPath()
}

// startConversation runs req as a conversation once its options are read
// (asking for trust first when the prompt's commands are not trusted yet).
func (m Model) startConversation(req api.ChatRequest) (tea.Model, tea.Cmd) {
	return m, m.loopOptionsCmd(nextConversation, req)
}

// trustRecordedMsg says the user's trust was written (or why not).
type trustRecordedMsg struct {
	req api.ChatRequest
	err error
}

// answerTrust takes the user's answer: y trusts this version of the file
// (written in a Cmd) and runs; anything else runs nothing.
func (m Model) answerTrust(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	offer := m.trustOffer
	m.trustOffer = nil
	if msg.String() != "y" {
		return m, m.status.Note("not run: the prompt's commands are not trusted")
	}
	trustPath := m.trustPath()
	return m, func() tea.Msg {
		trust, err := session.LoadTrust(trustPath)
		if err == nil {
			err = trust.Allow(offer.path, offer.hash)
		}
		return trustRecordedMsg{req: offer.req, err: err}
	}
}

// trustRecorded runs what the trust was asked for.
func (m Model) trustRecorded(msg trustRecordedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.status.Error("trust not recorded: " + msg.err.Error())
	}
	switch {
	case m.comparing():
		return m.startCompare(msg.req)
	case m.isAgent():
		return m.startAgentRun(msg.req)
	}
	return m.startConversation(msg.req)
}

// launch starts the conversation as the current run: session.Run's tool
// loop, its hand-answered tools and steps asked through the run's events.
func (m Model) launch(req api.ChatRequest, opts *session.LoopOptions) (tea.Model, tea.Cmd) {
	ctx, cmd := m.beginRun(req.Model, true)
	m.run.kind = session.KindConversation
	o := *opts
	spec := session.Spec{Kind: session.KindConversation, Loop: &o, Ask: true, Step: m.stepMode, Prompt: m.promptRecord(),
		Lanes: []session.LaneSpec{{Target: m.opts.Target, Request: req, Params: session.ParamSummary(req)}}}
	return m, tea.Batch(cmd, m.startRunCmd(ctx, spec))
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
	b.WriteString(m.st.Text.Render(fmt.Sprintf("%s answers its tool calls with:", untrusted.StripLine(o.path))) + "\n\n")
	for _, c := range o.commands {
		b.WriteString("  " + m.st.Bold.Render(untrusted.StripLine(c)) + "\n")
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
