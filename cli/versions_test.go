package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mstudio/prompts"
)

const tripPrompt = `---
name: trip
model: mistral-small-latest
---
{{role "system"}}
You are a travel assistant.
{{role "user"}}
Name one thing to see in Lyon.
`

// savedTrip makes a prompts folder holding three versions of trip.prompt
// and returns the folder and the versions.
func savedTrip(t *testing.T) (string, []prompts.Version) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "prompts")
	s := prompts.NewStore(dir)
	srcs := []string{
		tripPrompt,
		strings.Replace(tripPrompt, "one thing", "two things", 1),
		strings.Replace(strings.Replace(tripPrompt, "one thing", "two things", 1), "mistral-small-latest", "mistral-large-latest", 1),
	}
	notes := []string{"first", "", "try large\x1b[2J"}
	var vs []prompts.Version
	for i, src := range srcs {
		v, _, err := s.Save("trip", src, notes[i])
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return dir, vs
}

func TestVersionsTable(t *testing.T) {
	dir, vs := savedTrip(t)
	for _, args := range [][]string{
		{"versions", "trip", "--dir", dir},
		{"versions", "--dir", dir, "trip"},
		{"versions", filepath.Join(dir, "trip.prompt")},
	} {
		r := runMain(t, "", args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "VERSION  SAVED") {
			t.Fatalf("%v:\n%s", args, r.stdout)
		}
		for i, v := range vs {
			line := lines[i+1]
			for _, want := range []string{v.Saved.Local().Format("2006-01-02 15:04:05"), v.Model, v.SHA256[:8]} {
				if !strings.Contains(line, want) {
					t.Errorf("line %q lacks %q", line, want)
				}
			}
			if strings.HasPrefix(line, "3 *") != (i == 2) || !strings.HasPrefix(line, string(rune('1'+i))) {
				t.Errorf("line %q: version or newest marker", line)
			}
		}
		if !strings.HasSuffix(lines[1], "first") || !strings.HasSuffix(lines[3], "try large") {
			t.Errorf("notes:\n%s", r.stdout)
		}
	}
}

func TestVersionsJSON(t *testing.T) {
	dir, vs := savedTrip(t)
	r := runMain(t, "", "versions", "trip", "--json", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for i, rec := range recs {
		v := vs[i]
		saved, _ := time.Parse(time.RFC3339, rec["saved"].(string))
		if rec["version"] != float64(v.N) || !saved.Equal(v.Saved) || rec["sha256"] != v.SHA256 || rec["model"] != v.Model || rec["note"] != v.Note || rec["path"] != v.Path {
			t.Errorf("record %v, version %+v", rec, v)
		}
		if _, ok := rec["unsaved"]; ok || len(rec) != 6 {
			t.Errorf("fields %v", rec)
		}
	}
}

func TestVersionsShowsUnsavedEdit(t *testing.T) {
	dir, _ := savedTrip(t)
	os.WriteFile(filepath.Join(dir, "trip.prompt"), []byte(tripPrompt+"\n"), 0o644)
	r := runMain(t, "", "versions", "trip", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "\n4 *") || !strings.Contains(r.stdout, "(unsaved) edited outside mstudio") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "the next save records it as version 4") {
		t.Fatalf("stderr %q", r.stderr)
	}
	r = runMain(t, "", "versions", "trip", "--dir", dir, "--json")
	if !strings.Contains(r.stdout, `"unsaved": true`) {
		t.Fatalf("%s", r.stdout)
	}
}

func TestVersionsAndDiffErrors(t *testing.T) {
	dir, _ := savedTrip(t)
	os.WriteFile(filepath.Join(dir, "other.prompt"), []byte("Hi\n"), 0o644)
	damaged := filepath.Join(t.TempDir(), "prompts")
	os.MkdirAll(filepath.Join(damaged, ".versions", "x"), 0o755)
	os.WriteFile(filepath.Join(damaged, ".versions", "x", "index.jsonl"), []byte("{}\nnot json\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"versions no name", []string{"versions"}, 2, "want one prompt name"},
		{"versions two names", []string{"versions", "a", "b"}, 2, "want one prompt name"},
		{"versions unknown", []string{"versions", "nope", "--dir", dir}, 2, "nope.prompt: no such prompt (prompts in " + dir + ": other, trip)"},
		{"versions empty dir", []string{"versions", "nope", "--dir", t.TempDir()}, 2, "holds no prompts"},
		{"versions bad name", []string{"versions", "../etc", "--dir", dir}, 2, `not a valid prompt name "../etc"`},
		{"versions damaged index", []string{"versions", "x", "--dir", damaged}, 2, "index.jsonl:1: version 0: versions count from 1"},
		{"versions bad flag", []string{"versions", "trip", "--nope"}, 2, "flag provided but not defined"},
		{"diff too few", []string{"diff", "trip", "1", "--dir", dir}, 2, "want a prompt name and two versions"},
		{"diff unknown prompt", []string{"diff", "nope", "1", "2", "--dir", dir}, 2, "prompts in " + dir + ": other, trip"},
		{"diff unknown version", []string{"diff", "trip", "1", "9", "--dir", dir}, 2, "trip has no version 9 (versions: 1-3)"},
		{"diff bad version", []string{"diff", "trip", "first", "2", "--dir", dir}, 2, `version "first": want a number (1, v2), or latest; trip has versions 1-3`},
		{"diff bad color", []string{"diff", "trip", "1", "2", "--dir", dir, "--color", "sometimes"}, 2, `--color "sometimes": want auto, always or never`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) || r.stdout != "" {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s\nwant in stderr: %s", r.code, tt.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}

func TestVersionsAndDiffHelp(t *testing.T) {
	for _, args := range [][]string{{"versions", "--help"}, {"diff", "-h"}, {"help", "versions"}, {"help", "diff"}, {"diff", "trip", "1", "--help"}} {
		r := runMain(t, "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: mstudio "+strings.TrimPrefix(args[0], "help")) && !strings.HasPrefix(r.stdout, "Usage: mstudio "+args[1]) {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stdout)
		}
	}
	r := runMain(t, "", "--help")
	if !strings.Contains(r.stdout, "mstudio versions NAME") || !strings.Contains(r.stdout, "mstudio diff NAME A B") {
		t.Fatalf("main help:\n%s", r.stdout)
	}
}
