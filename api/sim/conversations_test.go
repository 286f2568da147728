package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func convPost(t *testing.T, s *Server, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	return w
}

func TestAgentsEndpoints(t *testing.T) {
	s := New(Options{Seed: 1})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/agents?page=0&page_size=100", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Body.String(), `[{"model":`) {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/agents/"+AgentWeather, nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"get_weather"`) {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/agents/ag_x", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), `"object":"error"`) {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}

func TestConversationWireFormat(t *testing.T) {
	s := New(Options{Seed: 1})
	w := convPost(t, s, "/v1/conversations", `{"inputs":"Hello","model":"mistral-small-latest","stream":true}`)
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", w.Code, body)
	}
	if strings.Contains(body, "[DONE]") || !strings.HasPrefix(body, "event: conversation.response.started\ndata: {\"type\":\"conversation.response.started\"") ||
		!strings.HasSuffix(body, "\n\n") || !strings.Contains(body, "event: conversation.response.done\ndata: ") {
		t.Fatalf("body %s", body)
	}
	// Every event has an event: line matching data.type.
	for _, block := range strings.Split(strings.TrimSpace(body), "\n\n") {
		lines := strings.Split(block, "\n")
		name := strings.TrimPrefix(lines[0], "event: ")
		if len(lines) != 2 || !strings.Contains(lines[1], `"type":"`+name+`"`) {
			t.Fatalf("block %q", block)
		}
	}
}

func TestConversationValidation(t *testing.T) {
	s := New(Options{Seed: 1})
	cases := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/v1/conversations", `{"model":"mistral-small-latest","stream":true}`, 422, `"missing"`},
		{"/v1/conversations", `{"inputs":"x","model":"mistral-small-latest","agent_id":"` + AgentEditor + `","stream":true}`, 400, "Exactly one"},
		{"/v1/conversations", `{"inputs":"x","stream":true}`, 400, "Exactly one"},
		{"/v1/conversations", `{"inputs":"x","agent_id":"ag_nope","stream":true}`, 404, "Agent not found"},
		{"/v1/conversations", `{"inputs":"x","model":"no-such-model","stream":true}`, 404, "Invalid model"},
		{"/v1/conversations/conv_nope", `{"inputs":"x","stream":true}`, 404, "Conversation not found"},
		{"/v1/conversations/conv_nope", `{"inputs":"x","model":"m","stream":true}`, 422, `"extra_forbidden"`},
		{"/v1/conversations/conv_nope/restart", `{"inputs":"x","stream":true}`, 422, `"from_entry_id"`},
		{"/v1/conversations", `{"inputs":"x","model":"mistral-small-latest","stream":false}`, 400, "stream"},
	}
	for _, c := range cases {
		w := convPost(t, s, c.path, c.body)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s %s: %d %s", c.path, c.body, w.Code, w.Body.String())
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/conversations", nil))
	if w.Code != 405 {
		t.Errorf("GET: %d", w.Code)
	}
}

func TestConversationStoreFalse(t *testing.T) {
	s := New(Options{Seed: 1})
	w := convPost(t, s, "/v1/conversations", `{"inputs":"Hello","model":"mistral-small-latest","stream":true,"store":false}`)
	data, _ := io.ReadAll(w.Body)
	i := strings.Index(string(data), `"conversation_id":"`)
	id := string(data[i+19 : i+19+37])
	if w2 := convPost(t, s, "/v1/conversations/"+id, `{"inputs":"again","stream":true}`); w2.Code != 404 {
		t.Fatalf("unstored conversation %s appended: %d", id, w2.Code)
	}
}
