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
			b.WriteString(nestHeadings(strings.TrimRight(text, "\n")) + "\n")
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
		b.WriteString(nestHeadings(strings.TrimRight(rec.Content, "\n")) + "\n")
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
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n%s\n\n</details>\n\n", summary, nestHeadings(strings.TrimRight(text, "\n")))
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

// headingShift is how far headings inside an answer or a message go down:
// the export's own headings take levels 1 and 2 (the title, each run), so
// an answer's "#" becomes "####" and reads as part of its run, not as a
// run of its own. Levels stop at 6, the deepest markdown has.
const headingShift = 3

// nestHeadings moves the markdown headings of text down by headingShift
// levels: ATX headings ("## x") get more hashes, and setext headings (a
// line underlined with === or ---) become ATX headings, as an underline has
// only two levels. Code (fenced or indented) is left as it is, so a
// "# comment" in a shell block stays a comment.
func nestHeadings(text string) string {
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	var fence string // the open fence's marker ("```", "~~~~", …), "" outside
	para := 0        // lines of the paragraph being read, the last ones of out
	for _, line := range lines {
		ind, rest := indent(line)
		switch {
		case fence != "":
			if ind < 4 && strings.HasPrefix(rest, fence) && strings.Trim(rest, fence[:1]+" \t") == "" {
				fence = ""
			}
			out = append(out, line)
			continue
		case strings.TrimSpace(line) == "":
			para = 0
			out = append(out, line)
			continue
		case ind >= 4:
			// indented code, or the next line of a paragraph
			if para > 0 {
				para++
			}
			out = append(out, line)
			continue
		}
		if f := fenceMarker(rest); f != "" {
			fence, para = f, 0
			out = append(out, line)
			continue
		}
		if level, ok := setextLevel(rest); ok && para > 0 {
			var words []string
			for _, l := range out[len(out)-para:] {
				words = append(words, strings.TrimSpace(l))
			}
			out = append(out[:len(out)-para], atxHeading(level, strings.Join(words, " ")))
			para = 0
			continue
		}
		if n := atxLevel(rest); n > 0 {
			out = append(out, line[:len(line)-len(rest)]+strings.Repeat("#", min(n+headingShift, 6))+rest[n:])
			para = 0
			continue
		}
		if startsBlock(rest) {
			para = 0
		} else {
			para++
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// indent returns a line's indentation in columns (a tab goes to the next
// multiple of 4) and the line after it.
func indent(line string) (int, string) {
	cols := 0
	for i, r := range line {
		switch r {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, line[i:]
		}
	}
	return cols, ""
}

// fenceMarker returns the fence a line opens (its run of ` or ~), or "".
func fenceMarker(rest string) string {
	for _, c := range []string{"`", "~"} {
		n := len(rest) - len(strings.TrimLeft(rest, c))
		if n >= 3 {
			if c == "`" && strings.Contains(rest[n:], "`") {
				return "" // not a fence: an info string holds no backtick
			}
			return rest[:n]
		}
	}
	return ""
}

// atxLevel returns the level of an ATX heading ("## x"), or 0.
func atxLevel(rest string) int {
	n := len(rest) - len(strings.TrimLeft(rest, "#"))
	if n < 1 || n > 6 || (n < len(rest) && rest[n] != ' ' && rest[n] != '\t') {
		return 0
	}
	return n
}

// setextLevel reports whether a line underlines a setext heading, and its
// level: 1 for ===, 2 for ---.
func setextLevel(rest string) (int, bool) {
	t := strings.TrimRight(rest, " \t")
	switch {
	case t == "":
		return 0, false
	case strings.Trim(t, "=") == "":
		return 1, true
	case strings.Trim(t, "-") == "":
		return 2, true
	}
	return 0, false
}

// atxHeading writes a heading of the given level, shifted. A closing run
// of # in the text is escaped, or markdown would read it as decoration.
func atxHeading(level int, text string) string {
	if t := strings.TrimRight(text, "#"); t != text && (t == "" || strings.HasSuffix(t, " ")) {
		text = t + `\` + text[len(t):]
	}
	return strings.Repeat("#", min(level+headingShift, 6)) + " " + text
}

// startsBlock reports lines that begin a block of their own rather than a
// paragraph: a quote, a list item, a thematic break or HTML. An underline
// after them is not a setext heading of theirs.
func startsBlock(rest string) bool {
	switch {
	case strings.HasPrefix(rest, ">"), strings.HasPrefix(rest, "<"):
		return true
	case len(rest) >= 2 && strings.ContainsRune("-*+", rune(rest[0])) && (rest[1] == ' ' || rest[1] == '\t'):
		return true
	}
	if t := strings.NewReplacer(" ", "", "\t", "").Replace(rest); len(t) >= 3 && (strings.Trim(t, "*") == "" || strings.Trim(t, "_") == "" || strings.Trim(t, "-") == "") {
		return true
	}
	d := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	return d > 0 && d <= 9 && d+1 < len(rest) && (rest[d] == '.' || rest[d] == ')') && (rest[d+1] == ' ' || rest[d+1] == '\t')
}
