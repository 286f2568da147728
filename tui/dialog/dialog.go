// Package dialog is the studio's one stack of dialogs: the trust question,
// a tool ask, the draft offer, the unsaved-work question, help, the diff
// view, the browser, a whole error. The dialog on top is the one drawn and
// the one given the keys; its KeyMap is what the help line shows. The stack
// is the only place that decides which dialog wins: the root asks it for
// the top and never compares dialogs itself.
//
// Some dialogs keep their content here (a Choice, a Pager); others wrap a
// question whose state lives elsewhere (a tool ask waits in the run engine,
// the browser is a pane of its own): those are pushed as a Ref, which only
// names them, and the root draws and answers them by their Kind.
package dialog

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// Kind names a dialog. The stack holds at most one dialog of each kind.
type Kind string

// The studio's dialogs.
const (
	Trust   Kind = "trust"   // run a prompt's commands?
	Ask     Kind = "ask"     // a tool call to answer by hand, or a step
	Draft   Kind = "draft"   // unsaved work found for the prompt opened
	Unsaved Kind = "unsaved" // unsaved work would be replaced or dropped
	Help    Kind = "help"    // the keys
	Diff    Kind = "diff"    // two versions, two answers
	Browser Kind = "browser" // prompts, versions, drafts, sessions
	Matrix  Kind = "matrix"  // a matrix run's table
	Message Kind = "message" // an error shown whole
)

// Dialog is one entry of the stack.
type Dialog interface {
	Kind() Kind
	// Title is the dialog frame's title.
	Title() string
	// ShortHelp lists the keys the help line shows while the dialog is on
	// top.
	ShortHelp() []key.Binding
}

// Ref stands for a dialog whose state lives outside the stack.
type Ref struct {
	K    Kind
	T    string
	Keys []key.Binding
}

// Kind implements Dialog.
func (r Ref) Kind() Kind { return r.K }

// Title implements Dialog.
func (r Ref) Title() string { return r.T }

// ShortHelp implements Dialog.
func (r Ref) ShortHelp() []key.Binding { return r.Keys }

// Stack is the dialogs open, the last on top. Its methods never change a
// slice another copy of the studio's model may still hold: Bubble Tea
// models are values, and tests keep old ones.
type Stack struct{ items []Dialog }

// Len is how many dialogs are open.
func (s Stack) Len() int { return len(s.items) }

// Top returns the dialog on top, nil when none is open.
func (s Stack) Top() Dialog {
	if len(s.items) == 0 {
		return nil
	}
	return s.items[len(s.items)-1]
}

// Has reports whether a dialog of kind k is open.
func (s Stack) Has(k Kind) bool { return s.index(k) >= 0 }

// Get returns the open dialog of kind k, nil when none.
func (s Stack) Get(k Kind) Dialog {
	if i := s.index(k); i >= 0 {
		return s.items[i]
	}
	return nil
}

// Kinds lists the open dialogs from the bottom to the top.
func (s Stack) Kinds() []Kind {
	out := make([]Kind, len(s.items))
	for i, d := range s.items {
		out[i] = d.Kind()
	}
	return out
}

func (s Stack) index(k Kind) int {
	for i, d := range s.items {
		if d.Kind() == k {
			return i
		}
	}
	return -1
}

// Push puts d on top; an open dialog of the same kind is taken out first.
func (s *Stack) Push(d Dialog) {
	items := slices.DeleteFunc(slices.Clone(s.items), func(x Dialog) bool { return x.Kind() == d.Kind() })
	s.items = append(items, d)
}

// Set replaces the open dialog of d's kind where it stands (pushing it when
// none is open): a dialog that changes keeps its place.
func (s *Stack) Set(d Dialog) {
	i := s.index(d.Kind())
	if i < 0 {
		s.Push(d)
		return
	}
	s.items = slices.Clone(s.items)
	s.items[i] = d
}

// Remove closes the dialog of kind k, if open.
func (s *Stack) Remove(k Kind) {
	if i := s.index(k); i >= 0 {
		s.items = slices.Delete(slices.Clone(s.items), i, i+1)
	}
}

// Pop closes the dialog on top and returns it.
func (s *Stack) Pop() Dialog {
	d := s.Top()
	if d != nil {
		s.items = slices.Clone(s.items[:len(s.items)-1])
	}
	return d
}
