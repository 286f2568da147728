package dialog

import (
	"slices"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestTheTopIsTheLastOpened(t *testing.T) {
	var s Stack
	if s.Top() != nil || s.Len() != 0 {
		t.Fatal("empty")
	}
	s.Push(Ref{K: Browser})
	s.Push(Ref{K: Diff})
	s.Push(Ref{K: Help})
	old := s // a copy of the model holding the stack
	if s.Top().Kind() != Help || !slices.Equal(s.Kinds(), []Kind{Browser, Diff, Help}) {
		t.Fatalf("%v", s.Kinds())
	}
	s.Push(Ref{K: Browser}) // opened again: on top, once
	if !slices.Equal(s.Kinds(), []Kind{Diff, Help, Browser}) {
		t.Fatalf("%v", s.Kinds())
	}
	s.Set(Ref{K: Diff, T: "changed"}) // a change keeps its place
	if !slices.Equal(s.Kinds(), []Kind{Diff, Help, Browser}) || s.Get(Diff).Title() != "changed" {
		t.Fatalf("%v", s.Kinds())
	}
	s.Remove(Help)
	if s.Has(Help) || s.Pop().Kind() != Browser || s.Top().Kind() != Diff {
		t.Fatalf("%v", s.Kinds())
	}
	if !slices.Equal(old.Kinds(), []Kind{Browser, Diff, Help}) || old.Get(Diff).Title() != "" {
		t.Fatalf("a copy is never changed: %v", old.Kinds())
	}
}

func TestAChoiceAnswersByItsKeys(t *testing.T) {
	c := Choice{K: Unsaved, Options: []Option{
		{Key: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")), Value: "save"},
		{Key: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stay")), Value: "stay"},
	}}
	if v, ok := c.Choose(tea.KeyPressMsg{Code: 's', Text: "s"}); !ok || v != "save" {
		t.Fatalf("s: %q %v", v, ok)
	}
	if _, ok := c.Choose(tea.KeyPressMsg{Code: 'z', Text: "z"}); ok {
		t.Fatal("another key answers nothing")
	}
	c.Other, c.OtherHelp = "later", "decide later"
	if v, ok := c.Choose(tea.KeyPressMsg{Code: 'z', Text: "z"}); !ok || v != "later" {
		t.Fatal("any other key")
	}
	if got := HelpLine(c.ShortHelp()); got != "s save · esc stay · any key decide later" {
		t.Fatalf("help line %q", got)
	}
}

func TestAPagerScrollsAndCloses(t *testing.T) {
	content := ""
	for i := 0; i < 50; i++ {
		content += "line\n"
	}
	p := NewPager(Help, "keys", content, DefaultPagerKeys("?"), 20, 10)
	if p.AtBottom() || p.Title() != "keys · ↓ more" {
		t.Fatalf("%q", p.Title())
	}
	p, closed := p.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if closed || !p.AtBottom() || p.Title() != "keys · ↑ more" {
		t.Fatalf("end: %q", p.Title())
	}
	if _, closed := p.Update(tea.KeyPressMsg{Code: '?', Text: "?"}); !closed {
		t.Fatal("? closes help")
	}
}
