package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Conversation stream event types (docs/mistral-api.md §9).
const (
	ConvResponseStarted   = "conversation.response.started"
	ConvMessageDelta      = "message.output.delta"
	ConvToolExecStarted   = "tool.execution.started"
	ConvToolExecDelta     = "tool.execution.delta"
	ConvToolExecDone      = "tool.execution.done"
	ConvFunctionCallDelta = "function.call.delta"
	ConvHandoffStarted    = "agent.handoff.started"
	ConvHandoffDone       = "agent.handoff.done"
	ConvResponseDone      = "conversation.response.done"
	ConvResponseError     = "conversation.response.error"
)

// Conversation output entry types, as ConversationAccumulator files them.
const (
	OutputMessage       = "message.output"
	OutputToolExecution = "tool.execution"
	OutputFunctionCall  = "function.call"
	OutputHandoff       = "agent.handoff"
)

// ConversationRequest starts, continues or restarts a conversation. Only
// the fields the official schema has: the append and restart endpoints take
// a subset (their schemas forbid other fields), and the client sends only
// that subset there.
type ConversationRequest struct {
	// Inputs is a JSON string or a list of entries; see TextInputs and
	// FunctionResultInputs.
	Inputs json.RawMessage `json:"inputs"`
	// AgentID or Model, not both (start only).
	AgentID      string `json:"agent_id,omitempty"`
	Model        string `json:"model,omitempty"`
	Instructions string `json:"instructions,omitempty"` // start only
	Tools        []Tool `json:"tools,omitempty"`        // start only
	// CompletionArgs: temperature, max_tokens, tool_choice, ...
	CompletionArgs map[string]any `json:"completion_args,omitempty"`
	// Store defaults to true on the server.
	Store  *bool `json:"store,omitempty"`
	Stream bool  `json:"stream"`
	// HandoffExecution is "server" (default) or "client".
	HandoffExecution string `json:"handoff_execution,omitempty"`
}

// appendBody is AppendConversationRequest (additionalProperties: false).
type appendBody struct {
	Inputs           json.RawMessage `json:"inputs"`
	CompletionArgs   map[string]any  `json:"completion_args,omitempty"`
	Store            *bool           `json:"store,omitempty"`
	Stream           bool            `json:"stream"`
	HandoffExecution string          `json:"handoff_execution,omitempty"`
}

// restartBody is RestartConversationRequest (additionalProperties: false).
type restartBody struct {
	appendBody
	FromEntryID string `json:"from_entry_id"`
}

