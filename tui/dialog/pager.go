package dialog

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// PagerKeys are a pager's keys.
type PagerKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Close key.Binding
}

// DefaultPagerKeys returns the keys of a pager; close is esc or q, plus
// extra keys (help closes with the keys that open it).
func DefaultPagerKeys(extraClose ...string) PagerKeys {
	return PagerKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn/space", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Close:    key.NewBinding(key.WithKeys(append([]string{"esc", "q"}, extraClose...)...), key.WithHelp("esc", "close")),
	}
}

// Pager is a dialog of text that scrolls: help, an error shown whole.
type Pager struct {
	k     Kind
	title string
	keys  PagerKeys
	vp    viewport.Model
}

// NewPager returns a pager of content at the given inner size.
func NewPager(k Kind, title, content string, keys PagerKeys, w, h int) Pager {
	vp := viewport.New(viewport.WithWidth(max(w, 1)), viewport.WithHeight(max(h, 1)))
	vp.SoftWrap = true
	vp.KeyMap = viewport.KeyMap{} // the pager's own keys drive it
	vp.SetContent(content)
	return Pager{k: k, title: title, keys: keys, vp: vp}
}

// Kind implements Dialog.
func (p Pager) Kind() Kind { return p.k }

// Title implements Dialog: the title, and where the view is when it scrolls.
func (p Pager) Title() string {
	if p.vp.TotalLineCount() <= p.vp.Height() {
		return p.title
	}
	switch {
	case p.vp.AtTop():
		return p.title + " · ↓ more"
	case p.vp.AtBottom():
		return p.title + " · ↑ more"
	}
	return p.title + " · ↑↓ more"
}

// ShortHelp implements Dialog: short, so the status line has room for it.
func (p Pager) ShortHelp() []key.Binding {
	scroll := key.NewBinding(key.WithKeys("down", "pgdown"), key.WithHelp("↓/pgdn", "scroll"))
	return []key.Binding{scroll, p.keys.Close}
}

// SetSize sets the inner size.
func (p *Pager) SetSize(w, h int) {
	p.vp.SetWidth(max(w, 1))
	p.vp.SetHeight(max(h, 1))
}

// AtBottom reports whether the last line is shown.
func (p Pager) AtBottom() bool { return p.vp.AtBottom() }

// Update scrolls; closed is true when the user closed the pager.
func (p Pager) Update(msg tea.Msg) (Pager, bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		k := p.keys
		switch {
		case key.Matches(msg, k.Close):
			return p, true
		case key.Matches(msg, k.Up):
			p.vp.ScrollUp(1)
		case key.Matches(msg, k.Down):
			p.vp.ScrollDown(1)
		case key.Matches(msg, k.PageUp):
			p.vp.PageUp()
		case key.Matches(msg, k.PageDown):
			p.vp.PageDown()
		case key.Matches(msg, k.Top):
			p.vp.GotoTop()
		case key.Matches(msg, k.Bottom):
			p.vp.GotoBottom()
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			p.vp.ScrollUp(3)
		case tea.MouseWheelDown:
			p.vp.ScrollDown(3)
		}
	}
	return p, false
}

// View draws the visible part.
func (p Pager) View() string { return p.vp.View() }
