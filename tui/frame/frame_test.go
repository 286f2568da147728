package frame

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"mstudio/themes"
)

func TestRenderIsExactlyTheSizeAsked(t *testing.T) {
	st := themes.New(themes.Dark())
	for _, c := range []struct {
		w, h    int
		content string
	}{
		{20, 5, "short"},
		{20, 5, strings.Repeat("much too wide for this frame ", 3) + "\n2\n3\n4\n5\n6\n7"},
		{8, 3, "日本語のテキスト"},
		{40, 10, ""},
	} {
		for _, focused := range []bool{false, true} {
			out := Render(st, "Models · a very long title indeed", focused, c.w, c.h, c.content)
			lines := strings.Split(out, "\n")
			if len(lines) != c.h {
				t.Fatalf("%dx%d: %d lines", c.w, c.h, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != c.w {
					t.Fatalf("%dx%d line %d is %d wide: %q", c.w, c.h, i, w, ansi.Strip(l))
				}
			}
		}
	}
	if !strings.Contains(ansi.Strip(Render(st, "Models", true, 30, 4, "x")), "╭─ Models ─") {
		t.Fatal("title not in the top edge")
	}
}

func TestFit(t *testing.T) {
	out := Fit("a\nbbbbbbbbbbbb", 5, 3)
	lines := strings.Split(out, "\n")
	if len(lines) != 3 || lines[0] != "a    " || lines[1] != "bbbbb" || lines[2] != "     " {
		t.Fatalf("%q", lines)
	}
}
