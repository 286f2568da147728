package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, body string
		line       int
		field      string
		msg        string // a part of the message
	}{
		{"unknown top key", "model: x\nmodle: y\n", 2, "modle", `unknown key "modle" (did you mean "model"?)`},
		{"unknown endpoint key", "endpoints:\n  local:\n    url: http://h\n    dialekt: openai\n", 4, "endpoints.local.dialekt", `did you mean "dialect"?`},
		{"unknown price key", "prices:\n  m:\n    input: 1\n    outptu: 2\n", 4, "prices.m.outptu", `did you mean "output"?`},
		{"bad dialect", "endpoints:\n  local:\n    url: http://127.0.0.1:8000\n    dialect: grpc\n", 4, "endpoints.local.dialect", `"grpc" is not one of mistral, openai`},
		{"ftp URL", "endpoints:\n  a:\n    url: ftp://files.example.com\n", 3, "endpoints.a.url", "is not an http or https URL"},
		{"not a URL", "endpoints:\n  a:\n    url: api.mistral.ai\n", 3, "endpoints.a.url", "is not an http or https URL"},
		{"URL without host", "endpoints:\n  a:\n    url: 'https://'\n", 3, "endpoints.a.url", "has no host"},
		{"URL bad port", "endpoints:\n  a:\n    url: http://h:99999\n", 3, "endpoints.a.url", "invalid port"},
		{"URL with password", "endpoints:\n  a:\n    url: https://me:s3cret@api.mistral.ai\n", 3, "endpoints.a.url", "use key_env"},
		{"URL with query", "endpoints:\n  a:\n    url: https://h/?key=x\n", 3, "endpoints.a.url", "cannot have a query"},
		{"missing URL", "endpoints:\n  a:\n    dialect: openai\n", 2, "endpoints.a.url", "is required"},
		{"empty endpoint", "endpoints:\n  a:\n", 2, "endpoints.a.url", "is required"},
		{"preset name reused", "endpoints:\n  eu:\n    url: https://api.eu.mistral.ai\n", 2, "endpoints.eu", "built-in endpoint name"},
		{"bad endpoint name", "endpoints:\n  'my work':\n    url: https://h\n", 2, "endpoints.my work", "cannot be an endpoint name"},
		{"api_key at top", "model: x\napi_key: abc\n", 2, "api_key", "never written in the config file"},
		{"api_key in endpoint", "endpoints:\n  a:\n    url: https://h\n    api_key: abc\n", 4, "endpoints.a.api_key", "key_env: MISTRAL_WORK_KEY"},
		{"key pasted into key_env", "endpoints:\n  a:\n    url: https://h\n    key_env: aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY\n", 4, "endpoints.a.key_env", "looks like an API key"},
		{"key_env not a name", "endpoints:\n  a:\n    url: https://h\n    key_env: my-key\n", 4, "endpoints.a.key_env", "not an environment variable name"},
		{"regional not a bool", "endpoints:\n  a:\n    url: https://h\n    regional: maybe\n", 4, "endpoints.a.regional", `expected true or false, got "maybe"`},
		{"endpoints as a list", "endpoints:\n  - https://h\n", 2, "endpoints", "expected key: value pairs here, got a list"},
		{"unknown default endpoint", "endpoint: work\n", 1, "endpoint", `"work" is not a preset (global, eu, us, ollama, vllm, llamacpp), a name under endpoints`},
		{"bad default endpoint URL", "endpoint: htp://h\n", 1, "endpoint", "is not an http or https URL"},
		{"parallel zero", "parallel: 0\n", 1, "parallel", "0 is out of range: use 1 to 32"},
		{"parallel too big", "theme: dark\nparallel: 33\n", 2, "parallel", "out of range"},
		{"parallel huge", "parallel: 4294967296\n", 1, "parallel", "out of range"},
		{"parallel beyond int64", "parallel: 99999999999999999999\n", 1, "parallel", "expected a whole number"},
		{"parallel text", "parallel: four\n", 1, "parallel", `expected a whole number, got "four"`},
		{"parallel fraction", "parallel: 2.5\n", 1, "parallel", `expected a whole number, got "2.5"`},
		{"negative price", "prices:\n  m:\n    input: -1\n    output: 1\n", 3, "prices.m.input", "-1 is not a price"},
		{"price as text", "prices:\n  m:\n    input: cheap\n    output: 1\n", 3, "prices.m.input", `expected a number (USD per 1M tokens), got "cheap"`},
		{"price without numbers", "prices:\n  m:\n    cached_input: 0.1\n", 2, "prices.m", "give input and output"},
		{"model as a list", "model: [a, b]\n", 1, "model", "expected text, got a list"},
		{"empty model", "model: ''\n", 1, "model", "is empty"},
		{"model with spaces", "model: mistral small\n", 1, "model", "has spaces"},
		{"theme path", "theme: ../evil\n", 1, "theme", "nor a theme file name"},
		{"top level is a list", "- model\n", 1, "", "expected key: value pairs here, got a list"},
		{"alias", "endpoints:\n  a: &base\n    url: https://h\n  b: *base\n", 4, "endpoints.b", "aliases"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, c.body)
			_, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			e := firstError(t, err)
			if e.File != path || e.Line != c.line || e.Field != c.field || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %s:%d field %q msg %q\nwant %s:%d field %q msg containing %q", e.File, e.Line, e.Field, e.Msg, path, c.line, c.field, c.msg)
			}
			prefix := path + ":" + strconv.Itoa(c.line) + ": "
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("message %q does not start with %q", err.Error(), prefix)
			}
		})
	}
}

