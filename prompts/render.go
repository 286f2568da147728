package prompts

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/google/dotprompt/go/dotprompt"

	"mstudio/api"
)

// functionName is what Mistral accepts as a tool name.
var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// emptyParams is sent for a tool without an inputSchema: Mistral requires
// parameters, and a function of no arguments is an empty object.
var emptyParams = json.RawMessage(`{"type":"object","properties":{}}`)

// readTools turns toolDefs into function tools. A `tools:` list may only
// name tools defined here: in Genkit it names tools registered in code,
// which the studio cannot see, and silently dropping them would send a
// different request than the author meant.
func (p *Prompt) readTools() error {
	d := p.doc
	names := map[string]bool{}
	if v, ok := lookup(d.ordered, "toolDefs"); ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			return &Error{Line: d.lineAt("toolDefs"), Msg: "toolDefs: want a list of tools (- name: …)"}
		}
		for i, item := range list {
			at := fmt.Sprintf("toolDefs[%d]", i)
			ms, ok := item.(yaml.MapSlice)
			if !ok {
				return &Error{Line: d.lineAt(at), Msg: at + ": want a mapping with name, description and inputSchema"}
			}
			var name, desc string
			params := emptyParams
			for _, it := range ms {
				key := fmt.Sprint(it.Key)
				line := d.lineAt(at + "." + key)
				switch key {
				case "name", "description":
					s, ok := it.Value.(string)
					if !ok {
						return &Error{Line: line, Msg: fmt.Sprintf("%s.%s: want text", at, key)}
					}
					if key == "name" {
						name = s
					} else {
						desc = s
					}
				case "inputSchema":
					if it.Value == nil {
						continue
					}
					raw, err := schemaJSON(it.Value)
					if err != nil {
						return &Error{Line: line, Msg: fmt.Sprintf("%s.inputSchema: %v", at, err)}
					}
					params = raw
				case "outputSchema":
					// Describes what the tool returns; Mistral has no
					// field for it, the studio's tool handlers may use it.
				default:
					return &Error{Line: line, Msg: fmt.Sprintf("%s.%s: unknown key (known: name, description, inputSchema, outputSchema)", at, key)}
				}
			}
			if !functionName.MatchString(name) {
				return &Error{Line: d.lineAt(at + ".name"), Msg: fmt.Sprintf("%s.name: %q is not a valid tool name (1 to 64 letters, digits, _ or -)", at, name)}
			}
			if names[name] {
				return &Error{Line: d.lineAt(at + ".name"), Msg: fmt.Sprintf("%s.name: tool %q is defined twice", at, name)}
			}
			names[name] = true
			p.tools = append(p.tools, api.FunctionTool(name, desc, params))
		}
	}
	if v, ok := lookup(d.ordered, "tools"); ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			return &Error{Line: d.lineAt("tools"), Msg: "tools: want a list of tool names"}
		}
		for i, t := range list {
			if s, ok := t.(string); !ok || !names[s] {
				return &Error{Line: d.lineAt(fmt.Sprintf("tools[%d]", i)), Msg: fmt.Sprintf("tools: %v is not defined in toolDefs (tools registered in a Genkit app are not visible to mstudio)", t)}
			}
		}
	}
	for _, s := range p.settings {
		var r api.ChatRequest
		if s.param.Name != "tool_choice" || s.param.Set(&r, s.value) != nil || r.ToolChoice == nil {
			continue
		}
		if fn := r.ToolChoice.Function; fn != "" && !names[fn] {
			return &Error{Line: s.line, Msg: fmt.Sprintf("config.%s: tool %q is not defined in toolDefs", s.key, fn)}
		}
	}
	return nil
}

