package themes

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"
)

const sample = "# Lyon\n\n" +
	"## What to see\n\n" +
	"The *Basilica* of **Fourvière**, see [the guide](https://example.com) and `route()`.\n\n" +
	"> A quote.\n\n" +
	"- one\n- two\n\n" +
	"```go\nfunc route(city string) int {\n\treturn 42 // the answer\n}\n```\n"

// fgSGR is the truecolour foreground parameter for a hex colour, as both
// glamour's text and chroma's terminal16m formatter write it.
func fgSGR(hex string) string {
	r, g, b, _ := lipgloss.Color(hex).RGBA()
	return fmt.Sprintf("38;2;%d;%d;%d", r>>8, g>>8, b>>8)
}

// sgrBefore returns the parameters of the SGR sequence just before text.
func sgrBefore(out, text string) string {
	m := regexp.MustCompile(`\x1b\[([0-9;]*)m` + regexp.QuoteMeta(text)).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

func render(t *testing.T, s *Styles, extra ...glamour.TermRendererOption) string {
	t.Helper()
	opts := append([]glamour.TermRendererOption{glamour.WithStyles(s.Markdown), glamour.WithWordWrap(60)}, extra...)
	r, err := glamour.NewTermRenderer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(sample)
	if err != nil {
		t.Fatalf("%s: render: %v", s.Palette.Name, err)
	}
	return out
}

func TestMarkdownRenders(t *testing.T) {
	for _, name := range Names() {
		p, _ := Builtin(name)
		s := New(p)
		if s.Markdown.CodeBlock.Chroma != nil || s.Markdown.CodeBlock.Theme != s.CodeTheme {
			t.Errorf("%s: code blocks should use the registered chroma style by name", name)
		}
		if m := s.Markdown.Document.Margin; m == nil || *m != 0 {
			t.Errorf("%s: the document margin should be 0 (the pane draws the frame)", name)
		}

		// As the TUI renders today: glamour writes text colours as truecolour
		// but rounds code colours to the 256-colour cube ("terminal256").
		out := render(t, s)
		for _, want := range []string{"Lyon", "Basilica", "route", "answer"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q", name, want)
			}
		}
		if sgr := sgrBefore(out, "What to"); !strings.Contains(sgr, fgSGR(p.Accent)) || !slices.Contains(strings.Split(sgr, ";"), "1") {
			t.Errorf("%s: the heading should be bold in the accent %s", name, p.Accent)
		}
		if !strings.Contains(out, fgSGR(p.Foreground)) {
			t.Errorf("%s: body text should be in the foreground colour", name)
		}
		if !strings.Contains(out, "\x1b[38;5;") {
			t.Errorf("%s: glamour's default formatter no longer writes 256-colour code; revisit ChromaFormatter's comment", name)
		}

		// With ChromaFormatter the keyword keeps the palette's exact colour.
		out = render(t, s, glamour.WithChromaFormatter(ChromaFormatter))
		kw := fgSGR(p.Accent) + "mfunc"
		if !strings.Contains(out, kw) {
			t.Errorf("%s: keyword colour %s not found as truecolour SGR before \"func\"", name, p.Accent)
		}
		if !strings.Contains(out, fgSGR(p.Warning)+"m42") {
			t.Errorf("%s: the number should be in the warning colour", name)
		}
	}
}

// TestCodeColoursFollowEachPalette guards against glamour's global "charm"
// chroma style: each palette must get its own code colours, whether the
// Styles are built before rendering or between renders.
func TestCodeColoursFollowEachPalette(t *testing.T) {
	a, b := Dark(), Dark()
	a.Name, a.Accent = "test-a", "#ff0000"
	b.Name, b.Accent = "test-b", "#00ff00"
	sa, sb := New(a), New(b)
	outA := render(t, sa, glamour.WithChromaFormatter(ChromaFormatter))
	outB := render(t, sb, glamour.WithChromaFormatter(ChromaFormatter))
	checkKeyword(t, "a", outA, a.Accent, b.Accent)
	checkKeyword(t, "b", outB, b.Accent, a.Accent)
	if render(t, sa) == render(t, sb) {
		t.Error("with glamour's default formatter too, two accents should give different code")
	}

	// A palette of the same name that changes (a user theme edited and
	// reloaded) replaces the registered style.
	r1, r2 := Light(), Light()
	r1.Name, r1.Accent = "reloaded", "#aa0000"
	r2.Name, r2.Accent = "reloaded", "#0000aa"
	out1 := render(t, New(r1), glamour.WithChromaFormatter(ChromaFormatter))
	out2 := render(t, New(r2), glamour.WithChromaFormatter(ChromaFormatter))
	checkKeyword(t, "reloaded 1", out1, r1.Accent, r2.Accent)
	checkKeyword(t, "reloaded 2", out2, r2.Accent, r1.Accent)
}

func checkKeyword(t *testing.T, what, out, want, notWant string) {
	t.Helper()
	if !strings.Contains(out, fgSGR(want)+"mfunc") {
		t.Errorf("%s: keyword not in its accent %s", what, want)
	}
	if strings.Contains(out, fgSGR(notWant)) {
		t.Errorf("%s: output has the other palette's accent %s", what, notWant)
	}
}

func TestPaletteCodeStyle(t *testing.T) {
	p := Dark()
	p.Name, p.Accent, p.Code = "with-monokai", "#123456", "Monokai"
	s := New(p)
	if s.CodeTheme != "monokai" || s.Markdown.CodeBlock.Theme != "monokai" {
		t.Fatalf("CodeTheme = %q, want monokai", s.CodeTheme)
	}
	out := render(t, s, glamour.WithChromaFormatter(ChromaFormatter))
	if strings.Contains(out, fgSGR(p.Accent)+"mfunc") {
		t.Error("with code: monokai the keyword should not be in the palette's accent")
	}
	if !strings.Contains(out, "func") {
		t.Error("code missing")
	}

	p.Code = "no-such-style"
	if s := New(p); s.CodeTheme != "mstudio-with-monokai" {
		t.Errorf("an unknown code style should fall back to the palette's, got %q", s.CodeTheme)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"dark": "dark", "My Theme!": "my-theme-", "": "custom", "Solarized-Dark2": "solarized-dark2"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
