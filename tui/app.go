// Package tui is the studio: the Bubble Tea program that mstudio opens. The
// root model only routes, lays out and composes; each pane is a package of
// its own (models, params, editor, response, status), and runs go through
// the same session engine as the headless commands.
//
// Streaming follows DESIGN.md §2: a Cmd reads one event from the run and
// returns it tagged with the run's id; Update applies it and re-arms the
// read. Cancel functions are made in Update, never in a Cmd, and events of a
// run that was cancelled or replaced are dropped by id.
package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/themes"
	"mstudio/tui/browser"
	"mstudio/tui/compare"
	"mstudio/tui/dialog"
	"mstudio/tui/diffview"
	"mstudio/tui/editor"
	"mstudio/tui/matrix"
	"mstudio/tui/models"
	"mstudio/tui/params"
	"mstudio/tui/response"
	"mstudio/tui/status"
	"mstudio/tui/tools"
)

// Options configure the studio.
type Options struct {
	Engine   *session.Engine
	Target   session.Target // the client (and its billing) runs go to
	Endpoint string         // the endpoint's name for the status line
	Offline  bool           // the built-in simulator: labelled as such
	Prices   *prices.Table
	// Prompt is the prompt to open; nil opens the built-in example.
	Prompt *prompts.Prompt
	// Model is the model to start with when the prompt names none.
	Model string
	// Theme is a theme name or "auto"; ConfigDir is where user themes live.
	Theme     string
	ConfigDir string
	// SaveDir is where a prompt without a file is saved (./prompts).
	SaveDir string
	// StateDir is where drafts of unsaved work are kept; "" keeps none.
	StateDir string
	// SessionDir is where sessions are recorded (./sessions); "" records
	// nothing.
	SessionDir string
	// SessionPath is a session file to open at start (mstudio open FILE).
	SessionPath string
	// TrustPath is the trust list of prompt files allowed to run commands;
	// "" is the user's ($XDG_STATE_HOME/mstudio/trust.json).
	TrustPath string
	// ReplaySpeed divides a recorded session's timing when it replays: 0
	// keeps the original timing, a negative value replays at once.
	ReplaySpeed float64
	// Notices carries what the client reports from its own goroutines
	// (a retry and its wait), shown on the status line.
	Notices <-chan Notice
}

// Notice is what the client reports from its own goroutines: a retry, its
// wait, and whether the server asked for it (a 429).
type Notice struct {
	Text        string
	Wait        time.Duration
	RateLimited bool
}

// pane identifies a pane for focus.
type pane int

const (
	paneEditor pane = iota
	paneResponse
	paneCompare
	paneTools
	paneModels
	paneParams
	paneCount
)

// document is the prompt open and the work on it: what is saved, kept as
// a draft, or asked about before it is replaced. clearDocument (app.go)
// and openPrompt change it as a whole.
type document struct {
	prompt  *prompts.Prompt
	version int // the version open, when opened from the history
	editor  editor.Model
	params  params.Model
	model   string
	dirty   bool // parameters or model changed since the last save

	// drafts: the timer is armed once per burst of changes
	draftArmed bool
	draftSeq   int
	// afterSave is what waits for a save the unsaved-work question asked
	// for (the prompt to open, the quit).
	afterSave tea.Msg

	// recorded is the answer of the session opened, for the diff with a
	// live run; liveRun is the id of the last run ctrl+r started in the
	// answer pane for this prompt (0: none).
	recorded      string
	recordedModel string
	liveRun       int
}

// runs is everything about the runs of the prompt open: the one in
// progress (its id, its cancel function, its kind), the tool calls and the
// questions of a conversation, the comparison's columns, the matrix. Events
// of a run that is not m.runID are dropped (runs.go).
type runs struct {
	runID  int
	cancel context.CancelFunc
	// run is the run in progress: its kind routes its events (runs.go)
	run runState

	calls      []tools.Call // the tool calls of the current conversation
	trustOffer *trustOffer
	// asks are the loop's questions waiting for the user (a tool to answer
	// by hand, a step); answer edits the first when it is a tool's.
	asks     []*ask
	answer   *answerEditor
	stepMode bool
	conv     *convState // the agent conversation the editor continues
	// pendingInputs is what the agent run in progress sent, remembered
	// with its conversation when it ends.
	pendingInputs string

	// compare mode: the columns, how many columns still run, and the
	// prompt's parameters set aside while a column's are edited
	cols         []compareCol
	running      int
	promptParams *api.ChatRequest
	// a matrix run: its table (open or not) and a cell shown whole
	mtx     *matrix.Model
	mtxOpen bool
	cell    *response.Model

	// recorder is the session file of the prompt open; toClose are those
	// left behind, closed by a Cmd after the message that left them.
	recorder *sessionFile
	toClose  []*sessionFile
}

