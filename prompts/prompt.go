package prompts

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/google/dotprompt/go/dotprompt"

	"mstudio/api"
)

// extNS is the namespace of the studio's own front matter fields
// (mstudio.models, mstudio.tools, …). Dotprompt keeps dotted keys as
// extension fields, so Genkit loads such a file and ignores them.
const extNS = "mstudio"

// Prompt is a parsed prompt file. It is read-only after Parse, so one Prompt
// may be rendered from several goroutines.
type Prompt struct {
	Name        string // front matter name, else the file name without .prompt
	Path        string // the file it was loaded from; "" for Parse
	Description string
	Version     string         // front matter version, if any
	Model       string         // without the "mistral/" prefix
	MaxTurns    int            // tool-call rounds allowed; 0 means the caller's default
	Ext         map[string]any // mstudio.* fields, keyed without the prefix
	Source      string         // the file text

	label    string // what errors call the file: Path, or Name for Parse
	doc      *document
	parsed   dotprompt.ParsedPrompt
	settings []setting // config, in file order
	tools    []api.Tool
	format   *api.ResponseFormat
	defaults map[string]any
	vars     templateVars
	declared []string // input.schema properties
}

// setting is one config key with its value as Param.Set takes it.
type setting struct {
	key   string // as written (topP, random_seed)
	param api.Param
	value string
	line  int
}

// topLevel lists the front matter keys the studio understands: Dotprompt's
// reserved words. Anything else that is not a dotted extension field is
// almost always a typo or a misplaced config key, and is refused.
var topLevel = dotprompt.ReservedMetadataKeywords

// Load reads and parses a prompt file. Errors are *Error values that name
// the file and line.
func Load(path string) (*Prompt, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".prompt")
	p, err := parse(path, name, string(data))
	if err != nil {
		return nil, err
	}
	p.Path = path
	return p, nil
}

// Parse parses prompt text. Text with no front matter is one user message
// template, which is how `mstudio run -p "Name a sight in {{city}}"` works.
// name labels errors and is the prompt's name unless the front matter has
// one.
func Parse(name, source string) (*Prompt, error) {
	return parse(name, name, source)
}

func parse(label, name, source string) (p *Prompt, err error) {
	defer func() {
		// The YAML, Picoschema and Handlebars libraries below all have
		// inputs that make them panic; a prompt file must never crash the
		// studio, so any such input becomes an ordinary error.
		if r := recover(); r != nil {
			p, err = nil, &Error{File: label, Msg: fmt.Sprintf("cannot be read (%v)", r)}
		}
	}()
	p = &Prompt{Name: name, Source: source, label: label}
	if err := p.parse(); err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.File = label
			return nil, pe
		}
		return nil, &Error{File: label, Msg: err.Error()}
	}
	return p, nil
}

func (p *Prompt) parse() error {
	d, err := splitDocument(p.Source)
	if err != nil {
		return err
	}
	p.doc = d
	if err := d.parseFront(); err != nil {
		return err
	}
	// Every YAML problem is caught above, so Dotprompt's parse cannot fall
	// into its print-and-ignore path.
	p.parsed, err = dotprompt.ParseDocument(d.source)
	if err != nil {
		return &Error{Line: d.frontLine, Msg: err.Error()}
	}
	if err := p.readMeta(); err != nil {
		return err
	}
	if strings.TrimSpace(p.parsed.Template) == "" {
		return &Error{Line: d.templateLn, Msg: "the prompt has no template: write the messages after the front matter"}
	}
	vars, line, err := scanTemplate(p.parsed.Template)
	if err != nil {
		return &Error{Line: d.templateLn + max(line, 1) - 1, Msg: err.Error()}
	}
	p.vars = vars
	return nil
}

