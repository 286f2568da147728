package compare

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"mstudio/api"
	"mstudio/session"
	"mstudio/themes"
	"mstudio/tui/response"
)

func press(k string) tea.KeyPressMsg {
	switch k {
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func threeCols() []Column {
	return []Column{
		{Model: "mistral-small-latest", Params: "t=0.2 max=256"},
		{Model: "mistral-large-latest", Params: "t=0.7"},
		{Model: "mistral-small-latest", Params: "t=1.0 max=64"},
	}
}

func newView(t testing.TB, st *themes.Styles, cols []Column, w, h int) *Model {
	t.Helper()
	m := New(st, cols)
	m.now = func() time.Time { return epoch }
	m.SetSize(w, h)
	m.Focus()
	return &m
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

// longText is markdown of about n lines when rendered narrow.
func longText(n int) string {
	var b strings.Builder
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&b, "Paragraph %d.\n\n", i)
	}
	return b.String()
}

// fill streams text into every column and finishes them cleanly.
func fill(m *Model, texts ...string) {
	for i, text := range texts {
		m.Start(i)
		m.Append(i, text, "")
		m.Finish(i, session.Result{FinishReason: "stop"})
	}
}

func send(m *Model, msgs ...tea.Msg) []tea.Msg {
	var out []tea.Msg
	for _, msg := range msgs {
		var cmd tea.Cmd
		*m, cmd = m.Update(msg)
		if cmd != nil {
			out = append(out, cmd())
		}
	}
	return out
}

func TestFocusMoves(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	send(m, press("right"), press("l"))
	if m.Focused() != 2 {
		t.Fatalf("focus %d, want 2", m.Focused())
	}
	send(m, press("right"))
	if m.Focused() != 2 {
		t.Fatalf("focus went past the last column: %d", m.Focused())
	}
	send(m, press("left"), press("h"), press("h"))
	if m.Focused() != 0 {
		t.Fatalf("focus %d, want 0", m.Focused())
	}
	m.Blur()
	send(m, press("right"))
	if m.Focused() != 0 {
		t.Fatal("a blurred view took a key")
	}
}

func TestLinkedAndUnlinkedScroll(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	text := longText(200)
	fill(m, text, text, text)
	for i := range 3 {
		if !m.cols[i].pane.AtBottom() {
			t.Fatalf("column %d not following", i)
		}
	}
	if !m.Linked() {
		t.Fatal("scrolling should be linked by default")
	}
	send(m, press("up"))
	for i := range 3 {
		if m.cols[i].pane.AtBottom() {
			t.Fatalf("linked: column %d did not scroll", i)
		}
	}
	send(m, press("end"), press("L"), press("right"), press("up"))
	if m.Linked() {
		t.Fatal("L did not unlink")
	}
	for i, want := range []bool{true, false, true} {
		if got := m.cols[i].pane.AtBottom(); got != want {
			t.Fatalf("unlinked: column %d at bottom %v, want %v", i, got, want)
		}
	}
	// The wheel scrolls the column under the pointer when unlinked.
	m.SetOrigin(10)
	send(m, press("end"), tea.MouseWheelMsg{Button: tea.MouseWheelUp, X: 10 + 100, Y: 5})
	for i, want := range []bool{true, true, false} {
		if got := m.cols[i].pane.AtBottom(); got != want {
			t.Fatalf("wheel: column %d at bottom %v, want %v", i, got, want)
		}
	}
	// Linked, the wheel scrolls them all.
	send(m, press("L"), press("end"), tea.MouseWheelMsg{Button: tea.MouseWheelUp, X: 15})
	for i := range 3 {
		if m.cols[i].pane.AtBottom() {
			t.Fatalf("linked wheel: column %d did not scroll", i)
		}
	}
}

func TestDiffKeepAndCopy(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	fill(m, "one", "two", "three")
	send(m, press("right"))
	if got := send(m, press("d")); len(got) != 1 || got[0] != (DiffMsg{A: 1, B: 2}) {
		t.Fatalf("d: %#v", got)
	}
	send(m, press("right"))
	if got := send(m, press("d")); len(got) != 1 || got[0] != (DiffMsg{A: 2, B: 0}) {
		t.Fatalf("d on the last column should wrap: %#v", got)
	}
	if got := send(m, press("enter")); len(got) != 1 || got[0] != (KeepMsg{Index: 2}) {
		t.Fatalf("enter: %#v", got)
	}
	if got := send(m, press("p")); len(got) != 1 || got[0] != (ParamsMsg{Index: 2}) {
		t.Fatalf("p: %#v", got)
	}
	got := send(m, press("y"))
	if len(got) != 1 {
		t.Fatalf("y: %#v", got)
	}
	batch, ok := got[0].(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("y should batch the clipboard and a note: %#v", got[0])
	}
	if note := batch[1](); note != (response.CopiedMsg{What: "answer", Bytes: len("three")}) {
		t.Fatalf("note %#v", note)
	}
	if m.Answer(2) != "three" {
		t.Fatalf("answer %q", m.Answer(2))
	}
}

func TestFinishWithErrorKeepsPartialText(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	m.Start(1)
	m.Append(1, "The partial answer", "")
	m.Finish(1, session.Result{Err: errors.New("HTTP 500: server error")})
	if m.Answer(1) != "The partial answer" {
		t.Fatalf("answer %q", m.Answer(1))
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"The partial answer", "✗ HTTP 500"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	res := m.Results()
	if res[0] != nil || res[2] != nil || res[1] == nil || res[1].Err == nil {
		t.Fatalf("results %v", res)
	}
	checkSize(t, m.View(), 120, 30)
}

func TestLiveFigures(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	now := epoch
	m.now = func() time.Time { return now }
	m.Start(0)
	if !strings.Contains(ansi.Strip(m.View()), "waiting…") {
		t.Fatal("no waiting state")
	}
	now = now.Add(250 * time.Millisecond)
	m.Append(0, strings.Repeat("word ", 80), "") // 400 chars, ~100 tokens
	now = now.Add(750 * time.Millisecond)
	got := strings.Join(m.Figures(0), " | ")
	if want := "1.00s | ttft 250 ms | ~100↓ | ~100 tok/s"; got != want {
		t.Fatalf("figures %q, want %q", got, want)
	}
}

func TestSetColumnsKeepsSurvivingAnswers(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols()[:2], 120, 30)
	fill(m, "first", "second")
	cols := append(threeCols(), Column{Model: "codestral-2508"})
	cols[1].Params = "t=0.9"
	m.SetColumns(cols)
	if len(m.Columns()) != 4 || m.Columns()[1].Params != "t=0.9" {
		t.Fatalf("columns %v", m.Columns())
	}
	if m.Answer(0) != "first" || m.Answer(1) != "second" || m.Answer(3) != "" {
		t.Fatalf("answers lost: %q %q %q", m.Answer(0), m.Answer(1), m.Answer(3))
	}
	send(m, press("right"), press("right"), press("right"))
	m.SetColumns(cols[:2])
	if m.Focused() != 1 {
		t.Fatalf("focus %d after shrinking", m.Focused())
	}
	m.SetColumns(append(cols, cols...))
	if len(m.Columns()) != MaxColumns {
		t.Fatalf("%d columns", len(m.Columns()))
	}
	checkSize(t, m.View(), 120, 30)
}

func TestViewExactSize(t *testing.T) {
	st := themes.New(themes.Dark())
	all := append(threeCols(), Column{Model: "codestral-2508", Params: "t=0"})
	for _, n := range []int{2, 3, 4} {
		for _, sz := range [][2]int{{120, 30}, {80, 24}} {
			m := newView(t, st, all[:n], sz[0], sz[1])
			checkSize(t, m.View(), sz[0], sz[1])
			for i := range n {
				m.Start(i)
				m.Append(i, "# Title\n\nSome **bold** text and a list:\n\n- a\n- b\n\n```go\nfunc f() {}\n```\n", "")
			}
			checkSize(t, m.View(), sz[0], sz[1])
			m.Finish(0, session.Result{Err: errors.New(strings.Repeat("a long error ", 20))})
			checkSize(t, m.View(), sz[0], sz[1])
		}
	}
	for w := 0; w <= 12; w++ {
		for h := 0; h <= 8; h++ {
			m := newView(t, st, all, w, h)
			fill(m, "a", "b", "c", "d")
			v := m.View()
			if w == 0 || h == 0 {
				if v != "" {
					t.Fatalf("%dx%d: %q", w, h, v)
				}
				continue
			}
			checkSize(t, v, w, h)
		}
	}
}

// golden3 builds three finished columns with figures fixed by hand.
func golden3(t *testing.T, st *themes.Styles) *Model {
	m := newView(t, st, threeCols(), 120, 30)
	answers := []string{
		"## Lyon\n\nThe **Basilica** of Notre-Dame de Fourvière overlooks the city.\n\n- Vieux Lyon\n- Presqu'île\n",
		"Lyon's must-see is **Vieux Lyon**, with its *traboules*.\n\n```go\nfunc route(city string) string { return city }\n```\n",
		"Fourvière, then the",
	}
	results := []session.Result{
		{FinishReason: "stop", TTFT: 210 * time.Millisecond, Latency: 1210 * time.Millisecond,
			Usage: &api.Usage{PromptTokens: 312, CompletionTokens: 96}, CostUSD: 0.0001, CostKnown: true},
		{FinishReason: "stop", TTFT: 480 * time.Millisecond, Latency: 2480 * time.Millisecond,
			Usage: &api.Usage{PromptTokens: 312, CompletionTokens: 120}, CostUSD: 0.0021, CostKnown: true},
		{TTFT: 190 * time.Millisecond, Latency: 400 * time.Millisecond, Err: errors.New("stream cut off after 5 tokens")},
	}
	for i := range answers {
		m.Start(i)
		m.Append(i, answers[i], "")
		m.Finish(i, results[i])
	}
	send(m, press("right"))
	return m
}

func TestGoldenViews(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    themes.Palette
	}{{"dark", themes.Dark()}, {"light", themes.Light()}} {
		t.Run(tc.name, func(t *testing.T) {
			m := golden3(t, themes.New(tc.p))
			view := m.View()
			checkSize(t, view, 120, 30)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func TestStrayMessagesReachNoColumn(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	// A DeltaMsg names no column, so it must not land anywhere.
	send(m, response.DeltaMsg{Content: "stray"})
	for i := range 3 {
		if m.Answer(i) != "" {
			t.Fatalf("column %d took a stray delta", i)
		}
	}
	// Replayed results fill an empty column in.
	m.Finish(0, session.Result{Message: api.Message{Content: api.Text("replayed")}, FinishReason: "stop"})
	if m.Answer(0) != "replayed" {
		t.Fatalf("answer %q", m.Answer(0))
	}
	if len(m.ShortHelp()) == 0 || len(m.FullHelp()) != 3 || m.Capturing() {
		t.Fatal("help")
	}
}

// pending streams chunks into column i until one is left for the pane's
// delayed flush (the pane renders at once when its last render is old
// enough), and returns that chunk's word and the flush's Cmd.
func pending(t *testing.T, m *Model, i int) (string, tea.Cmd) {
	t.Helper()
	for n := range 200 {
		word := fmt.Sprintf("word%d", n)
		if cmd := m.Append(i, " "+word, ""); cmd != nil {
			return word, cmd
		}
	}
	t.Fatal("the pane never deferred its tail")
	return "", nil
}

// A column's last text shows within a frame even when no further chunk
// comes: its delayed flush names the column and its run, and reaches that
// column alone.
func TestColumnTailFlushesWithoutAnotherChunk(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols()[:2], 120, 30)
	m.Start(0)
	m.Start(1)
	word, cmd := pending(t, m, 1)
	if strings.Contains(ansi.Strip(m.View()), word) {
		t.Fatalf("%s shown before its flush: the test proves nothing", word)
	}
	msg := cmd()
	if !Owns(msg) {
		t.Fatalf("flush %T is not the view's own", msg)
	}
	// The flush of another column, or of a replaced run, does nothing.
	stray := msg.(flushMsg)
	stray.id = m.cols[0].id
	send(m, stray)
	stale := msg.(flushMsg)
	stale.gen--
	send(m, stale)
	if strings.Contains(ansi.Strip(m.View()), word) {
		t.Fatal("a flush meant for another column or run rendered this one")
	}
	send(m, msg)
	if !strings.Contains(ansi.Strip(m.View()), word) {
		t.Fatalf("%s still not shown after its flush:\n%s", word, ansi.Strip(m.View()))
	}
	// A flush arriving after the column's run was replaced is dropped.
	_, cmd = pending(t, m, 0)
	old := cmd()
	m.Start(0)
	if out := send(m, old); len(out) != 0 {
		t.Fatalf("stale flush answered %v", out)
	}
}

// A long parameter summary (a response format's schema name) must not push
// the finish reason out of a narrow column: the state comes first.
func TestFinishReasonShowsBesideALongParameterSummary(t *testing.T) {
	cols := []Column{
		{Model: "mistral-small-latest", Params: "response_format=json_schema:extract t=0.2"},
		{Model: "magistral-medium-latest", Params: "response_format=json_schema:extract"},
	}
	m := newView(t, themes.New(themes.Dark()), cols, 80, 24)
	fill(m, "{\"name\": \"Ada\"}", "{\"name\": \"Ada\"}")
	view := ansi.Strip(m.View())
	if got := strings.Count(view, "✓ stop"); got != 2 {
		t.Fatalf("finish reason shown in %d columns, want 2:\n%s", got, view)
	}
	checkSize(t, m.View(), 80, 24)
}

// A column tells a cut or failed answer from a finished one as the answer
// pane and the status line do (api.ClassifyFinish): no "✓" for them.
func TestAColumnNeverMarksACutAnswerDone(t *testing.T) {
	m := newView(t, themes.New(themes.Dark()), threeCols(), 120, 30)
	for i, reason := range []string{"model_length", "error", "stop"} {
		m.Start(i)
		m.Append(i, "text", "")
		m.Finish(i, session.Result{FinishReason: reason})
	}
	view := ansi.Strip(m.View())
	for _, bad := range []string{"✓ model_length", "✓ error"} {
		if strings.Contains(view, bad) {
			t.Fatalf("%q shown as done:\n%s", bad, view)
		}
	}
	for _, want := range []string{"■ model_length (cut)", "✗ finish: error", "✓ stop"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
}
