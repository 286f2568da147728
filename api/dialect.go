package api

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Dialect is the flavour of the wire an endpoint speaks.
type Dialect string

// Dialects.
const (
	// DialectMistral is Mistral's own API: api.mistral.ai and its regions.
	DialectMistral Dialect = "mistral"
	// DialectOpenAI is the OpenAI-compatible API of self-hosted servers that
	// run Mistral's open models: vLLM, Ollama, llama.cpp server.
	DialectOpenAI Dialect = "openai"
)

// ParseDialect accepts "mistral" or "openai" (and "" for mistral).
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "mistral":
		return DialectMistral, nil
	case "openai", "openai-compatible", "vllm", "ollama", "llamacpp", "llama.cpp":
		return DialectOpenAI, nil
	}
	return "", fmt.Errorf("unknown dialect %q: use mistral or openai", s)
}

func (d Dialect) modelsPath() string { return "/v1/models" }

// encodeChat returns the request body as this dialect wants it.
func (d Dialect) encodeChat(req ChatRequest) ([]byte, error) {
	if d != DialectOpenAI {
		return json.Marshal(req)
	}
	return json.Marshal(toOpenAI(req))
}

// openAIRequest is the chat body of OpenAI-compatible servers. The
// differences from Mistral's: seed instead of random_seed; "required" instead
// of "any"; usage only when stream_options asks for it; no safe_prompt,
// prompt_mode, prediction or prompt_cache_key; assistant messages carry
// plain text (the servers' chat templates do not take thinking chunks).
type openAIRequest struct {
	Model             string          `json:"model"`
	Messages          []Message       `json:"messages"`
	Temperature       *float64        `json:"temperature,omitempty"`
	TopP              *float64        `json:"top_p,omitempty"`
	MaxTokens         *int            `json:"max_tokens,omitempty"`
	Stream            bool            `json:"stream,omitempty"`
	StreamOptions     *streamOptions  `json:"stream_options,omitempty"`
	Stop              Stop            `json:"stop,omitempty"`
	Seed              *int64          `json:"seed,omitempty"`
	ResponseFormat    *ResponseFormat `json:"response_format,omitempty"`
	Tools             []Tool          `json:"tools,omitempty"`
	ToolChoice        *ToolChoice     `json:"tool_choice,omitempty"`
	PresencePenalty   *float64        `json:"presence_penalty,omitempty"`
	FrequencyPenalty  *float64        `json:"frequency_penalty,omitempty"`
	N                 *int            `json:"n,omitempty"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls,omitempty"`
	ReasoningEffort   *string         `json:"reasoning_effort,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

func toOpenAI(req ChatRequest) openAIRequest {
	out := openAIRequest{
		Model: req.Model, Temperature: req.Temperature, TopP: req.TopP, MaxTokens: req.MaxTokens,
		Stream: req.Stream, Stop: req.Stop, Seed: req.RandomSeed, ResponseFormat: req.ResponseFormat,
		Tools: req.Tools, PresencePenalty: req.PresencePenalty, FrequencyPenalty: req.FrequencyPenalty,
		N: req.N, ParallelToolCalls: req.ParallelToolCalls, ReasoningEffort: req.ReasoningEffort,
	}
	if req.Stream {
		out.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	if req.ToolChoice != nil {
		tc := *req.ToolChoice
		if tc.Mode == "any" {
			tc.Mode = "required"
		}
		out.ToolChoice = &tc
	}
	if req.ReasoningEffort != nil && *req.ReasoningEffort == "none" {
		out.ReasoningEffort = nil
	}
	for _, m := range req.Messages {
		if m.Role == RoleAssistant && !m.Content.IsZero() {
			// thinking chunks are Mistral's; send the answer text alone
			if m.Content.Thinking() != "" || !m.Content.IsString() {
				m.Content = Text(m.Content.String())
			}
		}
		m.Prefix = false
		out.Messages = append(out.Messages, m)
	}
	return out
}

// fixResponse maps a non-streamed OpenAI-dialect answer onto Mistral's shape:
// the reasoning that vLLM (reasoning_content), Ollama (reasoning) or inline
// <think> tags carry becomes a thinking chunk before the text.
func (d Dialect) fixResponse(r *ChatResponse, body []byte) {
	if d != DialectOpenAI {
		return
	}
	var extra struct {
		Choices []struct {
			Message struct {
				ReasoningContent string `json:"reasoning_content"`
				Reasoning        string `json:"reasoning"`
			} `json:"message"`
		} `json:"choices"`
	}
	_ = json.Unmarshal(body, &extra)
	for i := range r.Choices {
		msg := &r.Choices[i].Message
		th := ""
		if i < len(extra.Choices) {
			th = extra.Choices[i].Message.ReasoningContent + extra.Choices[i].Message.Reasoning
		}
		text := msg.Content.String()
		if th == "" && msg.Content.IsString() {
			var t thinkSplitter
			a, b := t.feed(text)
			c, e := t.flush()
			text, th = a+c, b+e
		}
		if th != "" {
			msg.Content = Chunks(ThinkingChunk(th), TextChunk(text))
		}
	}
}

// fixChunk maps an OpenAI-dialect chunk: nothing to do beyond what the
// accumulator already reads (reasoning_content, reasoning, indexed
// fragments), but empty names in later fragments are normalised here.
func (d Dialect) fixChunk(c *ChatChunk) {
	if d != DialectOpenAI {
		return
	}
	for i := range c.Choices {
		for j := range c.Choices[i].Delta.ToolCalls {
			tc := &c.Choices[i].Delta.ToolCalls[j]
			tc.Function.Name = strings.TrimSpace(tc.Function.Name)
		}
	}
}

// fixModels fills what OpenAI-dialect model lists lack: every model there
// can chat, and vLLM reports its context as max_model_len.
func (d Dialect) fixModels(cards []ModelCard) []ModelCard {
	if d != DialectOpenAI {
		return cards
	}
	for i := range cards {
		cards[i].Capabilities.CompletionChat = true
		if cards[i].MaxContextLength == 0 && cards[i].MaxModelLen > 0 {
			cards[i].MaxContextLength = cards[i].MaxModelLen
		}
		if cards[i].Type == "" {
			cards[i].Type = "base"
		}
	}
	return cards
}
