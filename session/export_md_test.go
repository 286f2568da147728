package session

import (
	"encoding/json"
	"strings"
	"testing"
)

// An answer's headings nest under the export's "## Run N": each goes down
// three levels (capped at 6), setext headings become ATX ones, and code
// fences keep their "# comment" lines as they are.
func TestExportMarkdownNestsAnswerHeadings(t *testing.T) {
	answer := strings.Join([]string{
		"# Plan",
		"",
		"## Steps",
		"",
		"#### Deep",
		"",
		"##### Deeper",
		"",
		"```sh",
		"# comment, not a heading",
		"## neither",
		"```",
		"",
		"~~~~",
		"# tilde comment",
		"~~~~",
		"",
		"    # indented code",
		"",
		"Setext one",
		"==========",
		"",
		"Setext two",
		"over two lines",
		"---",
		"",
		"- a list item",
		"---",
		"",
		"#hashtag is text",
		"Price in C#",
		"",
	}, "\n")
	body, _ := json.Marshal(map[string]any{
		"model":    "m",
		"messages": []map[string]string{{"role": "user", "content": "# Question\n\nWhy?"}},
	})
	s := &Session{Header: Header{ID: "s1", Prompt: "p"}, Runs: []RecordedRun{{
		Run: 1, Model: "m", Body: body,
		Result: &RunRecord{Model: "m", Content: answer, FinishReason: "stop"},
	}}}
	got, err := Export(s, 0, FormatMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "#") {
			headings[l] = true
		}
	}
	for _, want := range []string{
		"# p", "## Conversation", "## Run 1 · m", // the export's own
		"#### Question", "#### Plan", "##### Steps", "###### Deep", "###### Deeper",
		"#### Setext one", "##### Setext two over two lines",
		"# comment, not a heading", "## neither", "# tilde comment", // in fences, untouched
		"#hashtag is text", // no space: not a heading
	} {
		if !headings[want] {
			t.Errorf("no line %q in:\n%s", want, got)
		}
	}
	for _, gone := range []string{"# Plan", "## Steps", "# Question", "#### Deep"} {
		if headings[gone] {
			t.Errorf("heading %q left at its level in:\n%s", gone, got)
		}
	}
	for _, want := range []string{"    # indented code", "- a list item\n---", "Price in C#"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q changed in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "==========") || strings.Contains(got, "over two lines\n---") {
		t.Errorf("setext underline left:\n%s", got)
	}
}

func TestNestHeadingsEscapesAClosingHash(t *testing.T) {
	if got := nestHeadings("Use #\n---"); got != `##### Use \#` {
		t.Errorf("got %q", got)
	}
}