// Model is the studio's root: layout and routing over the document (the
// prompt and the work on it), the runs, the panes and the dialog stack.
type Model struct {
	opts Options
	st   *themes.Styles
	keys KeyMap

	document
	runs

	models   models.Model
	response response.Model
	tools    tools.Model
	compare  compare.Model
	status   status.Model

	// the browser and a diff view, shown as dialogs while open
	browser  browser.Model
	browsing bool
	diff     *diffview.Model

	// dialogs is the one stack of dialogs: its top is drawn and takes the
	// keys (see dialogs.go).
	dialogs dialog.Stack
	dkeys   dialogKeys

	focus         pane
	width, height int

	frames *frameCache
	themed bool // the theme was chosen; background replies are ignored after
}

// New builds the studio. It does no I/O: the model list and the terminal
// background arrive as messages after Init.
func New(opts Options) Model {
	if opts.Engine == nil {
		opts.Engine = &session.Engine{Prices: opts.Prices}
	}
	if opts.Prices == nil {
		opts.Prices = prices.Default()
	}
	pal, err := themes.Resolve(opts.Theme, opts.ConfigDir, true)
	if err != nil {
		pal = themes.Dark()
	}
	st := themes.New(pal)
	m := Model{
		opts:     opts,
		st:       st,
		keys:     DefaultKeyMap(),
		dkeys:    defaultDialogKeys(),
		models:   models.New(st, models.WithPrices(opts.Prices)),
		document: document{params: params.New(st), editor: editor.New(st)},
		response: response.New(st),
		tools:    tools.New(st),
		compare:  compare.New(st, nil),
		status:   status.New(st),
		browser:  browser.New(st),
		frames:   &frameCache{},
		themed:   opts.Theme != "" && opts.Theme != themes.NameAuto,
	}
	m.status.SetEndpoint(opts.Endpoint, opts.Offline)
	m.openPrompt(opts.Prompt)
	m.setFocus(paneEditor)
	return m
}

// openPrompt loads a prompt into the editor and the parameters pane.
func (m *Model) openPrompt(p *prompts.Prompt) {
	if p == nil {
		p = Example()
	}
	m.prompt = p
	doc := editor.Document{Vars: map[string]string{}}
	for _, t := range p.Turns() {
		if t.Role == api.RoleSystem && len(doc.Turns) == 0 && doc.System == "" {
			doc.System = t.Text
			continue
		}
		doc.Turns = append(doc.Turns, editor.Turn{Role: t.Role, Text: t.Text})
	}
	for k, v := range p.Defaults() {
		doc.Vars[k] = stringValue(v)
	}
	for _, name := range p.Variables() {
		if _, ok := doc.Vars[name]; !ok {
			doc.Vars[name] = ""
		}
	}
	m.calls = nil
	m.conv = nil
	m.cols, m.promptParams = nil, nil
	m.tools.Reset()
	m.layout() // the tools pane comes and goes with the prompt's tools
	m.editor.Load(doc)
	if req, err := session.PromptParams(p); err == nil {
		m.params.LoadPrompt(req, p.ToolNames())
	}
	model := p.Model
	if model == "" {
		model = m.opts.Model
	}
	if model == "" {
		model = "mistral-small-latest"
	}
	m.setModel(model)
	m.dirty = false
	// mstudio.models: [a, b, …] in the file opens the comparison on them
	if list, ok := p.Ext["models"].([]any); ok && len(list) >= 2 {
		params := m.params.Params()
		for _, v := range list {
			if id, ok := v.(string); ok && id != "" && len(m.cols) < maxColumns {
				m.cols = append(m.cols, compareCol{model: strings.TrimPrefix(id, "mistral/"), params: params})
			}
		}
		if len(m.cols) >= 2 {
			m.syncCompare()
		} else {
			m.cols = nil
		}
	}
}

