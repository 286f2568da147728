package sim

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestStreamText(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 7})
	body := chatBody(t, map[string]any{"stream": true, "messages": []any{user("Name one thing to see in Lyon.")}})
	resp, events, done := stream(t, ts, body)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Errorf("content-type %q", ct)
	}
	for _, h := range []string{"mistral-correlation-id", "x-ratelimit-limit-req-minute", "x-ratelimit-remaining-req-minute",
		"x-ratelimit-limit-tokens-minute", "x-ratelimit-remaining-tokens-minute", "x-ratelimit-limit-tokens-month",
		"x-ratelimit-remaining-tokens-month", "x-ratelimit-tokens-query-cost"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if !done {
		t.Fatal("no [DONE]")
	}
	chunks := decodeChunks(t, events)
	first := chunks[0]
	if first.Choices[0].Delta.Role == nil || *first.Choices[0].Delta.Role != "assistant" || string(first.Choices[0].Delta.Content) != `""` {
		t.Errorf("first chunk %s", events[0].data)
	}
	padded := 0
	for i, c := range chunks {
		if !hexID.MatchString(c.ID) || c.ID != first.ID || c.Object != "chat.completion.chunk" || c.Model != "mistral-small-latest" || c.Created == 0 {
			t.Fatalf("chunk %d header: %s", i, events[i].data)
		}
		if c.P != nil {
			padded++
		}
		last := i == len(chunks)-1
		if (c.Usage != nil) != last || (c.Choices[0].FinishReason != nil) != last {
			t.Errorf("chunk %d: usage/finish only belong to the last chunk: %s", i, events[i].data)
		}
		if i > 0 && !last {
			var piece string
			if err := json.Unmarshal(c.Choices[0].Delta.Content, &piece); err != nil || len(piece) == 0 || len([]rune(piece)) > 6 {
				t.Errorf("chunk %d piece %s", i, c.Choices[0].Delta.Content)
			}
			if c.Choices[0].Delta.Role != nil {
				t.Errorf("role repeated in chunk %d", i)
			}
		}
	}
	if padded == 0 {
		t.Error("no chunk carries the p padding")
	}
	final := chunks[len(chunks)-1]
	text, _ := collect(t, chunks)
	tokens := len(chunks) - 2
	if *final.Choices[0].FinishReason != "stop" || final.Usage.CompletionTokens != tokens ||
		final.Usage.TotalTokens != final.Usage.PromptTokens+tokens || final.Usage.PromptTokens < 5 {
		t.Errorf("final chunk %s (%d tokens)", events[len(events)-1].data, tokens)
	}
	if !strings.HasPrefix(text, "## Lyon\n\n") || !strings.Contains(text, "\n- **") {
		t.Errorf("answer is not markdown about the prompt:\n%s", text)
	}

	// The same request gives the same answer on a seeded server, and the
	// non-streamed answer matches the streamed one.
	r := complete(t, ts, chatBody(t, map[string]any{"messages": []any{user("Name one thing to see in Lyon.")}}))
	if got := contentString(t, r.Choices[0].Message.Content); got != text {
		t.Errorf("non-streamed answer differs:\n%s\n---\n%s", got, text)
	}
	if !hexID.MatchString(r.ID) || r.Object != "chat.completion" || r.Choices[0].FinishReason != "stop" || r.Usage.CompletionTokens != tokens {
		t.Errorf("response %+v", r)
	}
}

func TestAnswersVaryByPrompt(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 1})
	code := contentString(t, complete(t, ts, chatBody(t, map[string]any{"messages": []any{user("Write a Python function to parse CSV files")}})).Choices[0].Message.Content)
	if !strings.Contains(code, "```python\n") {
		t.Errorf("no python block:\n%s", code)
	}
	brief := contentString(t, complete(t, ts, chatBody(t, map[string]any{"messages": []any{user("Who is the best French painter? Answer in one short sentence.")}})).Choices[0].Message.Content)
	if strings.Contains(brief, "\n") || strings.Contains(brief, "#") {
		t.Errorf("brief answer is not one sentence: %q", brief)
	}
	hello := contentString(t, complete(t, ts, chatBody(t, map[string]any{"messages": []any{user("hello!")}})).Choices[0].Message.Content)
	if !strings.Contains(hello, "help") {
		t.Errorf("greeting: %q", hello)
	}
}

