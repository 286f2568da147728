package cli

import (
	"strings"
	"testing"
	"time"
)

// TestStudioInTmux is the studio end to end: the real binary in tmux
// against `mstudio sim`, a prompt typed, ctrl+r, the rendered answer on the
// screen, a resize, a cancelled run, and quitting with the unsaved-work
// question.
func TestStudioInTmux(t *testing.T) {
	url := simURL(t, "--rate", "400", "--seed", "7")
	dir := t.TempDir()
	s := newTmux(t, 120, 40, dir, studioEnv(t), "--endpoint", url)

	s.waitFor("the studio", func(sc string) bool {
		return strings.Contains(sc, "Models") && strings.Contains(sc, "Prompt · hello") && strings.Contains(sc, "mistral-small-latest")
	})
	// Focus starts on the last user message, cursor at its end.
	s.keys(" Use a heading and a bullet list.")
	s.waitFor("the typed text", func(sc string) bool { return strings.Contains(sc, "bullet list.") })
	s.keys("C-r")
	sc := s.waitFor("the rendered answer", func(sc string) bool {
		return strings.Contains(sc, "ttft") && strings.Contains(sc, "•") && strings.Contains(sc, "Lyon")
	})
	if strings.Contains(sc, "**") || strings.Contains(sc, "- ") {
		t.Fatalf("markdown shown raw:\n%s", sc)
	}
	if !intact(sc, 120, 40) {
		t.Fatalf("the screen is not 120x40:\n%s", sc)
	}
	// The capture with its escapes, decoded by the emulator the program
	// tests read their screens with, is the screen tmux shows.
	// (Read between two plain captures that agree: a note fading on the
	// status line would make a difference of its own.)
	for try := 0; ; try++ {
		before := s.screen()
		decoded := s.styledScreen()
		after := s.screen()
		if before != after && try < 5 {
			continue
		}
		if trimLines(decoded) != trimLines(after) {
			t.Fatalf("the decoded capture differs from the screen:\n%s\n---\n%s", decoded, after)
		}
		break
	}

	s.resize(80, 24)
	s.waitFor("the resized screen", func(sc string) bool { return intact(sc, 80, 24) && strings.Contains(sc, "Answer") })
	// Growing the window again at once, while the 80x24 frame may still be
	// in flight, has left Bubble Tea's renderer two rows off in this test
	// (never by hand): see the closing note of issue 3. A person does not
	// resize twice within a frame; the pause keeps the test about resizing.
	time.Sleep(time.Second)
	s.resize(120, 40)
	s.waitFor("the screen back at 120x40", func(sc string) bool { return intact(sc, 120, 40) && strings.Contains(sc, "Models") })

	// help, then any key closes it
	s.keys("F1")
	s.waitFor("the help screen", func(sc string) bool { return strings.Contains(sc, "mstudio · keys") && strings.Contains(sc, "ctrl+r") })
	s.keys("Escape")
	s.waitFor("the help closed", func(sc string) bool { return strings.Contains(sc, "Prompt · hello") })

	// The prompt is edited, so ctrl+c asks first; a second ctrl+c quits.
	s.keys("C-c")
	s.waitFor("the unsaved-work question", func(sc string) bool { return strings.Contains(sc, "unsaved changes") })
	s.keys("C-c")
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, s.stderr())
	}
}

// TestStudioCancelKeepsPartial starts a slow answer and cancels it with esc.
func TestStudioCancelKeepsPartial(t *testing.T) {
	url := simURL(t, "--rate", "20", "--seed", "3")
	s := newTmux(t, 120, 40, t.TempDir(), studioEnv(t), "--endpoint", url)
	s.waitFor("the studio", func(sc string) bool { return strings.Contains(sc, "Prompt · hello") })
	s.keys("C-r")
	s.waitFor("the answer to start", func(sc string) bool { return strings.Contains(sc, "streaming") && strings.Contains(sc, "Lyon") })
	s.keys("Escape")
	sc := s.waitFor("the cancelled state", func(sc string) bool { return strings.Contains(sc, "cancelled") })
	if !strings.Contains(sc, "Lyon") {
		t.Fatalf("the partial answer is gone:\n%s", sc)
	}
	s.keys("C-c")
}

// trimLines drops the blanks that end each line and the screen.
func trimLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
