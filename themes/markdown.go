package themes

import (
	"strings"
	"sync"

	"charm.land/glamour/v2/ansi"
	glamourstyles "charm.land/glamour/v2/styles"
	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
)

// ChromaFormatter is the chroma formatter to give glamour
// (glamour.WithChromaFormatter) with Styles.Markdown. Glamour's default,
// "terminal256", rounds every code colour to the 256-colour cube, so code
// would not match the palette; "terminal16m" keeps the exact colours, and
// Bubble Tea / lipgloss downsample the whole frame for terminals with fewer
// colours anyway.
const ChromaFormatter = "terminal16m"

// codePrefix starts the names of the chroma styles New registers, keeping
// them apart from chroma's own ("dark" and "light" could otherwise collide
// with a future chroma style).
const codePrefix = "mstudio-"

// registry remembers which palette each of our chroma style names was last
// registered for. Glamour registers a palette-derived style only once, under
// the single name "charm", so a second theme would keep the first theme's
// code colours; registering one style per palette name, and again when a
// palette of that name changes (a user theme edited and reloaded), avoids it.
var registry = struct {
	sync.Mutex
	by map[string]Palette
}{by: map[string]Palette{}}

// codeTheme returns the chroma style name to highlight code with for p,
// registering the palette-derived style if needed. p's colours are valid.
func codeTheme(p Palette) string {
	registry.Lock()
	defer registry.Unlock()

	if p.Code != "" {
		if _, ok := chromastyles.Registry[strings.ToLower(p.Code)]; ok {
			return strings.ToLower(p.Code)
		}
	}
	name := codePrefix + slug(p.Name)
	if old, ok := registry.by[name]; ok && old == p {
		return name
	}
	style, err := chroma.NewStyle(name, chromaEntries(p))
	if err != nil {
		// Unreachable with checked colours; chroma's fallback style beats
		// a panic in the middle of a theme change.
		return chromastyles.Fallback.Name
	}
	chromastyles.Register(style)
	registry.by[name] = p
	return name
}

// chromaEntries maps token types to palette colours: keywords in the accent,
// strings in success, numbers and constants in warning, comments muted.
func chromaEntries(p Palette) chroma.StyleEntries {
	kw := p.Accent
	if p.HighContrast {
		kw += " bold"
	}
	return chroma.StyleEntries{
		// The terminal formatters drop the background; it is set so that
		// chroma's Mode() reports the palette's darkness.
		chroma.Background:          p.Foreground + " bg:" + p.Background,
		chroma.Text:                p.Foreground,
		chroma.Error:               p.Error,
		chroma.Comment:             p.Muted + " italic",
		chroma.CommentPreproc:      p.Info,
		chroma.Keyword:             kw,
		chroma.KeywordConstant:     p.Warning,
		chroma.KeywordType:         p.Info,
		chroma.Operator:            p.Foreground,
		chroma.Punctuation:         p.Muted,
		chroma.Name:                p.Foreground,
		chroma.NameBuiltin:         p.Info,
		chroma.NameTag:             p.Accent,
		chroma.NameAttribute:       p.Info,
		chroma.NameClass:           p.Info + " bold",
		chroma.NameConstant:        p.Warning,
		chroma.NameDecorator:       p.Warning,
		chroma.NameException:       p.Error,
		chroma.NameFunction:        p.Info,
		chroma.Literal:             p.Warning,
		chroma.LiteralNumber:       p.Warning,
		chroma.LiteralDate:         p.Warning,
		chroma.LiteralString:       p.Success,
		chroma.LiteralStringEscape: p.Warning,
		chroma.GenericDeleted:      p.Error,
		chroma.GenericInserted:     p.Success,
		chroma.GenericEmph:         "italic",
		chroma.GenericStrong:       "bold",
		chroma.GenericHeading:      p.Accent + " bold",
		chroma.GenericSubheading:   p.Muted,
	}
}

// slug makes a palette name safe and stable as part of a style name.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "custom"
	}
	return b.String()
}

// markdownStyle is glamour's own dark or light style with the palette's
// colours, no document margin (the pane draws its own border) and code
// highlighted with the chroma style named theme.
func markdownStyle(p Palette, theme string) ansi.StyleConfig {
	// A shallow copy: the pointers it shares with glamour's package variable
	// are only ever replaced here, never written through.
	m := glamourstyles.LightStyleConfig
	if p.Dark {
		m = glamourstyles.DarkStyleConfig
	}
	str := func(s string) *string { return &s }
	yes, no := boolPtr(true), boolPtr(false)

	m.Document.Color = str(p.Foreground)
	m.Document.Margin = uintPtr(0)

	m.Heading.Color = str(p.Accent)
	m.Heading.Bold = yes
	m.H1.Color = str(p.AccentText)
	m.H1.BackgroundColor = str(p.Accent)
	m.H1.Bold = yes
	m.H6.Color = str(p.Muted)
	m.H6.Bold = no

	m.BlockQuote.Color = str(p.Muted)
	m.BlockQuote.Italic = yes
	m.BlockQuote.Indent = uintPtr(1)
	m.BlockQuote.IndentToken = str("│ ")

	m.Emph.Italic = yes
	m.Strong.Bold = yes
	m.Strikethrough.CrossedOut = yes
	m.HorizontalRule.Color = str(p.Subtle)

	m.Link.Color = str(p.Info)
	m.Link.Underline = yes
	m.LinkText.Color = str(p.Accent)
	m.LinkText.Bold = yes
	m.Image.Color = str(p.Info)
	m.Image.Underline = yes
	m.ImageText.Color = str(p.Muted)

	m.Code.Color = str(p.Warning)
	m.Code.BackgroundColor = str(p.Surface)

	m.CodeBlock.Color = str(p.Foreground)
	m.CodeBlock.Margin = uintPtr(2)
	m.CodeBlock.Indent = nil
	m.CodeBlock.Chroma = nil
	m.CodeBlock.Theme = theme

	m.Table.Color = str(p.Foreground)
	m.DefinitionTerm.Bold = yes
	m.DefinitionDescription.Color = str(p.Foreground)

	if p.HighContrast {
		// Links and headings must stand out without their colour.
		m.Link.Bold = yes
		m.H2.Underline = yes
		m.Code.Bold = yes
	}
	return m
}

func boolPtr(b bool) *bool { return &b }
func uintPtr(u uint) *uint { return &u }
