package status

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/session"
	"mstudio/themes"
)

func newLine(w int) Model {
	m := New(themes.New(themes.Dark()))
	m.SetWidth(w)
	return m
}

func TestFiguresOfAFinishedRun(t *testing.T) {
	m := newLine(120)
	m.SetEndpoint("global", false)
	m.SetModel("mistral-small-latest")
	m.Finish(session.Result{TTFT: 210 * time.Millisecond, Latency: 1210 * time.Millisecond,
		Usage: &api.Usage{PromptTokens: 312, CompletionTokens: 96}, CostUSD: 0.0001, CostKnown: true})
	got := ansi.Strip(m.View())
	for _, want := range []string{"global", "mistral-small-latest", "ttft 210 ms", "96 tok/s", "312↑ 96↓", "$0.0001", "? help"} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
	if w := ansi.StringWidth(m.View()); w != 120 {
		t.Fatalf("width %d", w)
	}
}

func TestOfflineAndLiveFigures(t *testing.T) {
	m := newLine(100)
	m.SetEndpoint("sim", true)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock }
	m.Start("m")
	m.Progress(400)
	clock = clock.Add(2 * time.Second)
	got := ansi.Strip(m.View())
	for _, want := range []string{"offline simulator", "streaming", "2.0s", "~100 tok", "~50 tok/s"} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
}

func TestMessagesFade(t *testing.T) {
	m := newLine(80)
	cmd := m.Error("429 too many requests: rate limit exceeded \x1b]0;x\x07")
	if cmd == nil || !strings.Contains(ansi.Strip(m.View()), "rate limit exceeded") || strings.Contains(m.Message(), "\x1b") {
		t.Fatalf("error not shown safely: %q", m.Message())
	}
	old := m.seq
	m.Note("saved")
	m, _ = m.Update(fadeMsg{seq: old})
	if m.Message() != "saved" {
		t.Fatal("an old fade must not clear a newer message")
	}
	m, _ = m.Update(fadeMsg{seq: m.seq})
	if m.Message() != "" || !Owns(fadeMsg{}) {
		t.Fatal("the message should fade")
	}
}

func TestNarrowLineNeverOverflows(t *testing.T) {
	for _, w := range []int{1, 10, 30, 60} {
		m := newLine(w)
		m.SetEndpoint("a-very-long-endpoint-name.example.com", false)
		m.SetModel("mistral-medium-2508")
		m.Error("something long went wrong with the request")
		if got := ansi.StringWidth(m.View()); got > w {
			t.Fatalf("width %d > %d", got, w)
		}
	}
}

func TestALongErrorNamesTheKeyThatShowsItWhole(t *testing.T) {
	m := newLine(120)
	m.SetEndpoint("global", false)
	m.SetModel("mistral-small-latest")
	long := "422 unprocessable: messages[1].content: the request does not validate against the schema the endpoint publishes for this model; request id 0123456789abcdef"
	m.Error(long)
	got := ansi.Strip(m.View())
	if !strings.Contains(got, MessageKey+" whole") || ansi.StringWidth(m.View()) != 120 {
		t.Fatalf("a cut error says how to read it whole: %q", got)
	}
	if m.Full() != long {
		t.Fatalf("the whole error is kept: %q", m.Full())
	}
	m.Error("short")
	if strings.Contains(ansi.Strip(m.View()), "whole") {
		t.Fatal("a message that fits names no key")
	}
}

func TestRateLimitedWhileWaitingToRetry(t *testing.T) {
	m := newLine(120)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	m.Start("mistral-small-latest")
	m.Retrying(3 * time.Second)
	if got := ansi.Strip(m.View()); !strings.Contains(got, "rate limited · retrying in 3s") || strings.Contains(got, "streaming") {
		t.Fatalf("waiting out a 429: %q", got)
	}
	now = now.Add(4 * time.Second)
	if got := ansi.Strip(m.View()); !strings.Contains(got, "streaming") {
		t.Fatalf("the wait is over: %q", got)
	}
	m.Retrying(time.Second)
	m.Progress(10)
	if got := ansi.Strip(m.View()); !strings.Contains(got, "streaming") {
		t.Fatalf("bytes arrived: %q", got)
	}
}

func TestFinishReasonIsShown(t *testing.T) {
	for reason, want := range map[string]string{"length": "finish: length", "stop": "finish: stop", "tool_calls": "finish: tool_calls", "model_length": "finish: model_length", "error": "finish: error"} {
		m := newLine(120)
		m.Start("m")
		m.Finish(session.Result{FinishReason: reason})
		if got := ansi.Strip(m.View()); !strings.Contains(got, want) {
			t.Errorf("%s: %q", reason, got)
		}
	}
}

func TestADialogsKeysWinOverACutMessage(t *testing.T) {
	m := newLine(80)
	m.SetEndpoint("offline simulator", true)
	m.SetModel("mistral-small-latest")
	m.Note("the unsaved work is kept for next time, in the drafts folder of the state directory")
	m.SetDialogHint("s save · d discard · esc back")
	got := ansi.Strip(m.View())
	if !strings.Contains(got, "s save · d discard · esc back") || strings.Contains(got, "whole") || ansi.StringWidth(m.View()) != 80 {
		t.Fatalf("%q", got)
	}
}
