package tui

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/internal/screentest"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/dialog"
	"mstudio/tui/models"
	"mstudio/tui/response"
)

func simTarget(t *testing.T, opts sim.Options) session.Target {
	t.Helper()
	srv := httptest.NewServer(sim.New(opts))
	t.Cleanup(srv.Close)
	return session.Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}})}
}

func newStudio(t *testing.T, theme string, w, h int) Model {
	t.Helper()
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 1}), Endpoint: "sim", Offline: true, Theme: theme})
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return update(m, models.LoadedMsg{Entries: api.FoldAliases(sim.Models())})
}

func update(m Model, msg tea.Msg) Model {
	out, _ := m.Update(msg)
	return out.(Model)
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "f1":
		return tea.KeyPressMsg{Code: tea.KeyF1}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

func checkExact(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.View().Content, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%dx%d: line %d is %d wide: %q", w, h, i, got, ansi.Strip(l))
		}
	}
}

func TestFocusStartsInTheEditorAndTabCycles(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	if m.focus != paneEditor || !m.editor.Focused() {
		t.Fatal("focus should start in the editor")
	}
	order := []pane{paneResponse, paneModels, paneParams, paneEditor}
	for _, want := range order {
		m = update(m, press("tab"))
		if m.focus != want {
			t.Fatalf("tab: focus %v, want %v", m.focus, want)
		}
	}
	m = update(m, press("shift+tab"))
	if m.focus != paneParams || !m.params.Focused() || m.editor.Focused() {
		t.Fatal("shift+tab should go back, and only one pane has focus")
	}
}

func TestHelpKeys(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	if !strings.Contains(screen(m), "f1 help") || strings.Contains(screen(m), "? help") {
		t.Fatalf("the editor takes ?: the status line names f1:\n%s", screen(m))
	}
	m = update(m, press("?"))
	if m.dialogs.Has(dialog.Help) {
		t.Fatal("? in the editor is a character, not help")
	}
	m = update(m, press("f1"))
	if !m.dialogs.Has(dialog.Help) || !strings.Contains(screen(m), "mstudio · keys") || !strings.Contains(screen(m), "Prompt editor (focused)") {
		t.Fatalf("f1 opens help with the editor's keys first:\n%s", screen(m))
	}
	m = update(m, press("esc"))
	if m.dialogs.Has(dialog.Help) {
		t.Fatal("esc closes help")
	}
	// every pane that takes no text opens help with ?
	for _, p := range []pane{paneResponse, paneModels, paneParams} {
		m.setFocus(p)
		if !strings.Contains(screen(m), "? help") {
			t.Fatalf("pane %v: the status line names ?:\n%s", p, screen(m))
		}
		m = update(m, press("?"))
		if !m.dialogs.Has(dialog.Help) {
			t.Fatalf("? on pane %v opens help", p)
		}
		m = update(m, press("?"))
		if m.dialogs.Has(dialog.Help) {
			t.Fatalf("? closes help again (pane %v)", p)
		}
	}
}

// TestHelpScrollsToEveryKeyAt80x24 pages through help in the smallest
// common terminal: every key of every pane must be reachable.
func TestHelpScrollsToEveryKeyAt80x24(t *testing.T) {
	m := newStudio(t, "dark", 80, 24)
	m = update(m, press("f1"))
	checkExact(t, m, 80, 24)
	// inner lines of the dialog's frame: under its title, above its
	// bottom border and the status line
	inner := func() []string {
		lines := strings.Split(screen(m), "\n")
		lines = lines[1 : len(lines)-2]
		for i, l := range lines {
			lines[i] = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│┃"))
		}
		return lines
	}
	// one line at a time: the first line of each view, then the last view
	var content []string
	for i := 0; i < 400 && !m.dialogs.Get(dialog.Help).(dialog.Pager).AtBottom(); i++ {
		content = append(content, inner()[0])
		m = update(m, press("j"))
		checkExact(t, m, 80, 24)
	}
	content = append(content, inner()...)
	seen := strings.Join(strings.Fields(strings.Join(content, " ")), " ")
	var keys []key.Binding
	keys = append(keys, m.keys.global()...)
	for _, p := range []pane{paneEditor, paneResponse, paneCompare, paneTools, paneModels, paneParams} {
		_, groups := m.paneHelp(p)
		for _, g := range groups {
			keys = append(keys, g...)
		}
	}
	for _, k := range keys {
		if d := strings.Join(strings.Fields(k.Help().Desc), " "); d != "" && !strings.Contains(seen, d) {
			t.Errorf("help never shows %q (%s)", d, k.Help().Key)
		}
	}
	if !strings.Contains(seen, "Step mode and tools answered by hand") {
		t.Error("the dialogs' keys are in help too")
	}
}

