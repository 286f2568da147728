package prompts

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// examples are the prompts a new user starts with, one per thing worth
// trying: variables (hello), tools (weather), structured output (extract)
// and a multi-turn conversation (interview).
//
//go:embed examples/*.prompt
var examples embed.FS

// ExampleNames lists the shipped example prompts, sorted.
func ExampleNames() []string {
	entries, _ := fs.ReadDir(examples, "examples") // embedded: cannot fail
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".prompt"))
	}
	sort.Strings(names)
	return names
}

// ExampleSource returns the text of a shipped example; false when there is
// no example of that name.
func ExampleSource(name string) (string, bool) {
	b, err := examples.ReadFile("examples/" + name + ".prompt")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// WriteExamples fills a new prompts folder with the examples. It does
// nothing when dir exists, even empty: an existing folder is the user's,
// and a prompt they deleted must not come back at every start. Each
// example is saved through the Store as version 1, so its history starts
// clean. written lists the files made.
func WriteExamples(dir string) (written []string, err error) {
	if _, err := os.Stat(dir); err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if parent := filepath.Dir(dir); parent != "." {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, err
		}
	}
	// Mkdir, not MkdirAll: of two studios starting at once, only the one
	// that made the folder writes the examples.
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, nil
		}
		return nil, err
	}
	s := NewStore(dir)
	for _, name := range ExampleNames() {
		src, _ := ExampleSource(name)
		if _, _, err := s.Save(name, src, "example shipped with mstudio"); err != nil {
			return written, err
		}
		written = append(written, s.promptPath(name))
	}
	return written, nil
}
