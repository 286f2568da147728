package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"weak"

	"mstudio/api"
)

// The Conversations API (docs/mistral-api.md §9): start, append and
// restart, streamed. Conversations live in memory, per Server.

// convEntry is one entry of a simulated conversation.
type convEntry struct {
	id, typ    string // message.input, message.output, function.call, function.result, tool.execution
	role, text string
	name       string
	toolCallID string
	args       string
}

type simConv struct {
	id           string
	agentID      string
	model        string
	instructions string
	tools        []api.Tool
	entries      []convEntry
}

type convStore struct {
	mu    sync.Mutex
	convs map[string]*simConv
}

// stores holds each Server's conversations without a field on Server; an
// entry goes away with its Server.
var stores sync.Map // weak.Pointer[Server] -> *convStore

func (s *Server) convStore() *convStore {
	key := weak.Make(s)
	if v, ok := stores.Load(key); ok {
		return v.(*convStore)
	}
	v, loaded := stores.LoadOrStore(key, &convStore{convs: map[string]*simConv{}})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Server]) { stores.Delete(k) }, key)
	}
	return v.(*convStore)
}

// Fields each endpoint accepts (the append and restart schemas forbid any
// other).
var (
	startFields   = fieldSet("inputs stream store handoff_execution instructions tools completion_args guardrails name description metadata agent_id agent_version model")
	appendFields  = fieldSet("inputs stream store handoff_execution completion_args tool_confirmations")
	restartFields = fieldSet("inputs stream store handoff_execution completion_args guardrails metadata from_entry_id agent_version")
)

func fieldSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

type convRequest struct {
	Inputs       json.RawMessage `json:"inputs"`
	AgentID      *string         `json:"agent_id"`
	Model        *string         `json:"model"`
	Instructions *string         `json:"instructions"`
	Tools        []api.Tool      `json:"tools"`
	Stream       bool            `json:"stream"`
	Store        *bool           `json:"store"`
	FromEntryID  string          `json:"from_entry_id"`
}

type inputEntry struct {
	Type       string      `json:"type"`
	Role       string      `json:"role"`
	Content    api.Content `json:"content"`
	ToolCallID string      `json:"tool_call_id"`
	Result     string      `json:"result"`
}

func convError(msg string) string { return apiError(msg, "invalid_request_error", "3000") }

// conversations serves POST /v1/conversations, /v1/conversations/{id} and
// /v1/conversations/{id}/restart.
func (s *Server) conversations(w http.ResponseWriter, r *http.Request, path string, body []byte, f Fault) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/v1/conversations"), "/")
	kind, convID := "start", ""
	switch {
	case rest == "":
	case strings.HasSuffix(rest, "/restart") && !strings.Contains(strings.TrimSuffix(rest, "/restart"), "/"):
		kind, convID = "restart", strings.TrimSuffix(rest, "/restart")
	case !strings.Contains(rest, "/"):
		kind, convID = "append", rest
	default:
		writeRaw(w, http.StatusNotFound, `{"detail":"Not Found"}`)
		return
	}
	allowed := map[string]map[string]bool{"start": startFields, "append": appendFields, "restart": restartFields}[kind]
	var fields map[string]json.RawMessage
	var req convRequest
	if err := json.Unmarshal(body, &fields); err != nil || json.Unmarshal(body, &req) != nil {
		writeValidation(w, []fieldError{{Type: "json_invalid", Loc: []any{"body", 0}, Msg: "JSON decode error", Input: map[string]any{}}})
		return
	}
	var errs []fieldError
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			var v any
			_ = json.Unmarshal(fields[k], &v)
			errs = append(errs, fieldError{Type: "extra_forbidden", Loc: []any{"body", k}, Msg: "Extra inputs are not permitted", Input: v})
		}
	}
	var whole any
	_ = json.Unmarshal(body, &whole)
	if len(req.Inputs) == 0 || string(req.Inputs) == "null" {
		errs = append(errs, fieldError{Type: "missing", Loc: []any{"body", "inputs"}, Msg: "Field required", Input: whole})
	}
	if kind == "restart" && req.FromEntryID == "" {
		errs = append(errs, fieldError{Type: "missing", Loc: []any{"body", "from_entry_id"}, Msg: "Field required", Input: whole})
	}
	if errs != nil {
		writeValidation(w, errs)
		return
	}
	inputs, fail := parseInputs(req.Inputs)
	if fail != "" {
		writeRaw(w, http.StatusBadRequest, convError(fail))
		return
	}

	store := s.convStore()
	var conv *simConv
	switch kind {
	case "start":
		c, status, msg := s.newConversation(&req)
		if status != 0 {
			writeRaw(w, status, msg)
			return
		}
		conv = c
	default:
		store.mu.Lock()
		old, ok := store.convs[convID]
		var cp simConv
		if ok {
			cp = *old
			cp.entries = append([]convEntry(nil), old.entries...)
		}
		store.mu.Unlock()
		if !ok {
			writeRaw(w, http.StatusNotFound, convError("Conversation not found: "+convID))
			return
		}
		conv = &cp
		if kind == "restart" {
			i := slicesIndex(conv.entries, req.FromEntryID)
			if i < 0 {
				writeRaw(w, http.StatusNotFound, convError("Entry not found in conversation "+convID+": "+req.FromEntryID))
				return
			}
			conv.entries = conv.entries[:i]
			conv.id = "conv_" + s.hexID()
		}
	}
	// Function results must answer calls of this conversation.
	for _, in := range inputs {
		if in.typ == "function.result" {
			if name := callName(conv.entries, in.toolCallID); name == "" {
				writeRaw(w, http.StatusBadRequest, convError(fmt.Sprintf("Function result for unknown tool_call_id %s", in.toolCallID)))
				return
			}
		}
	}
	if !req.Stream {
		writeRaw(w, http.StatusBadRequest, convError("The simulator only serves streamed conversations (stream: true)"))
		return
	}
	for i := range inputs {
		inputs[i].id = "msg_" + s.hexID()
		conv.entries = append(conv.entries, inputs[i])
	}
	rng := newRNG(append(s.seedFor(nil), conv.id, len(conv.entries))...)
	plans := s.planConversation(conv, rng)
	for _, p := range plans {
		conv.entries = append(conv.entries, p.convEntry)
	}
	if req.Store == nil || *req.Store {
		store.mu.Lock()
		store.convs[conv.id] = conv
		store.mu.Unlock()
	}
	s.streamConversation(w, r, conv, plans, f)
}

