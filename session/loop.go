package session

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"mstudio/api"
)

// DefaultMaxTurns bounds the agent loop when neither the caller nor the
// prompt (maxTurns) says.
const DefaultMaxTurns = 5

// FinishMaxTurns is the finish reason of a conversation stopped by its
// turn limit while the model still wanted tools.
const FinishMaxTurns = "max_turns"

// Tool call states.
const (
	CallPending  = "pending"
	CallAnswered = "answered"
	CallFailed   = "failed"
)

// ToolCallState is one tool call of a conversation and what became of it.
type ToolCallState struct {
	Turn      int    // the model call (1-based) that made it
	ID        string // as the model wrote it
	Name      string
	Arguments string // JSON text
	State     string // CallPending, CallAnswered or CallFailed
	Result    string // what was sent back; {"error": …} for a failed call
	Error     string
	// SchemaErrors lists where the arguments break the tool's JSON Schema;
	// the call is answered anyway, the model may have a reason.
	SchemaErrors []string
}

// LoopOptions tune Converse.
type LoopOptions struct {
	MaxTurns int                // model calls at most; DefaultMaxTurns when < 1
	Handlers map[string]Handler // by tool name; a tool without one is answered by hand
	// Trust, PromptPath and PromptHash decide whether command tools may
	// run: only when Trust holds this hash of this file.
	Trust                  *Trust
	PromptPath, PromptHash string
	// OnEvent sees every chunk of every model call; OnToolCall each call
	// when it appears (pending) and when it is answered or failed. Both are
	// called on Converse's goroutine.
	OnEvent    func(turn int, ev api.StreamEvent)
	OnToolCall func(turn int, call ToolCallState)
	// Step, when set, is asked before each model call, the first one
	// included, with the request about to be sent: it may change it (step
	// mode edits the next request); returning false stops the conversation
	// there.
	Step func(turn int, next *api.ChatRequest) bool
	// Answer answers calls of tools handled by hand (the studio's editor).
	// Without it such a call fails the conversation: headless runs cannot
	// ask anyone.
	Answer func(ctx context.Context, call ToolCallState) (string, error)
}

// Conversation is the outcome of Converse.
type Conversation struct {
	Turns    []Result        // one per model call
	Calls    []ToolCallState // every tool call, in order
	Messages []api.Message   // the messages of the last request sent
	Final    Result          // the last model call's result
	Err      error           // what stopped the conversation early, if anything
}

// Converse runs req and, while the answer calls tools, answers the calls
// (parallel calls at once, results kept in call order), appends the
// assistant message and one tool message per call, and asks again, up to
// MaxTurns model calls. A failed tool's error goes back to the model as
// {"error": "..."} so it can recover; a tool nobody can answer (by hand
// with no Answer, or a command in an untrusted file) stops the
// conversation with Err. Every request sent keeps Mistral's rules
// (NormalizeMessages). It is a thin user of session.Run: a conversation,
// recorded as one group with its tool results.
func (e *Engine) Converse(ctx context.Context, t Target, req api.ChatRequest, opts LoopOptions) Conversation {
	var conv Conversation
	for ev := range Run(ctx, e, Spec{Kind: KindConversation, Lanes: []LaneSpec{{Target: t, Request: req}}, Loop: &opts}) {
		if ev.Finish != nil && ev.Finish.Conversation != nil {
			conv = *ev.Finish.Conversation
		}
	}
	return conv
}

