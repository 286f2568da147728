package api

import (
	"context"
	"encoding/json"
	"net/http"
)

// Agent is an agent of the workspace, as GET /v1/agents lists it (see
// docs/mistral-api.md §8). Fields this package does not use are left out;
// unknown fields are ignored.
type Agent struct {
	ID           string   `json:"id"`
	Object       string   `json:"object"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Model        string   `json:"model"`
	Instructions string   `json:"instructions"`
	Version      int      `json:"version"`
	Tools        []Tool   `json:"tools"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Handoffs     []string `json:"handoffs"`
	// CompletionArgs are the agent's default sampling settings, raw.
	CompletionArgs json.RawMessage `json:"completion_args,omitempty"`
}

// UnmarshalJSON decodes leniently: null strings and lists read as empty, and
// a version or instructions of an unexpected type does not fail the whole
// list.
func (a *Agent) UnmarshalJSON(data []byte) error {
	var w struct {
		ID             string          `json:"id"`
		Object         string          `json:"object"`
		Name           string          `json:"name"`
		Description    *string         `json:"description"`
		Model          string          `json:"model"`
		Instructions   json.RawMessage `json:"instructions"`
		Version        json.RawMessage `json:"version"`
		Tools          []Tool          `json:"tools"`
		CreatedAt      string          `json:"created_at"`
		UpdatedAt      string          `json:"updated_at"`
		Handoffs       []string        `json:"handoffs"`
		CompletionArgs json.RawMessage `json:"completion_args"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = Agent{
		ID: w.ID, Object: w.Object, Name: w.Name, Model: w.Model, Tools: w.Tools,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Handoffs: w.Handoffs,
	}
	if w.Description != nil {
		a.Description = *w.Description
	}
	a.Instructions = scalarText(w.Instructions)
	var v float64
	if json.Unmarshal(w.Version, &v) == nil {
		a.Version = int(v)
	}
	if len(w.CompletionArgs) > 0 && string(w.CompletionArgs) != "null" {
		a.CompletionArgs = w.CompletionArgs
	}
	return nil
}

// BuiltinTools lists the types of the agent's built-in tools (web_search,
// code_interpreter, ...), in order.
func (a Agent) BuiltinTools() []string {
	var out []string
	for _, t := range a.Tools {
		if t.Type != "function" {
			out = append(out, t.Type)
		}
	}
	return out
}

// Agents lists the workspace's agents (the first 100). The endpoint answers
// with a bare JSON array, not a {"data": [...]} wrapper.
func (c *Client) Agents(ctx context.Context) ([]Agent, Meta, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/agents?page=0&page_size=100", nil, false)
	if err != nil {
		return nil, Meta{}, err
	}
	defer resp.Body.Close()
	meta := metaFrom(resp)
	var list []Agent
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, meta, &DecodeError{What: "agent list", Err: err}
	}
	if list == nil {
		list = []Agent{}
	}
	return list, meta, nil
}