// TextInputs is a user message as conversation inputs (a JSON string).
func TextInputs(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// FunctionResult answers one function call of a conversation.
type FunctionResult struct {
	ToolCallID string
	Result     string
}

// FunctionResultInputs is a list of function.result entries as
// conversation inputs.
func FunctionResultInputs(results ...FunctionResult) json.RawMessage {
	type entry struct {
		Type       string `json:"type"`
		Object     string `json:"object"`
		ToolCallID string `json:"tool_call_id"`
		Result     string `json:"result"`
	}
	list := make([]entry, len(results))
	for i, r := range results {
		list[i] = entry{"function.result", "entry", r.ToolCallID, r.Result}
	}
	b, _ := json.Marshal(list)
	return b
}

// StartConversation starts a conversation and streams its first answer.
// The caller must Close the stream.
func (c *Client) StartConversation(ctx context.Context, req ConversationRequest) (*ConversationStream, error) {
	if (req.AgentID == "") == (req.Model == "") {
		return nil, errors.New("a conversation needs an agent id or a model, not both")
	}
	req.Stream = true
	if len(req.Inputs) == 0 {
		req.Inputs = TextInputs("")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return c.conversationStream(ctx, "/v1/conversations", body)
}

// AppendConversation sends new inputs (a user message, function results)
// to a conversation and streams the answer. Only the fields the append
// endpoint accepts are sent: inputs, completion_args, store,
// handoff_execution.
func (c *Client) AppendConversation(ctx context.Context, id string, req ConversationRequest) (*ConversationStream, error) {
	if id == "" {
		return nil, errors.New("append: no conversation id")
	}
	body, err := json.Marshal(appendOf(req))
	if err != nil {
		return nil, err
	}
	return c.conversationStream(ctx, "/v1/conversations/"+url.PathEscape(id), body)
}

// RestartConversation replays a conversation from one of its entries with
// new inputs and streams the answer.
func (c *Client) RestartConversation(ctx context.Context, id, fromEntryID string, req ConversationRequest) (*ConversationStream, error) {
	if id == "" || fromEntryID == "" {
		return nil, errors.New("restart: a conversation id and an entry id are needed")
	}
	body, err := json.Marshal(restartBody{appendBody: appendOf(req), FromEntryID: fromEntryID})
	if err != nil {
		return nil, err
	}
	return c.conversationStream(ctx, "/v1/conversations/"+url.PathEscape(id)+"/restart", body)
}

func appendOf(req ConversationRequest) appendBody {
	in := req.Inputs
	if len(in) == 0 {
		in = TextInputs("")
	}
	return appendBody{Inputs: in, CompletionArgs: req.CompletionArgs, Store: req.Store, Stream: true, HandoffExecution: req.HandoffExecution}
}

func (c *Client) conversationStream(ctx context.Context, path string, body []byte) (*ConversationStream, error) {
	resp, err := c.do(ctx, http.MethodPost, path, body, true)
	if err != nil {
		return nil, err
	}
	s := NewConversationStreamReader(ctx, resp.Body)
	s.meta = metaFrom(resp)
	return s, nil
}

// ConversationEvent is one decoded event of a conversation stream. Which
// fields are set depends on Type.
type ConversationEvent struct {
	Type string
	// Raw is the event's data exactly as received, for session records.
	Raw string

	ConversationID string // conversation.response.started
	OutputIndex    int
	ID             string // the entry the event belongs to (msg_, tool_exec_, fc_, ...)
	ContentIndex   int
	Model          string
	AgentID        string
	Role           string
	// Content is a text piece (a string on the wire) or one chunk
	// (tool_reference, thinking, ...).
	Content Content

	Name       string // tool or function name
	ToolCallID string
	// Arguments is a fragment for function.call.delta and
	// tool.execution.delta, the whole arguments for tool.execution.started.
	Arguments          string
	ConfirmationStatus string
	Info               json.RawMessage // tool.execution.done

	Usage *Usage // conversation.response.done

	PreviousAgentID, PreviousAgentName string // agent.handoff.started
	NextAgentID, NextAgentName         string // agent.handoff.done

	Message string // conversation.response.error
	Code    int
}

// ConversationError is a conversation.response.error event. It arrives
// wrapped in a *StreamError, so errors.As finds either.
type ConversationError struct {
	Message string
	Code    int
}

func (e *ConversationError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s (code %d)", e.Message, e.Code)
	}
	return e.Message
}

type wireConvEvent struct {
	Type               string          `json:"type"`
	ConversationID     string          `json:"conversation_id"`
	OutputIndex        int             `json:"output_index"`
	ID                 string          `json:"id"`
	ContentIndex       int             `json:"content_index"`
	Model              string          `json:"model"`
	AgentID            string          `json:"agent_id"`
	Role               string          `json:"role"`
	Content            Content         `json:"content"`
	Name               json.RawMessage `json:"name"`
	ToolCallID         string          `json:"tool_call_id"`
	Arguments          json.RawMessage `json:"arguments"`
	ConfirmationStatus string          `json:"confirmation_status"`
	Info               json.RawMessage `json:"info"`
	Usage              *Usage          `json:"usage"`
	PreviousAgentID    string          `json:"previous_agent_id"`
	PreviousAgentName  string          `json:"previous_agent_name"`
	NextAgentID        string          `json:"next_agent_id"`
	NextAgentName      string          `json:"next_agent_name"`
	Message            json.RawMessage `json:"message"`
	Code               json.RawMessage `json:"code"`
	Detail             json.RawMessage `json:"detail"`
	Object             string          `json:"object"`
}

// DecodeConversationEvent reads one event's data; eventName is the SSE
// "event:" field, used when the data carries no type.
func DecodeConversationEvent(eventName, data string) (ConversationEvent, error) {
	var w wireConvEvent
	if err := json.Unmarshal([]byte(data), &w); err != nil {
		return ConversationEvent{}, &DecodeError{What: "conversation event " + clip(data, 80), Err: err}
	}
	ev := ConversationEvent{
		Type: w.Type, Raw: data, ConversationID: w.ConversationID, OutputIndex: w.OutputIndex,
		ID: w.ID, ContentIndex: w.ContentIndex, Model: w.Model, AgentID: w.AgentID, Role: w.Role,
		Content: w.Content, Name: scalarText(w.Name), ToolCallID: w.ToolCallID,
		Arguments: argumentText(w.Arguments), ConfirmationStatus: w.ConfirmationStatus,
		Usage: w.Usage, PreviousAgentID: w.PreviousAgentID, PreviousAgentName: w.PreviousAgentName,
		NextAgentID: w.NextAgentID, NextAgentName: w.NextAgentName,
	}
	if ev.Type == "" {
		ev.Type = eventName
	}
	if len(w.Info) > 0 && !bytes.Equal(w.Info, []byte("null")) {
		ev.Info = w.Info
	}
	ev.Message, _ = messageAndFields(w.Message)
	if ev.Message == "" {
		ev.Message, _ = messageAndFields(w.Detail)
	}
	if code := scalarText(w.Code); code != "" {
		ev.Code, _ = strconv.Atoi(code)
	}
	// A chat-style error object ({"object":"error",...}) mid-stream is an
	// error event too.
	if ev.Type == "" && (w.Object == "error" || ev.Message != "") {
		ev.Type = ConvResponseError
	}
	return ev, nil
}

// argumentText keeps a string as is and any other JSON value as compact text.
func argumentText(raw json.RawMessage) string {
	var a ArgumentsJSON
	if len(raw) == 0 || a.UnmarshalJSON(raw) != nil {
		return ""
	}
	return string(a)
}

// ConversationStream reads a streamed conversation answer. Every event is
// folded into the accumulator, so the partial answer survives any failure.
type ConversationStream struct {
	ctx  context.Context
	body io.ReadCloser
	dec  *SSEDecoder
	acc  ConversationAccumulator
	meta Meta
	err  error
}

// NewConversationStreamReader reads a conversation stream from any SSE body.
func NewConversationStreamReader(ctx context.Context, body io.ReadCloser) *ConversationStream {
	if ctx == nil {
		ctx = context.Background()
	}
	return &ConversationStream{ctx: ctx, body: body, dec: NewSSEDecoder(body)}
}

// Meta returns what the response headers said.
func (s *ConversationStream) Meta() Meta { return s.meta }

// Accumulator returns the answer so far.
func (s *ConversationStream) Accumulator() *ConversationAccumulator { return &s.acc }

// Err returns the error that ended the stream, nil if it ended cleanly or
// has not ended.
func (s *ConversationStream) Err() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}

