package prompts

import (
	"os"
	"testing"
)

// FuzzParse checks that no input makes Parse, Variables or Render panic:
// prompt files come from users, git merges and editors mid-keystroke.
func FuzzParse(f *testing.F) {
	full, err := os.ReadFile("testdata/full.prompt")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(full),
		"",
		"---",
		"---\n---\n",
		"Name a sight in {{city}}",
		"---\nmodel: mistral/x\nconfig:\n  temperature: 3\n---\nhi",
		"---\na: &x [*x]\n---\n{{#each a}}{{/each}}",
		"---\noutput:\n  schema:\n    k(enum): 1\n    o?(object):\n      (*): any\n---\n{{role \"model\"}}{{json x indent=\"2\"}}",
		"---\ntoolDefs: [{name: a, inputSchema: {type: [1]}}]\n---\n{{#if}}{{else}}{{/if}}",
		"{{media url=u contentType=\"application/pdf\"}}{{section \"x\"}}{{history}}{{@root}}{{../..}}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.prompt", src)
		if err != nil {
			return
		}
		_ = p.Variables()
		vars := map[string]any{}
		for _, v := range p.Variables() {
			vars[v] = "v"
		}
		_, _ = p.Render(vars)
		_, _ = p.Render(nil)
	})
}
