package tui

import (
	"fmt"
	"strings"

	"mstudio/session"
	"mstudio/untrusted"
)

// choicesMarkdown is the other choices of an n>1 run, each under a
// "choice 2 of 2" heading, appended to the answer pane when the run ends:
// every choice was billed, so every choice is shown, the first one where a
// single answer goes. "" for a run with one answer.
func choicesMarkdown(res session.Result) string {
	if len(res.Choices) < 2 {
		return ""
	}
	var b strings.Builder
	for i, c := range res.Choices {
		if i == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n\n---\n\n### choice %d of %d\n\n", i+1, len(res.Choices))
		b.WriteString(untrusted.Sanitize(c.Message.Content.String()))
		for _, tc := range c.Message.ToolCalls {
			fmt.Fprintf(&b, "\n- tool call `%s` `%s`", untrusted.StripLine(tc.Function.Name), untrusted.StripLine(string(tc.Function.Arguments)))
		}
	}
	return b.String()
}
