package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds the studio's global keys. They are a contract: the tests
// and the README rely on them.
type KeyMap struct {
	Run, Cancel, Next, Prev, Save, Edit, Help, Quit key.Binding
	// Fork starts a new prompt from the focused turn or from the answer;
	// Browse opens the prompts, their versions and sessions.
	Fork, Browse key.Binding
	// DiffRecorded compares the answer with the recorded one of the
	// session opened last.
	DiffRecorded key.Binding
	// Step toggles step mode: a conversation pauses before each model call.
	Step key.Binding
	// Restart asks an agent again for its last answer.
	Restart key.Binding
	// Compare adds the model under the models pane's cursor to a
	// comparison.
	Compare key.Binding
	// Matrix runs the prompt's variables file on every model.
	Matrix key.Binding
	// HelpAlways opens help even while a pane takes typed text, where "?"
	// is a character.
	HelpAlways key.Binding
	// Message shows the status line's message whole, in a dialog: a long
	// error does not fit on one line.
	Message key.Binding
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Run:        key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel the run")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Save:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save the prompt")),
		Edit:       key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "edit in $EDITOR")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		HelpAlways: key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help (anywhere)")),
		Message:    key.NewBinding(key.WithKeys("f2"), key.WithHelp("f2", "show the status line's message whole")),
		Quit:       key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit (asks first when work is unsaved)")),
		// ctrl+x and ctrl+l are the ctrl keys the text area leaves free.
		Fork:         key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "fork from the focused turn or the answer")),
		Browse:       key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "browse prompts, versions, drafts, sessions")),
		DiffRecorded: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "diff this prompt's answer with the recorded one of the session opened (outside the editor)")),
		Compare:      key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "compare: add the model under the cursor (models pane)")),
		Matrix:       key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "matrix: the rows of mstudio.matrix on every model (outside the editor)")),
		Restart:      key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart an agent's conversation before its last answer (outside the editor)")),
		Step:         key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "step mode: pause before each model call (outside the editor)")),
	}
}

// global lists the keys for the help screen, in order.
func (k KeyMap) global() []key.Binding {
	return []key.Binding{k.Run, k.Cancel, k.Next, k.Prev, k.Save, k.Edit, k.Fork, k.Browse, k.Compare, k.Matrix, k.DiffRecorded, k.Step, k.Restart, k.Help, k.HelpAlways, k.Message, k.Quit}
}