// readOutput turns output into response_format: a schema asks for
// json_schema (Genkit assumes format json when a schema is given), format
// json alone asks for any JSON object, text leaves the default.
func (p *Prompt) readOutput() error {
	d := p.doc
	v, ok := lookup(d.ordered, "output")
	if !ok || v == nil {
		return nil
	}
	ms, ok := v.(yaml.MapSlice)
	if !ok {
		return &Error{Line: d.lineAt("output"), Msg: "output: want a mapping with format: and schema:"}
	}
	format := ""
	var schema any
	for _, it := range ms {
		key := fmt.Sprint(it.Key)
		switch key {
		case "format":
			s, ok := it.Value.(string)
			if !ok || (s != "json" && s != "text") {
				return &Error{Line: d.lineAt("output.format"), Msg: fmt.Sprintf("output.format: %v is not supported (json | text)", it.Value)}
			}
			format = s
		case "schema":
			schema = it.Value
		default:
			return &Error{Line: d.lineAt("output." + key), Msg: fmt.Sprintf("output.%s: unknown key (known: format, schema)", key)}
		}
	}
	for _, s := range p.settings {
		if s.param.Name == "response_format" && (format == "json" || schema != nil) {
			return &Error{Line: s.line, Msg: fmt.Sprintf("config.%s: output already sets the response format; keep one of the two", s.key)}
		}
	}
	switch {
	case schema != nil && format != "text":
		raw, err := schemaJSON(schema)
		if err != nil {
			return &Error{Line: d.lineAt("output.schema"), Msg: "output.schema: " + err.Error()}
		}
		p.format = &api.ResponseFormat{Type: "json_schema", JSONSchema: &api.JSONSchema{
			Name: schemaName(p.Name), Schema: raw, Strict: true,
		}}
	case format == "json":
		p.format = &api.ResponseFormat{Type: "json_object"}
	}
	return nil
}

// schemaName derives json_schema.name from the prompt name: Mistral
// requires a name and, like OpenAI, accepts only [a-zA-Z0-9_-].
func schemaName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	if s := strings.Trim(string(b[:min(len(b), 64)]), "_"); s != "" {
		return s
	}
	return "output"
}

// renderFence stands in for the file's front matter when rendering. Render
// would otherwise run the file's schemas through Dotprompt's Go Picoschema
// again, which refuses JSON Schema it cannot round-trip ("type": [..]) that
// this package has already checked and passes through. Dotprompt matches the
// first closing fence, so the template after it is taken whole even if it
// has --- lines of its own.
const renderFence = "---\nmstudio.render: true\n---\n"

// Params returns a request that holds only the model and the parameters of
// the prompt's config: what the studio's parameters pane starts from.
func (p *Prompt) Params() (api.ChatRequest, error) {
	req := api.ChatRequest{Model: p.Model}
	for _, s := range p.settings {
		if err := s.param.Set(&req, s.value); err != nil {
			// Checked by Parse already; kept so a change in package api
			// still points at the line rather than failing silently.
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			return api.ChatRequest{}, &Error{File: p.label, Line: s.line, Msg: "config." + s.key + ": " + err.Error()}
		}
	}
	return req, nil
}

