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