// converse is the tool loop itself, its model calls recorded in tg's group.
func (e *Engine) converse(ctx context.Context, t Target, req api.ChatRequest, opts LoopOptions, tg tag) Conversation {
	maxTurns := opts.MaxTurns
	if maxTurns < 1 {
		maxTurns = DefaultMaxTurns
	}
	schemas := map[string]*jsonschema.Schema{}
	offered := map[string]bool{}
	for _, tool := range req.Tools {
		if tool.Type == "function" && tool.Function != nil {
			offered[tool.Function.Name] = true
			schemas[tool.Function.Name] = compileSchema(tool.Function.Parameters)
		}
	}
	// every call's final state goes to the session file as an entry of its own
	onCall := opts.OnToolCall
	opts.OnToolCall = func(turn int, call ToolCallState) {
		if call.State != CallPending {
			e.Recorder.toolResult(call, tg)
		}
		if onCall != nil {
			onCall(turn, call)
		}
	}
	msgs := append([]api.Message(nil), req.Messages...)
	var conv Conversation
	for turn := 1; ; turn++ {
		if opts.Step != nil {
			next := req
			next.Messages = NormalizeMessages(msgs)
			next = next.Clone()
			if !opts.Step(turn, &next) {
				break
			}
			// an edited request goes out as edited, and the conversation
			// goes on from its messages
			req = next
			msgs = append([]api.Message(nil), next.Messages...)
		}
		send := req
		send.Messages = NormalizeMessages(msgs)
		conv.Messages = send.Messages
		var cb func(api.StreamEvent)
		if opts.OnEvent != nil {
			cb = func(ev api.StreamEvent) { opts.OnEvent(turn, ev) }
		}
		res := e.run(ctx, t, send, cb, 0, tg)
		conv.Turns = append(conv.Turns, res)
		conv.Final = res
		if res.Err != nil {
			conv.Err = res.Err
			break
		}
		calls := res.Message.ToolCalls
		if len(calls) == 0 {
			break
		}
		first := len(conv.Calls)
		for i, tc := range calls {
			id := tc.ID
			if id == "" {
				// Some servers send none; the tool messages need one.
				id = fmt.Sprintf("call%dx%d", turn, i)
				calls[i].ID = id
			}
			st := ToolCallState{Turn: turn, ID: id, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments), State: CallPending}
			if offered[st.Name] {
				st.SchemaErrors = validateArgs(schemas[st.Name], st.Arguments)
			}
			conv.Calls = append(conv.Calls, st)
			if opts.OnToolCall != nil {
				opts.OnToolCall(turn, st)
			}
		}
		if turn >= maxTurns {
			// The calls of the last allowed turn are left pending: their
			// results could not be sent, so commands are not run for nothing.
			conv.Final.FinishReason = FinishMaxTurns
			for _, st := range conv.Calls[first:] {
				e.Recorder.toolResult(st, tg)
			}
			break
		}
		stop := e.answerCalls(ctx, conv.Calls[first:], offered, opts)
		assistant := api.Message{Role: api.RoleAssistant, ToolCalls: make([]api.ToolCall, len(calls))}
		if text := res.Content(); text != "" {
			assistant.Content = api.Text(text)
		}
		for i, tc := range calls {
			assistant.ToolCalls[i] = api.ToolCall{ID: tc.ID, Type: "function", Function: tc.Function}
		}
		msgs = append(msgs, assistant)
		for _, st := range conv.Calls[first:] {
			msgs = append(msgs, api.Message{Role: api.RoleTool, ToolCallID: st.ID, Name: st.Name, Content: api.Text(st.Result)})
		}
		conv.Messages = NormalizeMessages(msgs)
		if stop != nil {
			conv.Err = stop
			break
		}
		if err := ctx.Err(); err != nil {
			conv.Err = err
			break
		}
	}
	return conv
}

// answerCalls answers one turn's calls at once and reports each as it
// ends, on the calling goroutine. It returns the error of a call that no
// one could answer, which ends the conversation.
func (e *Engine) answerCalls(ctx context.Context, calls []ToolCallState, offered map[string]bool, opts LoopOptions) error {
	type done struct {
		i     int
		res   string
		err   error
		fatal bool
	}
	ch := make(chan done, len(calls))
	for i, st := range calls {
		go func() {
			res, err, fatal := e.answer(ctx, st, offered, opts)
			ch <- done{i, res, err, fatal}
		}()
	}
	var stop error
	for range calls {
		d := <-ch
		st := &calls[d.i]
		if d.err != nil {
			st.State, st.Error = CallFailed, d.err.Error()
			b, _ := json.Marshal(map[string]string{"error": st.Error})
			st.Result = string(b)
			if d.fatal && stop == nil {
				stop = d.err
			}
		} else {
			st.State, st.Result = CallAnswered, d.res
		}
		if opts.OnToolCall != nil {
			opts.OnToolCall(st.Turn, *st)
		}
	}
	return stop
}