// Render fills the template with vars (over input.default) and builds the
// request: messages from the role blocks, the model, every config
// parameter, the tools and the response format.
func (p *Prompt) Render(vars map[string]any) (req api.ChatRequest, err error) {
	if p.doc == nil {
		return api.ChatRequest{}, errors.New("prompts: Render on a Prompt that was not made by Load or Parse")
	}
	defer func() {
		// Dotprompt's helpers panic on some arguments ({{json x indent="2"}}),
		// and raymond lets runtime panics through.
		if r := recover(); r != nil {
			req, err = api.ChatRequest{}, &Error{File: p.label, Line: p.doc.templateLn, Msg: fmt.Sprintf("template: %v", r)}
		}
	}()
	input := maps.Clone(p.defaults)
	if input == nil {
		input = map[string]any{}
	}
	maps.Copy(input, vars)
	var missing []string
	for name := range p.vars.required {
		if _, ok := input[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return api.ChatRequest{}, &MissingVarsError{File: p.label, Names: missing}
	}

	// A fresh Dotprompt per call: Compile stores the template in the
	// instance, so a shared one would race in compare mode.
	rendered, err := dotprompt.NewDotprompt(nil).Render(renderFence+p.parsed.Template, &dotprompt.DataArgument{Input: input}, nil)
	if err != nil {
		return api.ChatRequest{}, &Error{File: p.label, Line: p.doc.templateLn, Msg: "template: " + err.Error()}
	}
	msgs, err := toMessages(rendered.Messages)
	if err != nil {
		return api.ChatRequest{}, &Error{File: p.label, Line: p.doc.templateLn, Msg: err.Error()}
	}
	if len(msgs) == 0 {
		return api.ChatRequest{}, &Error{File: p.label, Line: p.doc.templateLn, Msg: "the template renders no message with these variables"}
	}

	req, err = p.Params()
	if err != nil {
		return api.ChatRequest{}, err
	}
	req.Messages = msgs
	if len(p.tools) > 0 {
		// Callers edit requests (the tools pane, --set); copy what a
		// pointer would otherwise share with the Prompt.
		req.Tools = slices.Clone(p.tools)
		for i, t := range req.Tools {
			if t.Function != nil {
				fn := *t.Function
				req.Tools[i].Function = &fn
			}
		}
	}
	if p.format != nil {
		f := *p.format
		if f.JSONSchema != nil {
			js := *f.JSONSchema
			f.JSONSchema = &js
		}
		req.ResponseFormat = &f
	}
	return req, nil
}

// MissingVarsError is a render that lacks variables the template uses and
// the prompt gives no default for. It names them, so each caller can say
// how to set them in its own terms (--var on the command line, the vars
// line in the studio). It unwraps to the file's *Error.
type MissingVarsError struct {
	File  string
	Names []string // sorted
}

func (e *MissingVarsError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the problem as a file error.
func (e *MissingVarsError) Unwrap() error {
	msg := "missing variable " + e.Names[0]
	if len(e.Names) > 1 {
		msg = "missing variables " + strings.Join(e.Names, ", ")
	}
	return &Error{File: e.File, Msg: msg}
}

// toMessages converts Dotprompt messages to Mistral ones. Dotprompt keeps the
// blank lines around each role block; they are trimmed, as a reader of the
// file expects.
func toMessages(in []dotprompt.Message) ([]api.Message, error) {
	var out []api.Message
	for _, m := range in {
		role, err := apiRole(m.Role)
		if err != nil {
			return nil, err
		}
		var chunks []api.Chunk
		var text strings.Builder
		media := false
		for _, part := range m.Content {
			switch part := part.(type) {
			case *dotprompt.TextPart:
				text.WriteString(part.Text)
			case *dotprompt.MediaPart:
				if t := strings.TrimSpace(text.String()); t != "" {
					chunks = append(chunks, api.TextChunk(t))
				}
				text.Reset()
				chunks = append(chunks, mediaChunk(part.Media))
				media = true
			}
			// Pending parts ({{section}}) mark places for Genkit to fill;
			// they carry no text.
		}
		if t := strings.TrimSpace(text.String()); t != "" {
			chunks = append(chunks, api.TextChunk(t))
		}
		switch {
		case len(chunks) == 0:
			continue
		case media:
			out = append(out, api.Message{Role: role, Content: api.Chunks(chunks...)})
		default:
			out = append(out, api.Message{Role: role, Content: api.Text(chunks[0].Text)})
		}
	}
	return out, nil
}

// apiRole maps Dotprompt roles to Mistral's. Tool messages need the id of the
// call they answer, which a template cannot give.
func apiRole(r dotprompt.Role) (string, error) {
	switch r {
	case dotprompt.RoleSystem:
		return api.RoleSystem, nil
	case dotprompt.RoleUser:
		return api.RoleUser, nil
	case dotprompt.RoleModel, "assistant":
		return api.RoleAssistant, nil
	}
	return "", fmt.Errorf("template: role %q is not supported (system, user, model)", string(r))
}

// mediaChunk sends {{media url=…}} as an image, or as a document when its
// content type says PDF.
func mediaChunk(m dotprompt.Media) api.Chunk {
	if m.ContentType == "application/pdf" {
		return api.Chunk{Type: api.ChunkDocumentURL, DocumentURL: m.URL}
	}
	return api.Chunk{Type: api.ChunkImageURL, ImageURL: api.ImageURL{URL: m.URL}}
}

// HasTools reports whether the prompt offers tools (toolDefs) to the model.
func (p *Prompt) HasTools() bool { return len(p.tools) > 0 }

// Output returns a copy of the response_format the prompt's output asks for
// (json_schema for a schema, json_object for format json), nil for none:
// the studio's parameters pane shows it as the prompt's own value.
func (p *Prompt) Output() *api.ResponseFormat {
	if p.format == nil {
		return nil
	}
	f := *p.format
	if f.JSONSchema != nil {
		js := *f.JSONSchema
		f.JSONSchema = &js
	}
	return &f
}

// ToolNames lists the names of the function tools the prompt offers, in
// file order: the names a tool_choice of "function:NAME" may take.
func (p *Prompt) ToolNames() []string {
	var names []string
	for _, t := range p.tools {
		if t.Function != nil {
			names = append(names, t.Function.Name)
		}
	}
	return names
}
