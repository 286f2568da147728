package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/tui/diffview"
	"mstudio/tui/models"
	"mstudio/tui/response"
)

// settle is how long a command may take before it counts as a timer (a
// fade, a draft tick, a retry countdown) and is left out. Generous: the
// machine running the tests may be busy, and a request to the simulator
// must not be mistaken for a timer.
const settle = 400 * time.Millisecond

// do runs a command and feeds its messages back, as the program would,
// following the commands those return. The commands of a batch run at once,
// as in the program; those that have not answered after settle (timers)
// are left out.
func do(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return drive(m, cmd, 0)
}

func drive(m Model, cmd tea.Cmd, depth int) Model {
	if cmd == nil || depth > 5000 {
		return m
	}
	// the command handed in is waited for as long as a loaded machine
	// needs (a file read under the race detector); the others are timers
	// once settle has passed
	wait := settle
	if depth == 0 {
		wait = 10 * time.Second
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		return feedBack(m, msg, depth)
	case <-time.After(wait):
		return m
	}
}

func feedBack(m Model, msg tea.Msg, depth int) Model {
	if b, ok := msg.(tea.BatchMsg); ok {
		ch := make(chan tea.Msg, len(b))
		n := 0
		for _, c := range b {
			if c != nil {
				n++
				go func() { ch <- c() }()
			}
		}
		for ; n > 0; n-- {
			select {
			case r := <-ch:
				m = feedBack(m, r, depth+1)
			case <-time.After(settle):
				return m // the rest are timers
			}
		}
		return m
	}
	if cmds, ok := cmdList(msg); ok { // a sequence, in order
		for _, c := range cmds {
			m = drive(m, c, depth+1)
		}
		return m
	}
	if msg == nil {
		return m
	}
	out, next := m.Update(msg)
	return drive(out.(Model), next, depth+1)
}

// cmdList returns the commands of a tea.Batch or tea.Sequence message (the
// latter's type is not exported).
func cmdList(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeOf(tea.Cmd(nil)) {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i], _ = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

func key2(m Model, k tea.KeyPressMsg) (Model, tea.Cmd) {
	out, cmd := m.Update(k)
	return out.(Model), cmd
}

func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

func TestSaveVersionsBrowseAndDiff(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	m = update(m, press("!"))
	m, cmd := key2(m, ctrl('s'))
	m = do(t, m, cmd)
	if m.version != 1 || m.unsaved() || !strings.Contains(m.status.Message(), "saved v1") {
		t.Fatalf("first save: v%d %q", m.version, m.status.Message())
	}
	m = update(m, press("?"))
	m, cmd = key2(m, ctrl('s'))
	m = do(t, m, cmd)
	if m.version != 2 {
		t.Fatalf("second save: v%d", m.version)
	}
	v1, err := os.ReadFile(filepath.Join(m.opts.SaveDir, ".versions", "hello", "0001.prompt"))
	if err != nil || !strings.Contains(string(v1), "table.!") || strings.Contains(string(v1), "table.!?") {
		t.Fatalf("version 1 on disk: %v\n%s", err, v1)
	}
	if !strings.Contains(screen(m), "Prompt · hello v2") {
		t.Fatalf("title:\n%s", screen(m))
	}
	// browse: the prompt is open and expanded, the cursor on it
	m, cmd = key2(m, ctrl('l'))
	m = do(t, m, cmd)
	if !m.browsing || !strings.Contains(screen(m), "v2") || !strings.Contains(screen(m), "newest") {
		t.Fatalf("browser:\n%s", screen(m))
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown}) // v2
	m, cmd = key2(m, press("d"))
	m = do(t, m, cmd) // DiffMsg
	if m.diff == nil || !strings.Contains(screen(m), "hello v1 → hello v2 · +") || !strings.Contains(screen(m), "+") {
		t.Fatalf("diff:\n%s", screen(m))
	}
	m, cmd = key2(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	m = do(t, m, cmd)
	if m.diff != nil || !m.browsing {
		t.Fatal("esc closes the diff, back to the browser")
	}
	// open version 1 from the browser
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})
	m, cmd = key2(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = do(t, m, cmd)
	if m.browsing || m.version != 1 || !strings.Contains(screen(m), "Prompt · hello v1") {
		t.Fatalf("opening v1:\n%s", screen(m))
	}
}

