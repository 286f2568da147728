package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mstudio/themes"
)

// Option is one answer of a Choice: its key (whose help is short, for the
// status line), what it means in the dialog (Desc, the key's help when
// empty), and the value Choose returns.
type Option struct {
	Key   key.Binding
	Desc  string
	Value string
}

// Choice is a question answered by one key: the quit and unsaved-work
// questions, the draft offer. Data carries what the answer applies to (the
// prompt waiting to be opened), so the question and its consequence cannot
// drift apart.
type Choice struct {
	K       Kind
	T       string
	Body    string // styled by the root; bytes from files go through untrusted there
	Options []Option
	// Other is the value of any other key, with OtherHelp its description;
	// "" leaves other keys unanswered (the question stays).
	Other, OtherHelp string
	Data             any
}

// Kind implements Dialog.
func (c Choice) Kind() Kind { return c.K }

// Title implements Dialog.
func (c Choice) Title() string { return c.T }

// ShortHelp implements Dialog.
func (c Choice) ShortHelp() []key.Binding {
	out := make([]key.Binding, 0, len(c.Options)+1)
	for _, o := range c.Options {
		out = append(out, o.Key)
	}
	if c.Other != "" {
		out = append(out, key.NewBinding(key.WithKeys(), key.WithHelp("any key", c.OtherHelp)))
	}
	return out
}

// Choose returns the answer msg gives, ok false when it gives none.
func (c Choice) Choose(msg tea.KeyPressMsg) (string, bool) {
	for _, o := range c.Options {
		if key.Matches(msg, o.Key) {
			return o.Value, true
		}
	}
	if c.Other != "" {
		return c.Other, true
	}
	return "", false
}

// View draws the question and its answers, wrapped to width.
func (c Choice) View(st *themes.Styles, width int) string {
	var b strings.Builder
	b.WriteString(lipgloss.NewStyle().Width(max(width, 10)).Render(c.Body))
	b.WriteString("\n\n")
	line := func(k, desc string) {
		b.WriteString("  " + st.HelpKey.Render(k) + "  " + st.HelpDesc.Render(desc) + "\n")
	}
	for _, o := range c.Options {
		desc := o.Desc
		if desc == "" {
			desc = o.Key.Help().Desc
		}
		line(o.Key.Help().Key, desc)
	}
	if c.Other != "" {
		line("any key", c.OtherHelp)
	}
	return strings.TrimRight(b.String(), "\n")
}

// HelpLine joins keys for the status line's hint: "y run · esc stop".
func HelpLine(keys []key.Binding) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		// "any key" bindings have no keys, so are not Enabled: show them
		if h := k.Help(); h.Key != "" {
			parts = append(parts, h.Key+" "+h.Desc)
		}
	}
	return strings.Join(parts, " · ")
}
