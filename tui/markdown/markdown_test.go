package markdown

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	xansi "github.com/charmbracelet/x/ansi"
)

const sample = "# Lyon in a day\n\nStart at **Fourvière**; the view is the best in town.\n\n" +
	"- Vieux Lyon and its *traboules*\n- the Presqu'île\n\n- Parc de la Tête d'Or\n  with its zoo\n\n" +
	"1. Breakfast\n2. Lunch\n\n| sight | hours |\n|---|---|\n| Basilica | 7–19 |\n| Museum | 10–18 |\n\n" +
	"```go\nfunc route(city string) []string {\n\n\treturn nil\n}\n```\n\n" +
	"Indented code:\n\n    x := 1\n\n    y := 2\n\n> A quote\n> on two lines\n\nThe end.\n"

// visible reduces rendered lines to their text, without blank lines and
// padding, so the streamed and whole renders can be compared.
func visible(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(xansi.Strip(s), "\t", "    "), "\n") {
		if t := strings.TrimRight(l, " "); strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return out
}

func TestStreamedRenderMatchesWholeRender(t *testing.T) {
	whole, err := glamour.NewTermRenderer(glamour.WithStyles(styles.DarkStyleConfig), glamour.WithWordWrap(60))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := whole.Render(sample)
	for _, size := range []int{1, 3, 4, 17, len(sample)} {
		r := New(styles.DarkStyleConfig, 60)
		for i := 0; i < len(sample); i += size {
			r.Append(sample[i:min(i+size, len(sample))])
			r.RenderTail()
		}
		r.Finish()
		got := visible(r.String())
		exp := visible(want)
		if strings.Join(got, "\n") != strings.Join(exp, "\n") {
			t.Fatalf("chunk %d:\n--- streamed\n%s\n--- whole\n%s", size, strings.Join(got, "\n"), strings.Join(exp, "\n"))
		}
		if len(r.blocks) < 6 {
			t.Fatalf("chunk %d: only %d blocks cached", size, len(r.blocks))
		}
	}
}

func TestBlocksAreNotCutInsideFencesListsOrIndentedText(t *testing.T) {
	r := New(styles.DarkStyleConfig, 60)
	r.Append(sample)
	for _, b := range r.blocks {
		if strings.Count(b.src, "```")%2 != 0 {
			t.Errorf("block cuts a fence: %q", b.src)
		}
		if strings.HasPrefix(b.src, "- Parc") || strings.HasPrefix(b.src, "    y") || strings.HasPrefix(b.src, "  with") {
			t.Errorf("block starts inside a list or indented code: %q", b.src)
		}
	}
}

func TestTailIsRenderedOnlyWhenAsked(t *testing.T) {
	r := New(styles.DarkStyleConfig, 40)
	r.Append("Hello **wor")
	if !r.Dirty() || r.LineCount() != 0 {
		t.Fatal("tail should wait for RenderTail")
	}
	r.RenderTail()
	if r.Dirty() || !strings.Contains(xansi.Strip(r.String()), "Hello") {
		t.Fatalf("tail = %q", r.String())
	}
	r.Append("ld**\n\nNex")
	// "N" cannot continue the paragraph: it is final before the line ends,
	// so the tail renders only "Nex" on the next frames
	if len(r.blocks) != 1 || !strings.Contains(xansi.Strip(r.blocks[0].lines[0]), "Hello world") {
		t.Fatalf("blocks %+v", r.blocks)
	}
	r.RenderTail()
	if got := xansi.Strip(r.String()); strings.Count(got, "Hello world") != 1 || !strings.Contains(got, "Nex") {
		t.Fatalf("rendered %q", got)
	}
	r.Append("t paragraph.\n")
	if len(r.blocks) != 1 {
		t.Fatalf("%d blocks", len(r.blocks))
	}
}

// TestBlockEndsAsSoonAsTheNextLineTells checks the early decision on an
// unfinished line after a blank one: made only when the line's start
// settles it the way the whole line would.
func TestBlockEndsAsSoonAsTheNextLineTells(t *testing.T) {
	for _, c := range []struct {
		text  string
		final bool // the block before the blank line is final already
	}{
		{"Para.\n\nN", true},
		{"Para.\n\n", false},
		{"Para.\n\n   ", false},      // spaces only: perhaps a blank line
		{"Para.\n\n    code", false}, // indented: a continuation
		{"Para.\n\n  ``", false},     // perhaps a fence
		{"- a\n\n-", false},          // perhaps another item
		{"- a\n\n- b", false},        // another item: the list goes on
		{"- a\n\n-x", true},
		{"- a\n\nText", true},
		{"1. a\n\n12", false},
		{"1. a\n\n12.", false},
		{"1. a\n\n12. b", false},
		{"1. a\n\n12x", true},
		{"1. a\n\n2024 was", true},
		{"- a\n\n```go", true}, // a fence ends the list
	} {
		r := New(styles.DarkStyleConfig, 40)
		r.Append(c.text)
		if got := len(r.blocks) == 1; got != c.final {
			t.Errorf("%q: final %v, want %v", c.text, got, c.final)
		}
		// and the whole line decides the same
		whole := New(styles.DarkStyleConfig, 40)
		whole.Append(c.text + "\n")
		if c.final && len(whole.blocks) != 1 {
			t.Errorf("%q: final early, not once whole", c.text)
		}
	}
}

func TestLinesWindowAndWidthChange(t *testing.T) {
	r := New(styles.DarkStyleConfig, 60)
	r.Append(sample)
	r.Finish()
	all := r.Lines(0, r.LineCount())
	if len(all) != r.LineCount() {
		t.Fatalf("%d lines, count %d", len(all), r.LineCount())
	}
	for from := 0; from < len(all); from += 7 {
		win := r.Lines(from, from+5)
		for i, l := range win {
			if l != all[from+i] {
				t.Fatalf("window at %d differs at %d", from, i)
			}
		}
	}
	r.SetWidth(30)
	for _, l := range r.Lines(0, r.LineCount()) {
		if w := xansi.StringWidth(l); w > 30 {
			t.Fatalf("line wider than 30: %d %q", w, xansi.Strip(l))
		}
	}
}

func TestTabsBecomeSpaces(t *testing.T) {
	r := New(styles.DarkStyleConfig, 40)
	r.Append("```go\nfunc f() {\n\treturn\n}\n```\n\nText\twith a tab.\n")
	r.Finish()
	for _, l := range r.Lines(0, r.LineCount()) {
		if strings.ContainsRune(l, '\t') {
			t.Fatalf("a tab reached the screen: %q", l)
		}
	}
	if !strings.Contains(xansi.Strip(r.String()), "    return") {
		t.Fatalf("indentation lost:\n%s", xansi.Strip(r.String()))
	}
}