func slicesIndex(entries []convEntry, id string) int {
	for i, e := range entries {
		if e.id == id {
			return i
		}
	}
	return -1
}

func callName(entries []convEntry, toolCallID string) string {
	for _, e := range entries {
		if e.typ == "function.call" && e.toolCallID == toolCallID {
			return e.name
		}
	}
	return ""
}

func (s *Server) newConversation(req *convRequest) (*simConv, int, string) {
	hasAgent := req.AgentID != nil && *req.AgentID != ""
	hasModel := req.Model != nil && *req.Model != ""
	if hasAgent == hasModel {
		return nil, http.StatusBadRequest, convError("Exactly one of agent_id and model must be provided")
	}
	c := &simConv{id: "conv_" + s.hexID()}
	if hasAgent {
		a, ok := findAgent(*req.AgentID)
		if !ok {
			return nil, http.StatusNotFound, agentNotFound(*req.AgentID)
		}
		c.agentID, c.model, c.instructions = a.ID, a.Model, a.Instructions
		for _, raw := range a.Tools {
			var t api.Tool
			if json.Unmarshal(raw, &t) == nil {
				c.tools = append(c.tools, t)
			}
		}
	} else {
		if _, fail := checkModel(*req.Model, "completion_chat", "conversations"); fail != nil {
			return nil, fail.status, fail.body
		}
		c.model = *req.Model
		c.tools = req.Tools
	}
	if req.Instructions != nil {
		c.instructions = *req.Instructions
	}
	return c, 0, ""
}

// parseInputs reads inputs: a string (one user message) or a list of
// message.input and function.result entries.
func parseInputs(raw json.RawMessage) ([]convEntry, string) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return []convEntry{{typ: "message.input", role: "user", text: text}}, ""
	}
	var list []inputEntry
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, "inputs must be a string or a list of entries"
	}
	if len(list) == 0 {
		return nil, "inputs must not be empty"
	}
	out := make([]convEntry, 0, len(list))
	for _, e := range list {
		switch {
		case e.Type == "function.result":
			if e.ToolCallID == "" {
				return nil, "function.result entries need a tool_call_id"
			}
			out = append(out, convEntry{typ: "function.result", toolCallID: e.ToolCallID, text: e.Result})
		case e.Type == "" || e.Type == "message.input":
			role := e.Role
			if role == "" {
				role = "user"
			}
			out = append(out, convEntry{typ: "message.input", role: role, text: e.Content.String()})
		default:
			return nil, fmt.Sprintf("input entries of type %q are not simulated", e.Type)
		}
	}
	return out, ""
}

