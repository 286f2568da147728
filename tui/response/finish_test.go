package response

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

func TestTheEndLineSaysWhyTheModelStopped(t *testing.T) {
	for reason, want := range map[string]string{
		"stop":         "finish: stop",
		"length":       "cut at max_tokens (finish: length)",
		"tool_calls":   "finish: tool_calls",
		"model_length": "finish: model_length",
		"error":        "finish: error",
	} {
		m, _ := newPane(t, themes.New(themes.Dark()), 80, 12)
		m.Start("m")
		stream(m, "A short answer", 4)
		m.SetFinishReason(reason)
		m.Finish(Done, "")
		v := ansi.Strip(m.View())
		if !strings.Contains(v, "A short answer") || !strings.Contains(v, want) {
			t.Errorf("%s: the end line lacks %q:\n%s", reason, want, v)
		}
		checkSize(t, m.View(), 80, 12)
	}
	// a new run forgets the old reason; Clear empties the pane
	m, _ := newPane(t, themes.New(themes.Dark()), 80, 12)
	m.Start("m")
	m.SetFinishReason("length")
	m.Finish(Done, "")
	m.Start("m")
	if strings.Contains(ansi.Strip(m.View()), "finish") {
		t.Fatal("a new run starts without a finish reason")
	}
	stream(m, "text", 4)
	m.Clear()
	if m.Answer() != "" || m.State() != Idle {
		t.Fatalf("cleared: %q %v", m.Answer(), m.State())
	}
}

// A model name can come from a session file: it is drawn without its
// escape sequences (the waiting line shows it).
func TestAHostileModelNameIsDrawnClean(t *testing.T) {
	m, _ := newPane(t, themes.New(themes.Dark()), 60, 10)
	m.Start("evil\x1b]0;pwned\x07\x1b[2J-model")
	view := m.View()
	if strings.Contains(view, "\x1b]0") || strings.Contains(view, "\x1b[2J") || strings.Contains(m.ModelName(), "\x1b") {
		t.Fatalf("escapes reached the screen: %q", view)
	}
}