// TestOneDialogStack: a dialog that opens over another is drawn and takes
// the keys; closing it shows the one below, which still has its state.
func TestOneDialogStack(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m = update(m, press("tab")) // the answer pane
	m.showDiff("a → b", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n")
	m = update(m, nil) // sync the stack, as any message does
	if top := m.dialogs.Top(); top == nil || top.Kind() != dialog.Diff || !strings.Contains(screen(m), "Diff · a → b") {
		t.Fatalf("the diff is on top:\n%s", screen(m))
	}
	m = update(m, press("f1"))
	if m.dialogs.Top().Kind() != dialog.Help || !strings.Contains(screen(m), "mstudio · keys") {
		t.Fatalf("help opens over the diff:\n%s", screen(m))
	}
	if !strings.Contains(screen(m), "esc close") {
		t.Fatalf("the status line shows the top dialog's keys:\n%s", screen(m))
	}
	m = update(m, press("esc"))
	if m.dialogs.Top().Kind() != dialog.Diff || !strings.Contains(screen(m), "Diff · a → b") {
		t.Fatalf("closing help shows the diff again:\n%s", screen(m))
	}
	m = update(m, press("esc"))
	out, cmd := m.Update(press("esc"))
	m = out.(Model)
	if cmd != nil {
		m = update(m, cmd())
	}
	if m.dialogs.Len() != 0 || m.diff != nil {
		t.Fatalf("esc closes the diff: %v", m.dialogs.Kinds())
	}
}

func TestQuitAsksWhenThereIsUnsavedWork(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	if _, cmd := m.Update(press("ctrl+c")); cmd == nil || !isQuit(cmd) {
		t.Fatal("nothing to save: ctrl+c quits at once")
	}
	m = update(m, press("a")) // edit the prompt
	out, cmd := m.Update(press("ctrl+c"))
	m = out.(Model)
	if isQuit(cmd) || !m.dialogs.Has(dialog.Unsaved) || !strings.Contains(screen(m), "has unsaved changes") || !strings.Contains(screen(m), "discard it") {
		t.Fatalf("unsaved work: ctrl+c should ask first:\n%s", screen(m))
	}
	if strings.Contains(screen(m), "keep it as a draft") {
		t.Fatal("without a state folder there is no draft to keep the work in")
	}
	if out, cmd := m.Update(press("esc")); isQuit(cmd) || out.(Model).dialogs.Len() != 0 || !out.(Model).unsaved() {
		t.Fatal("esc goes back to the work")
	}
	if _, cmd := m.Update(press("ctrl+c")); !isQuit(cmd) {
		t.Fatal("a second ctrl+c quits")
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
		if cmds, ok := cmdList(msg); ok { // a batch or a sequence
			for _, c := range cmds {
				if isQuit(c) {
					return true
				}
			}
		}
	case <-time.After(100 * time.Millisecond):
	}
	return false
}

func TestRequestFollowsEditorModelAndParameters(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m = update(m, models.SelectedMsg{ID: "mistral-large-latest"})
	req, err := m.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "mistral-large-latest" || req.Temperature == nil || *req.Temperature != 0.3 {
		t.Fatalf("model %q temperature %v", req.Model, req.Temperature)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != api.RoleSystem || !strings.Contains(req.Messages[1].Content.String(), "to see in Lyon") {
		t.Fatalf("messages %+v", req.Messages)
	}
	if !m.unsaved() {
		t.Fatal("choosing another model is an unsaved change")
	}
}

func TestEveryLayoutIsExactlyTheWindow(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	for _, sz := range [][2]int{{120, 40}, {80, 24}, {200, 60}, {95, 30}, {60, 20}, {30, 10}, {20, 5}, {1, 1}} {
		m = update(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkExact(t, m, sz[0], sz[1])
		for _, p := range []pane{paneModels, paneParams, paneEditor} {
			m.setFocus(p)
			checkExact(t, m, sz[0], sz[1])
		}
	}
}

func TestNarrowTerminalFoldsTheSidePanes(t *testing.T) {
	m := newStudio(t, "dark", 80, 24)
	if sc := screen(m); strings.Contains(sc, "Models") || !strings.Contains(sc, "Prompt · hello") {
		t.Fatalf("at 80 columns the side panes fold away:\n%s", sc)
	}
	m = update(m, press("tab"))
	m = update(m, press("tab"))
	if sc := screen(m); !strings.Contains(sc, "Models · tab to leave") {
		t.Fatalf("a focused side pane comes back:\n%s", sc)
	}
}

// finished puts a fixed answer and result on the screen, for golden views.
func finished(m Model) Model {
	m.response.Start("mistral-small-latest")
	m = update(m, response.DeltaMsg{Thinking: "A short guide with a table."})
	m = update(m, response.DeltaMsg{Content: "## Lyon\n\nSee the **Basilica** of Fourvière.\n\n| time | stop |\n|---|---|\n| 9:00 | Fourvière |\n| 12:00 | Vieux Lyon |\n\n```go\nfmt.Println(\"Lyon\")\n```\n"})
	out, _ := m.finishRun(session.Result{Model: "mistral-small-latest", TTFT: 210 * time.Millisecond, Latency: 1210 * time.Millisecond,
		Usage: &api.Usage{PromptTokens: 312, CompletionTokens: 96, TotalTokens: 408}, CostUSD: 0.0001, CostKnown: true, FinishReason: "stop"})
	return out.(Model)
}

func TestGoldenViews(t *testing.T) {
	for _, c := range []struct {
		name, theme string
		w, h        int
	}{
		{"dark_120x40", "dark", 120, 40}, {"light_120x40", "light", 120, 40},
		{"dark_80x24", "dark", 80, 24}, {"light_80x24", "light", 80, 24},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := finished(newStudio(t, c.theme, c.w, c.h))
			checkExact(t, m, c.w, c.h)
			sc := screen(m)
			for _, want := range []string{"Prompt · hello", "Answer · mistral-small-latest", "offline simulator", "ttft 210 ms", "312↑ 96↓", "Fourvière"} {
				if !strings.Contains(sc, want) {
					t.Fatalf("the screen lacks %q:\n%s", want, sc)
				}
			}
			golden.RequireEqual(t, []byte(m.View().Content))
		})
	}
}

// TestRunStreamsThroughTheProgram runs the real Bubble Tea program against
// the simulator: ctrl+r, the answer streams in, esc on a second run cancels
// it and keeps its partial text.
func TestRunStreamsThroughTheProgram(t *testing.T) {
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 2, TokenRate: 2000}), Endpoint: "sim", Offline: true, Theme: "dark"})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	scr := screentest.New(t, tm.Output(), 120, 40)
	tm.Send(press("ctrl+r"))
	scr.WaitForText(t, "ttft ", 30*time.Second) // the final figures replace the live ones
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.response.State() != response.Done || !strings.Contains(final.response.Answer(), "Lyon") {
		t.Fatalf("state %v answer %q", final.response.State(), final.response.Answer())
	}
}

