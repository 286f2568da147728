package sim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// agentOut is an agent as GET /v1/agents sends it, in the field order of
// the official schema.
type agentOut struct {
	Model          string            `json:"model"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	Instructions   string            `json:"instructions"`
	Tools          []json.RawMessage `json:"tools"`
	CompletionArgs map[string]any    `json:"completion_args"`
	Guardrails     any               `json:"guardrails"`
	Handoffs       any               `json:"handoffs"`
	Metadata       any               `json:"metadata"`
	Object         string            `json:"object"`
	ID             string            `json:"id"`
	Version        int               `json:"version"`
	Versions       []int             `json:"versions"`
	CreatedAt      string            `json:"created_at"`
	UpdatedAt      string            `json:"updated_at"`
	DeploymentChat bool              `json:"deployment_chat"`
	Source         string            `json:"source"`
}

// The simulated workspace's agents. Their ids are fixed so tests and
// session files can name them.
const (
	AgentResearch = "ag_019a3f7c2e5d7b1c8f4a6e2d9b0c3a71"
	AgentWeather  = "ag_019a3f7d81c47e2a9b5f0d6c3e8a1b24"
	AgentEditor   = "ag_019a3f7e0b2d4c6e8f1a3b5d7c9e0f12"
)

var simAgents = []agentOut{
	{
		Model: "mistral-medium-latest", Name: "Research assistant",
		Description:    "Answers questions with sources from the web.",
		Instructions:   "You are a careful research assistant. Search the web before answering and cite your sources.",
		Tools:          []json.RawMessage{json.RawMessage(`{"type":"web_search"}`)},
		CompletionArgs: map[string]any{"temperature": 0.3},
		Handoffs:       nil, Object: "agent", ID: AgentResearch, Version: 2, Versions: []int{0, 1, 2},
		CreatedAt: "2026-09-14T08:21:37.512004Z", UpdatedAt: "2026-10-02T16:05:11.873210Z", Source: "api",
	},
	{
		Model: "mistral-small-latest", Name: "Weather concierge",
		Description:    "Gives the current weather for a place, through the get_weather function.",
		Instructions:   "Use the get_weather function to answer questions about the weather. Give temperatures in the user's unit.",
		Tools:          []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a location","strict":false,"parameters":{"type":"object","properties":{"location":{"type":"string","description":"City name, e.g. Paris"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}}}`)},
		CompletionArgs: map[string]any{"temperature": 0.2, "tool_choice": "auto"},
		Object:         "agent", ID: AgentWeather, Version: 0, Versions: []int{0},
		CreatedAt: "2026-10-20T10:02:45.100321Z", UpdatedAt: "2026-10-20T10:02:45.100321Z", Source: "api",
	},
	{
		Model: "mistral-large-latest", Name: "Editor",
		Description:    "Rewrites drafts for clarity; hands research questions to the research assistant.",
		Instructions:   "You are a concise editor. Keep the author's voice.",
		Tools:          []json.RawMessage{},
		CompletionArgs: map[string]any{"temperature": 0.7, "max_tokens": 2048},
		Handoffs:       []string{AgentResearch},
		Object:         "agent", ID: AgentEditor, Version: 1, Versions: []int{0, 1},
		CreatedAt: "2026-08-30T13:44:09.007781Z", UpdatedAt: "2026-09-01T09:15:52.640118Z", Source: "api",
	},
}

func findAgent(id string) (agentOut, bool) {
	for _, a := range simAgents {
		if a.ID == id {
			return a, true
		}
	}
	return agentOut{}, false
}

// agentNotFound is the 404 body for an unknown agent id, in the shape of
// the API's other errors.
func agentNotFound(id string) string {
	return apiError("Agent not found: "+id, "invalid_request_error", "3000")
}

// agents serves GET /v1/agents (a bare array) and GET /v1/agents/{id}.
func (s *Server) agents(w http.ResponseWriter, r *http.Request, path string) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	s.rateHeaders(w, 0)
	if path == "/v1/agents" {
		writeRaw(w, http.StatusOK, marshal(simAgents))
		return
	}
	id := strings.TrimPrefix(path, "/v1/agents/")
	a, ok := findAgent(id)
	if !ok {
		writeRaw(w, http.StatusNotFound, agentNotFound(id))
		return
	}
	writeRaw(w, http.StatusOK, marshal(a))
}