func TestMaxTokensAndStop(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 2})
	r := complete(t, ts, chatBody(t, map[string]any{"max_tokens": 12, "messages": []any{user("Explain binary search")}}))
	if r.Choices[0].FinishReason != "length" || r.Usage.CompletionTokens != 12 {
		t.Errorf("finish %q, %d tokens", r.Choices[0].FinishReason, r.Usage.CompletionTokens)
	}
	_, events, _ := stream(t, ts, chatBody(t, map[string]any{"stream": true, "max_tokens": 5, "messages": []any{user("Explain binary search")}}))
	chunks := decodeChunks(t, events)
	if fin := chunks[len(chunks)-1]; *fin.Choices[0].FinishReason != "length" || len(chunks) != 7 || fin.Usage.CompletionTokens != 5 {
		t.Errorf("stream: %d chunks, last %s", len(chunks), events[len(events)-1].data)
	}
	r = complete(t, ts, chatBody(t, map[string]any{"stop": []string{"\n"}, "messages": []any{user("Explain binary search")}}))
	if got := contentString(t, r.Choices[0].Message.Content); strings.Contains(got, "\n") || got == "" || r.Choices[0].FinishReason != "stop" {
		t.Errorf("stop ignored: %q %s", got, r.Choices[0].FinishReason)
	}
}

func TestThinking(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 4})
	body := chatBody(t, map[string]any{"stream": true, "reasoning_effort": "high", "messages": []any{user("Why is the sky blue?")}})
	_, events, done := stream(t, ts, body)
	chunks := decodeChunks(t, events)
	if !done {
		t.Fatal("no [DONE]")
	}
	// Thinking first, as chunk arrays, then the answer as plain strings.
	sawText := false
	for i, c := range chunks[1 : len(chunks)-1] {
		raw := c.Choices[0].Delta.Content
		isThinking := bytes.HasPrefix(raw, []byte(`[{"type":"thinking","thinking":[{"type":"text","text":`))
		if isThinking && sawText {
			t.Fatalf("thinking after the answer at chunk %d", i+1)
		}
		if !isThinking {
			sawText = true
			if raw[0] != '"' {
				t.Fatalf("answer piece %s is not a string", raw)
			}
		}
	}
	text, thinking := collect(t, chunks)
	if thinking == "" || text == "" || !sawText {
		t.Fatalf("thinking %q text %q", thinking, text)
	}

	r := complete(t, ts, chatBody(t, map[string]any{"reasoning_effort": "high", "messages": []any{user("Why is the sky blue?")}}))
	var parts []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Closed   *bool  `json:"closed"`
		Thinking []struct {
			Type, Text string
		} `json:"thinking"`
	}
	if err := json.Unmarshal(r.Choices[0].Message.Content, &parts); err != nil {
		t.Fatalf("content %s: %v", r.Choices[0].Message.Content, err)
	}
	if len(parts) != 2 || parts[0].Type != "thinking" || parts[0].Closed == nil || !*parts[0].Closed ||
		parts[0].Thinking[0].Text != thinking || parts[1].Type != "text" || parts[1].Text != text {
		t.Errorf("content %s", r.Choices[0].Message.Content)
	}

	// No thinking with reasoning_effort none, nor from a model that cannot.
	for _, req := range []map[string]any{
		{"reasoning_effort": "none", "messages": []any{user("Why?")}},
		{"model": "ministral-8b-latest", "reasoning_effort": "high", "messages": []any{user("Why?")}},
	} {
		r := complete(t, ts, chatBody(t, req))
		contentString(t, r.Choices[0].Message.Content)
	}
	// prompt_mode reasoning asks for it too.
	r = complete(t, ts, chatBody(t, map[string]any{"model": "mistral-medium-latest", "prompt_mode": "reasoning", "messages": []any{user("Why?")}}))
	if !bytes.HasPrefix(r.Choices[0].Message.Content, []byte(`[{"type":"thinking"`)) {
		t.Errorf("prompt_mode reasoning: %s", r.Choices[0].Message.Content)
	}
}

