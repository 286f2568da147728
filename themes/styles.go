package themes

import (
	"charm.land/glamour/v2/ansi"
	"charm.land/lipgloss/v2"
)

// Styles is every style the studio draws with, built from one Palette by New
// and handed down to the panes, so that a theme change is one New and one
// message, and no pane keeps a colour of its own.
//
// The styles set colours and attributes only; sizes, padding and borders'
// titles are the panes' business. None sets a background except where the
// background is the point (Selected, Badge, Cursor, the H1 and code spans of
// Markdown), so that the terminal's own background shows through.
type Styles struct {
	// Palette is the palette the styles were built from, with any missing
	// colour filled in from the built-in palette of the same darkness.
	Palette Palette

	// Pane and PaneFocused draw a pane's frame; the focused one has the
	// accent border (thick in high contrast).
	Pane, PaneFocused lipgloss.Style
	// PaneTitle and PaneTitleFocused are for the title set into the top
	// border; the focused one is bold (and reversed in high contrast) so that
	// focus shows without colour.
	PaneTitle, PaneTitleFocused lipgloss.Style

	Text, Muted, Subtle, Accent, Bold lipgloss.Style

	// Selected is the selected row of a list: accent background.
	Selected lipgloss.Style
	// Badge is a small capability badge ("tools", "vision", "FIM").
	Badge lipgloss.Style

	Success, Warning, Error, Info lipgloss.Style

	// Thinking is the model's reasoning text: its own dim colour, italic.
	Thinking lipgloss.Style

	// StatusBar is the bottom line; StatusKey names a figure, StatusValue is
	// the figure, StatusError is a failure shown there.
	StatusBar, StatusKey, StatusValue, StatusError lipgloss.Style

	// HelpKey, HelpDesc and HelpSep draw the help line ("? help · q quit").
	HelpKey, HelpDesc, HelpSep lipgloss.Style

	// DiffAdd, DiffDel and DiffContext colour the lines of a diff (prompt
	// versions, compare). Callers keep the "+"/"-" marks so that a diff reads
	// without colour.
	DiffAdd, DiffDel, DiffContext lipgloss.Style

	// Input is an unfocused text field, InputFocused the one being typed in,
	// Placeholder its hint text, Cursor the block cursor.
	Input, InputFocused, Placeholder, Cursor lipgloss.Style

	// Markdown is the glamour style following the palette; pass it with
	// glamour.WithStyles, and add glamour.WithChromaFormatter(ChromaFormatter)
	// so that code keeps the palette's exact colours.
	Markdown ansi.StyleConfig
	// CodeTheme is the chroma style Markdown highlights code with: the one
	// registered for this palette ("mstudio-<name>"), or Palette.Code.
	CodeTheme string
}

// New builds every style from p. Missing or malformed colours in p are taken
// from the built-in palette of the same darkness.
//
// New registers the palette's chroma style in chroma's global registry, which
// glamour reads while rendering code. Call New on the goroutine that renders
// markdown (Bubble Tea's Update/View), or before rendering starts: chroma's
// registry is a plain map.
func New(p Palette) *Styles {
	p = p.withDefaults()
	c := lipgloss.Color
	hc := p.HighContrast

	base := lipgloss.NewStyle()
	fg := func(hex string) lipgloss.Style { return base.Foreground(c(hex)) }

	paneBorder, focusBorder := lipgloss.RoundedBorder(), lipgloss.RoundedBorder()
	if hc {
		// Thick lines take the same one cell as rounded ones, so the layout
		// does not change with the theme.
		focusBorder = lipgloss.ThickBorder()
	}

	s := &Styles{Palette: p}

	s.Pane = base.Border(paneBorder).BorderForeground(c(p.Subtle))
	s.PaneFocused = base.Border(focusBorder).BorderForeground(c(p.Accent))
	s.PaneTitle = fg(p.Muted)
	s.PaneTitleFocused = fg(p.Accent).Bold(true)
	if hc {
		s.PaneTitleFocused = s.PaneTitleFocused.Reverse(true)
	}

	s.Text = fg(p.Foreground)
	s.Muted = fg(p.Muted)
	s.Subtle = fg(p.Subtle)
	s.Accent = fg(p.Accent)
	s.Bold = fg(p.Foreground).Bold(true)

	s.Selected = base.Background(c(p.Accent)).Foreground(c(p.AccentText))
	if hc {
		s.Selected = s.Selected.Bold(true)
	}
	s.Badge = base.Background(c(p.Badge)).Foreground(c(p.BadgeText)).Padding(0, 1)

	s.Success = fg(p.Success)
	s.Warning = fg(p.Warning)
	s.Error = fg(p.Error)
	s.Info = fg(p.Info)
	if hc {
		s.Error = s.Error.Bold(true)
		s.Warning = s.Warning.Bold(true)
	}
	s.Thinking = fg(p.Thinking).Italic(true)

	s.StatusBar = fg(p.Muted)
	s.StatusKey = fg(p.Muted)
	s.StatusValue = fg(p.Foreground)
	s.StatusError = fg(p.Error).Bold(true)

	s.HelpKey = fg(p.Accent)
	if hc {
		s.HelpKey = s.HelpKey.Bold(true)
	}
	s.HelpDesc = fg(p.Muted)
	s.HelpSep = fg(p.Subtle)

	s.DiffAdd = fg(p.Success)
	s.DiffDel = fg(p.Error)
	s.DiffContext = fg(p.Muted)

	s.Input = fg(p.Muted)
	s.InputFocused = fg(p.Foreground)
	s.Placeholder = fg(p.Muted).Italic(true)
	s.Cursor = base.Background(c(p.Accent)).Foreground(c(p.AccentText))

	s.CodeTheme = codeTheme(p)
	s.Markdown = markdownStyle(p, s.CodeTheme)
	return s
}
