package editor

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"mstudio/api"
)

func TestFormatParseRoundTrip(t *testing.T) {
	docs := []Document{
		{Vars: map[string]string{}},
		{Turns: []Turn{{Role: api.RoleUser}}, Vars: map[string]string{}},
		sample(),
		{
			System: "## not a header\n\\## escaped already\n\\\\## twice\n##\n## \n#one hash\n##nospace",
			Turns: []Turn{
				{Role: api.RoleUser, Text: "ends with newlines\n\n"},
				{Role: api.RoleAssistant, Text: "\nstarts with one"},
				{Role: api.RoleUser, Text: ""},
				{Role: api.RoleAssistant, Text: "tabs\there, unicode é 日本, and a {{v}}\r\nCRLF"},
				{Role: api.RoleUser, Text: "## vars\nx = 1\n## user"},
			},
			Vars: map[string]string{
				"v":      "  spaced  ",
				"q":      `"quoted"`,
				"multi":  "line1\nline2",
				"plain":  "Lyon = city",
				"unused": "kept",
			},
		},
	}
	for i, d := range docs {
		text := FormatText(d)
		got, err := ParseText(text)
		if err != nil {
			t.Fatalf("doc %d: %v\n%s", i, err, text)
		}
		if !reflect.DeepEqual(got, d) {
			t.Fatalf("doc %d round trip:\n got %#v\nwant %#v\ntext:\n%s", i, got, d, text)
		}
	}
}

func TestFormatTextReadable(t *testing.T) {
	got := FormatText(sample())
	want := preamble + `
## system
You are a concise travel assistant.

## user
Name one thing to see in {{city}}.

## assistant
The Basilica of Notre-Dame de Fourvière.

## user
And to eat, {{#if budget}}on {{budget}}{{/if}}?

## vars
budget = 
city = Lyon
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseTextLenient(t *testing.T) {
	text := "# a comment\n\n## System\nBe brief.\n## model\nHi.\n## user  \nQ {{x}}\n## vars\n# comment\n\n  x   =   1  \ny=\n"
	got, err := ParseText(text)
	if err != nil {
		t.Fatal(err)
	}
	want := Document{
		System: "Be brief.",
		Turns:  []Turn{{api.RoleAssistant, "Hi."}, {api.RoleUser, "Q {{x}}"}},
		Vars:   map[string]string{"x": "1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
}

func TestParseTextErrors(t *testing.T) {
	cases := []struct {
		text string
		line int
		msg  string
	}{
		{"## system\nx\n\n## user\nq\n\n## foo\n", 7, `unknown section "## foo"`},
		{"hello\n## user\n", 1, "text before the first section"},
		{"## system\n\n## system\n", 3, "a second"},
		{"## vars\n## user\nq\n## vars\n", 4, "a second"},
		{"## user\nq\n## vars\nnovalue\n", 4, `want "name = value"`},
		{"## user\nq\n## vars\na = 1\na = 2\n", 5, "a is set twice"},
		{"## user\nq\n## vars\na =\na = 2\n", 5, "a is set twice"},
		{"## user\nq\n## vars\na = \"open\n", 4, "quoted"},
		{"## user\nq\n## vars\ntwo words = x\n", 4, `want "name = value"`},
	}
	for _, c := range cases {
		_, err := ParseText(c.text)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%q: error %v, want a ParseError", c.text, err)
		}
		if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("%q: got %q, want line %d with %q", c.text, err, c.line, c.msg)
		}
		if !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("error %q does not start with its line", err)
		}
	}
	_, err := ParseText("## system\nx\n\n## user\nq\n\n## foo\n")
	if got := err.Error(); !strings.HasPrefix(got, `line 7: unknown section "## foo"`) {
		t.Fatalf("error reads %q", got)
	}
}
