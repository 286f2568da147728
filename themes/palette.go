package themes

import (
	"image/color"
	"math"
	"strings"
)

// Palette is the handful of colours every style is built from. Colours are
// hex strings, "#rrggbb", so a palette can be written in a theme file,
// compared with ==, and used as a key.
type Palette struct {
	Name string
	// Dark says the palette is meant for a dark terminal background; it picks
	// glamour's dark or light base style for markdown.
	Dark bool
	// HighContrast asks for cues that do not rely on colour alone: thick
	// borders on the focused pane, bold and reversed focused titles and
	// selections, bold keywords in code.
	HighContrast bool

	Background string // the terminal background the palette is designed for
	Surface    string // raised areas: inline code, cards
	Foreground string // body text
	Muted      string // secondary text: hints, unfocused titles, comments
	Subtle     string // borders of unfocused panes, rules, separators
	Accent     string // focused border, selection, headings, keywords
	AccentText string // text drawn on an Accent background
	Success    string
	Warning    string
	Error      string
	Info       string
	Thinking   string // reasoning text
	Badge      string // capability badge background
	BadgeText  string // capability badge text

	// Code optionally names a chroma style ("monokai", "github", ...) to
	// highlight code with instead of the one derived from the palette.
	Code string
}

// Builtin theme names, as written in config.yaml.
const (
	NameDark         = "dark"
	NameLight        = "light"
	NameHighContrast = "high-contrast"
	// NameAuto picks dark or light from the terminal's background.
	NameAuto = "auto"
)

// Dark is the default palette for dark terminals, with Mistral's orange as
// the accent. As in every built-in palette, text colours keep a contrast of
// at least 4.5:1 with the background and borders 3:1 (WCAG AA; the tests
// check it).
func Dark() Palette {
	return Palette{
		Name:       NameDark,
		Dark:       true,
		Background: "#16161e",
		Surface:    "#262631",
		Foreground: "#dcdce4",
		Muted:      "#8b8b9c",
		Subtle:     "#64647a",
		Accent:     "#ff8a3d",
		AccentText: "#16161e",
		Success:    "#7fd88f",
		Warning:    "#f5c451",
		Error:      "#ff6b6b",
		Info:       "#6cb6ff",
		Thinking:   "#a093c8",
		Badge:      "#3b3452",
		BadgeText:  "#ddd3ff",
	}
}

// Light is the palette for light terminals: the dark palette's hues, darkened
// until they keep their contrast on a near-white background.
func Light() Palette {
	return Palette{
		Name:       NameLight,
		Dark:       false,
		Background: "#fbfaf8",
		Surface:    "#eeebe5",
		Foreground: "#24232a",
		Muted:      "#65646e",
		Subtle:     "#959188",
		Accent:     "#c24e00",
		AccentText: "#ffffff",
		Success:    "#1a7f37",
		Warning:    "#8a5a00",
		Error:      "#cf222e",
		Info:       "#0a5fc2",
		Thinking:   "#6e5a96",
		Badge:      "#e9e1f7",
		BadgeText:  "#45356b",
	}
}

// HighContrast is pure black and white with bright saturated colours, for
// low vision and for projectors; its styles add bold, reverse and thick
// borders so that focus and selection never depend on colour alone.
func HighContrast() Palette {
	return Palette{
		Name:         NameHighContrast,
		Dark:         true,
		HighContrast: true,
		Background:   "#000000",
		Surface:      "#000000",
		Foreground:   "#ffffff",
		Muted:        "#d7d7d7",
		Subtle:       "#ffffff",
		Accent:       "#ffff00",
		AccentText:   "#000000",
		Success:      "#00ff5f",
		Warning:      "#ffaf00",
		Error:        "#ff5f5f",
		Info:         "#00ffff",
		Thinking:     "#d7d7d7",
		Badge:        "#ffffff",
		BadgeText:    "#000000",
	}
}

// builtins is ordered as Names reports them.
var builtins = []struct {
	name string
	new  func() Palette
}{
	{NameDark, Dark},
	{NameLight, Light},
	{NameHighContrast, HighContrast},
}

// Builtin returns the built-in palette called name ("dark", "light",
// "high-contrast"); "auto" is not a palette but a choice, see Resolve.
func Builtin(name string) (Palette, bool) {
	for _, b := range builtins {
		if b.name == name {
			return b.new(), true
		}
	}
	return Palette{}, false
}

// Names lists the built-in palettes, for help texts and error messages.
func Names() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// colorField ties a theme-file key to the Palette field it sets; one table
// serves the loader, the defaults filler and the tests.
type colorField struct {
	key string
	get func(*Palette) *string
}

var colorFields = []colorField{
	{"background", func(p *Palette) *string { return &p.Background }},
	{"surface", func(p *Palette) *string { return &p.Surface }},
	{"foreground", func(p *Palette) *string { return &p.Foreground }},
	{"muted", func(p *Palette) *string { return &p.Muted }},
	{"subtle", func(p *Palette) *string { return &p.Subtle }},
	{"accent", func(p *Palette) *string { return &p.Accent }},
	{"accent_text", func(p *Palette) *string { return &p.AccentText }},
	{"success", func(p *Palette) *string { return &p.Success }},
	{"warning", func(p *Palette) *string { return &p.Warning }},
	{"error", func(p *Palette) *string { return &p.Error }},
	{"info", func(p *Palette) *string { return &p.Info }},
	{"thinking", func(p *Palette) *string { return &p.Thinking }},
	{"badge", func(p *Palette) *string { return &p.Badge }},
	{"badge_text", func(p *Palette) *string { return &p.BadgeText }},
}

// normalizeHex returns s as lowercase "#rrggbb" (expanding "#rgb"), or false
// when s is not a hex colour. lipgloss.Color quietly turns a bad string into
// "no colour", so colours are checked here, where the file and line are known.
func normalizeHex(s string) (string, bool) {
	if !strings.HasPrefix(s, "#") {
		return "", false
	}
	h := strings.ToLower(s[1:])
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	switch len(h) {
	case 6:
		return "#" + h, true
	case 3:
		return "#" + string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]}), true
	}
	return "", false
}

// withDefaults returns p with every missing or malformed colour taken from
// the built-in palette of the same darkness, so that New never builds a style
// from "no colour" and chroma never sees a colour it cannot parse.
func (p Palette) withDefaults() Palette {
	base := Light()
	if p.Dark {
		base = Dark()
	}
	if p.HighContrast {
		base = HighContrast()
	}
	for _, f := range colorFields {
		v := f.get(&p)
		if h, ok := normalizeHex(*v); ok {
			*v = h
		} else {
			*v = *f.get(&base)
		}
	}
	if p.Name == "" {
		p.Name = "custom"
	}
	return p
}

// IsDarkColor reports whether c is a dark colour: its CIELAB lightness L* is
// below 50 (lipgloss's test). Bubble Tea's BackgroundColorMsg.IsDark uses HSL
// lightness instead, which agrees on the greys terminal backgrounds are but
// calls saturated colours such as pure blue (#0000ff) light; L* follows what
// the eye sees. Use it both for the detected background and for a theme's
// own, so the two are judged alike. A nil colour counts as dark, the common
// terminal default.
func IsDarkColor(c color.Color) bool {
	if c == nil {
		return true
	}
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	y := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	// CIE L* from relative luminance (D65 white, Y=1).
	var f float64
	if y > 216.0/24389 {
		f = math.Cbrt(y)
	} else {
		f = (24389.0/27*y + 16) / 116
	}
	return 116*f-16 < 50
}
