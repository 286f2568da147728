package session

import "mstudio/api"

// ChoiceRecord is one choice of a request that asked for several (n>1), in
// a run record: `mstudio run --json` prints them as "choices", and session
// files keep them.
type ChoiceRecord struct {
	Index        int              `json:"index"`
	Content      string           `json:"content"`
	Reasoning    string           `json:"reasoning"`
	ToolCalls    []ToolCallRecord `json:"tool_calls"`
	FinishReason string           `json:"finish_reason"`
}

// choicesOf is every choice of an answer, in index order, when the server
// sent more than one (a request with n>1, billed for all of them); nil for
// one, the common case, which Result.Message already holds.
func choicesOf(acc *api.Accumulator) []api.Choice {
	if acc == nil || acc.Choices() < 2 {
		return nil
	}
	out := make([]api.Choice, acc.Choices())
	for i := range out {
		out[i] = acc.Choice(i)
	}
	return out
}

// choiceRecords turns the choices of a result into records; nil for none.
func choiceRecords(cs []api.Choice) []ChoiceRecord {
	if len(cs) < 2 {
		return nil
	}
	out := make([]ChoiceRecord, len(cs))
	for i, c := range cs {
		r := ChoiceRecord{Index: c.Index, Content: c.Message.Content.String(), Reasoning: c.Message.Content.Thinking(),
			ToolCalls: []ToolCallRecord{}, FinishReason: c.FinishReason}
		for _, tc := range c.Message.ToolCalls {
			r.ToolCalls = append(r.ToolCalls, ToolCallRecord{ID: tc.ID, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments)})
		}
		out[i] = r
	}
	return out
}
