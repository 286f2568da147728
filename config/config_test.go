package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleLoads(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != "global" || c.Model != "mistral-small-latest" || c.Theme != "dark" || c.Parallel != 4 {
		t.Errorf("top level: %+v", c)
	}
	if c.Path != "example.yaml" {
		t.Errorf("Path = %q", c.Path)
	}
	eu := c.Endpoints["work-eu"]
	if eu.URL != "https://api.eu.mistral.ai" || eu.KeyEnv != "MISTRAL_WORK_KEY" || eu.Dialect != DialectMistral ||
		eu.Regional == nil || !*eu.Regional {
		t.Errorf("work-eu: %+v", eu)
	}
	local := c.Endpoints["local"]
	if local.URL != "http://127.0.0.1:8000" || local.Dialect != DialectOpenAI || local.KeyEnv != "" || local.Regional != nil {
		t.Errorf("local: %+v", local)
	}
	if len(c.Endpoints) != 2 {
		t.Errorf("%d endpoints, want 2", len(c.Endpoints))
	}
	if got := c.Prices["my-finetune"]; got != (PriceOverride{Input: 0.2, Output: 0.6, CachedInput: 0.02}) || len(c.Prices) != 1 {
		t.Errorf("prices: %+v", c.Prices)
	}
}

// The package doc shows the same example as example.yaml; they must not drift.
func TestDocExampleMatchesFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(example)), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.Contains(string(doc), "//\t"+l+"\n") {
			t.Errorf("example.yaml line not in the package doc: %q", l)
		}
	}
}

func TestMissingFileIsDefault(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "nope", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "" || c.Model != DefaultModel || c.Theme != DefaultTheme || c.Parallel != DefaultParallel ||
		c.Endpoint != "" || c.Endpoints == nil || c.Prices == nil {
		t.Errorf("defaults: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestEmptyAndPartialFiles(t *testing.T) {
	for _, body := range []string{"", "# nothing yet\n", "---\n", "model:\n"} {
		path := write(t, body)
		c, err := Load(path)
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		if c.Path != path || c.Model != DefaultModel || c.Parallel != DefaultParallel {
			t.Errorf("%q: %+v", body, c)
		}
	}
	c, err := Load(write(t, "model: codestral-latest\nendpoint: https://example.com/mistral\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "codestral-latest" || c.Theme != DefaultTheme || c.Endpoint != "https://example.com/mistral" {
		t.Errorf("partial: %+v", c)
	}
}

func TestUnreadableFile(t *testing.T) {
	_, err := Load(t.TempDir()) // a folder, not a file
	if err == nil || !strings.HasPrefix(err.Error(), "config: ") {
		t.Errorf("err = %v", err)
	}
}

func TestXDG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	if got, want := Dir(), filepath.Join(home, ".config", "mstudio"); got != want {
		t.Errorf("Dir() = %q, want %q", got, want)
	}
	if got, want := StateDir(), filepath.Join(home, ".local", "state", "mstudio"); got != want {
		t.Errorf("StateDir() = %q, want %q", got, want)
	}
	if got, want := DefaultPath(), filepath.Join(home, ".config", "mstudio", "config.yaml"); got != want {
		t.Errorf("DefaultPath() = %q, want %q", got, want)
	}

	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(xdg, "cfg"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(xdg, "state"))
	if got, want := Dir(), filepath.Join(xdg, "cfg", "mstudio"); got != want {
		t.Errorf("Dir() = %q, want %q", got, want)
	}
	if got, want := StateDir(), filepath.Join(xdg, "state", "mstudio"); got != want {
		t.Errorf("StateDir() = %q, want %q", got, want)
	}

	// LoadDefault reads the file where XDG says.
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultPath(), []byte("theme: light\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if c.Theme != "light" || c.Path != DefaultPath() {
		t.Errorf("LoadDefault: %+v", c)
	}

	// The XDG spec says relative paths are to be ignored.
	t.Setenv("XDG_CONFIG_HOME", "relative/cfg")
	if got, want := Dir(), filepath.Join(home, ".config", "mstudio"); got != want {
		t.Errorf("relative XDG_CONFIG_HOME: Dir() = %q, want %q", got, want)
	}
}

func TestNoHomeMeansDefaults(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	if Dir() != "" || StateDir() != "" || DefaultPath() != "" {
		t.Fatalf("Dir %q StateDir %q DefaultPath %q, want all empty", Dir(), StateDir(), DefaultPath())
	}
	c, err := LoadDefault()
	if err != nil || c.Path != "" {
		t.Errorf("LoadDefault() = %+v, %v", c, err)
	}
}

func TestErrorPathUsesTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	body := "endpoints:\n  local:\n    url: http://127.0.0.1:8000\n    dialect: grpc\n"
	if err := os.WriteFile(DefaultPath(), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDefault()
	want := `~/.config/mstudio/config.yaml:4: endpoints.local.dialect: "grpc" is not one of mistral, openai`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestEndpointHelpers(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		e        Endpoint
		regional bool
		keyEnv   string
	}{
		{Endpoint{URL: "https://api.eu.mistral.ai", Dialect: DialectMistral}, true, "MISTRAL_API_KEY"},
		{Endpoint{URL: "https://API.US.mistral.ai/", Dialect: DialectMistral}, true, "MISTRAL_API_KEY"},
		{Endpoint{URL: "https://api.mistral.ai"}, false, "MISTRAL_API_KEY"},
		{Endpoint{URL: "https://api.eu.mistral.ai", Regional: &no, KeyEnv: "WORK"}, false, "WORK"},
		{Endpoint{URL: "https://proxy.example.com", Regional: &yes}, true, "MISTRAL_API_KEY"},
		{Endpoint{URL: "http://127.0.0.1:8000", Dialect: DialectOpenAI}, false, ""},
		{Endpoint{URL: "http://127.0.0.1:8000", Dialect: DialectOpenAI, KeyEnv: "VLLM_KEY"}, false, "VLLM_KEY"},
	}
	for _, c := range cases {
		if got := c.e.IsRegional(); got != c.regional {
			t.Errorf("%+v: IsRegional = %v", c.e, got)
		}
		if got := c.e.KeyEnvName(); got != c.keyEnv {
			t.Errorf("%+v: KeyEnvName = %q, want %q", c.e, got, c.keyEnv)
		}
	}
}

// write puts body in a fresh config.yaml and returns its path.
func write(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstError returns the first *Error in err.
func firstError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *config.Error", err, err)
	}
	return e
}