// clearDocument forgets what belonged to the prompt being replaced: its
// run (cancelled: late events carry the old id), its answer and figures, its
// recorded answer. Another prompt never shows an answer it did not produce.
func (m *Model) clearDocument() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.runID++
	m.run = runState{} // a session's groups belong to the prompt left behind
	m.asks, m.answer, m.trustOffer = nil, nil, nil
	m.response.Clear()
	m.status.Clear()
	m.recorded, m.recordedModel = "", ""
	m.liveRun = 0
	m.mtx, m.mtxOpen, m.cell = nil, false, nil
	m.dialogs.Remove(dialog.Draft) // an offer for the prompt left behind
}

// chooseModel makes id the model of the next runs, the user's choice: the
// prompt is edited by it.
func (m *Model) chooseModel(id string) {
	if id != m.model {
		m.setModel(id)
		m.dirty = true
	}
}

func (m *Model) setModel(id string) {
	m.model = id
	m.models.SetSelected(id)
	m.status.SetModel(id)
}

// Init asks for the model list and the terminal's background colour.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadModelsCmd(), m.editor.Focus(), m.loadDraftCmd()}
	if m.opts.SessionPath != "" {
		cmds = append(cmds, loadSessionCmd(m.opts.SessionPath))
	}
	if m.opts.Notices != nil {
		cmds = append(cmds, waitNotice(m.opts.Notices))
	}
	if !m.themed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

func (m Model) loadModelsCmd() tea.Cmd {
	client := m.opts.Target.Client
	if client == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cards, _, err := client.Models(ctx)
		if err != nil {
			return models.LoadedMsg{Err: err}
		}
		entries := api.FoldAliases(cards)
		// The workspace's agents, where the endpoint has them (not the
		// regional hosts, nor self-hosted servers): listed after the models.
		if client.Dialect() == api.DialectMistral {
			if agents, _, err := client.Agents(ctx); err == nil {
				entries = append(entries, agentEntries(agents)...)
			}
		}
		return models.LoadedMsg{Entries: entries}
	}
}

// Update routes a message, then brings the dialog stack in step with what
// the message opened or closed.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.route(msg)
	nm := next.(Model)
	nm.syncDialogs()
	if len(nm.toClose) > 0 {
		cmd = tea.Batch(cmd, closeSessionFiles(nm.toClose))
		nm.toClose = nil
	}
	return nm, cmd
}

