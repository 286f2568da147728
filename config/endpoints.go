package config

import (
	"net/url"
	"strings"
)

// presetNames are the endpoint names that exist without a config file. The
// api package owns their URLs (api.PresetNames); the list is repeated here so
// the config file can be checked without importing the client.
var presetNames = []string{"global", "eu", "us", "ollama", "vllm", "llamacpp"}

func isPreset(name string) bool {
	for _, p := range presetNames {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// regionalHosts bill 1.1x list price (docs: regional inference).
var regionalHosts = map[string]bool{"api.eu.mistral.ai": true, "api.us.mistral.ai": true}

// IsRegionalURL reports whether a base URL is one of Mistral's regional
// endpoints, which bill at 1.1x. Use it for presets and URLs given on the
// command line; Endpoint.IsRegional also honours the regional key.
func IsRegionalURL(u string) bool {
	p, err := url.Parse(strings.TrimSpace(u))
	return err == nil && regionalHosts[strings.ToLower(p.Hostname())]
}

// IsRegional reports whether runs on e bill at the regional 1.1x rate: the
// regional key when set, otherwise whether the host is api.eu or api.us.
func (e Endpoint) IsRegional() bool {
	if e.Regional != nil {
		return *e.Regional
	}
	return IsRegionalURL(e.URL)
}

// KeyEnvName is the environment variable to read e's API key from:
// KeyEnv when set, MISTRAL_API_KEY for the mistral dialect, and "" (send no
// key) for OpenAI-compatible servers, which are usually local and keyless; a
// Mistral key must not leak to them by default.
func (e Endpoint) KeyEnvName() string {
	switch {
	case e.KeyEnv != "":
		return e.KeyEnv
	case e.Dialect == "" || e.Dialect == DialectMistral:
		return "MISTRAL_API_KEY"
	}
	return ""
}