func TestForkFromATurnAndFromTheAnswer(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	m = finished(m)
	m = update(m, press("tab")) // the answer pane
	m = update(m, tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl})
	if m.prompt.Name != "hello-fork" || m.prompt.Path != "" || !m.unsaved() || m.focus != paneEditor {
		t.Fatalf("fork: name %q path %q", m.prompt.Name, m.prompt.Path)
	}
	doc := m.editor.Document()
	n := len(doc.Turns)
	if n != 3 || doc.Turns[1].Role != api.RoleAssistant || !strings.Contains(doc.Turns[1].Text, "Fourvière") || doc.Turns[2].Role != api.RoleUser || doc.Turns[2].Text != "" {
		t.Fatalf("turns %+v", doc.Turns)
	}
	if !strings.Contains(screen(m), "Prompt · hello-fork") {
		t.Fatalf("title:\n%s", screen(m))
	}
}

// TestAForkIsNamedOutsideUpdate: the prompts folder is read in a Cmd; a
// name taken by a file is skipped.
func TestAForkIsNamedOutsideUpdate(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	if err := os.WriteFile(filepath.Join(m.opts.SaveDir, "hello-fork.prompt"), []byte("Hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m = finished(m)
	m = update(m, press("tab"))
	m, cmd := key2(m, ctrl('x'))
	if m.prompt.Name != "hello-fork" {
		t.Fatalf("provisional name %q", m.prompt.Name)
	}
	m = do(t, m, cmd)
	if m.prompt.Name != "hello-fork-2" || !strings.Contains(screen(m), "Prompt · hello-fork-2") {
		t.Fatalf("named %q:\n%s", m.prompt.Name, screen(m))
	}
}

func TestRetryNoticesReachTheStatusLine(t *testing.T) {
	ch := make(chan Notice, 1)
	m := New(Options{Target: simTarget(t, sim.Options{}), Endpoint: "sim", Theme: "dark", Notices: ch})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	ch <- Notice{Text: "503 service unavailable; retry 1 in 2s", Wait: 2 * time.Second}
	m = update(m, waitNotice(ch)())
	if !strings.Contains(screen(m), "retry 1 in 2s") {
		t.Fatalf("status:\n%s", screen(m))
	}
	// a 429 while a run waits for it: the line says so, not "streaming"
	m.status.Start("mistral-small-latest")
	ch <- Notice{Text: "429 too many requests; retry 1 in 3s", Wait: 3 * time.Second, RateLimited: true}
	m = update(m, waitNotice(ch)())
	if sc := screen(m); !strings.Contains(sc, "rate limited · retrying in 3s") || strings.Contains(sc, "streaming") {
		t.Fatalf("status while rate limited:\n%s", sc)
	}
}

func TestAMissingVariableIsSetInTheVarsLine(t *testing.T) {
	p, err := prompts.Parse("trip", "Plan a day in {{city}}.")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Target: simTarget(t, sim.Options{}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(m, press("ctrl+r"))
	msg := m.status.Full()
	if !strings.Contains(msg, "missing variable city; set it in the vars line of the prompt") || strings.Contains(msg, "--var") {
		t.Fatalf("status: %q", msg)
	}
}

// TestALongErrorOpensWhole: an error cut on the status line names f2,
// which shows it whole in a dialog.
func TestALongErrorOpensWhole(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	long := "422 unprocessable entity: messages[1].content: the request does not validate against the schema the endpoint publishes for this model (request id 0123456789abcdef0123456789abcdef)"
	m.status.Error(long)
	if !strings.Contains(screen(m), "f2 whole") {
		t.Fatalf("the cut error names f2:\n%s", screen(m))
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyF2})
	sc := strings.Join(strings.Fields(screen(m)), " ")
	if !m.dialogs.Has(dialog.Message) || !strings.Contains(sc, "0123456789abcdef0123456789abcdef)") {
		t.Fatalf("f2 shows the error whole:\n%s", screen(m))
	}
	checkExact(t, m, 120, 40)
	m = update(m, press("esc"))
	if m.dialogs.Len() != 0 {
		t.Fatal("esc closes it")
	}
}

// TestACutAnswerSaysSo: an answer cut at max_tokens says it in its end line
// and on the status line, through a real run on the simulator.
func TestACutAnswerSaysSo(t *testing.T) {
	p, err := prompts.Parse("short", "---\nconfig:\n  maxOutputTokens: 5\n---\nTell me about Lyon.")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Target: simTarget(t, sim.Options{Seed: 1}), Endpoint: "sim", Offline: true, Theme: "dark", Prompt: p})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd)
	sc := screen(m)
	if m.response.FinishReason() != "length" || !strings.Contains(sc, "■ cut at max_tokens (finish: length)") || !strings.Contains(sc, "· finish: length") {
		t.Fatalf("finish %q:\n%s", m.response.FinishReason(), sc)
	}
}

