package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/session"
)

func okResult(model, text string) session.Result {
	return session.Result{
		Model:        model,
		Message:      api.Message{Role: api.RoleAssistant, Content: api.Text(text)},
		FinishReason: "stop",
		Usage:        &api.Usage{PromptTokens: 12, CompletionTokens: 40, TotalTokens: 52},
		TTFT:         200 * time.Millisecond,
		Latency:      1200 * time.Millisecond,
		CostUSD:      0.00012,
		CostKnown:    true,
	}
}

func TestSideBySide(t *testing.T) {
	long := "The quick brown fox jumps over the lazy dog. " + strings.Repeat("word ", 30) + "\x1b[31mred\x1b[0m end\nsecond line"
	failed := session.Result{Model: "broken-model", Latency: 30 * time.Millisecond, Err: errors.New("500 server error:\nboom")}
	for _, tt := range []struct {
		width   int
		results []session.Result
	}{
		{80, []session.Result{okResult("small", long), okResult("large", "Short.")}},
		{120, []session.Result{okResult("small", long), okResult("large", "Short."), failed}},
		{80, []session.Result{okResult("a", "x"), failed, okResult("c", long)}},
		{120, []session.Result{okResult("a", long), failed}},
	} {
		out := sideBySide(tt.results, tt.width)
		if strings.Contains(out, "\x1b") {
			t.Errorf("control sequence in the table: %q", out)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > tt.width {
				t.Errorf("width %d: line of %d columns: %q", tt.width, w, l)
			}
		}
		n := len(tt.results)
		if got := strings.Count(lines[0], "│"); got != n-1 {
			t.Errorf("header %q: %d separators, want %d", lines[0], got, n-1)
		}
		for i, r := range tt.results {
			col := columnText(lines, i, n)
			flat := strings.Join(strings.Fields(col), " ")
			if !strings.Contains(lines[0], r.Model) {
				t.Errorf("header %q lacks %s", lines[0], r.Model)
			}
			if r.Failed() {
				if !strings.Contains(flat, "error 500 server error: boom") {
					t.Errorf("width %d: failed column lacks its error:\n%s", tt.width, col)
				}
				continue
			}
			for _, w := range []string{"ttft 200 ms", "tok/s 40", "tokens 12 / 40", "cost $", "finish stop"} {
				if !strings.Contains(flat, w) {
					t.Errorf("width %d column %d lacks %q:\n%s", tt.width, i, w, col)
				}
			}
			// the answer, wrapped, is all there
			for _, w := range strings.Fields(strings.ReplaceAll(ansi.Strip(r.Content()), "\x1b", "")) {
				if !strings.Contains(flat, w) {
					t.Errorf("width %d column %d lost %q", tt.width, i, w)
					break
				}
			}
		}
	}
}

// columnText is column i of a side-by-side table.
func columnText(lines []string, i, n int) string {
	var b strings.Builder
	for _, l := range lines {
		parts := strings.Split(l+" ", " │ ") // a trimmed empty last cell
		if len(parts) != n {
			continue
		}
		b.WriteString(strings.TrimSpace(parts[i]) + "\n")
	}
	return b.String()
}

func TestMatrixTableFitsTheWidth(t *testing.T) {
	rows := []map[string]string{{"name": "Ada Lovelace, Countess of Lovelace", "lang": "en"}, {"name": "Bob", "lang": "fr"}}
	results := [][]session.Result{
		{okResult("small", strings.Repeat("long answer ", 40)), {Model: "broken", Err: errors.New("boom")}},
		{okResult("small", "line one\nline two"), okResult("large", "Oui.")},
	}
	for _, width := range []int{80, 120} {
		out := matrixTable(rows, []string{"lang", "name"}, results, width)
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != 5 {
			t.Fatalf("%d lines:\n%s", len(lines), out)
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("line of %d columns at width %d: %q", w, width, l)
			}
		}
		if !strings.Contains(lines[2], "error") || !strings.Contains(lines[2], "boom") || !strings.Contains(lines[4], "Oui.") || !strings.Contains(lines[3], "line one") {
			t.Errorf("table:\n%s", out)
		}
		if !strings.HasPrefix(lines[1], "1 en, Ada Lovelace") || !strings.Contains(lines[1], "…") {
			t.Errorf("row label: %q", lines[1])
		}
	}
}
