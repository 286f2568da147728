package session

import (
	"fmt"
	"reflect"
	"strings"

	"mstudio/api"
	"mstudio/prices"
)

// exportMarkdown is a transcript to read: the conversation sent, then
// each run's model, answer, thinking (folded), tool calls and figures.
func exportMarkdown(s *Session, runs []RecordedRun) string {
	var b strings.Builder
	h := s.Header
	title := h.Prompt
	if title == "" {
		title = "session " + h.ID
	}
	if h.PromptVersion > 0 {
		title += fmt.Sprintf(" v%d", h.PromptVersion)
	}
	fmt.Fprintf(&b, "# %s\n\n", inline(title))
	if !h.Created.IsZero() {
		fmt.Fprintf(&b, "- created: %s\n", h.Created.Format("2006-01-02 15:04:05 -07:00"))
	}
	endpoint := h.Endpoint
	if h.BaseURL != "" && h.BaseURL != h.Endpoint {
		endpoint += " (" + h.BaseURL + ")"
	}
	fmt.Fprintf(&b, "- endpoint: %s\n", inline(endpoint))
	fmt.Fprintf(&b, "- session: %s, recorded by mstudio %s\n", inline(h.ID), inline(h.Mstudio))
	if s.Truncated {
		b.WriteString("- the session file was cut off; this is what it holds\n")
	}
	// A compare sent one conversation to every model: it is shown once.
	same := sameMessages(runs)
	var shown []api.Message // the conversation last written out
	for i, r := range runs {
		req, err := DecodeRequest(r.Body)
		if err == nil && (i == 0 || !reflect.DeepEqual(req.Messages, shown)) {
			if same {
				b.WriteString("\n## Conversation\n")
			} else {
				fmt.Fprintf(&b, "\n## Conversation of run %d\n", r.Run)
			}
			writeMessages(&b, req.Messages)
			shown = req.Messages
		}
		fmt.Fprintf(&b, "\n## Run %d · %s\n\n", r.Run, inline(r.Model))
		if err == nil {
			if p := params(r); p != "" {
				fmt.Fprintf(&b, "Parameters: %s\n\n", p)
			}
		}
		writeAnswer(&b, r)
	}
	return b.String()
}

// sameMessages reports whether every run sent the same conversation (a
// compare), so it is shown once.
func sameMessages(runs []RecordedRun) bool {
	var first []api.Message
	for i, r := range runs {
		req, err := DecodeRequest(r.Body)
		if err != nil {
			return false
		}
		if i == 0 {
			first = req.Messages
		} else if !reflect.DeepEqual(req.Messages, first) {
			return false
		}
	}
	return true
}

func writeMessages(b *strings.Builder, msgs []api.Message) {
	for _, m := range msgs {
		role := m.Role
		if m.ToolCallID != "" {
			role += " (tool call " + m.ToolCallID + ")"
		}
		fmt.Fprintf(b, "\n**%s**\n\n", inline(role))
		if th := m.Content.Thinking(); th != "" {
			writeDetails(b, "Thinking", th)
		}
		text := m.Content.String()
		for _, part := range m.Content.Parts() {
			if part.Type == api.ChunkImageURL {
				u := part.ImageURL.URL
				if strings.HasPrefix(u, "data:") {
					u = "inline data" // base64 would bury the transcript
				}
				text += "\n\n[image: " + inline(u) + "]"
			}
		}
		switch {
		case m.Role == api.RoleTool:
			b.WriteString(fenced(text, "json"))
		case strings.TrimSpace(text) != "":
			b.WriteString(strings.TrimRight(text, "\n") + "\n")
			if len(m.ToolCalls) > 0 {
				b.WriteString("\n")
			}
		}
		writeToolCalls(b, m.ToolCalls)
	}
}

// writeAnswer is one run's outcome.
func writeAnswer(b *strings.Builder, r RecordedRun) {
	rec := r.Result
	if rec == nil {
		b.WriteString("_The file ends before this run did: no answer was recorded._\n")
		return
	}
	if rec.Reasoning != "" {
		writeDetails(b, "Reasoning", rec.Reasoning)
	}
	if strings.TrimSpace(rec.Content) != "" {
		b.WriteString(strings.TrimRight(rec.Content, "\n") + "\n")
	}
	if len(rec.ToolCalls) > 0 {
		b.WriteString("\n**Tool calls**\n\n")
		for _, tc := range rec.ToolCalls {
			fmt.Fprintf(b, "- %s %s", code(tc.Name), code(tc.Arguments))
			if tc.ID != "" {
				fmt.Fprintf(b, " (id %s)", inline(tc.ID))
			}
			b.WriteString("\n")
		}
	}
	if rec.Error != nil {
		fmt.Fprintf(b, "\n**Error:** %s\n", inline(*rec.Error))
	}
	b.WriteString("\n" + figures(rec) + "\n")
}

// figures is a run's measurements on one line.
func figures(rec *RunRecord) string {
	var parts []string
	if rec.Usage != nil {
		parts = append(parts, fmt.Sprintf("%d tokens in, %d out", rec.Usage.PromptTokens, rec.Usage.CompletionTokens))
	}
	if rec.CostUSD != nil {
		parts = append(parts, prices.Format(*rec.CostUSD))
	} else if rec.Usage != nil {
		parts = append(parts, "cost unknown")
	}
	if rec.TTFTMs > 0 {
		parts = append(parts, fmt.Sprintf("ttft %d ms", rec.TTFTMs))
	}
	parts = append(parts, fmt.Sprintf("latency %d ms", rec.LatencyMs))
	if rec.FinishReason != "" {
		parts = append(parts, "finish "+inline(rec.FinishReason))
	}
	return "_" + strings.Join(parts, " · ") + "_"
}

func writeToolCalls(b *strings.Builder, calls []api.ToolCall) {
	for _, tc := range calls {
		fmt.Fprintf(b, "- tool call %s %s", code(tc.Function.Name), code(string(tc.Function.Arguments)))
		if tc.ID != "" {
			fmt.Fprintf(b, " (id %s)", inline(tc.ID))
		}
		b.WriteString("\n")
	}
}

// params lists the request's settings other than the conversation.
func params(r RecordedRun) string {
	body, err := parseJSON(r.Body)
	if err != nil {
		return ""
	}
	var parts []string
	for _, f := range body.fields {
		switch f.key {
		case "model", "messages", "stream", "stream_options":
			continue
		case "tools":
			var names []string
			for _, t := range f.value.items {
				if fn, ok := t.get("function"); ok {
					if n, ok := fn.get("name"); ok {
						names = append(names, n.str)
						continue
					}
				}
				if ty, ok := t.get("type"); ok {
					names = append(names, ty.str)
				}
			}
			parts = append(parts, "tools "+code(strings.Join(names, ", ")))
		case "response_format":
			ty, _ := f.value.get("type")
			parts = append(parts, "response_format "+code(ty.str))
		default:
			v := f.value.str
			if f.value.kind == jArray || f.value.kind == jObject || f.value.kind == jString {
				v = f.value.compact()
			}
			parts = append(parts, f.key+" "+code(v))
		}
	}
	return strings.Join(parts, ", ")
}

// writeDetails folds long text away.
func writeDetails(b *strings.Builder, summary, text string) {
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n%s\n\n</details>\n\n", summary, strings.TrimRight(text, "\n"))
}

// fenced puts text in a code fence longer than any run of backticks in it.
func fenced(text, lang string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

// code is inline code that survives backticks in s.
func code(s string) string {
	s = inline(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// inline keeps a value on one line.
func inline(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