// planned outputs carry their stream pieces.
type convOut struct {
	convEntry
	pieces []string // message text pieces, or argument fragments
	// refAt is the piece index before which a tool_reference chunk goes
	// (-1: none).
	refAt int
	info  map[string]any
}

// planConversation decides the answer: a web search then a cited answer,
// a function call, an answer quoting function results, or a plain answer.
func (s *Server) planConversation(c *simConv, rng *rand.Rand) []convOut {
	userText := ""
	var results []toolResult
	for _, e := range c.entries {
		switch e.typ {
		case "message.input":
			if e.role == "user" {
				userText = e.text
				results = nil
			}
		case "function.result":
			results = append(results, toolResult{name: callName(c.entries, e.toolCallID), content: e.text})
		}
	}
	last := c.entries[len(c.entries)-1]
	sub := understand(userText, c.instructions, rng)
	msg := func(text string) convOut {
		return convOut{convEntry: convEntry{id: "msg_" + s.hexID(), typ: "message.output", role: "assistant", text: text}, pieces: pieces(text, rng), refAt: -1}
	}
	if last.typ == "function.result" {
		return []convOut{msg(toolAnswer(results, sub, rng))}
	}
	var fns []api.Function
	webSearch := false
	for _, t := range c.tools {
		switch {
		case t.Type == "function" && t.Function != nil:
			fns = append(fns, *t.Function)
		case t.Type == "web_search" || t.Type == "web_search_premium":
			webSearch = true
		}
	}
	words := wordSet(userText)
	var fit []api.Function
	for _, f := range fns {
		if relevance(f, words) > 0 {
			fit = append(fit, f)
		}
	}
	if len(fit) > 0 {
		var outs []convOut
		for _, call := range makeToolCalls(fit[:1], sub, rng) {
			args := call.Function.Arguments
			outs = append(outs, convOut{
				convEntry: convEntry{id: "fc_" + s.hexID(), typ: "function.call", name: call.Function.Name, toolCallID: call.ID, args: args},
				pieces:    fragments(args, rng), refAt: -1,
			})
		}
		return outs
	}
	var outs []convOut
	if webSearch {
		query := sub.topic
		if sub.entity != "" && !strings.Contains(strings.ToLower(query), strings.ToLower(sub.entity)) {
			query += " " + sub.entity
		}
		outs = append(outs, convOut{
			convEntry: convEntry{id: "tool_exec_" + s.hexID(), typ: "tool.execution", name: "web_search", args: marshal(map[string]string{"query": query})},
			refAt:     -1, info: map[string]any{"query": query, "results": 3 + rng.IntN(5)},
		})
	}
	m := msg(answerText(sub, rng))
	if webSearch {
		m.refAt = len(m.pieces) / 2
		for i, p := range m.pieces {
			if strings.HasPrefix(p, "\n") && i > 0 {
				m.refAt = i
				break
			}
		}
	}
	return append(outs, m)
}

// fragments cuts a function call's arguments into the pieces the stream
// sends them in.
func fragments(args string, rng *rand.Rand) []string {
	r := []rune(args)
	var out []string
	for len(r) > 0 {
		n := min(len(r), 4+rng.IntN(9))
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return out
}

type convUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	ConnectorTokens  any `json:"connector_tokens"`
	Connectors       any `json:"connectors"`
}

// ordered JSON objects for the events, in the field order of the schema.
type (
	evStarted struct {
		Type           string `json:"type"`
		CreatedAt      string `json:"created_at"`
		ConversationID string `json:"conversation_id"`
	}
	evToolStarted struct {
		Type        string `json:"type"`
		CreatedAt   string `json:"created_at"`
		OutputIndex int    `json:"output_index"`
		ID          string `json:"id"`
		Model       string `json:"model"`
		AgentID     any    `json:"agent_id"`
		Name        string `json:"name"`
		Arguments   string `json:"arguments"`
	}
	evToolDone struct {
		Type        string         `json:"type"`
		CreatedAt   string         `json:"created_at"`
		OutputIndex int            `json:"output_index"`
		ID          string         `json:"id"`
		Name        string         `json:"name"`
		Info        map[string]any `json:"info"`
	}
	evMessage struct {
		Type         string `json:"type"`
		CreatedAt    string `json:"created_at"`
		OutputIndex  int    `json:"output_index"`
		ID           string `json:"id"`
		ContentIndex int    `json:"content_index"`
		Model        string `json:"model"`
		AgentID      any    `json:"agent_id"`
		Role         string `json:"role"`
		Content      any    `json:"content"`
	}
	evFunction struct {
		Type        string `json:"type"`
		CreatedAt   string `json:"created_at"`
		OutputIndex int    `json:"output_index"`
		ID          string `json:"id"`
		Model       string `json:"model"`
		AgentID     any    `json:"agent_id"`
		Name        string `json:"name"`
		ToolCallID  string `json:"tool_call_id"`
		Arguments   string `json:"arguments"`
	}
	evDone struct {
		Type      string    `json:"type"`
		CreatedAt string    `json:"created_at"`
		Usage     convUsage `json:"usage"`
	}
	toolReference struct {
		Type  string `json:"type"`
		Tool  string `json:"tool"`
		Title string `json:"title"`
		URL   string `json:"url"`
	}
)

