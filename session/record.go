package session

import "math"

// RunRecord is the JSON object `mstudio run --json` prints for one run
// (DESIGN.md §4). Absent values are null, never left out, so scripts can
// rely on every key being there.
type RunRecord struct {
	Model        string           `json:"model"`
	Endpoint     string           `json:"endpoint"`
	Content      string           `json:"content"`
	Reasoning    string           `json:"reasoning"`
	ToolCalls    []ToolCallRecord `json:"tool_calls"`
	FinishReason string           `json:"finish_reason"`
	Usage        *UsageRecord     `json:"usage"`
	TTFTMs       int64            `json:"ttft_ms"`
	LatencyMs    int64            `json:"latency_ms"`
	CostUSD      *float64         `json:"cost_usd"`
	Error        *string          `json:"error"`
	// ToolResults and Turns are set by a run that went through the agent
	// loop (Conversation.Record): every tool call of the conversation with
	// its answer, and the number of model calls. Absent otherwise, so plain
	// runs and older session files read as before.
	ToolResults []ToolResultRecord `json:"tool_results,omitzero"`
	Turns       int                `json:"turns,omitzero"`
	// Choices is every choice of a request that asked for several (n>1);
	// content and the fields above are choice 0's. Absent for one answer.
	Choices []ChoiceRecord `json:"choices,omitzero"`
	// ConversationID is an agent conversation's id (`mstudio run --agent`),
	// to continue it; absent otherwise.
	ConversationID string `json:"conversation_id,omitzero"`
}

// ToolResultRecord is one tool call of a conversation and its answer.
type ToolResultRecord struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Arguments    string   `json:"arguments"`
	Result       string   `json:"result"`
	Error        *string  `json:"error"`
	State        string   `json:"state"`
	Turn         int      `json:"turn"`
	SchemaErrors []string `json:"schema_errors"`
}

// ToolCallRecord is one tool call with its arguments as a JSON string.
type ToolCallRecord struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// UsageRecord is the token count of a run.
type UsageRecord struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Record returns the result in its JSON form.
func (r Result) Record() RunRecord {
	rec := RunRecord{
		Model:        r.Model,
		Endpoint:     r.Endpoint,
		Content:      r.Content(),
		Reasoning:    r.Reasoning(),
		ToolCalls:    []ToolCallRecord{},
		FinishReason: r.FinishReason,
		TTFTMs:       r.TTFT.Milliseconds(),
		LatencyMs:    r.Latency.Milliseconds(),
		Choices:      choiceRecords(r.Choices),
	}
	for _, tc := range r.Message.ToolCalls {
		rec.ToolCalls = append(rec.ToolCalls, ToolCallRecord{ID: tc.ID, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments)})
	}
	if r.Usage != nil {
		rec.Usage = &UsageRecord{PromptTokens: r.Usage.PromptTokens, CompletionTokens: r.Usage.CompletionTokens, TotalTokens: r.Usage.TotalTokens}
	}
	if r.CostKnown {
		// rounded to a millionth of a cent so the figure reads cleanly
		c := math.Round(r.CostUSD*1e8) / 1e8
		rec.CostUSD = &c
	}
	if r.Err != nil {
		msg := r.Err.Error()
		rec.Error = &msg
	}
	return rec
}

// Records converts many results.
func Records(results []Result) []RunRecord {
	out := make([]RunRecord, len(results))
	for i, r := range results {
		out[i] = r.Record()
	}
	return out
}