// route sends a message where it belongs: keys to the dialog on top, else
// to the global keys, else to the focused pane; run events and pane
// results to their handlers.
func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	if !partOfRun(msg) {
		m.frames.clear()
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		m.resizeDialogs()
		return m, nil
	case tea.BackgroundColorMsg:
		if !m.themed {
			m.themed = true
			if pal, err := themes.Resolve(themes.NameAuto, m.opts.ConfigDir, themes.IsDarkColor(msg.Color)); err == nil {
				m.applyTheme(themes.New(pal))
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		return afterChange(m.handleKey(msg))
	case tea.PasteMsg:
		return afterChange(m.routeToFocus(msg))
	case draftTickMsg, draftWrittenMsg, draftFoundMsg, browser.OpenDraftMsg, draftOpenedMsg:
		return m.handleDraft(msg)
	case quitMsg:
		return m.quitNow()
	case forkNamedMsg:
		return m.nameFork(msg)
	case noticeMsg:
		if msg.RateLimited && m.status.Running() {
			m.status.Retrying(msg.Wait)
			return m, tea.Batch(m.status.Note(msg.Text), retryTick(msg.Wait), waitNotice(m.opts.Notices))
		}
		return m, tea.Batch(m.status.Error(msg.Text), waitNotice(m.opts.Notices))
	case retryTickMsg:
		return m, nil // a redraw: the countdown moved
	case sessionOpenedMsg:
		if msg.err != nil {
			return m.openSession(msg) // says what went wrong; nothing is replaced
		}
		if m.unsaved() {
			return m.askUnsaved(msg, "open the session "+msg.sess.Path)
		}
		m.clearDocument()
		return m.openSession(msg)
	case browser.OpenSessionMsg:
		return m.openFromBrowser(msg)
	case historyLoadedMsg, browser.ClosedMsg, browser.OpenVersionMsg, browser.DiffMsg, versionOpenedMsg, diffReadyMsg, diffview.ClosedMsg:
		return m.handleHistory(msg)
	case tea.MouseWheelMsg:
		if d := m.dialogs.Top(); d != nil {
			return m.dialogWheel(d, msg) // the panes under a dialog do not move
		}
		return m.wheel(msg)
	case editor.ErrorMsg:
		return m, m.status.Error(msg.Err.Error())
	case models.LoadedMsg:
		var cmd tea.Cmd
		m.models, cmd = m.models.Update(msg)
		if m.comparing() {
			m.syncCompare() // columns on agents are titled by their names
		}
		if msg.Err != nil {
			return m, tea.Batch(cmd, m.status.Error("model list: "+msg.Err.Error()))
		}
		return m, cmd
	case models.SelectedMsg:
		m.chooseModel(msg.ID)
		return afterChange(m, m.status.Note("model: "+msg.ID))
	case params.ChangedMsg:
		if m.paramsChanged() {
			m.dirty = true
		}
		return afterChange(m, nil)
	case compare.DiffMsg:
		m.diffColumns(msg.A, msg.B)
		return m, nil
	case compare.KeepMsg:
		return m.keepColumn(msg.Index)
	case compare.ParamsMsg:
		return m.openColumnParams(msg.Index)
	case tools.EditToolsMsg:
		return m.editPromptFile()
	case fileEditedMsg:
		return m.fileEdited(msg)
	case sessionClosedMsg:
		return m, m.status.Error("session not saved whole: " + msg.err.Error())
	case loopReadyMsg:
		return m.loopReady(msg)
	case trustRecordedMsg:
		return m.trustRecorded(msg)
	case tools.CopiedMsg:
		return m, m.copied(msg.What, msg.Bytes)
	case response.CopiedMsg:
		return m, m.copied(msg.What, msg.Bytes)
	case runEventsMsg:
		return m.handleRunEvents(msg)
	case rowsLoadedMsg:
		return m.startMatrix(msg)
	case matrix.DrillMsg:
		return m.drillCell(msg)
	case matrix.ClosedMsg:
		m.mtxOpen = false
		return m, nil
	case savedMsg:
		return m.handleSaved(msg)
	}
	// Everything else (ticks, pane-internal messages) goes to every pane
	// that may own it; each ignores what is not its own.
	return m.broadcast(msg)
}

func (m Model) broadcast(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds [6]tea.Cmd
	m.response, cmds[0] = m.response.Update(msg)
	m.status, cmds[1] = m.status.Update(msg)
	m.editor, cmds[2] = m.editor.Update(msg)
	m.models, cmds[3] = m.models.Update(msg)
	m.params, cmds[4] = m.params.Update(msg)
	m.compare, cmds[5] = m.compare.Update(msg) // its columns' delayed flushes
	return m, tea.Batch(cmds[:]...)
}

// copied says what a pane put on the clipboard (or that there was nothing).
func (m *Model) copied(what string, n int) tea.Cmd {
	if n == 0 {
		return m.status.Note(what)
	}
	return m.status.Note("copied the " + what + " to the clipboard")
}

// noticeMsg is one notice from the client.
type noticeMsg Notice

// waitNotice waits for the next notice; it is re-armed after each one.
func waitNotice(ch <-chan Notice) tea.Cmd {
	return func() tea.Msg {
		n, ok := <-ch
		if !ok {
			return nil
		}
		return noticeMsg(n)
	}
}

// retryTickMsg redraws the status line's retry countdown once a second.
type retryTickMsg struct{}

func retryTick(wait time.Duration) tea.Cmd {
	var cmds []tea.Cmd
	for s := time.Second; s <= wait+time.Second && len(cmds) < 60; s += time.Second {
		cmds = append(cmds, tea.Tick(s, func(time.Time) tea.Msg { return retryTickMsg{} }))
	}
	return tea.Batch(cmds...)
}

// afterChange arms the draft timer when the message left unsaved work.
func afterChange(next tea.Model, cmd tea.Cmd) (tea.Model, tea.Cmd) {
	m := next.(Model)
	return m, tea.Batch(cmd, m.scheduleDraft())
}

// partOfRun reports messages that change only the answer pane and the
// status line, which the frame cache relies on.
func partOfRun(msg tea.Msg) bool {
	switch msg.(type) {
	case runEventsMsg:
		return true
	}
	return response.Owns(msg) || status.Owns(msg) || compare.Owns(msg)
}

// wheel scrolls the pane under the pointer, whichever has focus.
func (m Model) wheel(msg tea.MouseWheelMsg) (tea.Model, tea.Cmd) {
	mo, pa, ed, _, to := m.allBoxes()
	in := func(r rect) bool { return msg.X >= r.x && msg.X < r.x+r.w && msg.Y >= r.y && msg.Y < r.y+r.h }
	var cmd tea.Cmd
	switch {
	case to.h > 0 && in(to):
		m.tools, cmd = m.tools.Update(msg)
	case m.wide() && in(mo), !m.wide() && m.focus == paneModels:
		m.models, cmd = m.models.Update(msg)
	case m.wide() && in(pa), !m.wide() && m.focus == paneParams:
		m.params, cmd = m.params.Update(msg)
	case in(ed):
		m.editor, cmd = m.editor.Update(msg)
	case m.comparing():
		m.compare, cmd = m.compare.Update(msg)
	default:
		m.response, cmd = m.response.Update(msg)
	}
	return m, cmd
}

func (m Model) capturing() bool {
	switch m.focus {
	case paneEditor:
		return m.editor.Capturing()
	case paneModels:
		return m.models.Capturing()
	case paneParams:
		return m.params.Capturing()
	}
	return m.response.Capturing()
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit) && !m.askingToQuit():
		return m.quit() // ctrl+c reaches past any dialog
	case key.Matches(msg, k.HelpAlways) && m.dialogs.Top() != nil && m.dialogs.Top().Kind() != dialog.Help:
		return m.openHelp() // f1 too: help opens over any dialog
	case m.dialogs.Top() != nil:
		return m.dialogKey(m.dialogs.Top(), msg)
	case key.Matches(msg, k.HelpAlways), key.Matches(msg, k.Help) && !m.capturing():
		return m.openHelp()
	case key.Matches(msg, k.Message) && m.status.Message() != "":
		return m.showMessage("Status", m.status.Full())
	case key.Matches(msg, k.Run):
		next, cmd := m.startRun()
		if nm := next.(Model); nm.runID != m.runID && !nm.comparing() {
			nm.liveRun = nm.runID // the answer pane holds this prompt's own answer
			return nm, cmd
		}
		return next, cmd
	case key.Matches(msg, k.Cancel) && m.cancel != nil:
		m.cancel()
		m.cancel = nil
		return m, m.status.Note("cancelled")
	case key.Matches(msg, k.Next) && m.focus == paneParams && m.params.Capturing():
		// tab completes the value being typed, as the pane's help says
		return m.routeToFocus(msg)
	case key.Matches(msg, k.Next):
		m.setFocus(m.nextPane(1))
		return m, m.focusCmd()
	case key.Matches(msg, k.Prev):
		m.setFocus(m.nextPane(-1))
		return m, m.focusCmd()
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Fork):
		return m.fork()
	case key.Matches(msg, k.Browse):
		return m.openBrowser()
	case key.Matches(msg, k.DiffRecorded) && !m.capturing():
		return m.diffLiveWithRecorded()
	case key.Matches(msg, k.Matrix) && !m.capturing():
		return m.matrixKey()
	case key.Matches(msg, k.Restart) && !m.capturing():
		return m.restartAgent()
	case key.Matches(msg, groupKeys.Next, groupKeys.Prev) && !m.capturing() && m.run.opened != nil:
		return m.moveGroup(msg)
	case key.Matches(msg, k.Step) && !m.capturing():
		m.stepMode = !m.stepMode
		if m.stepMode {
			return m, m.status.Note("step mode on: the studio asks before each model call, showing the request it will send")
		}
		return m, m.status.Note("step mode off")
	case m.focus == paneModels && key.Matches(msg, k.Compare):
		return m.addToCompare(m.models.Cursor())
	case m.focus == paneCompare && msg.String() == "X":
		return m.closeCompare()
	case key.Matches(msg, k.Edit):
		m.setFocus(paneEditor)
		var cmd tea.Cmd
		m.editor, cmd = m.editor.Update(msg)
		return m, cmd
	}
	return m.routeToFocus(msg)
}

