package themes

import (
	"image/color"
	"math"
	"slices"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestBuiltins(t *testing.T) {
	if got, want := Names(), []string{"dark", "light", "high-contrast"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range Names() {
		p, ok := Builtin(name)
		if !ok || p.Name != name {
			t.Fatalf("Builtin(%q) = %q, %v", name, p.Name, ok)
		}
		for _, f := range colorFields {
			v := *f.get(&p)
			if h, ok := normalizeHex(v); !ok || h != v {
				t.Errorf("%s.%s = %q: not a lowercase #rrggbb colour", name, f.key, v)
			}
		}
		if got := IsDarkColor(lipgloss.Color(p.Background)); got != p.Dark {
			t.Errorf("%s: Dark = %v but its background %s is dark=%v", name, p.Dark, p.Background, got)
		}
	}
	for _, name := range []string{"auto", "", "Dark", "solarized"} {
		if _, ok := Builtin(name); ok {
			t.Errorf("Builtin(%q) found a palette", name)
		}
	}
	if !HighContrast().HighContrast || Dark().HighContrast || Light().HighContrast {
		t.Error("only the high-contrast palette should ask for high-contrast cues")
	}
}

// TestContrast holds the built-in palettes to WCAG AA: 4.5:1 for text, 3:1
// for borders, so a later retouch cannot make them unreadable.
func TestContrast(t *testing.T) {
	for _, name := range Names() {
		p, _ := Builtin(name)
		text := map[string]string{
			"foreground": p.Foreground, "muted": p.Muted, "accent": p.Accent,
			"success": p.Success, "warning": p.Warning, "error": p.Error,
			"info": p.Info, "thinking": p.Thinking,
		}
		for k, c := range text {
			if r := contrast(c, p.Background); r < 4.5 {
				t.Errorf("%s: %s %s on background %s: contrast %.2f < 4.5", name, k, c, p.Background, r)
			}
		}
		pairs := []struct {
			what   string
			fg, bg string
			min    float64
		}{
			{"accent_text on accent", p.AccentText, p.Accent, 4.5},
			{"badge_text on badge", p.BadgeText, p.Badge, 4.5},
			{"code span (warning on surface)", p.Warning, p.Surface, 4.5},
			{"subtle border", p.Subtle, p.Background, 3},
		}
		for _, c := range pairs {
			if r := contrast(c.fg, c.bg); r < c.min {
				t.Errorf("%s: %s: contrast %.2f < %.1f", name, c.what, r, c.min)
			}
		}
	}
}

// contrast is the WCAG contrast ratio of two hex colours.
func contrast(a, b string) float64 {
	lum := func(h string) float64 {
		r, g, bl, _ := lipgloss.Color(h).RGBA()
		lin := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.04045 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestIsDarkColor(t *testing.T) {
	cases := []struct {
		c    color.Color
		dark bool
	}{
		{nil, true},
		{color.Black, true},
		{color.White, false},
		{lipgloss.Color("#002b36"), true},  // solarized dark
		{lipgloss.Color("#fdf6e3"), false}, // solarized light
		{lipgloss.Color("#1e1e2e"), true},
		{lipgloss.Color("#eff1f5"), false},
		{lipgloss.Color("#606060"), true},  // L* 41
		{lipgloss.Color("#909090"), false}, // L* 60
		{lipgloss.Color("#0000ff"), true},  // saturated blue is dark (L* 32)
		{lipgloss.Color("#ffff00"), false}, // yellow is light (L* 97)
		{color.RGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff}, true},
		{lipgloss.Color("15"), false}, // ANSI bright white
		{lipgloss.Color("0"), true},   // ANSI black
	}
	for _, c := range cases {
		if got := IsDarkColor(c.c); got != c.dark {
			t.Errorf("IsDarkColor(%v) = %v, want %v", c.c, got, c.dark)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	p := Palette{Dark: true, Accent: "#ABC", Error: "#ggg", Info: "red"}.withDefaults()
	d := Dark()
	if p.Accent != "#aabbcc" {
		t.Errorf("Accent = %q, want #aabbcc (expanded, lowercased)", p.Accent)
	}
	if p.Error != d.Error || p.Info != d.Info || p.Foreground != d.Foreground {
		t.Errorf("malformed and missing colours should come from Dark(): %+v", p)
	}
	if p.Name != "custom" {
		t.Errorf("Name = %q, want custom", p.Name)
	}
	if l := (Palette{Name: "x"}).withDefaults(); l.Background != Light().Background {
		t.Errorf("a light palette should fill from Light(), got background %s", l.Background)
	}
}

func TestNormalizeHex(t *testing.T) {
	good := map[string]string{"#268BD2": "#268bd2", "#fff": "#ffffff", "#000000": "#000000"}
	for in, want := range good {
		if got, ok := normalizeHex(in); !ok || got != want {
			t.Errorf("normalizeHex(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "#", "#ggg", "268bd2", "#268bd", "#268bd2ff", "#12345g", "blue"} {
		if got, ok := normalizeHex(in); ok {
			t.Errorf("normalizeHex(%q) = %q, want an error", in, got)
		}
	}
}