// TestAStepShowsItsKeys: the step dialog's keys, editing or not, are the
// status line's hint.
func TestAStepShowsItsKeys(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	req := api.ChatRequest{Model: "mistral-small-latest", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("hi")}}}
	m.asks = []*ask{{Turn: 1, Request: &req}}
	m.showAsk()
	m = update(m, nil)
	checkExact(t, m, 120, 40)
	status := strings.Split(screen(m), "\n")[39]
	if !strings.Contains(status, "enter go on · e edit the next request · esc stop here") {
		t.Fatalf("status %q", status)
	}
	m = update(m, press("e"))
	status = strings.Split(screen(m), "\n")[39]
	if !strings.Contains(status, "ctrl+s send the edited request · esc stop editing") {
		t.Fatalf("editing: status %q", status)
	}
}

// TestGoldenDialogs draws the unsaved-work question at both sizes, exactly
// the window. (Help is checked key by key: its text follows every pane's
// KeyMap, which a golden would pin.)
func TestGoldenDialogs(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h int
	}{{"unsaved_120x40", 120, 40}, {"unsaved_80x24", 80, 24}} {
		t.Run(c.name, func(t *testing.T) {
			m := newStudio(t, "dark", c.w, c.h)
			m = update(m, press("!"))
			m = update(m, press("ctrl+c"))
			checkExact(t, m, c.w, c.h)
			golden.RequireEqual(t, []byte(m.View().Content))
		})
	}
}

// TestTheWheelScrollsTheDialogOnTop: help scrolls with the wheel, and the
// pane under it does not move.
func TestTheWheelScrollsTheDialogOnTop(t *testing.T) {
	m := newStudio(t, "dark", 80, 24)
	m = finished(m)
	before := m.response.View()
	m = update(m, press("f1"))
	first := screen(m)
	m = update(m, tea.MouseWheelMsg{Button: tea.MouseWheelDown, X: 40, Y: 18})
	if screen(m) == first {
		t.Fatal("the wheel scrolls help")
	}
	if m.response.View() != before {
		t.Fatal("the answer under help moved")
	}
}