func TestRunsAreRecordedAndSessionsReplay(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd)
	if m.response.State() != response.Done || m.recorder == nil {
		t.Fatalf("state %v recorder %v", m.response.State(), m.recorder)
	}
	answer := m.response.Answer()
	m.closeRecorder()
	_ = m.CloseSession()
	// the browser lists the session under the prompt; enter replays it
	m, cmd = key2(m, ctrl('l'))
	m = do(t, m, cmd)
	if !strings.Contains(screen(m), "● session") {
		t.Fatalf("browser:\n%s", screen(m))
	}
	for i := 0; i < 3; i++ { // prompt, (no versions), session
		m = update(m, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	m, cmd = key2(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = do(t, m, cmd)
	if m.response.Answer() != answer || m.recorded != answer || !strings.Contains(screen(m), "recorded") {
		t.Fatalf("replayed %q, recorded %q", m.response.Answer(), answer)
	}
	// a live run on another model, then the diff with the recorded answer
	m = update(m, models.SelectedMsg{ID: "mistral-large-latest"})
	m, cmd = key2(m, ctrl('r'))
	m = do(t, m, cmd)
	m.setFocus(paneResponse)
	m = update(m, press("D"))
	if m.diff == nil || !strings.Contains(screen(m), "recorded · mistral-small-latest → live · mistral-large-latest") {
		t.Fatalf("diff:\n%s", screen(m))
	}
}

func TestOpeningAnotherVersionClearsTheOldAnswer(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	m = update(m, press("!"))
	m, cmd := key2(m, ctrl('s'))
	m = do(t, m, cmd)
	m = finished(m) // an answer of v1
	m, cmd = key2(m, ctrl('l'))
	m = do(t, m, cmd)
	m = update(m, tea.KeyPressMsg{Code: tea.KeyDown}) // v1
	m, cmd = key2(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	m = do(t, m, cmd)
	if m.version != 1 || m.response.Answer() != "" || strings.Contains(screen(m), "Fourvière") || strings.Contains(screen(m), "ttft") {
		t.Fatalf("the old answer stays under the prompt opened:\n%s", screen(m))
	}
}

func TestDiffOnlyComparesAnAnswerThisPromptProduced(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SaveDir = t.TempDir()
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd)
	m.closeRecorder()
	_ = m.CloseSession()
	files, _ := filepath.Glob(filepath.Join(m.opts.SessionDir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("sessions %v", files)
	}
	m = do(t, m, loadSessionCmd(files[0]))
	if m.recorded == "" || m.response.Answer() != m.recorded {
		t.Fatalf("the session replays: recorded %q", m.recorded)
	}
	// the replay is the recorded answer itself: nothing live to compare
	m.setFocus(paneResponse)
	m = update(m, press("D"))
	if m.diff != nil || !strings.Contains(m.status.Message(), "run the prompt first") {
		t.Fatalf("D on a replay: %q\n%s", m.status.Message(), screen(m))
	}
	// a live run on another model: the labels name each answer's model
	m = update(m, models.SelectedMsg{ID: "mistral-large-latest"})
	m, cmd = key2(m, ctrl('r'))
	m = do(t, m, cmd)
	m = update(m, press("D"))
	if m.diff == nil || !strings.Contains(screen(m), "recorded · mistral-small-latest → live · mistral-large-latest") {
		t.Fatalf("diff:\n%s", screen(m))
	}
	m = update(m, press("q"))
	m = update(m, diffview.ClosedMsg{})
	// another prompt (a fork) has no live answer of its own
	m = update(m, ctrl('x'))
	m = update(m, press("D"))
	if m.diff != nil {
		t.Fatal("D after a fork compares nothing")
	}
}

// TestAnotherPromptForgetsTheSessionOpened: ] and [ move between the
// groups of the session opened; another prompt has none.
func TestAnotherPromptForgetsTheSessionOpened(t *testing.T) {
	m := newStudio(t, "dark", 120, 40)
	m.opts.SessionDir = t.TempDir()
	m.opts.ReplaySpeed = -1
	m, cmd := key2(m, ctrl('r'))
	m = do(t, m, cmd)
	m.closeRecorder()
	_ = m.CloseSession()
	files, _ := filepath.Glob(filepath.Join(m.opts.SessionDir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("sessions %v", files)
	}
	m = do(t, m, loadSessionCmd(files[0]))
	if m.run.opened == nil {
		t.Fatal("the session is open")
	}
	m = update(m, versionOpenedMsg{prompt: Example(), n: 1})
	if m.run.opened != nil || m.recorded != "" || m.response.Answer() != "" {
		t.Fatalf("the session of the prompt left behind stays: %v %q", m.run.opened != nil, m.recorded)
	}
}
