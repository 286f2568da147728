package session

import (
	"fmt"
	"strings"

	"mstudio/api"
	"mstudio/prompts"
)

// Setting is one explicit parameter override, by name (a wire name or an
// alias, as api.LookupParam takes it), with its value as text: what
// `mstudio run --set name=value` gives, and what the studio's parameters
// pane has changed relative to the prompt. "default" unsets the parameter.
type Setting struct {
	Name, Value string
}

// String is the setting as --set spells it.
func (s Setting) String() string { return s.Name + "=" + s.Value }

// SettingError is a setting Build could not apply: an unknown name or a
// value out of range. Other errors of Build come from rendering the prompt.
type SettingError struct {
	Setting Setting
	Err     error
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: %v", e.Setting, e.Err)
}

func (e *SettingError) Unwrap() error { return e.Err }

// Build is the one way a prompt becomes a request, for the studio,
// `mstudio run` and the matrix rows alike: the prompt rendered with vars
// (over its input defaults), carrying its own config, output
// (response_format) and tools, then settings applied in order, each
// overriding one parameter. model, when not empty, replaces the prompt's.
// The same prompt, variables and settings give the same request, byte for
// byte once marshalled, whichever command built it.
func Build(p *prompts.Prompt, model string, vars map[string]any, settings []Setting) (api.ChatRequest, error) {
	req, err := p.Render(vars)
	if err != nil {
		return api.ChatRequest{}, err
	}
	if err := ApplySettings(&req, settings); err != nil {
		return api.ChatRequest{}, err
	}
	if model = strings.TrimSpace(model); model != "" {
		req.Model = model
	}
	return req, nil
}

// ApplySettings applies settings to req in order; the first that fails is
// returned as a *SettingError and nothing after it is applied.
func ApplySettings(req *api.ChatRequest, settings []Setting) error {
	for _, s := range settings {
		param, ok := api.LookupParam(s.Name)
		if !ok {
			return &SettingError{Setting: s, Err: fmt.Errorf("unknown parameter; valid: %s", strings.Join(api.ParamNames(), ", "))}
		}
		if err := param.Set(req, s.Value); err != nil {
			return &SettingError{Setting: s, Err: err}
		}
	}
	return nil
}

// PromptParams is every parameter the prompt itself sends: its config,
// and the response_format its output asks for. It is what the studio's
// parameters pane starts from, so the pane shows what a run sends before
// anything is changed.
func PromptParams(p *prompts.Prompt) (api.ChatRequest, error) {
	req, err := p.Params()
	if err != nil {
		return api.ChatRequest{}, err
	}
	if f := p.Output(); f != nil {
		req.ResponseFormat = f
	}
	return req, nil
}
