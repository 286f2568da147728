package api

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one turn of a conversation.
type Message struct {
	Role       string     `json:"role"`
	Content    Content    `json:"content,omitzero"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Name       string     `json:"name,omitempty"`
	// Prefix asks the model to continue this final assistant message.
	Prefix bool `json:"prefix,omitempty"`
}

// ToolCall is a function call made by the model.
type ToolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
	// Index tells parallel calls apart in a stream; real Mistral streams
	// often leave it out.
	Index *int `json:"index,omitempty"`
}

// FunctionCall names the function and carries its arguments as a JSON string.
type FunctionCall struct {
	Name      string        `json:"name"`
	Arguments ArgumentsJSON `json:"arguments"`
}

// ArgumentsJSON is a tool call's arguments: always a JSON text in Go, while
// the wire may carry either a JSON string holding it or a bare object.
type ArgumentsJSON string

// UnmarshalJSON accepts a string or any JSON value (kept as compact text).
func (a *ArgumentsJSON) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*a = ArgumentsJSON(s)
		return nil
	}
	if bytes.Equal(data, []byte("null")) {
		*a = ""
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return err
	}
	*a = ArgumentsJSON(buf.String())
	return nil
}

// Tool is a tool offered to the model: a function, or one of Mistral's
// built-in tools (web_search, code_interpreter, ...), whose extra fields are
// kept raw.
type Tool struct {
	Type     string    `json:"type"`
	Function *Function `json:"function,omitempty"`
	// Extra holds the other fields of a built-in tool, merged on encode.
	Extra map[string]json.RawMessage `json:"-"`
}

// MarshalJSON merges Extra into the tool object.
func (t Tool) MarshalJSON() ([]byte, error) {
	m := map[string]any{"type": t.Type}
	if t.Function != nil {
		m["function"] = t.Function
	}
	for k, v := range t.Extra {
		if k != "type" && k != "function" {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON keeps unknown fields of built-in tools in Extra.
func (t *Tool) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*t = Tool{}
	if raw, ok := m["type"]; ok {
		if err := json.Unmarshal(raw, &t.Type); err != nil {
			return fmt.Errorf("tool type: %w", err)
		}
	}
	if raw, ok := m["function"]; ok && !bytes.Equal(raw, []byte("null")) {
		t.Function = new(Function)
		if err := json.Unmarshal(raw, t.Function); err != nil {
			return fmt.Errorf("tool function: %w", err)
		}
	}
	for k, v := range m {
		if k == "type" || k == "function" {
			continue
		}
		if t.Extra == nil {
			t.Extra = map[string]json.RawMessage{}
		}
		t.Extra[k] = v
	}
	return nil
}

// FunctionTool returns a function tool.
func FunctionTool(name, description string, parameters json.RawMessage) Tool {
	return Tool{Type: "function", Function: &Function{Name: name, Description: description, Parameters: parameters}}
}

// Function describes a callable function and its JSON Schema parameters.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict,omitempty"`
}

// ToolChoice is "auto", "none", "any", "required", or one named function.
type ToolChoice struct {
	Mode     string // auto, none, any, required; empty when Function is set
	Function string
}

// MarshalJSON encodes a mode as a string and a function as an object.
func (c ToolChoice) MarshalJSON() ([]byte, error) {
	if c.Function != "" {
		return json.Marshal(map[string]any{"type": "function", "function": map[string]string{"name": c.Function}})
	}
	return json.Marshal(c.Mode)
}

// UnmarshalJSON accepts both forms.
func (c *ToolChoice) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		*c = ToolChoice{}
		return json.Unmarshal(data, &c.Mode)
	}
	var o struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return err
	}
	*c = ToolChoice{Function: o.Function.Name}
	return nil
}

// String renders the choice as the studio shows it.
func (c ToolChoice) String() string {
	if c.Function != "" {
		return "function:" + c.Function
	}
	return c.Mode
}

// ResponseFormat asks for text, any JSON object, or JSON matching a schema.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema is a named schema for structured output.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
	Strict      bool            `json:"strict,omitempty"`
}

// Prediction is a predicted output that speeds up answers close to it.
type Prediction struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

// Stop is one or more stop sequences; a single one is sent as a string.
type Stop []string

// MarshalJSON sends one sequence as a string, several as an array.
func (s Stop) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// UnmarshalJSON accepts a string or an array.
func (s *Stop) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var one string
		if err := json.Unmarshal(data, &one); err != nil {
			return err
		}
		*s = Stop{one}
		return nil
	}
	return json.Unmarshal(data, (*[]string)(s))
}

