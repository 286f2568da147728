package themes

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"charm.land/lipgloss/v2"
)

// eachStyle calls f with the name and value of every lipgloss.Style field of
// s, found by reflection so that a field added later is covered too.
func eachStyle(s *Styles, f func(name string, st lipgloss.Style)) {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		if st, ok := v.Field(i).Interface().(lipgloss.Style); ok {
			f(v.Type().Field(i).Name, st)
		}
	}
}

func TestNewRendersEveryStyle(t *testing.T) {
	for _, name := range Names() {
		p, _ := Builtin(name)
		s := New(p)
		n := 0
		eachStyle(s, func(field string, st lipgloss.Style) {
			n++
			out := st.Render("x")
			if out == "" || !strings.Contains(out, "x") {
				t.Errorf("%s: %s.Render(\"x\") = %q", name, field, out)
			}
			// Every style carries a colour or an attribute; a style that
			// renders as plain text has lost its palette.
			if !strings.Contains(out, "\x1b[") {
				t.Errorf("%s: %s renders without any SGR: %q", name, field, out)
			}
		})
		if n < 30 {
			t.Errorf("found only %d styles by reflection", n)
		}
		if s.Palette != p {
			t.Errorf("%s: Styles.Palette differs from the (complete) palette given", name)
		}
		if s.CodeTheme != "mstudio-"+name {
			t.Errorf("%s: CodeTheme = %q", name, s.CodeTheme)
		}
	}
}

func TestDarkAndLightDiffer(t *testing.T) {
	d, l := New(Dark()), New(Light())
	if d.Text.Render("x") == l.Text.Render("x") {
		t.Error("Text renders the same in dark and light")
	}
	if d.PaneFocused.Render("x") == l.PaneFocused.Render("x") {
		t.Error("PaneFocused renders the same in dark and light")
	}
	if *d.Markdown.Document.Color == *l.Markdown.Document.Color {
		t.Error("markdown text colour is the same in dark and light")
	}
	if d.CodeTheme == l.CodeTheme {
		t.Error("dark and light highlight code with the same chroma style")
	}
}

func TestFocusShows(t *testing.T) {
	for _, name := range Names() {
		p, _ := Builtin(name)
		s := New(p)
		if got := s.PaneFocused.GetBorderTopForeground(); !sameColor(got, p.Accent) {
			t.Errorf("%s: focused border colour %v, want the accent %s", name, got, p.Accent)
		}
		if got := s.Pane.GetBorderTopForeground(); !sameColor(got, p.Subtle) {
			t.Errorf("%s: pane border colour %v, want subtle %s", name, got, p.Subtle)
		}
		if !s.PaneTitleFocused.GetBold() {
			t.Errorf("%s: the focused title should be bold, so focus shows without colour", name)
		}
		if !sameColor(s.Selected.GetBackground(), p.Accent) || !sameColor(s.Selected.GetForeground(), p.AccentText) {
			t.Errorf("%s: Selected should be accent_text on accent", name)
		}
	}
}

func TestHighContrastCues(t *testing.T) {
	s := New(HighContrast())
	if !s.PaneTitleFocused.GetBold() || !s.PaneTitleFocused.GetReverse() {
		t.Error("high contrast: the focused title should be bold and reversed")
	}
	if s.PaneFocused.GetBorderStyle() != lipgloss.ThickBorder() {
		t.Error("high contrast: the focused pane should have a thick border")
	}
	if s.Pane.GetBorderStyle() != lipgloss.RoundedBorder() {
		t.Error("high contrast: unfocused panes keep the rounded border")
	}
	if !s.Selected.GetBold() || !s.Error.GetBold() {
		t.Error("high contrast: selection and errors should be bold")
	}
	// Thick and rounded borders take the same room, so panes keep their size.
	if w, h := lipgloss.Size(s.PaneFocused.Render("abc")); w != 5 || h != 3 {
		t.Errorf("focused pane of \"abc\" is %dx%d, want 5x3", w, h)
	}
	d := New(Dark())
	if d.PaneTitleFocused.GetReverse() || d.PaneFocused.GetBorderStyle() != lipgloss.RoundedBorder() {
		t.Error("dark: focus should be the accent border and bold title, not reverse/thick")
	}
}

func TestNewFillsMissingColours(t *testing.T) {
	s := New(Palette{Name: "partial", Dark: true, Accent: "#00ff00"})
	if s.Palette.Foreground != Dark().Foreground || s.Palette.Accent != "#00ff00" {
		t.Errorf("palette not completed from Dark(): %+v", s.Palette)
	}
	eachStyle(s, func(field string, st lipgloss.Style) {
		if st.Render("x") == "" {
			t.Errorf("%s renders empty", field)
		}
	})
}

// TestNewConcurrent runs New from several goroutines; under -race it checks
// the chroma registration is guarded.
func TestNewConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p := Dark()
			p.Name = fmt.Sprintf("concurrent-%d", i%3)
			p.Accent = fmt.Sprintf("#%02x8844", i*16)
			if s := New(p); s.CodeTheme == "" {
				t.Error("no code theme")
			}
		})
	}
	wg.Wait()
}

func sameColor(c interface{ RGBA() (r, g, b, a uint32) }, hex string) bool {
	if c == nil {
		return false
	}
	r1, g1, b1, a1 := c.RGBA()
	r2, g2, b2, a2 := lipgloss.Color(hex).RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
