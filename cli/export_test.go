package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/session"
)

func TestExportCommand(t *testing.T) {
	isolate(t)
	s, err := session.Load(compareSession)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range session.ExportFormats {
		want, err := session.Export(s, 0, format)
		if err != nil {
			t.Fatal(err)
		}
		r := runMain(t, "", "export", compareSession, "--format", format)
		if r.code != 0 || r.stdout != want {
			t.Errorf("%s: exit %d, stderr %s", format, r.code, r.stderr)
		}
	}
	// a compare's code export is its first run unless --run says otherwise
	r := runMain(t, "", "export", compareSession, "--format", "curl")
	if !strings.Contains(r.stderr, "holds 2 runs; exported run 1") {
		t.Errorf("stderr %q", r.stderr)
	}
	r = runMain(t, "", "export", "--run", "2", compareSession, "-f", "py")
	if r.code != 0 || !strings.Contains(r.stdout, `"model": "magistral-medium-latest"`) || r.stderr != "" {
		t.Errorf("--run 2: exit %d\n%s", r.code, r.stderr)
	}

	out := filepath.Join(t.TempDir(), "trip.md")
	r = runMain(t, "", "export", compareSession, "--format", "markdown", "-o", out)
	data, err := os.ReadFile(out)
	if r.code != 0 || err != nil || !strings.HasPrefix(string(data), "# trip-planner v3") || r.stdout != "" {
		t.Fatalf("-o: exit %d %v\n%s", r.code, err, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("a temporary file was left: %v", entries)
	}
}

func TestExportBadInput(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{compareSession}, "--format is required: curl, python, typescript, go, markdown, json"},
		{[]string{compareSession, "--format", "yaml"}, "--format yaml: unknown"},
		{[]string{compareSession, "--format", "curl", "--run", "3"}, "no run 3 (runs: 1, 2)"},
		{[]string{"--format", "curl"}, "nothing to export"},
		{[]string{"missing.jsonl", "--format", "curl"}, "missing.jsonl: no such session file"},
	}
	for _, c := range cases {
		r := runMain(t, "", append([]string{"export"}, c.args...)...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("export %q: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	r := runMain(t, "", "export", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: mstudio export") {
		t.Errorf("--help: %d %s", r.code, r.stdout)
	}
}
