package api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func sse(events ...string) []byte {
	var b bytes.Buffer
	for _, e := range events {
		b.WriteString("data: " + e + "\n\n")
	}
	return b.Bytes()
}

const done = "[DONE]"

func TestFragmentedToolCallsOpenAIStyle(t *testing.T) {
	// A third-party model on Mistral's endpoint (and vLLM) streams calls in
	// fragments: id, type and name first, then argument pieces with name "".
	body := sse(
		`{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
		`{"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"chatcmpl-tool-1","type":"function","function":{"name":"weather","arguments":""}}]}}]}`,
		`{"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"{\"ci"}}]}}]}`,
		`{"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"chatcmpl-tool-2","type":"function","function":{"name":"time","arguments":"{}"}}]}}]}`,
		`{"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Lyon\"}"}}]}}]}`,
		`{"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}`,
		done)
	s, _, err := drain(t, body)
	if err != nil {
		t.Fatal(err)
	}
	calls := s.Accumulator().ToolCalls()
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
	if calls[0].ID != "chatcmpl-tool-1" || calls[0].Function.Name != "weather" || calls[0].Function.Arguments != `{"city": "Lyon"}` {
		t.Fatalf("call 0 %+v", calls[0])
	}
	if calls[1].Function.Name != "time" || calls[1].Function.Arguments != "{}" {
		t.Fatalf("call 1 %+v", calls[1])
	}
}

func TestFragmentsWithoutIndexExtendTheLastCall(t *testing.T) {
	body := sse(
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"abcdefghi","function":{"name":"f","arguments":"{\"a\":"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"jklmnopqr","function":{"name":"g","arguments":"{}"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		done)
	s, _, err := drain(t, body)
	if err != nil {
		t.Fatal(err)
	}
	calls := s.Accumulator().ToolCalls()
	if len(calls) != 2 || calls[0].Function.Arguments != `{"a":1}` || calls[1].ID != "jklmnopqr" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestThinkingChunksThenStringsAndThenChunks(t *testing.T) {
	for _, answer := range []string{`" 2 + 2"`, `[{"type":"text","text":" 2 + 2"}]`} {
		body := sse(
			`{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
			`{"choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"Okay,"}]}]}}]}`,
			`{"choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":" let me add."}]}]}}]}`,
			`{"choices":[{"index":0,"delta":{"content":`+answer+`}}]}`,
			`{"choices":[{"index":0,"delta":{"content":" = 4"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
			done)
		s, events, err := drain(t, body)
		if err != nil {
			t.Fatal(err)
		}
		acc := s.Accumulator()
		if acc.Reasoning() != "Okay, let me add." || acc.Content() != " 2 + 2 = 4" {
			t.Fatalf("reasoning %q content %q", acc.Reasoning(), acc.Content())
		}
		if events[1].Thinking != "Okay," || events[1].Content != "" {
			t.Fatalf("event 1 %+v", events[1].Update)
		}
		// One thinking chunk then one text chunk, ready to send back.
		parts := acc.Choice(0).Message.Content.Parts()
		if len(parts) != 2 || parts[0].Type != ChunkThinking || parts[1].Type != ChunkText {
			t.Fatalf("parts %+v", parts)
		}
	}
}

func TestInlineThinkTagsSplitAcrossChunks(t *testing.T) {
	pieces := []string{"<th", "ink>\nHmm, ", "Paris.</thi", "nk>\nThe capital ", "is Paris."}
	var events []string
	for _, p := range pieces {
		events = append(events, `{"choices":[{"index":0,"delta":{"content":`+mustJSON(p)+`}}]}`)
	}
	events = append(events, `{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}`, done)
	s, _, err := drain(t, sse(events...))
	if err != nil {
		t.Fatal(err)
	}
	acc := s.Accumulator()
	if acc.Reasoning() != "\nHmm, Paris." || acc.Content() != "The capital is Paris." {
		t.Fatalf("reasoning %q content %q", acc.Reasoning(), acc.Content())
	}
}

func TestTextThatMerelyStartsLikeATag(t *testing.T) {
	s, _, err := drain(t, sse(
		`{"choices":[{"index":0,"delta":{"content":"<"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"b>bold</b>"},"finish_reason":"stop"}]}`,
		done))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Accumulator().Content(); got != "<b>bold</b>" {
		t.Fatalf("content %q", got)
	}
}

func TestOpenAIReasoningFields(t *testing.T) {
	s, _, err := drain(t, sse(
		`{"choices":[{"index":0,"delta":{"reasoning_content":"think "}}]}`,
		`{"choices":[{"index":0,"delta":{"reasoning":"more"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"answer"},"finish_reason":"stop"}]}`,
		done))
	if err != nil {
		t.Fatal(err)
	}
	if acc := s.Accumulator(); acc.Reasoning() != "think more" || acc.Content() != "answer" {
		t.Fatalf("reasoning %q content %q", acc.Reasoning(), acc.Content())
	}
}

func TestEmptyChoicesAndUnknownFields(t *testing.T) {
	s, events, err := drain(t, sse(
		`{"id":"a","choices":[],"p":"abc"}`,
		`{"id":"a","choices":[{"index":0,"delta":{"content":"hi","future_field":1},"logprobs":null}],"p":"abcdefg","other":{"x":1}}`,
		`{"id":"a","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
		done))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || s.Accumulator().Content() != "hi" || s.Accumulator().Usage.TotalTokens != 2 {
		t.Fatalf("events %d content %q", len(events), s.Accumulator().Content())
	}
}

func TestStreamWithoutDoneIsTruncatedAndKeepsPartial(t *testing.T) {
	body := sse(
		`{"choices":[{"index":0,"delta":{"content":"The answer"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":" is"}}]}`)
	s, _, err := drain(t, body)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v", err)
	}
	var se *StreamError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "partial answer is kept") {
		t.Fatalf("err = %v", err)
	}
	if s.Accumulator().Content() != "The answer is" {
		t.Fatalf("partial %q", s.Accumulator().Content())
	}
	// A cut in the middle of a line is a truncation too, not bad JSON.
	cut := append(sse(`{"choices":[{"index":0,"delta":{"content":"a"}}]}`), []byte(`data: {"choices":[{"ind`)...)
	if _, _, err := drain(t, cut); !errors.Is(err, ErrTruncated) {
		t.Fatalf("mid-line cut: err = %v", err)
	}
}

func TestMalformedEventAndErrorEvent(t *testing.T) {
	_, _, err := drain(t, sse(`{"choices":[{"index":0,"delta":{"content":"a"}}]}`, `{not json`, done))
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("malformed: err = %v", err)
	}
	s, _, err := drain(t, sse(`{"choices":[{"index":0,"delta":{"content":"part"}}]}`,
		`{"object":"error","message":"Internal error while streaming","type":"internal_error","code":"1000"}`, done))
	var se *StreamError
	if !errors.As(err, &se) || se.Message != "Internal error while streaming" || se.Code != "1000" {
		t.Fatalf("error event: err = %v", err)
	}
	if s.Accumulator().Content() != "part" {
		t.Fatal("partial lost")
	}
}

func TestSSEDecoderLineEndingsCommentsAndEvents(t *testing.T) {
	body := ": keep-alive\r\n\r\nevent: message.output.delta\r\ndata: {\"a\":\r\ndata: 1}\r\nid: 7\r\n\r\ndata: x\rdata: y\r\rdata: last\n"
	d := NewSSEDecoder(strings.NewReader(body))
	want := []Event{{Type: "message.output.delta", Data: "{\"a\":\n1}", ID: "7"}, {Data: "x\ny"}, {Data: "last"}}
	for i, w := range want {
		got, err := d.Next()
		if err != nil || got != w {
			t.Fatalf("event %d = %+v, %v; want %+v", i, got, err, w)
		}
	}
	if _, err := d.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end = %v", err)
	}
}

func TestSSEDecoderLongLine(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	d := NewSSEDecoder(strings.NewReader("data: " + long + "\n\n"))
	ev, err := d.Next()
	if err != nil || ev.Data != long {
		t.Fatalf("long line: %v, %d bytes", err, len(ev.Data))
	}
}

// FuzzSSEDecoder feeds arbitrary bodies to the decoder and the stream: they
// must never panic, must end, and must keep what they decoded.
func FuzzSSEDecoder(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("event: x\r\ndata: a\r\n\r\n: c\n\ndata:\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":5,\"delta\":{\"tool_calls\":[{\"index\":3,\"function\":{\"arguments\":\"{\"}}]}}]}\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"thinking\",\"thinking\":[]}]}}]}\n\ndata: {\"object\":\"error\"}\n\n"))
	f.Add([]byte("data: <think>x</thi"))
	f.Fuzz(func(t *testing.T, body []byte) {
		d := NewSSEDecoder(bytes.NewReader(body))
		for i := 0; i <= len(body)+1; i++ {
			if _, err := d.Next(); err != nil {
				break
			}
			if i == len(body)+1 {
				t.Fatal("decoder yields more events than there are bytes")
			}
		}
		s := NewStreamReader(nil, io.NopCloser(bytes.NewReader(body)), DialectMistral)
		for i := 0; ; i++ {
			if _, err := s.Next(); err != nil {
				break
			}
			if i > len(body) {
				t.Fatal("stream does not end")
			}
		}
		acc := s.Accumulator()
		_ = acc.Response()
		_ = acc.Content() + acc.Reasoning()
	})
}

func TestOutOfRangeChoiceIndexIsIgnored(t *testing.T) {
	s, _, err := drain(t, sse(
		`{"choices":[{"index":-1,"delta":{"content":"x"}}]}`,
		`{"choices":[{"index":1000000000,"delta":{"content":"y"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"z"},"finish_reason":"stop"}]}`, done))
	if err != nil || s.Accumulator().Content() != "z" || s.Accumulator().Choices() != 1 {
		t.Fatalf("err %v content %q", err, s.Accumulator().Content())
	}
}
