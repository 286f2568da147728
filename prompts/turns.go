package prompts

import (
	"regexp"
	"strings"

	"mstudio/api"
)

// Turn is one message template of a prompt: its role and its text as
// written, {{variables}} and helpers intact. The studio's editor edits turns;
// rendering happens only when a prompt runs.
type Turn struct {
	Role string // api.RoleSystem, api.RoleUser or api.RoleAssistant
	Text string
}

// roleMarker matches Dotprompt's {{role "name"}} block opener.
var roleMarker = regexp.MustCompile(`\{\{\s*role\s+["']([A-Za-z]+)["']\s*\}\}`)

// Turns splits the prompt's template at its {{role}} markers. Text before
// the first marker is a user message, as Dotprompt renders it.
func (p *Prompt) Turns() []Turn { return SplitTurns(p.parsed.Template) }

// SplitTurns splits template text at its {{role}} markers.
func SplitTurns(template string) []Turn {
	var turns []Turn
	add := func(role, text string) {
		text = strings.Trim(text, "\r\n")
		if strings.TrimSpace(text) == "" {
			return
		}
		turns = append(turns, Turn{Role: role, Text: text})
	}
	role, pos := api.RoleUser, 0
	for _, m := range roleMarker.FindAllStringSubmatchIndex(template, -1) {
		add(role, template[pos:m[0]])
		role = wireRole(template[m[2]:m[3]])
		pos = m[1]
	}
	add(role, template[pos:])
	return turns
}

func wireRole(r string) string {
	switch strings.ToLower(r) {
	case "system":
		return api.RoleSystem
	case "model", "assistant":
		return api.RoleAssistant
	}
	return api.RoleUser
}

// FormatTurns writes turns as a Dotprompt template, with Dotprompt's role
// names (the assistant is "model"), so the file loads in Genkit too.
func FormatTurns(turns []Turn) string {
	var b strings.Builder
	for i, t := range turns {
		if i > 0 {
			b.WriteString("\n")
		}
		role := t.Role
		if role == api.RoleAssistant {
			role = "model"
		}
		b.WriteString(`{{role "` + role + `"}}` + "\n")
		b.WriteString(strings.TrimRight(t.Text, "\n"))
		b.WriteString("\n")
	}
	return b.String()
}

// FrontMatter returns the prompt's YAML front matter as written, without
// the --- fences; "" when the prompt has none.
func (p *Prompt) FrontMatter() string {
	if p.doc == nil {
		return ""
	}
	return p.doc.front
}

// WithTurns returns the prompt with the same front matter and a template
// made of turns: how the studio runs and saves what the editor holds.
func (p *Prompt) WithTurns(turns []Turn) (*Prompt, error) {
	src := FormatTurns(turns)
	if front := p.FrontMatter(); strings.TrimSpace(front) != "" {
		src = "---\n" + strings.TrimRight(front, "\n") + "\n---\n" + src
	}
	var q *Prompt
	var err error
	if p.Path != "" {
		q, err = parse(p.Path, p.Name, src)
	} else {
		q, err = parse(p.label, p.Name, src)
	}
	if err != nil {
		return nil, err
	}
	q.Path = p.Path
	return q, nil
}