const weatherTool = `{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city",
"parameters":{"type":"object","properties":{
 "city":{"type":"string","description":"City name"},
 "unit":{"type":"string","enum":["celsius","fahrenheit"]},
 "days":{"type":"integer","minimum":1,"maximum":7},
 "include_hourly":{"type":"boolean"},
 "coords":{"type":"object","properties":{"lat":{"type":"number","minimum":-90,"maximum":90},"lon":{"type":"number","minimum":-180,"maximum":180}},"required":["lat","lon"]},
 "alerts":{"type":"array","items":{"type":"string","enum":["storm","heat","flood"]},"minItems":1,"uniqueItems":true}
},"required":["city","unit","alerts"],"additionalProperties":false}}}`

const eventsTool = `{"type":"function","function":{"name":"search_events","description":"Search events happening in a city today",
"parameters":{"type":"object","properties":{"query":{"type":"string","minLength":3},"limit":{"type":"integer","minimum":1,"maximum":20},
"kind":{"const":"event"}},"required":["query","kind"]}}}`

const mathTool = `{"type":"function","function":{"name":"calculate","description":"Evaluate an arithmetic expression",
"parameters":{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}}}`

func toolsBody(t *testing.T, extra map[string]any, tools ...string) string {
	t.Helper()
	var list []json.RawMessage
	for _, tool := range tools {
		list = append(list, json.RawMessage(tool))
	}
	extra["tools"] = list
	return chatBody(t, extra)
}

// checkArgs validates a call's arguments against the tool's schema.
func checkArgs(t *testing.T, tool, args string) {
	t.Helper()
	var def struct {
		Function struct {
			Parameters json.RawMessage `json:"parameters"`
		} `json:"function"`
	}
	if err := json.Unmarshal([]byte(tool), &def); err != nil {
		t.Fatal(err)
	}
	schema, _ := jsonschema.UnmarshalJSON(bytes.NewReader(def.Function.Parameters))
	c := jsonschema.NewCompiler()
	_ = c.AddResource("mem:///tool.json", schema)
	sch := c.MustCompile("mem:///tool.json")
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(args))
	if err != nil {
		t.Fatalf("arguments %q are not JSON: %v", args, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("arguments %s do not validate: %v", args, err)
	}
}

