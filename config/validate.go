package config

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	builtinThemes = []string{"dark", "light", "high-contrast", "auto"}
	// endpointName keeps names usable as --endpoint values and distinct
	// from URLs.
	endpointName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	envName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Validate checks the values of c: the default endpoint exists, URLs are
// http or https, dialects are known, key_env names a variable (and is not a
// key itself), prices are not negative, parallel is 1..MaxParallel. For a
// loaded Config the errors carry the file and line of the offending key.
func (c *Config) Validate() error {
	p := newProblems(c.Path)
	line := func(path string) int { return c.lines[path] }

	if c.Endpoint != "" {
		switch {
		case isPreset(c.Endpoint):
		case hasKey(c.Endpoints, c.Endpoint):
		case strings.Contains(c.Endpoint, "://"):
			if msg := checkURL(c.Endpoint); msg != "" {
				p.addf(line("endpoint"), "endpoint", "%s", msg)
			}
		default:
			p.addf(line("endpoint"), "endpoint", "%q is not a preset (%s), a name under endpoints, or an http(s) URL",
				c.Endpoint, strings.Join(presetNames, ", "))
		}
	}
	if strings.ContainsFunc(c.Model, unicode.IsSpace) {
		p.addf(line("model"), "model", "%q is not a model id (it has spaces)", c.Model)
	}
	if c.Theme != "" && !slices.Contains(builtinThemes, c.Theme) &&
		(strings.ContainsAny(c.Theme, `/\`) || c.Theme == "." || c.Theme == "..") {
		p.addf(line("theme"), "theme", "%q is not one of %s, nor a theme file name in the config folder",
			c.Theme, strings.Join(builtinThemes, ", "))
	}

	for _, name := range slices.Sorted(maps.Keys(c.Endpoints)) {
		c.validateEndpoint(p, name, c.Endpoints[name])
	}
	for _, model := range slices.Sorted(maps.Keys(c.Prices)) {
		path := "prices." + model
		if strings.TrimSpace(model) == "" {
			p.addf(line("prices"), "prices", "a price needs a model id")
		}
		po := c.Prices[model]
		for _, f := range []struct {
			key string
			v   float64
		}{{"input", po.Input}, {"output", po.Output}, {"cached_input", po.CachedInput}} {
			if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				p.addf(firstLine(c.lines, path+"."+f.key, path), path+"."+f.key, "%v is not a price (USD per 1M tokens, 0 or more)", f.v)
			}
		}
	}
	if c.Parallel < 1 || c.Parallel > MaxParallel {
		p.addf(line("parallel"), "parallel", "%d is out of range: use 1 to %d", c.Parallel, MaxParallel)
	}
	return p.err()
}

func (c *Config) validateEndpoint(p *problems, name string, e Endpoint) {
	path := "endpoints." + name
	// at is the line of one of the entry's keys, or of its name when the key
	// is missing.
	at := func(key string) int { return firstLine(c.lines, path+"."+key, path) }
	if !endpointName.MatchString(name) {
		p.addf(firstLine(c.lines, path), path, "%q cannot be an endpoint name: use letters, digits, - and _", name)
	}
	if isPreset(name) {
		p.addf(firstLine(c.lines, path), path, "%q is a built-in endpoint name; pick another name so --endpoint %s stays unambiguous", name, name)
	}
	if e.URL == "" {
		p.addf(firstLine(c.lines, path), path+".url", "is required: the endpoint's base URL, such as https://api.mistral.ai or http://127.0.0.1:8000")
	} else if msg := checkURL(e.URL); msg != "" {
		p.addf(at("url"), path+".url", "%s", msg)
	}
	switch e.Dialect {
	case "", DialectMistral, DialectOpenAI:
	default:
		p.addf(at("dialect"), path+".dialect", "%q is not one of %s, %s", e.Dialect, DialectMistral, DialectOpenAI)
	}
	if e.KeyEnv != "" {
		switch {
		case looksLikeKey(e.KeyEnv):
			p.addf(at("key_env"), path+".key_env", "this looks like an API key itself; keys are never written in the "+
				"config file: put it in an environment variable and write that variable's name here")
		case !envName.MatchString(e.KeyEnv):
			p.addf(at("key_env"), path+".key_env", "%q is not an environment variable name (letters, digits and _, "+
				"such as MISTRAL_WORK_KEY)", e.KeyEnv)
		}
	}
}

// checkURL returns why u cannot be an endpoint base URL, or "".
func checkURL(u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL", u)
	case p.Scheme != "http" && p.Scheme != "https":
		return fmt.Sprintf("%q is not an http or https URL", u)
	case p.Host == "" || p.Hostname() == "":
		return fmt.Sprintf("%q has no host", u)
	case p.User != nil:
		return fmt.Sprintf("%q has a user or password in it; keys are never written in the config file, use key_env", p.Redacted())
	case p.RawQuery != "" || p.Fragment != "":
		return fmt.Sprintf("%q is a base URL and cannot have a query or fragment", u)
	}
	if port := p.Port(); port != "" {
		var n int
		if _, err := fmt.Sscan(port, &n); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q has an invalid port", u)
		}
	}
	return ""
}

// looksLikeKey catches a pasted API key in key_env: Mistral keys are 32
// mixed-case alphanumerics, and other providers' keys are long and carry
// prefixes like sk-. Variable names are rarely mixed case with digits.
func looksLikeKey(s string) bool {
	if strings.HasPrefix(s, "sk-") || strings.HasPrefix(s, "Bearer ") {
		return true
	}
	if len(s) < 24 {
		return false
	}
	var upper, lower, digit bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	return upper && lower && digit
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// firstLine returns the line of the first path found, or 0.
func firstLine(lines map[string]int, paths ...string) int {
	for _, p := range paths {
		if l := lines[p]; l > 0 {
			return l
		}
	}
	return 0
}