// Close releases the connection. It is safe to call more than once.
func (s *ConversationStream) Close() error {
	if s.body == nil {
		return nil
	}
	err := s.body.Close()
	s.body = nil
	return err
}

// Next returns the next event. After conversation.response.done (which is
// returned) the next call gives io.EOF. A conversation.response.error event
// is returned together with a *StreamError wrapping a *ConversationError; a
// body that ends before done gives a *StreamError wrapping ErrTruncated.
// Either way the stream is over and the partial answer stays in
// Accumulator.
func (s *ConversationStream) Next() (ConversationEvent, error) {
	for {
		if s.err != nil {
			return ConversationEvent{}, s.err
		}
		if s.acc.Done {
			return ConversationEvent{}, s.fail(io.EOF)
		}
		sse, err := s.dec.Next()
		if err != nil {
			return ConversationEvent{}, s.fail(s.readError(err))
		}
		if sse.Truncated {
			return ConversationEvent{}, s.fail(&StreamError{Err: ErrTruncated})
		}
		data := strings.TrimSpace(sse.Data)
		if data == "" {
			continue
		}
		if data == "[DONE]" {
			// Not documented for conversations; if it comes without a
			// done event, the answer did not finish.
			return ConversationEvent{}, s.fail(&StreamError{Err: ErrTruncated})
		}
		ev, err := DecodeConversationEvent(sse.Type, data)
		if err != nil {
			return ConversationEvent{}, s.fail(&StreamError{Err: err})
		}
		ev.Raw = sse.Data
		s.acc.Add(ev)
		if ev.Type == ConvResponseError {
			ce := &ConversationError{Message: orDefault(ev.Message, clip(data, 200)), Code: ev.Code}
			code := ""
			if ev.Code != 0 {
				code = strconv.Itoa(ev.Code)
			}
			return ev, s.fail(&StreamError{Err: ce, Message: ce.Message, Code: code})
		}
		return ev, nil
	}
}

