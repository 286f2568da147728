package api

import (
	"encoding/json"
	"testing"
)

// Chunks of an n=3 stream arrive interleaved, a later choice first, one
// choice calling a tool in fragments and thinking inline, another cut off:
// every choice is kept by its index, and Update speaks for choice 0 only.
func TestAccumulatorKeepsChoicesByIndex(t *testing.T) {
	lines := []string{
		`{"id":"c","model":"m","choices":[{"index":1,"delta":{"role":"assistant","content":"<think>hm"}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"Zero "}},{"index":2,"delta":{"tool_calls":[{"id":"t1","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]}`,
		`{"id":"c","choices":[{"index":1,"delta":{"content":"m</think>One"}},{"index":2,"delta":{"tool_calls":[{"id":"t1","function":{"arguments":"ty\":\"Lyon\"}"}}]}}]}`,
		`{"id":"c","choices":[{"index":0,"delta":{"content":"answer"},"finish_reason":"stop"}]}`,
		`{"id":"c","choices":[{"index":2,"delta":{},"finish_reason":"tool_calls"},{"index":1,"delta":{},"finish_reason":"length"}]}`,
		`{"id":"c","choices":[{"index":-1,"delta":{"content":"ignored"}},{"index":4096,"delta":{"content":"ignored"}}],"usage":{"prompt_tokens":3,"completion_tokens":30,"total_tokens":33}}`,
	}
	var a Accumulator
	var zero string
	for _, l := range lines {
		var c ChatChunk
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		up := a.Add(c)
		zero += up.Content
		if up.Thinking != "" || len(up.ToolCalls) > 0 {
			t.Fatalf("choice 0's update carries another choice's thinking or calls: %+v", up)
		}
	}
	if zero != "Zero answer" || a.Content() != "Zero answer" || a.FinishReason() != "stop" {
		t.Fatalf("choice 0: updates %q, content %q, finish %q", zero, a.Content(), a.FinishReason())
	}
	if a.Choices() != 3 {
		t.Fatalf("%d choices", a.Choices())
	}
	one := a.Choice(1)
	if one.Index != 1 || one.Message.Content.String() != "One" || one.Message.Content.Thinking() != "hmm" || one.FinishReason != "length" {
		t.Fatalf("choice 1: %+v", one)
	}
	two := a.Choice(2)
	if two.Index != 2 || len(two.Message.ToolCalls) != 1 || two.Message.ToolCalls[0].Function.Arguments != `{"city":"Lyon"}` || two.FinishReason != "tool_calls" {
		t.Fatalf("choice 2: %+v", two)
	}
	r := a.Response()
	if len(r.Choices) != 3 || r.Choices[1].Message.Content.String() != "One" || r.Usage == nil || r.Usage.CompletionTokens != 30 {
		t.Fatalf("response: %+v", r)
	}
}