// readMeta checks the front matter key by key and keeps what Render needs.
// Dotprompt's parse silently drops values of the wrong type, so the types
// are checked here on the ordered values, where each has a line.
func (p *Prompt) readMeta() error {
	d := p.doc
	p.defaults = map[string]any{}
	p.Ext = map[string]any{}
	for _, it := range d.ordered {
		key := fmt.Sprint(it.Key)
		line := d.lineAt(key)
		switch {
		case key == extNS:
			ms, ok := it.Value.(yaml.MapSlice)
			if !ok {
				return &Error{Line: line, Msg: "mstudio: want a mapping of studio settings"}
			}
			for _, e := range ms {
				p.Ext[fmt.Sprint(e.Key)] = plainValue(e.Value)
			}
		case strings.HasPrefix(key, extNS+"."):
			p.Ext[strings.TrimPrefix(key, extNS+".")] = plainValue(it.Value)
		case strings.Contains(key, "."):
			// Another tool's extension field: Dotprompt keeps it, so do we.
		case key == "<<":
			// A YAML merge key; its keys were merged and are checked below.
		case !slices.Contains(topLevel, key):
			return &Error{Line: line, Msg: fmt.Sprintf("unknown front matter key %q (known: %s; studio settings go under mstudio.)", key, strings.Join(topLevel, ", "))}
		}
	}
	for _, key := range []string{"name", "description", "version", "model", "variant"} {
		v, ok := lookup(d.ordered, key)
		if !ok || v == nil {
			continue
		}
		s, ok := scalarText(v)
		if !ok {
			return &Error{Line: d.lineAt(key), Msg: key + ": want a text value"}
		}
		switch key {
		case "name":
			p.Name = s
		case "description":
			p.Description = s
		case "version":
			p.Version = s
		case "model":
			p.Model = strings.TrimPrefix(s, "mistral/")
		}
	}
	if v, ok := lookup(d.ordered, "maxTurns"); ok && v != nil {
		n, ok := v.(uint64)
		if !ok || n > 1000 {
			return &Error{Line: d.lineAt("maxTurns"), Msg: fmt.Sprintf("maxTurns: %v is not a whole number from 0 to 1000", v)}
		}
		p.MaxTurns = int(n)
	}
	for _, step := range []func() error{p.readConfig, p.readInput, p.readTools, p.readOutput} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// readConfig maps each config key to a Mistral parameter and checks its
// value now, so a bad value is reported at its line when the file is read
// rather than as a 422 from the server after the user pressed run.
func (p *Prompt) readConfig() error {
	d := p.doc
	v, ok := lookup(d.ordered, "config")
	if !ok || v == nil {
		return nil
	}
	ms, ok := v.(yaml.MapSlice)
	if !ok {
		return &Error{Line: d.lineAt("config"), Msg: "config: want a mapping of parameters (temperature: 0.3, …)"}
	}
	seen := map[string]string{}
	var scratch api.ChatRequest
	for _, it := range ms {
		key := fmt.Sprint(it.Key)
		line := d.lineAt("config." + key)
		prm, ok := api.LookupParam(key)
		if !ok {
			return &Error{Line: line, Msg: fmt.Sprintf("config.%s: unknown parameter (known: %s)", key, strings.Join(api.ParamNames(), ", "))}
		}
		if first, dup := seen[prm.Name]; dup {
			return &Error{Line: line, Msg: fmt.Sprintf("config.%s: sets %s again (already set by config.%s)", key, prm.Name, first)}
		}
		seen[prm.Name] = key
		text, err := paramText(it.Value)
		if err == nil {
			err = prm.Set(&scratch, text)
		}
		if err != nil {
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			return &Error{Line: line, Msg: fmt.Sprintf("config.%s: %v", key, err)}
		}
		p.settings = append(p.settings, setting{key: key, param: prm, value: text, line: line})
	}
	return nil
}

// paramText renders a YAML config value as the text Param.Set parses: the
// same syntax as `--set name=value` on the command line.
func paramText(v any) (string, error) {
	if s, ok := scalarText(v); ok {
		return s, nil
	}
	plain := plainValue(v)
	if m, ok := plain.(map[string]any); ok {
		// tool_choice: {type: function, function: {name: x}}
		if fn, ok := m["function"].(map[string]any); ok {
			if name, ok := fn["name"].(string); ok && m["type"] != "json_schema" {
				return "function:" + name, nil
			}
		}
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return "", fmt.Errorf("value cannot be sent as JSON")
	}
	return string(b), nil
}

// scalarText is the text of a YAML scalar; false for lists and mappings.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}

// readInput keeps input.default and the names input.schema declares.
func (p *Prompt) readInput() error {
	d := p.doc
	in, ok := lookup(d.ordered, "input")
	if !ok || in == nil {
		return nil
	}
	ms, ok := in.(yaml.MapSlice)
	if !ok {
		return &Error{Line: d.lineAt("input"), Msg: "input: want a mapping with default: and schema:"}
	}
	for _, it := range ms {
		key := fmt.Sprint(it.Key)
		line := d.lineAt("input." + key)
		switch key {
		case "default":
			if it.Value == nil {
				continue
			}
			def, ok := plainValue(it.Value).(map[string]any)
			if !ok {
				return &Error{Line: line, Msg: "input.default: want a mapping of variable: value"}
			}
			p.defaults = def
		case "schema":
			if it.Value == nil {
				continue
			}
			raw, err := schemaJSON(it.Value)
			if err != nil {
				return &Error{Line: line, Msg: "input.schema: " + err.Error()}
			}
			p.declared = schemaProperties(raw)
		default:
			return &Error{Line: line, Msg: fmt.Sprintf("input.%s: unknown key (known: default, schema)", key)}
		}
	}
	return nil
}

// Variables lists the variables the template uses or input.schema
// declares, sorted, for the studio's vars form and `--var` help.
func (p *Prompt) Variables() []string {
	set := map[string]bool{}
	for k := range p.vars.all {
		set[k] = true
	}
	for _, k := range p.declared {
		set[k] = true
	}
	names := slices.Collect(maps.Keys(set))
	sort.Strings(names)
	return names
}

// Defaults returns a copy of input.default; callers may change it.
func (p *Prompt) Defaults() map[string]any {
	return maps.Clone(p.defaults)
}
