package prompts

import (
	"encoding/json"
	"testing"

	"mstudio/api"
)

func TestTurnsRoundTrip(t *testing.T) {
	p, err := Load("testdata/full.prompt")
	if err != nil {
		t.Fatal(err)
	}
	turns := p.Turns()
	if len(turns) < 3 || turns[0].Role != api.RoleSystem {
		t.Fatalf("turns %+v", turns)
	}
	for _, tr := range turns {
		if tr.Text == "" || tr.Text[0] == '\n' {
			t.Fatalf("turn text not trimmed: %q", tr.Text)
		}
	}
	q, err := p.WithTurns(turns)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{}
	for _, v := range p.Variables() {
		vars[v] = "x"
	}
	a, errA := p.Render(vars)
	b, errB := q.Render(vars)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("re-composed prompt renders differently\n%s\n%s", ja, jb)
	}
	if q.FrontMatter() != p.FrontMatter() || q.Path != p.Path {
		t.Fatal("front matter or path lost")
	}
}

func TestSplitTurnsWithoutMarkers(t *testing.T) {
	turns := SplitTurns("Name a sight in {{city}}.")
	if len(turns) != 1 || turns[0].Role != api.RoleUser || turns[0].Text != "Name a sight in {{city}}." {
		t.Fatalf("%+v", turns)
	}
	turns = SplitTurns("intro\n{{role \"system\"}}\nBe brief.\n{{ role 'model' }}\nOK\n{{role \"user\"}}\n\nGo")
	want := []Turn{{api.RoleUser, "intro"}, {api.RoleSystem, "Be brief."}, {api.RoleAssistant, "OK"}, {api.RoleUser, "Go"}}
	if len(turns) != len(want) {
		t.Fatalf("%+v", turns)
	}
	for i := range want {
		if turns[i] != want[i] {
			t.Fatalf("turn %d = %+v", i, turns[i])
		}
	}
	if FormatTurns(want[1:2]) != "{{role \"system\"}}\nBe brief.\n" {
		t.Fatalf("%q", FormatTurns(want[1:2]))
	}
}
