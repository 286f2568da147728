package tui

import (
	"path/filepath"
	"strings"

	"mstudio/session"
	"mstudio/tui/browser"
)

// sessionsByPrompt lists the recorded sessions of each prompt, newest first,
// reading only each file's first line.
func sessionsByPrompt(dir string) map[string][]browser.Session {
	if dir == "" {
		return nil
	}
	infos, err := session.List(dir)
	if err != nil {
		return nil
	}
	out := map[string][]browser.Session{}
	for _, in := range infos {
		name := in.Header.Prompt
		if name == "" {
			name = strings.TrimSuffix(filepath.Base(in.Path), ".jsonl")
		}
		out[name] = append(out[name], browser.Session{Path: in.Path, Created: in.Header.Created})
	}
	return out
}