// answer answers one call. fatal marks errors the model cannot fix.
func (e *Engine) answer(ctx context.Context, st ToolCallState, offered map[string]bool, opts LoopOptions) (string, error, bool) {
	if offered != nil && !offered[st.Name] { // nil: an agent's tools, declared on the server
		return "", fmt.Errorf("no tool named %q was offered", st.Name), false
	}
	h, ok := opts.Handlers[st.Name]
	if !ok {
		h = Handler{Kind: HandlerManual}
	}
	switch h.Kind {
	case HandlerMock:
		return h.Mock, nil, false
	case HandlerCommand:
		if !opts.Trust.Trusted(opts.PromptPath, opts.PromptHash) {
			file := opts.PromptPath
			if file == "" {
				return "", fmt.Errorf("tool %s runs a local command (%s), which only a trusted prompt file may do: save the prompt to a file and trust it", st.Name, strings.Join(h.Command, " ")), true
			}
			return "", fmt.Errorf("tool %s runs a local command (%s) and %s is not trusted (or changed since): check the file, then trust it with `mstudio run %s --trust`", st.Name, strings.Join(h.Command, " "), file, file), true
		}
		res, err := h.RunCommand(ctx, st.Arguments)
		return res, err, false
	default:
		if opts.Answer == nil {
			return "", fmt.Errorf("tool %s has no mock or command: answer it in the studio, or add mstudio.tools.%s.mock", st.Name, st.Name), true
		}
		res, err := opts.Answer(ctx, st)
		return res, err, false
	}
}

// mistralID is what Mistral accepts as a tool-call id.
var mistralID = regexp.MustCompile(`^[a-zA-Z0-9]{9}$`)

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NormalizeMessages returns the messages as Mistral accepts them:
//   - tool-call ids of 9 letters and digits: other ids (another provider's
//     call_…, vLLM's chatcmpl-tool-…, none at all) are replaced by ids
//     derived from them, the same on every request, and the tool messages
//     follow their call;
//   - no user message straight after a tool message: an assistant message
//     "…" is put between;
//   - every assistant message with content or tool calls: an empty one
//     gets "…".
//
// The input is not modified.
func NormalizeMessages(msgs []api.Message) []api.Message {
	used := map[string]bool{}
	for _, m := range msgs {
		for _, tc := range m.ToolCalls {
			if mistralID.MatchString(tc.ID) {
				used[tc.ID] = true
			}
		}
		if mistralID.MatchString(m.ToolCallID) {
			used[m.ToolCallID] = true
		}
	}
	mapped := map[string]string{} // foreign id → its Mistral id, for the latest call that had it
	// remap gives a foreign id its Mistral id. A call (fresh) whose id an
	// earlier turn used already gets a new one: some servers number calls
	// call_0, call_1 afresh on every answer.
	remap := func(id string, salt int, fresh bool) string {
		if mistralID.MatchString(id) {
			return id
		}
		if n, ok := mapped[id]; ok && id != "" && !fresh {
			return n
		}
		seed := id
		if id == "" {
			seed = fmt.Sprintf("\x00%d", salt)
		}
		for k := 0; ; k++ {
			n := deriveID(fmt.Sprintf("%s\x00%d", seed, k))
			if !used[n] {
				used[n] = true
				if id != "" {
					mapped[id] = n
				}
				return n
			}
		}
	}
	out := make([]api.Message, 0, len(msgs)+2)
	var pending []string // ids of the last assistant's calls not yet answered
	for i, m := range msgs {
		switch m.Role {
		case api.RoleAssistant:
			if len(m.ToolCalls) > 0 {
				calls := make([]api.ToolCall, len(m.ToolCalls))
				pending = pending[:0]
				for j, tc := range m.ToolCalls {
					tc.ID = remap(tc.ID, i*1000+j, true)
					calls[j] = tc
					pending = append(pending, tc.ID)
				}
				m.ToolCalls = calls
			} else if !hasText(m.Content) {
				m.Content = api.Text("…")
			}
		case api.RoleTool:
			switch {
			case m.ToolCallID == "" && len(pending) > 0:
				m.ToolCallID = pending[0]
			case m.ToolCallID != "":
				m.ToolCallID = remap(m.ToolCallID, i*1000, false)
			}
			for k, id := range pending {
				if id == m.ToolCallID {
					pending = append(pending[:k:k], pending[k+1:]...)
					break
				}
			}
		case api.RoleUser:
			if len(out) > 0 && out[len(out)-1].Role == api.RoleTool {
				out = append(out, api.Message{Role: api.RoleAssistant, Content: api.Text("…")})
			}
		}
		out = append(out, m)
	}
	return out
}