func (m Model) routeToFocus(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.focus {
	case paneEditor:
		m.editor, cmd = m.editor.Update(msg)
	case paneResponse:
		m.response, cmd = m.response.Update(msg)
	case paneTools:
		m.tools, cmd = m.tools.Update(msg)
	case paneCompare:
		before := m.compare.Focused()
		m.compare, cmd = m.compare.Update(msg)
		if after := m.compare.Focused(); after != before {
			m.showColumnParams(after)
		}
	case paneModels:
		m.models, cmd = m.models.Update(msg)
		// The choice takes effect with the key that made it, not when its
		// SelectedMsg comes back: a ctrl+r typed right after enter (in one
		// burst, or a paste) must run the model just chosen.
		if sel := m.models.Selected(); sel != "" && sel != m.model {
			m.chooseModel(sel)
		}
	case paneParams:
		m.params, cmd = m.params.Update(msg)
	}
	return m, cmd
}

// nextPane is the pane after (dir 1) or before (dir -1) the focused one,
// skipping the tools pane when it is not shown.
func (m Model) nextPane(dir int) pane {
	p := m.focus
	for {
		p = (p + pane(dir) + paneCount) % paneCount
		switch {
		case p == paneTools && !m.showTools(),
			p == paneCompare && !m.comparing(),
			p == paneResponse && m.comparing():
			continue
		}
		return p
	}
}