func TestToolCallsStream(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 5})
	for seed := 0; seed < 5; seed++ {
		body := toolsBody(t, map[string]any{"stream": true, "random_seed": seed, "messages": []any{user("What's the weather in Lyon this week?")}}, weatherTool, mathTool)
		_, events, done := stream(t, ts, body)
		chunks := decodeChunks(t, events)
		if !done || len(chunks) != 2 {
			t.Fatalf("want role chunk + one tool chunk, got %d (done=%v)", len(chunks), done)
		}
		c := chunks[1]
		if *c.Choices[0].FinishReason != "tool_calls" || c.Usage == nil || string(c.Choices[0].Delta.Content) != `""` || len(c.Choices[0].Delta.ToolCalls) != 1 {
			t.Fatalf("tool chunk %s", events[1].data)
		}
		var tc struct {
			ID       string `json:"id"`
			Index    *int   `json:"index"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		}
		_ = json.Unmarshal(c.Choices[0].Delta.ToolCalls[0], &tc)
		if !toolCallIDRE.MatchString(tc.ID) || tc.Index == nil || *tc.Index != 0 || tc.Function.Name != "get_weather" {
			t.Fatalf("call %s", c.Choices[0].Delta.ToolCalls[0])
		}
		checkArgs(t, weatherTool, tc.Function.Arguments)
		if !strings.Contains(tc.Function.Arguments, `"city": "Lyon"`) {
			t.Errorf("city not taken from the prompt: %s", tc.Function.Arguments)
		}
	}
}

func TestParallelToolCalls(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 6})
	msgs := []any{user("What's the weather in Lyon and which events are on today?")}
	r := complete(t, ts, toolsBody(t, map[string]any{"messages": msgs}, mathTool, weatherTool, eventsTool))
	calls := r.Choices[0].Message.ToolCalls
	if r.Choices[0].FinishReason != "tool_calls" || len(calls) != 2 || calls[0].ID == calls[1].ID {
		t.Fatalf("calls %+v", r.Choices[0])
	}
	names := calls[0].Function.Name + "," + calls[1].Function.Name
	if names != "get_weather,search_events" && names != "search_events,get_weather" {
		t.Errorf("called %s", names)
	}
	for _, c := range calls {
		tool := weatherTool
		if c.Function.Name == "search_events" {
			tool = eventsTool
		}
		checkArgs(t, tool, c.Function.Arguments)
	}
	// Streamed, both calls arrive whole in one delta with index 0 and 1.
	_, events, _ := stream(t, ts, toolsBody(t, map[string]any{"stream": true, "messages": msgs}, mathTool, weatherTool, eventsTool))
	if !strings.Contains(events[1].data, `"index":0}`) || !strings.Contains(events[1].data, `"index":1}`) {
		t.Errorf("parallel stream chunk %s", events[1].data)
	}
	// parallel_tool_calls false: one call.
	r = complete(t, ts, toolsBody(t, map[string]any{"parallel_tool_calls": false, "messages": msgs}, mathTool, weatherTool, eventsTool))
	if len(r.Choices[0].Message.ToolCalls) != 1 {
		t.Errorf("parallel_tool_calls false: %d calls", len(r.Choices[0].Message.ToolCalls))
	}
}

func TestToolChoice(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 8})
	msgs := []any{user("What's the weather in Lyon?")}
	r := complete(t, ts, toolsBody(t, map[string]any{"messages": msgs,
		"tool_choice": map[string]any{"type": "function", "function": map[string]any{"name": "calculate"}}}, weatherTool, mathTool))
	if calls := r.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Function.Name != "calculate" {
		t.Errorf("forced call: %+v", calls)
	}
	r = complete(t, ts, toolsBody(t, map[string]any{"messages": msgs, "tool_choice": "none"}, weatherTool))
	if len(r.Choices[0].Message.ToolCalls) != 0 || r.Choices[0].FinishReason != "stop" {
		t.Errorf("tool_choice none called a tool: %+v", r.Choices[0])
	}
	r = complete(t, ts, toolsBody(t, map[string]any{"messages": []any{user("Hello")}, "tool_choice": "any"}, mathTool))
	if len(r.Choices[0].Message.ToolCalls) != 1 {
		t.Errorf("tool_choice any made no call")
	}
}

func TestAnswerFromToolResults(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 9})
	msgs := []any{
		user("What's the weather in Lyon?"),
		map[string]any{"role": "assistant", "content": "", "tool_calls": []any{
			map[string]any{"id": "gSIMJiOkT", "type": "function", "function": map[string]any{"name": "get_weather", "arguments": `{"city": "Lyon"}`}},
		}},
		map[string]any{"role": "tool", "tool_call_id": "gSIMJiOkT", "content": `{"temp_c": 21.5, "conditions": "light rain", "wind": {"kmh": 14}}`},
	}
	r := complete(t, ts, toolsBody(t, map[string]any{"messages": msgs}, weatherTool))
	text := contentString(t, r.Choices[0].Message.Content)
	if r.Choices[0].FinishReason != "stop" || len(r.Choices[0].Message.ToolCalls) != 0 {
		t.Fatalf("answer %+v", r.Choices[0])
	}
	for _, want := range []string{"21.5", "light rain", "14", "get_weather"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer does not quote %q:\n%s", want, text)
		}
	}
	// A plain-text result is quoted too.
	msgs[2] = map[string]any{"role": "tool", "tool_call_id": "gSIMJiOkT", "name": "get_weather", "content": "Sunny, 24 degrees"}
	text = contentString(t, complete(t, ts, toolsBody(t, map[string]any{"messages": msgs}, weatherTool)).Choices[0].Message.Content)
	if !strings.Contains(text, "Sunny, 24 degrees") {
		t.Errorf("text result not quoted:\n%s", text)
	}
}

func TestStructuredOutput(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 10})
	schema := `{"type":"object","properties":{"title":{"type":"string"},"year":{"type":"integer","minimum":1900,"maximum":2030},
	"rating":{"type":"number","exclusiveMinimum":0,"maximum":10},"genres":{"type":"array","items":{"type":"string"},"minItems":2},
	"director":{"$ref":"#/$defs/person"},"status":{"enum":["released","announced"]}},
	"required":["title","year","rating","genres","director","status"],"additionalProperties":false,
	"$defs":{"person":{"type":"object","properties":{"name":{"type":"string"},"born":{"type":"string","format":"date"}},"required":["name"]}}}`
	rf := map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "movie", "schema": json.RawMessage(schema), "strict": true}}
	_, events, _ := stream(t, ts, chatBody(t, map[string]any{"stream": true, "response_format": rf, "messages": []any{user("Describe a film as JSON")}}))
	chunks := decodeChunks(t, events)
	text, _ := collect(t, chunks)
	if len(chunks) < 6 {
		t.Errorf("JSON not streamed in pieces: %d chunks", len(chunks))
	}
	sch, _ := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	c := jsonschema.NewCompiler()
	_ = c.AddResource("mem:///movie.json", sch)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not JSON: %q", text)
	}
	if err := c.MustCompile("mem:///movie.json").Validate(v); err != nil {
		t.Errorf("%s: %v", text, err)
	}

	r := complete(t, ts, chatBody(t, map[string]any{"response_format": map[string]any{"type": "json_object"}, "messages": []any{user("Summarise Go in JSON")}}))
	var obj map[string]any
	if err := json.Unmarshal([]byte(contentString(t, r.Choices[0].Message.Content)), &obj); err != nil || len(obj) == 0 {
		t.Errorf("json_object: %s %v", r.Choices[0].Message.Content, err)
	}
}

func TestPrefixAndN(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 11})
	r := complete(t, ts, chatBody(t, map[string]any{"messages": []any{user("Tell me about Lisbon"),
		map[string]any{"role": "assistant", "content": "Lisbon, in one line:", "prefix": true}}}))
	if got := contentString(t, r.Choices[0].Message.Content); !strings.HasPrefix(got, "Lisbon, in one line:") {
		t.Errorf("prefix not kept: %q", got)
	}
	r = complete(t, ts, chatBody(t, map[string]any{"n": 2, "messages": []any{user("Tell me about Lisbon")}}))
	if len(r.Choices) != 2 || r.Choices[1].Index != 1 {
		t.Fatalf("n=2 gave %d choices", len(r.Choices))
	}
	_, events, done := stream(t, ts, chatBody(t, map[string]any{"n": 2, "stream": true, "max_tokens": 3, "messages": []any{user("Tell me about Lisbon")}}))
	finals := 0
	for _, c := range decodeChunks(t, events) {
		if c.Choices[0].FinishReason != nil {
			finals++
		}
	}
	if !done || finals != 2 {
		t.Errorf("n=2 stream: %d finish chunks", finals)
	}
}

func TestFIM(t *testing.T) {
	ts, _ := startServer(t, Options{Seed: 12})
	resp, data := post(t, ts, "/v1/fim/completions", `{"model":"codestral-latest","prompt":"def add(a, b):","suffix":"return result"}`)
	var r response
	_ = json.Unmarshal(data, &r)
	got := contentString(t, r.Choices[0].Message.Content)
	if resp.StatusCode != 200 || r.Object != "chat.completion" || !strings.Contains(got, "\n    ") || strings.Contains(got, "return result") ||
		!bytes.Contains(data, []byte(`"prefix":false`)) {
		t.Errorf("%d %s", resp.StatusCode, data)
	}
	_, events, done := streamAt(t, ts, "/v1/fim/completions", `{"model":"codestral-2508","prompt":"func sum(xs []int) int {","stream":true}`)
	text, _ := collect(t, decodeChunks(t, events))
	if !done || !strings.HasPrefix(text, "\n\t") || !strings.Contains(text, "return") {
		t.Errorf("FIM stream: done=%v %q", done, text)
	}
}

func TestPromptCacheAndClock(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ts, _ := startServer(t, Options{Seed: 13, Now: func() time.Time { return now }})
	body := chatBody(t, map[string]any{"prompt_cache_key": "k1", "messages": []any{user(strings.Repeat("context ", 50))}})
	var cached []int
	for i := 0; i < 2; i++ {
		_, data := post(t, ts, "/v1/chat/completions", body)
		var r struct {
			Created int64 `json:"created"`
			Usage   struct {
				PromptTokens        int `json:"prompt_tokens"`
				PromptTokensDetails struct {
					CachedTokens int `json:"cached_tokens"`
				} `json:"prompt_tokens_details"`
				ServiceTier string `json:"service_tier"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(data, &r); err != nil || r.Created != now.Unix() || r.Usage.ServiceTier != "standard" {
			t.Fatalf("%s %v", data, err)
		}
		cached = append(cached, r.Usage.PromptTokensDetails.CachedTokens)
		if i == 1 && cached[1] != r.Usage.PromptTokens {
			t.Errorf("repeat prompt: %d of %d tokens cached", cached[1], r.Usage.PromptTokens)
		}
	}
	if cached[0] != 0 {
		t.Errorf("first request already cached: %v", cached)
	}
}
