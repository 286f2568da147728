package prompts

import "testing"

func TestDiff(t *testing.T) {
	if got := Diff("a", "same\n", "b", "same\n"); got != "" {
		t.Fatalf("equal texts: %q", got)
	}
	from := "---\nversion: \"1\"\n---\none\ntwo\nthree\nfour\nfive\nsix\nseven\n"
	to := "---\nversion: \"2\"\n---\none\ntwo\nthree\nfour\nfive\nsix\nSEVEN\neight\n"
	want := `--- a/0001.prompt
+++ b/0002.prompt
@@ -1,5 +1,5 @@
 ---
-version: "1"
+version: "2"
 ---
 one
 two
@@ -7,4 +7,5 @@
 four
 five
 six
-seven
+SEVEN
+eight
`
	if got := Diff("a/0001.prompt", from, "b/0002.prompt", to); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := Diff("a", "x", "b", "x\n"); got != "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n" {
		t.Fatalf("missing newline: %q", got)
	}
}
