package prompts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"mstudio/api"
)

// Edit is what the studio changes in a prompt: the model, the parameters
// (a request holding only parameter fields), the variables' values and the
// turns. Everything else in the file (tools, output, extensions, comments
// outside the edited keys) is kept as written.
type Edit struct {
	Model    string
	Params   api.ChatRequest
	Defaults map[string]string
	Turns    []Turn
}

// dotpromptNames are the config keys Dotprompt itself defines; files use
// them, so Genkit reads the same settings.
var dotpromptNames = map[string]string{
	"top_p": "topP", "max_tokens": "maxOutputTokens", "stop": "stopSequences",
}

// Compose returns the source of the prompt file after the edit. The result
// is parsed before it is returned, so a file the studio writes always loads.
func (p *Prompt) Compose(e Edit) (string, error) {
	front := p.FrontMatter()
	var err error
	if e.Model != "" {
		if front, err = setFrontKey(front, "model", e.Model); err != nil {
			return "", err
		}
	}
	config := yaml.MapSlice{}
	for _, prm := range api.Params() {
		text, set := prm.Get(&e.Params)
		if !set {
			continue
		}
		name := prm.Name
		if d, ok := dotpromptNames[name]; ok {
			name = d
		}
		config = append(config, yaml.MapItem{Key: name, Value: configValue(prm, text, &e.Params)})
	}
	if len(config) > 0 {
		front, err = setFrontKey(front, "config", config)
	} else {
		front = deleteFrontKey(front, "config")
	}
	if err != nil {
		return "", err
	}
	if len(e.Defaults) > 0 {
		if front, err = p.setDefaults(front, e.Defaults); err != nil {
			return "", err
		}
	}
	src := FormatTurns(e.Turns)
	if strings.TrimSpace(front) != "" {
		src = "---\n" + strings.TrimRight(front, "\n") + "\n---\n" + src
	}
	label := p.label
	if p.Path != "" {
		label = p.Path
	}
	if _, err := parse(label, p.Name, src); err != nil {
		return "", err
	}
	return src, nil
}

// configValue gives a parameter its YAML type, so the file reads naturally
// (temperature: 0.3, not "0.3").
func configValue(prm api.Param, text string, req *api.ChatRequest) any {
	switch prm.Kind {
	case api.KindFloat:
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case api.KindInt:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return i
		}
	case api.KindBool:
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	case api.KindStops:
		return []string(req.Stop)
	case api.KindFormat:
		if req.ResponseFormat != nil {
			var v any
			b, _ := json.Marshal(req.ResponseFormat)
			if json.Unmarshal(b, &v) == nil {
				return v
			}
		}
	}
	return text
}

// setDefaults writes input.default, keeping the rest of input (its schema).
func (p *Prompt) setDefaults(front string, vars map[string]string) (string, error) {
	input := yaml.MapSlice{}
	if v, ok := lookup(p.doc.ordered, "input"); ok {
		if ms, ok := v.(yaml.MapSlice); ok {
			input = ms
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	defaults := yaml.MapSlice{}
	for _, k := range names {
		if vars[k] != "" {
			defaults = append(defaults, yaml.MapItem{Key: k, Value: vars[k]})
		}
	}
	out := yaml.MapSlice{}
	replaced := false
	for _, it := range input {
		if it.Key == "default" {
			replaced = true
			if len(defaults) == 0 {
				continue
			}
			it.Value = defaults
		}
		out = append(out, it)
	}
	if !replaced && len(defaults) > 0 {
		out = append(yaml.MapSlice{{Key: "default", Value: defaults}}, out...)
	}
	if len(out) == 0 {
		return deleteFrontKey(front, "input"), nil
	}
	return setFrontKey(front, "input", out)
}

// topKeyBlock finds the lines of a top-level key: its own line and the
// indented (or blank) lines under it. start is -1 when the key is absent.
func topKeyBlock(lines []string, key string) (start, end int) {
	start = -1
	for i, l := range lines {
		if start < 0 {
			if strings.HasPrefix(l, key+":") {
				start = i
			}
			continue
		}
		if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != '#' && l[0] != '-' {
			return start, i
		}
	}
	if start < 0 {
		return -1, -1
	}
	end = len(lines)
	for end > start+1 && strings.TrimSpace(lines[end-1]) == "" {
		end-- // keep trailing blank lines outside the block
	}
	return start, end
}

// setFrontKey replaces (or appends) one top-level key of the front matter,
// leaving every other line, comments included, as it was.
func setFrontKey(front, key string, value any) (string, error) {
	b, err := yaml.MarshalWithOptions(yaml.MapSlice{{Key: key, Value: value}}, yaml.Indent(2), yaml.IndentSequence(true))
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", key, err)
	}
	block := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines := splitFront(front)
	start, end := topKeyBlock(lines, key)
	if start < 0 {
		lines = append(lines, block...)
	} else {
		lines = append(lines[:start], append(block, lines[end:]...)...)
	}
	return strings.Join(lines, "\n") + "\n", nil
}

func deleteFrontKey(front, key string) string {
	lines := splitFront(front)
	start, end := topKeyBlock(lines, key)
	if start < 0 {
		return front
	}
	lines = append(lines[:start], lines[end:]...)
	return strings.Join(lines, "\n") + "\n"
}

func splitFront(front string) []string {
	front = strings.TrimRight(front, "\n")
	if front == "" {
		return nil
	}
	return strings.Split(front, "\n")
}

// WriteFile writes data atomically: a temporary file in the same folder,
// synced, then renamed over the target, so a crash never leaves half a file.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private; a prompt is shared with the
	// user's tools and their git repository like any source file.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