func (m *Model) setFocus(p pane) {
	m.focus = p
	m.editor.Blur()
	m.response.Blur()
	m.tools.Blur()
	m.compare.Blur()
	if p == paneCompare {
		m.showColumnParams(m.compare.Focused())
	} else if p != paneParams {
		m.showPromptParams()
	}
	m.models.Blur()
	m.params.Blur()
	switch p {
	case paneEditor:
		m.editor.Focus()
	case paneResponse:
		m.response.Focus()
	case paneTools:
		m.tools.Focus()
	case paneCompare:
		m.compare.Focus()
	case paneModels:
		m.models.Focus()
	case paneParams:
		m.params.Focus()
	}
	m.layout() // narrow layouts show the focused side pane in place
}

func (m Model) focusCmd() tea.Cmd {
	if m.focus == paneEditor {
		e := m.editor
		return e.Focus()
	}
	return nil
}

// requestError words a request that could not be built in the studio's
// terms: a missing variable is set in the vars line (the command line's
// --var advice would be wrong here).
func requestError(err error) string {
	var mv *prompts.MissingVarsError
	if !errors.As(err, &mv) {
		return err.Error()
	}
	if len(mv.Names) == 1 {
		return mv.Error() + "; set it in the vars line of the prompt"
	}
	return mv.Error() + "; set them in the vars line of the prompt"
}

// quitMsg is the quit that waits for the unsaved-work question.
type quitMsg struct{}

// quit asks first when there is unsaved work.
func (m Model) quit() (tea.Model, tea.Cmd) {
	if m.unsaved() {
		return m.askUnsaved(quitMsg{}, "quit")
	}
	return m.quitNow()
}

// quitNow ends the studio. A draft left is one the user chose to keep.
func (m Model) quitNow() (tea.Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	m.closeRecorder()
	// the files are closed before the program ends, in order; the program
	// closes them again (CloseSession) if it ends another way
	files := m.toClose
	m.toClose = nil
	return m, tea.Sequence(closeSessionFiles(files), tea.Quit)
}

func (m Model) unsaved() bool { return m.dirty || m.editor.Dirty() }

func (m *Model) applyTheme(st *themes.Styles) {
	m.st = st
	m.models.SetStyles(st)
	m.browser.SetStyles(st)
	if m.diff != nil {
		m.diff.SetStyles(st)
	}
	m.params.SetStyles(st)
	m.editor.SetStyles(st)
	m.response.SetStyles(st)
	m.tools.SetStyles(st)
	m.compare.SetStyles(st)
	m.status.SetStyles(st)
}

// Styles returns the theme in use.
func (m Model) Styles() *themes.Styles { return m.st }
