package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParamKind is the type of value a request parameter takes.
type ParamKind int

// Parameter kinds.
const (
	KindFloat ParamKind = iota
	KindInt
	KindBool
	KindEnum
	KindText
	KindStops
	KindFormat
	KindToolChoice
)

// Param is one editable request field: its wire name, its valid values, and
// how to read and write it on a ChatRequest. The studio's parameters pane and
// `mstudio run --set` both use this table, so ranges are checked the same way
// everywhere.
type Param struct {
	Name    string
	Aliases []string // Dotprompt names (topP, maxOutputTokens, stopSequences)
	Kind    ParamKind
	Min     float64
	Max     float64 // math.Inf(1) when unbounded
	Enum    []string
	Help    string

	get   func(r *ChatRequest) (string, bool)
	set   func(r *ChatRequest, v string) error
	unset func(r *ChatRequest)
}

// DefaultWord is what the studio shows, and what --set accepts, for a
// parameter that is not sent.
const DefaultWord = "default"

// Get returns the value as text and whether it is set (not "default").
func (p Param) Get(r *ChatRequest) (string, bool) { return p.get(r) }

// Set parses v and writes it; "default" or "" unsets the field.
func (p Param) Set(r *ChatRequest, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, DefaultWord) {
		p.unset(r)
		return nil
	}
	if err := p.set(r, v); err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	return nil
}

// Validate checks v without writing it anywhere.
func (p Param) Validate(v string) error {
	var scratch ChatRequest
	return p.Set(&scratch, v)
}

// Range describes the valid values for help text.
func (p Param) Range() string {
	switch p.Kind {
	case KindFloat, KindInt:
		if math.IsInf(p.Max, 1) {
			return fmt.Sprintf("≥ %g", p.Min)
		}
		return fmt.Sprintf("%g … %g", p.Min, p.Max)
	case KindBool:
		return "true | false"
	case KindEnum:
		return strings.Join(p.Enum, " | ")
	case KindStops:
		return `text, or a JSON list ["a","b"]`
	case KindFormat:
		return `text | json_object | a JSON response_format object`
	case KindToolChoice:
		return "auto | none | any | required | function name"
	}
	return "text"
}

// LookupParam finds a parameter by wire name or alias, case-insensitively.
func LookupParam(name string) (Param, bool) {
	for _, p := range Params() {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
		for _, a := range p.Aliases {
			if strings.EqualFold(a, name) {
				return p, true
			}
		}
	}
	return Param{}, false
}

// ParamNames lists the wire names, for error messages.
func ParamNames() []string {
	var n []string
	for _, p := range Params() {
		n = append(n, p.Name)
	}
	return n
}

func floatParam(name string, min, max float64, field func(*ChatRequest) **float64, help string, aliases ...string) Param {
	return Param{
		Name: name, Aliases: aliases, Kind: KindFloat, Min: min, Max: max, Help: help,
		get: func(r *ChatRequest) (string, bool) {
			if f := *field(r); f != nil {
				return strconv.FormatFloat(*f, 'g', -1, 64), true
			}
			return DefaultWord, false
		},
		set: func(r *ChatRequest, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%q is not a number", v)
			}
			if f < min || f > max {
				return fmt.Errorf("%g is out of range (%g … %g)", f, min, max)
			}
			*field(r) = &f
			return nil
		},
		unset: func(r *ChatRequest) { *field(r) = nil },
	}
}

func intParam(name string, min float64, get func(*ChatRequest) (int64, bool), put func(*ChatRequest, *int64), help string, aliases ...string) Param {
	return Param{
		Name: name, Aliases: aliases, Kind: KindInt, Min: min, Max: math.Inf(1), Help: help,
		get: func(r *ChatRequest) (string, bool) {
			if v, ok := get(r); ok {
				return strconv.FormatInt(v, 10), true
			}
			return DefaultWord, false
		},
		set: func(r *ChatRequest, v string) error {
			i, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			if float64(i) < min {
				return fmt.Errorf("%d is out of range (≥ %g)", i, min)
			}
			put(r, &i)
			return nil
		},
		unset: func(r *ChatRequest) { put(r, nil) },
	}
}

func boolParam(name string, field func(*ChatRequest) **bool, help string) Param {
	return Param{
		Name: name, Kind: KindBool, Help: help,
		get: func(r *ChatRequest) (string, bool) {
			if b := *field(r); b != nil {
				return strconv.FormatBool(*b), true
			}
			return DefaultWord, false
		},
		set: func(r *ChatRequest, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*field(r) = &b
			return nil
		},
		unset: func(r *ChatRequest) { *field(r) = nil },
	}
}

func enumParam(name string, values []string, field func(*ChatRequest) **string, help string) Param {
	return Param{
		Name: name, Kind: KindEnum, Enum: values, Help: help,
		get: func(r *ChatRequest) (string, bool) {
			if s := *field(r); s != nil {
				return *s, true
			}
			return DefaultWord, false
		},
		set: func(r *ChatRequest, v string) error {
			for _, e := range values {
				if strings.EqualFold(e, v) {
					e := e
					*field(r) = &e
					return nil
				}
			}
			return fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
		},
		unset: func(r *ChatRequest) { *field(r) = nil },
	}
}

