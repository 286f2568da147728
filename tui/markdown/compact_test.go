package markdown

import (
	"strings"
	"testing"

	"charm.land/glamour/v2/styles"
	uv "github.com/charmbracelet/ultraviolet"
)

// cells draws s the way Bubble Tea does and returns the screen.
func cells(s string, w, h int) uv.ScreenBuffer {
	buf := uv.NewScreenBuffer(w, h)
	uv.NewStyledString(s).Draw(buf, buf.Bounds())
	return buf
}

// sameCells fails unless a and b look the same on a terminal, cell by cell.
func sameCells(t *testing.T, a, b string, w int) {
	t.Helper()
	h := strings.Count(a, "\n") + 1
	ca, cb := cells(a, w, h), cells(b, w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if pa, pb := ca.CellAt(x, y), cb.CellAt(x, y); !pa.Equal(pb) {
				t.Fatalf("cell %d,%d differs: %+v vs %+v\n%q\n%q", x, y, pa, pb, a, b)
			}
		}
	}
}

func TestCompactSGR(t *testing.T) {
	const fg, bold, red = "\x1b[38;2;1;2;3m", "\x1b[1m", "\x1b[31m"
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		// before the line's first reset the styles in force are unknown
		{fg + "a\x1b[m" + fg + "b\x1b[m" + fg + "c\x1b[m", fg + "a\x1b[m" + fg + "bc\x1b[m"},
		{fg + bold + "a\x1b[m" + fg + bold + "b\x1b[m" + fg + bold + "c\x1b[m", fg + bold + "a\x1b[m" + fg + bold + "bc\x1b[m"},
		// only the very same styles are merged
		{"\x1b[m" + fg + "a\x1b[m" + red + "b\x1b[m" + fg + "c", "\x1b[m" + fg + "a\x1b[m" + red + "b\x1b[m" + fg + "c"},
		{"\x1b[m" + fg + "a\x1b[m" + fg + bold + "b", "\x1b[m" + fg + "a\x1b[m" + fg + bold + "b"},
		{"\x1b[m" + fg + "a\x1b[0m" + fg + "b", "\x1b[m" + fg + "ab"},
		// a sequence that resets and sets at once starts a known state
		{"\x1b[0;31ma\x1b[m\x1b[0;31mb", "\x1b[0;31mab"},
		// other sequences (a hyperlink) are kept and break nothing
		{"\x1b[m" + fg + "a\x1b]8;;http://x\x07l\x1b]8;;\x07\x1b[m" + fg + "b", "\x1b[m" + fg + "a\x1b]8;;http://x\x07l\x1b]8;;\x07b"},
	} {
		got := compactSGR(c.in)
		if got != c.want {
			t.Errorf("compactSGR(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
		sameCells(t, c.in, got, 20)
	}
}

// TestRenderedLinesAreCompactAndLookTheSame checks what the compaction is
// for: the lines glamour writes shrink several times over, and every cell
// on the screen stays the same.
func TestRenderedLinesAreCompactAndLookTheSame(t *testing.T) {
	r := New(styles.DarkStyleConfig, 60)
	r.Append(sample)
	r.Finish()
	var raw, compact []string
	for _, b := range r.blocks {
		for _, l := range r.renderRaw(b.src) {
			raw = append(raw, l)
		}
		compact = append(compact, b.lines...)
	}
	if len(raw) != len(compact) {
		t.Fatalf("%d raw lines, %d compact", len(raw), len(compact))
	}
	a, b := strings.Join(raw, "\n"), strings.Join(compact, "\n")
	if len(b)*2 > len(a) {
		t.Fatalf("compact lines take %d bytes, raw %d: less than halved", len(b), len(a))
	}
	sameCells(t, a, b, 60)
}
