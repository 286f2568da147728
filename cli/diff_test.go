package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/prompts"
)

func TestDiffPlain(t *testing.T) {
	dir, vs := savedTrip(t)
	want := "--- " + vs[0].Path + "\n+++ " + vs[2].Path + `
@@ -1,9 +1,9 @@
 ---
 name: trip
-version: "1"
-model: mistral-small-latest
+version: "3"
+model: mistral-large-latest
 ---
 {{role "system"}}
 You are a travel assistant.
 {{role "user"}}
-Name one thing to see in Lyon.
+Name two things to see in Lyon.
`
	for _, args := range [][]string{
		{"diff", "trip", "1", "3", "--dir", dir},
		{"diff", "--dir", dir, "trip", "v1", "latest"},
		{"diff", "trip", "1", "0", "--dir", dir, "--color", "never"},
		{"diff", filepath.Join(dir, "trip.prompt"), "V1", "LATEST"},
	} {
		r := runMain(t, "", args...)
		if r.code != 0 || r.stdout != want || r.stderr != "" {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", args, r.code, r.stdout, want, r.stderr)
		}
	}
}

func TestDiffColor(t *testing.T) {
	dir, vs := savedTrip(t)
	r := runMain(t, "", "diff", "trip", "1", "2", "--dir", dir, "--color", "always")
	want := sgrBold + "--- " + vs[0].Path + sgrReset + "\n" +
		sgrBold + "+++ " + vs[1].Path + sgrReset + "\n" +
		sgrCyan + "@@ -1,9 +1,9 @@" + sgrReset + "\n" +
		" ---\n name: trip\n" +
		sgrRed + `-version: "1"` + sgrReset + "\n" +
		sgrGreen + `+version: "2"` + sgrReset + "\n"
	if r.code != 0 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, sgrGreen+"+Name two things to see in Lyon."+sgrReset+"\n") {
		t.Fatalf("exit %d\n%q", r.code, r.stdout)
	}
	// auto: stdout is not a terminal here, so no colour, NO_COLOR or not.
	t.Setenv("NO_COLOR", "1")
	r = runMain(t, "", "diff", "trip", "1", "2", "--dir", dir)
	if r.code != 0 || strings.Contains(r.stdout, "\x1b") {
		t.Fatalf("%q", r.stdout)
	}
}

func TestDiffIdentical(t *testing.T) {
	dir, _ := savedTrip(t)
	r := runMain(t, "", "diff", "trip", "2", "v2", "--dir", dir)
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "versions 2 and 2 are identical") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}

// A prompt may hold pasted model output; coloured (terminal) output must not
// pass its escape sequences on, while a plain pipe keeps the exact bytes so
// the diff applies as a patch.
func TestDiffSanitizesWhenColoured(t *testing.T) {
	dir := t.TempDir()
	s := prompts.NewStore(dir)
	s.Save("x", "Hello\n", "")
	s.Save("x", "Hello \x1b]52;c;aGk=\x07there\n", "")
	r := runMain(t, "", "diff", "x", "1", "2", "--dir", dir, "--color", "always")
	if r.code != 0 || strings.Contains(r.stdout, "]52;") || !strings.Contains(r.stdout, "+Hello there") {
		t.Fatalf("%q", r.stdout)
	}
	r = runMain(t, "", "diff", "x", "1", "2", "--dir", dir, "--color", "never")
	if !strings.Contains(r.stdout, "\x1b]52;c;aGk=\x07") {
		t.Fatalf("plain output was changed: %q", r.stdout)
	}
}

func TestDiffUnsavedEdit(t *testing.T) {
	dir, _ := savedTrip(t)
	os.WriteFile(filepath.Join(dir, "trip.prompt"), []byte(strings.Replace(tripPrompt, "Lyon", "Paris", 1)), 0o644)
	r := runMain(t, "", "diff", "trip", "3", "latest", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "+++ "+filepath.Join(dir, "trip.prompt")) || !strings.Contains(r.stdout, "+Name one thing to see in Paris.") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}