// Params returns every request field worth editing, in the order the studio
// shows them.
func Params() []Param {
	return []Param{
		floatParam("temperature", 0, 1.5, func(r *ChatRequest) **float64 { return &r.Temperature }, "randomness; the default is the model's own"),
		floatParam("top_p", 0, 1, func(r *ChatRequest) **float64 { return &r.TopP }, "nucleus sampling mass", "topP"),
		intParam("max_tokens", 0,
			func(r *ChatRequest) (int64, bool) { return derefInt(r.MaxTokens) },
			func(r *ChatRequest, v *int64) { r.MaxTokens = toInt(v) },
			"answer length cap", "maxOutputTokens"),
		{
			Name: "stop", Aliases: []string{"stopSequences"}, Kind: KindStops, Help: "stop when one of these appears",
			get: func(r *ChatRequest) (string, bool) {
				if len(r.Stop) == 0 {
					return DefaultWord, false
				}
				if len(r.Stop) == 1 {
					return r.Stop[0], true
				}
				b, _ := json.Marshal([]string(r.Stop))
				return string(b), true
			},
			set: func(r *ChatRequest, v string) error {
				if strings.HasPrefix(v, "[") {
					var list []string
					if err := json.Unmarshal([]byte(v), &list); err != nil {
						return fmt.Errorf("not a JSON list of strings: %v", err)
					}
					r.Stop = list
					return nil
				}
				r.Stop = Stop{v}
				return nil
			},
			unset: func(r *ChatRequest) { r.Stop = nil },
		},
		intParam("random_seed", 0,
			func(r *ChatRequest) (int64, bool) {
				if r.RandomSeed == nil {
					return 0, false
				}
				return *r.RandomSeed, true
			},
			func(r *ChatRequest, v *int64) { r.RandomSeed = v },
			"fixed seed for repeatable answers", "seed"),
		floatParam("presence_penalty", -2, 2, func(r *ChatRequest) **float64 { return &r.PresencePenalty }, "penalise tokens already present"),
		floatParam("frequency_penalty", -2, 2, func(r *ChatRequest) **float64 { return &r.FrequencyPenalty }, "penalise frequent tokens"),
		intParam("n", 1,
			func(r *ChatRequest) (int64, bool) { return derefInt(r.N) },
			func(r *ChatRequest, v *int64) { r.N = toInt(v) },
			"answers per request"),
		{
			Name: "response_format", Kind: KindFormat, Help: "text, any JSON object, or JSON matching a schema",
			get: func(r *ChatRequest) (string, bool) {
				if r.ResponseFormat == nil {
					return DefaultWord, false
				}
				if r.ResponseFormat.JSONSchema != nil {
					return "json_schema:" + r.ResponseFormat.JSONSchema.Name, true
				}
				return r.ResponseFormat.Type, true
			},
			set: func(r *ChatRequest, v string) error {
				switch v {
				case "text", "json_object":
					r.ResponseFormat = &ResponseFormat{Type: v}
					return nil
				}
				if strings.HasPrefix(v, "{") {
					var rf ResponseFormat
					if err := json.Unmarshal([]byte(v), &rf); err != nil {
						return fmt.Errorf("not a response_format object: %v", err)
					}
					if rf.Type == "json_schema" && (rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0) {
						return fmt.Errorf("json_schema needs a json_schema.schema")
					}
					r.ResponseFormat = &rf
					return nil
				}
				return fmt.Errorf("%q is not text, json_object or a JSON object", v)
			},
			unset: func(r *ChatRequest) { r.ResponseFormat = nil },
		},
		{
			Name: "tool_choice", Kind: KindToolChoice, Help: "whether and which tool the model must call",
			get: func(r *ChatRequest) (string, bool) {
				if r.ToolChoice == nil {
					return DefaultWord, false
				}
				return r.ToolChoice.String(), true
			},
			set: func(r *ChatRequest, v string) error {
				switch strings.ToLower(v) {
				case "auto", "none", "any", "required":
					r.ToolChoice = &ToolChoice{Mode: strings.ToLower(v)}
					return nil
				}
				name := strings.TrimPrefix(v, "function:")
				if !validFunctionName(name) {
					return fmt.Errorf("%q is not auto, none, any, required or a function name", v)
				}
				r.ToolChoice = &ToolChoice{Function: name}
				return nil
			},
			unset: func(r *ChatRequest) { r.ToolChoice = nil },
		},
		boolParam("parallel_tool_calls", func(r *ChatRequest) **bool { return &r.ParallelToolCalls }, "allow several tool calls at once"),
		enumParam("reasoning_effort", []string{"none", "minimal", "low", "medium", "high", "xhigh"}, func(r *ChatRequest) **string { return &r.ReasoningEffort }, "how hard reasoning models think"),
		enumParam("prompt_mode", []string{"reasoning"}, func(r *ChatRequest) **string { return &r.PromptMode }, "Magistral's reasoning system prompt"),
		boolParam("safe_prompt", func(r *ChatRequest) **bool { return &r.SafePrompt }, "prepend Mistral's safety prompt"),
		{
			Name: "prediction", Kind: KindText, Help: "expected answer text (predicted outputs)",
			get: func(r *ChatRequest) (string, bool) {
				if r.Prediction == nil {
					return DefaultWord, false
				}
				return r.Prediction.Content, true
			},
			set: func(r *ChatRequest, v string) error {
				r.Prediction = &Prediction{Type: "content", Content: v}
				return nil
			},
			unset: func(r *ChatRequest) { r.Prediction = nil },
		},
		{
			Name: "prompt_cache_key", Kind: KindText, Help: "key for prompt caching",
			get: func(r *ChatRequest) (string, bool) {
				if r.PromptCacheKey == nil {
					return DefaultWord, false
				}
				return *r.PromptCacheKey, true
			},
			set:   func(r *ChatRequest, v string) error { r.PromptCacheKey = &v; return nil },
			unset: func(r *ChatRequest) { r.PromptCacheKey = nil },
		},
	}
}

func derefInt(p *int) (int64, bool) {
	if p == nil {
		return 0, false
	}
	return int64(*p), true
}

func toInt(v *int64) *int {
	if v == nil {
		return nil
	}
	i := int(*v)
	return &i
}

func validFunctionName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
