package prompts

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/api"
)

func TestComposeKeepsWhatItDoesNotEdit(t *testing.T) {
	p, err := Load("testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	params, _ := p.Params()
	temp := 0.9
	params.Temperature = &temp
	params.MaxTokens = nil
	turns := p.Turns()
	turns = append(turns, Turn{Role: api.RoleAssistant, Text: "Sure."}, Turn{Role: api.RoleUser, Text: "And {{city}} at night?"})
	src, err := p.Compose(Edit{Model: "mistral-large-latest", Params: params, Defaults: map[string]string{"days": "2", "tone": "dry", "city": "Lyon"}, Turns: turns})
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse("x", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if q.Model != "mistral-large-latest" || q.Defaults()["city"] != "Lyon" || q.MaxTurns != p.MaxTurns {
		t.Fatalf("model %q defaults %v", q.Model, q.Defaults())
	}
	got, _ := q.Params()
	if *got.Temperature != 0.9 || got.MaxTokens != nil || *got.RandomSeed != 42 || *got.TopP != 0.9 || len(got.Stop) != 2 {
		b, _ := json.Marshal(got)
		t.Fatalf("params %s", b)
	}
	for _, keep := range []string{"toolDefs:", "mstudio.tools:", "description: Plans a day in a city.", "topP: 0.9", "maxTurns: 4"} {
		if !strings.Contains(src, keep) {
			t.Fatalf("lost %q:\n%s", keep, src)
		}
	}
	if strings.Contains(src, "maxOutputTokens") {
		t.Fatal("an unset parameter is still written")
	}
	req, err := q.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	if last := req.Messages[len(req.Messages)-1]; last.Content.String() != "And Lyon at night?" {
		t.Fatalf("last message %q", last.Content.String())
	}
}

func TestComposeWithoutFrontMatter(t *testing.T) {
	p, _ := Parse("inline", "Hello {{name}}")
	src, err := p.Compose(Edit{Model: "mistral-small-latest", Defaults: map[string]string{"name": "Ada"}, Turns: p.Turns()})
	if err != nil {
		t.Fatal(err)
	}
	want := "---\nmodel: mistral-small-latest\ninput:\n  default:\n    name: Ada\n---\n{{role \"user\"}}\nHello {{name}}\n"
	if src != want {
		t.Fatalf("got\n%s\nwant\n%s", src, want)
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "a.prompt")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if string(b) != "two" || len(entries) != 1 {
		t.Fatalf("content %q, %d files", b, len(entries))
	}
}
