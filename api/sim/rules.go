package sim

import (
	"fmt"
	"net/http"
	"regexp"

	"mstudio/api"
)

// failure is an error answer decided before any output: a status and the
// body the real API sends.
type failure struct {
	status int
	body   string
}

func badRequest(body string) *failure { return &failure{http.StatusBadRequest, body} }

// toolCallIDRE is what Mistral accepts as a tool-call id.
var toolCallIDRE = regexp.MustCompile(`^[a-zA-Z0-9]{9}$`)

// checkModel refuses unknown models (404) and models that cannot do what
// the endpoint asks (400).
func checkModel(id, capability, what string) (api.ModelCard, *failure) {
	card, ok := lookupModel(id)
	if !ok {
		return card, &failure{http.StatusNotFound, invalidModel(id)}
	}
	if !modelCap(id, capability) {
		return card, badRequest(apiError(fmt.Sprintf("Model %s does not support %s", id, what), "invalid_model", "1500"))
	}
	return card, nil
}

// checkChat applies the rules Mistral enforces on a conversation beyond its
// schema, with the bodies the real API answers (docs/mistral-api.md §3.2,
// §12). The first broken rule wins, as on the real server.
func checkChat(req *api.ChatRequest, card api.ModelCard) *failure {
	msgs := req.Messages
	if len(msgs) == 0 {
		return badRequest(apiError("Conversation must contain at least one message", "invalid_request_error", nil))
	}
	functions := map[string]bool{}
	for _, t := range req.Tools {
		if t.Type == "function" && t.Function != nil {
			functions[t.Function.Name] = true
		}
	}
	if len(functions) > 0 && !card.Capabilities.FunctionCalling {
		return badRequest(apiError(fmt.Sprintf("Model %s does not support function calling", req.Model), "invalid_request_error", nil))
	}
	if req.ToolChoice != nil && req.ToolChoice.Function != "" && !functions[req.ToolChoice.Function] {
		return badRequest(apiError(fmt.Sprintf("Tool choice function %s is not among the tools", req.ToolChoice.Function), "invalid_request_error", nil))
	}
	prev := ""
	pendingCalls := 0 // calls of the last assistant turn still waiting for results
	for i, m := range msgs {
		if pendingCalls > 0 && m.Role != api.RoleTool {
			return badRequest(apiError("Not the same number of function calls and responses", "invalid_request_error", nil))
		}
		switch m.Role {
		case api.RoleAssistant:
			if !hasContent(m.Content) && len(m.ToolCalls) == 0 {
				return badRequest(apiError("Assistant message must have either content or tool_calls, but not none.", "invalid_request_error", nil))
			}
			for _, tc := range m.ToolCalls {
				if !toolCallIDRE.MatchString(tc.ID) {
					return badIDFailure(tc.ID)
				}
			}
			pendingCalls = len(m.ToolCalls)
		case api.RoleTool:
			if m.ToolCallID != "" && !toolCallIDRE.MatchString(m.ToolCallID) {
				return badIDFailure(m.ToolCallID)
			}
			if prev != api.RoleTool && !(prev == api.RoleAssistant && len(msgs[i-1].ToolCalls) > 0) {
				return badRequest(apiError(fmt.Sprintf("Unexpected role 'tool' after role '%s'", prevName(prev)), "invalid_request_message_order", "3230"))
			}
			if pendingCalls == 0 {
				return badRequest(apiError("Not the same number of function calls and responses", "invalid_request_error", nil))
			}
			pendingCalls--
		case api.RoleUser:
			if prev == api.RoleTool {
				return badRequest(apiError("Unexpected role 'user' after role 'tool'", "invalid_request_message_order", "3230"))
			}
		}
		if !card.Capabilities.Vision && m.Role == api.RoleUser {
			for _, p := range m.Content.Parts() {
				if p.Type == api.ChunkImageURL {
					return badRequest(apiError(fmt.Sprintf("Model %s does not support image input", req.Model), "invalid_request_error", nil))
				}
			}
		}
		prev = m.Role
	}
	last := msgs[len(msgs)-1]
	if !(last.Role == api.RoleUser || last.Role == api.RoleTool || (last.Role == api.RoleAssistant && last.Prefix)) {
		return badRequest(apiError("Expected last role User or Tool (or Assistant with prefix True) for serving but got "+last.Role, "invalid_request_error", nil))
	}
	if pt := promptTokens(req); pt > card.MaxContextLength && card.MaxContextLength > 0 {
		return badRequest(apiError(fmt.Sprintf("Prompt contains %d tokens and 0 draft tokens, too large for model with %d maximum context length", pt, card.MaxContextLength), "invalid_request_error", "3051"))
	}
	return nil
}

func prevName(role string) string {
	if role == "" {
		return "none"
	}
	return role
}

func badIDFailure(id string) *failure {
	return badRequest(apiError(fmt.Sprintf("Tool call id was %s but must be a-z, A-Z, 0-9, with a length of 9.", id),
		"invalid_function_call", "3280", "raw_status_code", 400))
}

// hasContent tells an assistant message with something to say from one
// with null, absent or empty content.
func hasContent(c api.Content) bool {
	for _, p := range c.Parts() {
		if p.Type != api.ChunkText || p.Text != "" {
			return true
		}
	}
	return false
}

// promptTokens estimates the prompt the way usage reports it: about four
// characters a token over the messages, tool calls and tool definitions.
func promptTokens(req *api.ChatRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += len(messageText(m)) + 16 // role markers and separators
		for _, tc := range m.ToolCalls {
			n += len(tc.Function.Name) + len(tc.Function.Arguments)
		}
	}
	for _, t := range req.Tools {
		if t.Function != nil {
			n += len(t.Function.Name) + len(t.Function.Description) + len(t.Function.Parameters)
		}
	}
	if rf := req.ResponseFormat; rf != nil && rf.JSONSchema != nil {
		n += len(rf.JSONSchema.Schema)
	}
	return max((n+3)/4, 1)
}

// messageText is the text of a message's content, thinking included.
func messageText(m api.Message) string {
	s := m.Content.String()
	if th := m.Content.Thinking(); th != "" {
		s = th + s
	}
	return s
}