// ChatRequest is the body of POST /v1/chat/completions. Pointer fields are
// "default": nil is not sent, so the server's per-model default applies.
// Fields the official schema lacks are deliberately absent: the real server
// answers 422 to them.
type ChatRequest struct {
	Model             string          `json:"model"`
	Messages          []Message       `json:"messages"`
	Temperature       *float64        `json:"temperature,omitempty"`
	TopP              *float64        `json:"top_p,omitempty"`
	MaxTokens         *int            `json:"max_tokens,omitempty"`
	Stream            bool            `json:"stream,omitempty"`
	Stop              Stop            `json:"stop,omitempty"`
	RandomSeed        *int64          `json:"random_seed,omitempty"`
	Metadata          map[string]any  `json:"metadata,omitempty"`
	ResponseFormat    *ResponseFormat `json:"response_format,omitempty"`
	Tools             []Tool          `json:"tools,omitempty"`
	ToolChoice        *ToolChoice     `json:"tool_choice,omitempty"`
	PresencePenalty   *float64        `json:"presence_penalty,omitempty"`
	FrequencyPenalty  *float64        `json:"frequency_penalty,omitempty"`
	N                 *int            `json:"n,omitempty"`
	Prediction        *Prediction     `json:"prediction,omitempty"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls,omitempty"`
	PromptMode        *string         `json:"prompt_mode,omitempty"`
	ReasoningEffort   *string         `json:"reasoning_effort,omitempty"`
	PromptCacheKey    *string         `json:"prompt_cache_key,omitempty"`
	SafePrompt        *bool           `json:"safe_prompt,omitempty"`
}

// Clone returns a deep enough copy for running the same request on another
// model: slices and pointers that callers edit are copied.
func (r ChatRequest) Clone() ChatRequest {
	data, err := json.Marshal(r)
	if err != nil {
		return r
	}
	var c ChatRequest
	if err := json.Unmarshal(data, &c); err != nil {
		return r
	}
	c.Stream = r.Stream
	return c
}

// Usage counts tokens. The real server adds fields the spec lacks
// (prompt_tokens_details, service_tier); they are kept.
type Usage struct {
	PromptTokens        int           `json:"prompt_tokens"`
	CompletionTokens    int           `json:"completion_tokens"`
	TotalTokens         int           `json:"total_tokens"`
	PromptTokensDetails *TokenDetails `json:"prompt_tokens_details,omitempty"`
	ServiceTier         string        `json:"service_tier,omitempty"`
}

// TokenDetails breaks prompt tokens down.
type TokenDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// CachedTokens returns the prompt tokens served from the cache.
func (u Usage) CachedTokens() int {
	if u.PromptTokensDetails == nil {
		return 0
	}
	return u.PromptTokensDetails.CachedTokens
}

// ChatResponse is a non-streamed answer.
type ChatResponse struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []Choice `json:"choices"`
	Usage   *Usage   `json:"usage,omitempty"`
	// Meta is what the response headers said; never encoded.
	Meta Meta `json:"-"`
}

// Choice is one of the n answers.
type Choice struct {
	Index        int     `json:"index"`
	Message      Message `json:"message"`
	FinishReason string  `json:"finish_reason"`
}

// ChatChunk is one event of a streamed answer.
type ChatChunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []ChunkChoice `json:"choices"`
	Usage   *Usage        `json:"usage,omitempty"`
}

// ChunkChoice is one choice's delta in a stream chunk.
type ChunkChoice struct {
	Index        int     `json:"index"`
	Delta        Delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

// Delta is the new piece of an answer. Content is a string or chunks;
// Reasoning carries the thinking of OpenAI-dialect servers (vLLM's
// reasoning_content, Ollama's reasoning).
type Delta struct {
	Role             string     `json:"role,omitempty"`
	Content          Content    `json:"content,omitzero"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	Reasoning        string     `json:"reasoning,omitempty"`
}

// Finish reasons.
const (
	FinishStop        = "stop"
	FinishLength      = "length"
	FinishModelLength = "model_length"
	FinishError       = "error"
	FinishToolCalls   = "tool_calls"
)

// FinishClass sorts a finish reason for display, so that every view tells
// a cut or failed answer from a finished one the same way.
type FinishClass int

const (
	// FinishedNormally: the model ended its answer or asked for tools.
	FinishedNormally FinishClass = iota
	// FinishedCut: the answer was cut (max_tokens, the context length) or
	// ended for a reason this client does not know.
	FinishedCut
	// FinishedOnError: the model stopped on an error.
	FinishedOnError
)

// ClassifyFinish sorts a finish reason; "" (a server that sent none) is a
// normal end.
func ClassifyFinish(reason string) FinishClass {
	switch reason {
	case "", FinishStop, FinishToolCalls:
		return FinishedNormally
	case FinishError:
		return FinishedOnError
	}
	return FinishedCut
}