// hasText tells content worth sending from null, absent or empty content.
func hasText(c api.Content) bool {
	for _, p := range c.Parts() {
		if p.Type != api.ChunkText || p.Text != "" {
			return true
		}
	}
	return false
}

// deriveID makes a 9-character alphanumeric id from a seed.
func deriveID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, 9)
	for i := range b {
		b[i] = idAlphabet[int(sum[i])%len(idAlphabet)]
	}
	return string(b)
}

// Record returns the conversation in the `mstudio run --json` form: the
// final answer's record (its tool_calls are the last answer's calls), with
// every call of the conversation in tool_results and the number of model
// calls in turns.
func (c Conversation) Record() RunRecord {
	rec := c.Total().Record()
	rec.Turns = len(c.Turns)
	rec.ToolResults = make([]ToolResultRecord, 0, len(c.Calls))
	for _, st := range c.Calls {
		rec.ToolResults = append(rec.ToolResults, st.Record())
	}
	return rec
}

// Record is a tool call's state in its JSON form.
func (st ToolCallState) Record() ToolResultRecord {
	r := ToolResultRecord{ID: st.ID, Name: st.Name, Arguments: st.Arguments, Result: st.Result, State: st.State, Turn: st.Turn, SchemaErrors: st.SchemaErrors}
	if st.Error != "" {
		msg := st.Error
		r.Error = &msg
	}
	if r.SchemaErrors == nil {
		r.SchemaErrors = []string{}
	}
	return r
}

// Call is the record back as a tool call's state.
func (r ToolResultRecord) Call() ToolCallState {
	st := ToolCallState{Turn: r.Turn, ID: r.ID, Name: r.Name, Arguments: r.Arguments, State: r.State, Result: r.Result, SchemaErrors: r.SchemaErrors}
	if r.Error != nil {
		st.Error = *r.Error
	}
	return st
}

// Total is the conversation as one run: the final answer, with the usage,
// cost and latency of all its model calls, the first call's time to first
// token, and the error that stopped it.
func (c Conversation) Total() Result {
	res := c.Final
	if res.Err == nil && c.Err != nil {
		res.Err = c.Err
	}
	if len(c.Turns) < 2 {
		return res
	}
	res.TTFT = c.Turns[0].TTFT
	res.Latency, res.CostUSD, res.CostKnown = 0, 0, true
	var usage api.Usage
	hasUsage := false
	for _, t := range c.Turns {
		res.Latency += t.Latency
		res.CostUSD += t.CostUSD
		res.CostKnown = res.CostKnown && t.CostKnown
		if t.Usage != nil {
			hasUsage = true
			usage.PromptTokens += t.Usage.PromptTokens
			usage.CompletionTokens += t.Usage.CompletionTokens
			usage.TotalTokens += t.Usage.TotalTokens
		}
	}
	res.Usage = nil
	if hasUsage {
		res.Usage = &usage
	}
	return res
}
