package sim

import (
	"strings"
	"testing"
)

func TestConversationRules(t *testing.T) {
	ts, _ := startServer(t, Options{})
	call := func(id string) map[string]any {
		return map[string]any{"role": "assistant", "content": "", "tool_calls": []any{
			map[string]any{"id": id, "type": "function", "function": map[string]any{"name": "weather", "arguments": `{"city": "Lyon"}`}},
		}}
	}
	result := func(id string) map[string]any {
		return map[string]any{"role": "tool", "tool_call_id": id, "name": "weather", "content": `{"temp_c": 21}`}
	}
	for _, tc := range []struct {
		name   string
		req    map[string]any
		status int
		want   string
	}{
		{"tool call id", map[string]any{"messages": []any{user("hi"), call("turn1_0"), result("turn1_0")}}, 400,
			`{"object":"error","message":"Tool call id was turn1_0 but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400}`},
		{"tool result id", map[string]any{"messages": []any{user("hi"), call("abcDEF123"), result("call_abc-123")}}, 400,
			`{"object":"error","message":"Tool call id was call_abc-123 but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400}`},
		{"user after tool", map[string]any{"messages": []any{user("hi"), call("abcDEF123"), result("abcDEF123"), user("and?")}}, 400,
			`{"object":"error","message":"Unexpected role 'user' after role 'tool'","type":"invalid_request_message_order","param":null,"code":"3230"}`},
		{"assistant with nothing", map[string]any{"messages": []any{user("hi"), map[string]any{"role": "assistant", "content": nil}, user("again")}}, 400,
			`{"object":"error","message":"Assistant message must have either content or tool_calls, but not none.","type":"invalid_request_error","param":null,"code":null}`},
		{"last role assistant", map[string]any{"messages": []any{user("hi"), map[string]any{"role": "assistant", "content": "hello"}}}, 400,
			`{"object":"error","message":"Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant","type":"invalid_request_error","param":null,"code":null}`},
		{"last role system", map[string]any{"messages": []any{map[string]any{"role": "system", "content": "be nice"}}}, 400,
			`{"object":"error","message":"Expected last role User or Tool (or Assistant with prefix True) for serving but got system","type":"invalid_request_error","param":null,"code":null}`},
		{"missing tool result", map[string]any{"messages": []any{user("hi"), call("abcDEF123"), user("and?")}}, 400,
			`{"object":"error","message":"Not the same number of function calls and responses","type":"invalid_request_error","param":null,"code":null}`},
		{"unknown model", map[string]any{"model": "gpt-4o", "messages": []any{user("hi")}}, 404,
			`{"object":"error","message":"Invalid model: gpt-4o","type":"invalid_model","param":null,"code":"1500"}`},
		{"embedding model", map[string]any{"model": "mistral-embed", "messages": []any{user("hi")}}, 400,
			`{"object":"error","message":"Model mistral-embed does not support chat completions","type":"invalid_model","param":null,"code":"1500"}`},
		{"prefix allowed", map[string]any{"messages": []any{user("hi"), map[string]any{"role": "assistant", "content": "Sure:", "prefix": true}}}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := post(t, ts, "/v1/chat/completions", chatBody(t, tc.req))
			if resp.StatusCode != tc.status || (tc.want != "" && string(data) != tc.want) {
				t.Errorf("got %d %s\nwant %d %s", resp.StatusCode, data, tc.status, tc.want)
			}
		})
	}
}

func TestFIMRules(t *testing.T) {
	ts, _ := startServer(t, Options{})
	resp, data := post(t, ts, "/v1/fim/completions", `{"model":"mistral-small-latest","prompt":"def f():"}`)
	if resp.StatusCode != 400 || !strings.Contains(string(data), "does not support FIM") {
		t.Errorf("got %d %s", resp.StatusCode, data)
	}
	resp, data = post(t, ts, "/v1/fim/completions", `{"model":"codestral-9999","prompt":"def f():"}`)
	if resp.StatusCode != 404 {
		t.Errorf("got %d %s", resp.StatusCode, data)
	}
}

func TestAuth(t *testing.T) {
	ts, _ := startServer(t, Options{APIKey: "sekret"})
	body := chatBody(t, map[string]any{"messages": []any{user("hi")}})
	resp, data := post(t, ts, "/v1/chat/completions", body)
	if resp.StatusCode != 401 || string(data) != `{"detail":"Unauthorized"}` {
		t.Errorf("no key: %d %s", resp.StatusCode, data)
	}
	resp, _ = post(t, ts, "/v1/chat/completions", body, "Authorization", "Bearer wrong")
	if resp.StatusCode != 401 {
		t.Errorf("wrong key: %d", resp.StatusCode)
	}
	resp, data = post(t, ts, "/v1/chat/completions", body, "Authorization", "Bearer sekret")
	if resp.StatusCode != 200 {
		t.Errorf("right key: %d %s", resp.StatusCode, data)
	}
}
