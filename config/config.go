package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Dialects an endpoint may speak.
const (
	DialectMistral = "mistral" // Mistral's own API (api.mistral.ai and its regions)
	DialectOpenAI  = "openai"  // OpenAI-compatible servers: vLLM, Ollama, llama.cpp
)

// Defaults used for keys the file leaves out.
const (
	DefaultModel    = "mistral-small-latest"
	DefaultTheme    = "auto"
	DefaultParallel = 4
	MaxParallel     = 32
)

// Endpoint is one entry of the endpoints section.
type Endpoint struct {
	URL string // http or https base URL
	// KeyEnv is the name of the environment variable that holds the key;
	// "" means MISTRAL_API_KEY for the mistral dialect and no key otherwise
	// (see KeyEnvName).
	KeyEnv  string
	Dialect string // DialectMistral or DialectOpenAI; Load fills in mistral when left out
	// Regional says whether the endpoint bills at the regional 1.1x rate;
	// nil means decided by the host (see IsRegional).
	Regional *bool
}

// PriceOverride is one entry of the prices section, in USD per 1M tokens. A
// zero CachedInput means 10% of Input, as for Mistral's own prices.
type PriceOverride struct {
	Input, Output, CachedInput float64
}

// Config is the user's configuration.
type Config struct {
	// Endpoint is the default endpoint: a preset name, a key of Endpoints or
	// a URL. "" means none was chosen: the studio then uses the global
	// endpoint when an API key is set, and the offline simulator otherwise.
	Endpoint  string
	Model     string // default model id
	Theme     string // dark, light, high-contrast, auto, or a theme file name in Dir()
	Endpoints map[string]Endpoint
	Prices    map[string]PriceOverride // keyed by model id or alias
	Parallel  int                      // runs at once in compare and matrix runs, 1..MaxParallel
	Path      string                   // where the config was loaded from; "" if defaults

	// lines maps a dotted key path to its line in the file, so that
	// Validate can point at the line of a bad value.
	lines map[string]int
}

// Default returns the configuration used when there is no config file.
func Default() *Config {
	return &Config{
		Model:     DefaultModel,
		Theme:     DefaultTheme,
		Endpoints: map[string]Endpoint{},
		Prices:    map[string]PriceOverride{},
		Parallel:  DefaultParallel,
	}
}

// Load reads and validates the config file at path. A file that does not
// exist is not an error: the result is Default(). Any other problem (syntax,
// an unknown key, a bad value) is an error naming the file and the line; see
// Error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadDefault loads the config file at DefaultPath; with no known home
// folder it returns Default().
func LoadDefault() (*Config, error) {
	p := DefaultPath()
	if p == "" {
		return Default(), nil
	}
	return Load(p)
}