func (s *ConversationStream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

func (s *ConversationStream) readError(err error) error {
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, io.EOF) {
		return &StreamError{Err: ErrTruncated}
	}
	return &StreamError{Err: err}
}

// ConversationOutput is one output entry being built from the stream: a
// message, a built-in tool execution, a function call or a handoff.
type ConversationOutput struct {
	Type        string // OutputMessage, OutputToolExecution, OutputFunctionCall, OutputHandoff
	OutputIndex int
	ID          string

	Model, AgentID, Role string
	Content              Content // message: text, thinking and reference chunks in order

	Name       string // tool or function name
	ToolCallID string
	// Arguments is the whole arguments text (fragments joined).
	Arguments          string
	ConfirmationStatus string
	Info               json.RawMessage
	// Done is set when a tool execution or handoff has finished.
	Done bool

	PreviousAgentID, PreviousAgentName string
	NextAgentID, NextAgentName         string
}

// Text returns the message's answer text, thinking left out.
func (o ConversationOutput) Text() string { return o.Content.String() }

// Thinking returns the message's thinking text.
func (o ConversationOutput) Thinking() string { return o.Content.Thinking() }

// ConversationAccumulator folds conversation events into output entries.
type ConversationAccumulator struct {
	ConversationID string
	Outputs        []ConversationOutput
	Usage          *Usage
	// Err is the error event, if one came.
	Err  *ConversationError
	Done bool
}

