package themes

import (
	"errors"
	"io/fs"
	"mstudio/fileerr"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"charm.land/glamour/v2"
)

func TestLoadExample(t *testing.T) {
	p, err := Load("testdata/solarized.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Palette{
		Name: "solarized", Dark: true,
		Background: "#002b36", Surface: "#073642", Foreground: "#839496",
		Muted: "#657b83", Subtle: "#586e75", Accent: "#268bd2", AccentText: "#fdf6e3",
		Success: "#859900", Warning: "#b58900", Error: "#dc322f", Info: "#2aa198",
		Thinking: "#6c71c4", Badge: "#073642", BadgeText: "#93a1a1",
		Code: "solarized-dark",
	}
	if p != want {
		t.Fatalf("Load:\n got %+v\nwant %+v", p, want)
	}
	s := New(p)
	if s.CodeTheme != "solarized-dark" {
		t.Errorf("CodeTheme = %q, want the file's code style", s.CodeTheme)
	}
	r, err := glamour.NewTermRenderer(glamour.WithStyles(s.Markdown), glamour.WithWordWrap(60))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := r.Render(sample); err != nil || !strings.Contains(out, fgSGR(p.Accent)) {
		t.Errorf("render with the solarized theme: err %v, accent present %v", err, strings.Contains(out, fgSGR(p.Accent)))
	}
}