// streamConversation sends the outputs as server-sent events with both
// event: and data: lines and no [DONE], paced at the token rate, with the
// cut, stall and malformed faults played at their token counts.
func (s *Server) streamConversation(w http.ResponseWriter, r *http.Request, c *simConv, plans []convOut, f Fault) {
	source := title(sourceTitle(c))

	prompt := estimateTokens(c.instructions)
	completion := 0
	for _, e := range c.entries {
		prompt += estimateTokens(e.text+e.args) + 4
	}
	for _, p := range plans {
		completion += len(p.pieces) + 1
	}
	prompt -= completion
	if prompt < 1 {
		prompt = 1
	}
	s.rateHeaders(w, prompt+completion)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	ctx := r.Context()
	var agentID any
	if c.agentID != "" {
		agentID = c.agentID
	}
	stamp := func() string { return s.now().UTC().Format("2006-01-02T15:04:05.000000Z") }
	send := func(typ string, v any) bool {
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, marshal(v)); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return ctx.Err() == nil
	}
	var interval time.Duration
	if s.opts.TokenRate > 0 {
		interval = time.Duration(float64(time.Second) / s.opts.TokenRate)
	}
	sent := 0
	stalled, broken := false, false
	// token paces one token and plays the faults due before it; false
	// ends the stream.
	token := func() bool {
		if f.Malformed && !broken && sent >= f.MalformedAfter {
			broken = true
			if _, err := fmt.Fprint(w, "event: message.output.delta\ndata: {not json\n\n"); err != nil {
				return false
			}
		}
		if f.Stall > 0 && !stalled && sent >= f.StallAt {
			stalled = true
			if !sleepCtx(ctx, f.Stall) {
				return false
			}
		}
		if f.Cut && sent >= f.CutAfter {
			return false
		}
		if interval > 0 && !sleepCtx(ctx, interval) {
			return false
		}
		sent++
		return true
	}

	if !send(api.ConvResponseStarted, evStarted{api.ConvResponseStarted, stamp(), c.id}) {
		return
	}
	for i, p := range plans {
		switch p.typ {
		case "tool.execution":
			if !token() || !send(api.ConvToolExecStarted, evToolStarted{api.ConvToolExecStarted, stamp(), i, p.id, c.model, agentID, p.name, p.args}) {
				return
			}
			if !token() || !send(api.ConvToolExecDone, evToolDone{api.ConvToolExecDone, stamp(), i, p.id, p.name, p.info}) {
				return
			}
		case "function.call":
			for _, frag := range p.pieces {
				if !token() || !send(api.ConvFunctionCallDelta, evFunction{api.ConvFunctionCallDelta, stamp(), i, p.id, c.model, agentID, p.name, p.toolCallID, frag}) {
					return
				}
			}
		case "message.output":
			ci := 0
			for k, piece := range p.pieces {
				if k == p.refAt {
					ref := toolReference{"tool_reference", "web_search", source, "https://en.wikipedia.org/wiki/" + strings.ReplaceAll(source, " ", "_")}
					if !token() || !send(api.ConvMessageDelta, evMessage{api.ConvMessageDelta, stamp(), i, p.id, ci + 1, c.model, agentID, "assistant", ref}) {
						return
					}
					ci += 2
				}
				if !token() || !send(api.ConvMessageDelta, evMessage{api.ConvMessageDelta, stamp(), i, p.id, ci, c.model, agentID, "assistant", piece}) {
					return
				}
			}
		}
	}
	// Faults asked for but not reached by a short answer still happen.
	if (f.Cut || f.Malformed) && !token() {
		return
	}
	send(api.ConvResponseDone, evDone{api.ConvResponseDone, stamp(), convUsage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}})
}

func sourceTitle(c *simConv) string {
	for i := len(c.entries) - 1; i >= 0; i-- {
		if c.entries[i].typ == "message.input" {
			sub := understand(c.entries[i].text, "", newRNG(c.entries[i].text))
			if sub.entity != "" {
				return sub.entity
			}
			return sub.topic
		}
	}
	return "Search result"
}