func TestSyntaxErrorsShowTheLine(t *testing.T) {
	cases := []struct {
		body string
		line int
	}{
		{"model: x\nendpoints: [a\n", 2},
		{"model: x\ntheme: \"dark\n", 2},
		{"model: x\nmodel: y\n", 2},
		{"model: x\nendpoints:\n  a:\n\turl: http://h\n", 4},
		{"model: x\n---\ntheme: dark\n", 3},
	}
	for _, c := range cases {
		path := write(t, c.body)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%q: no error", c.body)
			continue
		}
		e := firstError(t, err)
		if e.Line != c.line || !strings.HasPrefix(err.Error(), path+":"+strconv.Itoa(c.line)+": ") {
			t.Errorf("%q: got %v (line %d), want line %d", c.body, err, e.Line, c.line)
		}
	}
}

// All problems are reported at once, in line order, so one edit fixes them.
func TestSeveralErrors(t *testing.T) {
	path := write(t, "parallel: 0\nmodle: x\nendpoints:\n  a:\n    url: ftp://h\n    dialect: grpc\n")
	_, err := Load(path)
	if err == nil {
		t.Fatal("no error")
	}
	// Decoding stops before validation, so parallel and the endpoint values
	// are reported once the unknown key is fixed.
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], path+":2: modle:") {
		t.Errorf("decode errors: %q", lines)
	}

	path = write(t, "parallel: 0\nendpoints:\n  a:\n    url: ftp://h\n    dialect: grpc\nendpoint: nowhere\n")
	_, err = Load(path)
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("want joined errors, got %T: %v", err, err)
	}
	var got []int
	for _, e := range joined.Unwrap() {
		got = append(got, firstError(t, e).Line)
	}
	if want := []int{1, 4, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("lines %v, want %v in:\n%v", got, want, err)
	}
	if n := strings.Count(err.Error(), "\n"); n != 3 {
		t.Errorf("want one error per line, got:\n%v", err)
	}
}

func TestValidateWithoutFile(t *testing.T) {
	c := Default()
	c.Parallel = 100
	c.Endpoints["x"] = Endpoint{URL: "https://h", Dialect: "soap"}
	err := c.Validate()
	want := "config: endpoints.x.dialect: \"soap\" is not one of mistral, openai\nconfig: parallel: 100 is out of range: use 1 to 32"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestAcceptedValues(t *testing.T) {
	body := `endpoint: local
model: mistral/codestral-latest
theme: solarized.yaml
endpoints:
  local:
    url: http://localhost:11434/v1/
    dialect: openai
    key_env: OLLAMA_KEY
    regional: false
  eu-proxy: {url: "https://proxy.example.com:8443/mistral", regional: true}
prices:
  llama3.1:8b: {input: 0, output: 0}
  mistral-small-latest:
    input: 1
    output: 2.5
parallel: 32
`
	c, err := Load(write(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != "local" || c.Model != "mistral/codestral-latest" || c.Theme != "solarized.yaml" || c.Parallel != 32 {
		t.Errorf("top: %+v", c)
	}
	if p := c.Endpoints["eu-proxy"]; !p.IsRegional() || p.Dialect != DialectMistral || p.URL != "https://proxy.example.com:8443/mistral" {
		t.Errorf("eu-proxy: %+v", p)
	}
	if p := c.Prices["mistral-small-latest"]; p.Input != 1 || p.Output != 2.5 {
		t.Errorf("price: %+v", p)
	}
	if _, ok := c.Prices["llama3.1:8b"]; !ok {
		t.Errorf("prices: %+v", c.Prices)
	}
}