// writeTheme writes a theme file in a temporary folder and returns its path.
func writeTheme(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadPartial(t *testing.T) {
	path := writeTheme(t, "warm.yaml", "base: light\ncolors:\n  accent: \"#B00\"\n")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Light()
	want.Name, want.Accent = "warm", "#bb0000"
	if p != want {
		t.Errorf("got %+v\nwant %+v", p, want)
	}

	// No base: dark. A light background makes the theme light whatever the base.
	path = writeTheme(t, "paper.yml", "name: Paper\ncolors:\n  background: \"#fdf6e3\"\n  foreground: \"#222222\"\n")
	p, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Paper" || p.Dark || p.Accent != Dark().Accent || p.Background != "#fdf6e3" {
		t.Errorf("got %+v", p)
	}

	hc := writeTheme(t, "hc.yaml", "base: high-contrast\ncolors:\n  accent: \"#ff00ff\"\n")
	if p, err := Load(hc); err != nil || !p.HighContrast || !p.Dark {
		t.Errorf("a high-contrast base should keep its cues: %+v, %v", p, err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, body string
		line       int
		want       string // in the message, after "file:line: "
	}{
		{"bad colour", "name: x\ncolors:\n  accent: \"#ggg\"\n", 3, `colors.accent: "#ggg" is not a colour (want "#rrggbb")`},
		{"unknown key", "name: x\nshade: dark\n", 2, "shade: unknown key (a theme file has name, base, colors, code)"},
		{"british colours", "name: x\ncolours:\n  accent: \"#fff\"\n", 2, `colours: unknown key (did you mean "colors"?)`},
		{"unknown colour", "colors:\n  surface: \"#000\"\n  accentText: \"#fff\"\n", 3, `colors.accentText: unknown colour (did you mean "accent_text"?)`},
		{"unquoted hash", "colors:\n  accent: #268bd2\n", 2, "colors.accent: no colour given; quote hex colours"},
		{"bad base", "base: sepia\n", 1, `base: "sepia" is not one of dark, light, high-contrast`},
		{"unknown code style", "base: dark\ncode: monokia\n", 2, `code: "monokia" is not a chroma style`},
		{"duplicate key", "base: dark\nbase: light\n", 2, "base: given twice"},
		{"colors not a mapping", "colors: \"#fff\"\n", 1, "colors: want a mapping"},
		{"list value", "name: [a, b]\n", 1, "name: want a single value"},
		{"not a mapping", "- dark\n- light\n", 1, "a theme file is a mapping of name, base, colors, code"},
		{"empty", "# nothing here\n", 1, "the theme file is empty"},
		{"syntax", "name: x\ncolors:\n  accent: \"#fff\n", 3, "could not find end character of double-quoted text"},
		{"two documents", "base: dark\n---\nbase: light\n", 3, "one YAML document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTheme(t, "bad.yaml", c.body)
			_, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.File != path || e.Line != c.line {
				t.Errorf("error at %s:%d, want %s:%d (%v)", e.File, e.Line, path, c.line, err)
			}
			prefix := fileerr.DisplayPath(path) + ":" + strconv.Itoa(c.line) + ": "
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, c.want) {
				t.Errorf("error\n  %s\nwant %s...%s", msg, prefix, c.want)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	path := writeTheme(t, "bad.yaml", "colors:\n  error: \"#12\"\n  accent: \"#ggg\"\nbase: sepia\n")
	_, err := Load(path)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("want three problems, one a line, got:\n%v", err)
	}
	for i, want := range []string{":2: colors.error", ":3: colors.accent", ":4: base"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want %q (in line order)", i, lines[i], want)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	theme := "name: mine\nbase: light\ncolors:\n  accent: \"#123456\"\n"
	if err := os.WriteFile(filepath.Join(dir, "themes", "mine.yaml"), []byte(theme), 0o644); err != nil {
		t.Fatal(err)
	}
	other := writeTheme(t, "elsewhere.yaml", "name: elsewhere\ncolors:\n  accent: \"#654321\"\n")

	cases := []struct {
		name       string
		dark       bool
		wantName   string
		wantAccent string
	}{
		{"", true, "dark", Dark().Accent},
		{"auto", true, "dark", Dark().Accent},
		{"auto", false, "light", Light().Accent},
		{"dark", false, "dark", Dark().Accent},
		{"light", true, "light", Light().Accent},
		{"high-contrast", false, "high-contrast", HighContrast().Accent},
		{"mine", true, "mine", "#123456"},
		{"mine.yaml", true, "mine", "#123456"},
		{other, true, "elsewhere", "#654321"},
	}
	for _, c := range cases {
		p, err := Resolve(c.name, dir, c.dark)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.name, err)
			continue
		}
		if p.Name != c.wantName || p.Accent != c.wantAccent {
			t.Errorf("Resolve(%q, dark=%v) = %s %s, want %s %s", c.name, c.dark, p.Name, p.Accent, c.wantName, c.wantAccent)
		}
	}

	_, err := Resolve("solarized", dir, true)
	if err == nil {
		t.Fatal("a missing theme should be an error")
	}
	for _, want := range []string{`"solarized"`, "auto, dark, light, high-contrast", filepath.Join("themes", "solarized.yaml")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Resolve("solarized", "", true); err == nil || !strings.Contains(err.Error(), "dark, light, high-contrast") {
		t.Errorf("no config folder: err = %v", err)
	}

	// A broken theme file is reported as such, not as missing.
	bad := filepath.Join(dir, "themes", "broken.yaml")
	if err := os.WriteFile(bad, []byte("colors:\n  accent: \"#ggg\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if _, err := Resolve("broken", dir, true); !errors.As(err, &e) || e.Line != 2 {
		t.Errorf("broken theme: err = %v", err)
	}
}

func TestLoadDuplicateColour(t *testing.T) {
	path := writeTheme(t, "dup.yaml", "colors:\n  accent: \"#111111\"\n  accent: \"#222222\"\n")
	var e *Error
	if _, err := Load(path); !errors.As(err, &e) || e.Line != 3 || e.Field != "colors.accent" {
		t.Errorf("err = %v", err)
	}
}

// TestDocsShowTheExample keeps the example in docs/themes.md and the package
// comment in step with the file the tests load.
func TestDocsShowTheExample(t *testing.T) {
	example, err := os.ReadFile("testdata/solarized.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("../docs/themes.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docs), string(example)) {
		t.Error("docs/themes.md does not show testdata/solarized.yaml verbatim")
	}

	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	// The package comment's example, un-indented, must load and give the
	// same palette as the test file.
	var b strings.Builder
	for _, l := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(l, "//\t"); ok && !strings.HasPrefix(rest, "~") {
			b.WriteString(rest + "\n")
		}
	}
	p, err := parse("doc.go", []byte(b.String()))
	if err != nil {
		t.Fatalf("the package comment's example does not load: %v\n%s", err, b.String())
	}
	want, _ := Load("testdata/solarized.yaml")
	if p != want {
		t.Errorf("package comment example gives %+v, want %+v", p, want)
	}
}