// Add folds one event in.
func (a *ConversationAccumulator) Add(ev ConversationEvent) {
	switch ev.Type {
	case ConvResponseStarted:
		if ev.ConversationID != "" {
			a.ConversationID = ev.ConversationID
		}
	case ConvMessageDelta:
		o := a.output(OutputMessage, ev.ID, "", ev.OutputIndex)
		setIf(&o.Model, ev.Model)
		setIf(&o.AgentID, ev.AgentID)
		setIf(&o.Role, ev.Role)
		for _, ch := range ev.Content.Parts() {
			o.Content.Append(ch)
		}
	case ConvToolExecStarted, ConvToolExecDelta, ConvToolExecDone:
		o := a.output(OutputToolExecution, ev.ID, "", ev.OutputIndex)
		setIf(&o.Name, ev.Name)
		switch ev.Type {
		case ConvToolExecStarted:
			setIf(&o.Arguments, ev.Arguments)
		case ConvToolExecDelta:
			o.Arguments += ev.Arguments
		case ConvToolExecDone:
			o.Done = true
			if ev.Info != nil {
				o.Info = ev.Info
			}
		}
	case ConvFunctionCallDelta:
		o := a.output(OutputFunctionCall, ev.ID, ev.ToolCallID, ev.OutputIndex)
		setIf(&o.Name, ev.Name)
		setIf(&o.ToolCallID, ev.ToolCallID)
		setIf(&o.ConfirmationStatus, ev.ConfirmationStatus)
		o.Arguments += ev.Arguments
	case ConvHandoffStarted:
		o := a.output(OutputHandoff, ev.ID, "", ev.OutputIndex)
		setIf(&o.PreviousAgentID, ev.PreviousAgentID)
		setIf(&o.PreviousAgentName, ev.PreviousAgentName)
	case ConvHandoffDone:
		o := a.output(OutputHandoff, ev.ID, "", ev.OutputIndex)
		setIf(&o.NextAgentID, ev.NextAgentID)
		setIf(&o.NextAgentName, ev.NextAgentName)
		o.Done = true
	case ConvResponseDone:
		if ev.Usage != nil {
			u := *ev.Usage
			a.Usage = &u
		}
		a.Done = true
	case ConvResponseError:
		a.Err = &ConversationError{Message: ev.Message, Code: ev.Code}
	}
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// output finds the entry an event belongs to: by id, else (function calls)
// by tool_call_id, else by output index; or starts a new one.
func (a *ConversationAccumulator) output(typ, id, toolCallID string, index int) *ConversationOutput {
	for i := range a.Outputs {
		o := &a.Outputs[i]
		if o.Type != typ {
			continue
		}
		switch {
		case id != "" && o.ID == id:
			return o
		case id == "" && toolCallID != "" && o.ToolCallID == toolCallID:
			return o
		case id == "" && toolCallID == "" && o.OutputIndex == index:
			return o
		}
	}
	a.Outputs = append(a.Outputs, ConversationOutput{Type: typ, ID: id, OutputIndex: index})
	return &a.Outputs[len(a.Outputs)-1]
}

// Text returns the answer text of every message output, joined.
func (a *ConversationAccumulator) Text() string {
	var b strings.Builder
	for _, o := range a.Outputs {
		if o.Type == OutputMessage {
			b.WriteString(o.Text())
		}
	}
	return b.String()
}

// Thinking returns the thinking text of every message output, joined.
func (a *ConversationAccumulator) Thinking() string {
	var b strings.Builder
	for _, o := range a.Outputs {
		if o.Type == OutputMessage {
			b.WriteString(o.Thinking())
		}
	}
	return b.String()
}

func (a *ConversationAccumulator) ofType(typ string) []ConversationOutput {
	var out []ConversationOutput
	for _, o := range a.Outputs {
		if o.Type == typ {
			out = append(out, o)
		}
	}
	return out
}

// Messages returns the message outputs.
func (a *ConversationAccumulator) Messages() []ConversationOutput { return a.ofType(OutputMessage) }

// ToolExecutions returns the built-in tool executions.
func (a *ConversationAccumulator) ToolExecutions() []ConversationOutput {
	return a.ofType(OutputToolExecution)
}

// FunctionCalls returns the function calls the client must answer, with
// their arguments whole.
func (a *ConversationAccumulator) FunctionCalls() []ConversationOutput {
	return a.ofType(OutputFunctionCall)
}

// Handoffs returns the agent handoffs.
func (a *ConversationAccumulator) Handoffs() []ConversationOutput { return a.ofType(OutputHandoff) }

// LastEntryID returns the id of the last output entry, a natural point to
// restart from.
func (a *ConversationAccumulator) LastEntryID() string {
	for i := len(a.Outputs) - 1; i >= 0; i-- {
		if a.Outputs[i].ID != "" {
			return a.Outputs[i].ID
		}
	}
	return ""
}
