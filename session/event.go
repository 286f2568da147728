package session

import (
	"context"
	"sync/atomic"
	"time"

	"mstudio/api"
)

// Kind says what sort of run a group of model calls is: the studio shows
// each kind its own way, and a session file records it so that reopening
// shows exactly what ran.
type Kind string

// The kinds of run.
const (
	KindSingle       Kind = "single"       // one request on one model (or one per -m column)
	KindConversation Kind = "conversation" // the tool loop (Converse)
	KindAgent        Kind = "agent"        // a Mistral agent through the Conversations API
	KindCompare      Kind = "compare"      // 2-4 columns, each its model and request
	KindMatrix       Kind = "matrix"       // rows × models
	KindReplay       Kind = "replay"       // a recorded group played back
)

// Lane is where in a run an event belongs: the compare column (or matrix
// model) and the matrix row, both from 0. A single run has one lane, {0, 0}.
type Lane struct {
	Column int `json:"column"`
	Row    int `json:"row"`
}

// Event is everything a run reports, on one channel, whatever its kind.
// Exactly one of its parts is set (besides Run, Lane and Turn), except the
// last event of a run, which has Done and nothing else.
type Event struct {
	Run  int  // the Spec's ID: a caller that replaced a run drops its events by it
	Lane Lane // which column / row
	Turn int  // the model call of a conversation (1-based); 0 when not one

	Content  string // answer text delta
	Thinking string // thinking text delta
	// ToolCall is a tool call as it appears (pending); ToolResult the same
	// call answered or failed. Both are copies the receiver may keep.
	ToolCall   *ToolCallState
	ToolResult *ToolCallState
	// Ask is a question the run waits on: answer it with Ask.Reply (or the
	// run waits until its context ends).
	Ask   *Ask
	Usage *api.Usage // a model call's usage, when the server sent it
	// Finish ends one lane: its finish reason and result.
	Finish *Finish
	// Err is an error of the run as a whole (a replay that cannot start);
	// a lane's own error is in its Finish.Result.
	Err error
	// Done is the last event of the run: every lane has finished and the
	// channel closes after it.
	Done bool
}

// Finish is how one lane ended.
type Finish struct {
	Reason string // the finish reason (stop, length, tool_calls, max_turns…)
	Result Result // for a conversation, its Total
	// Conversation is the tool loop's outcome, for a conversation lane.
	Conversation *Conversation
	// Agent is what an agent lane left, for a later append or restart.
	Agent *AgentState
}

// AgentState is where an agent conversation stands after a run.
type AgentState struct {
	ConversationID string
	// LastEntry is the agent's last output entry: a restart of the next
	// answer starts from it.
	LastEntry string
	// Turns counts the agent's answers in this run; Calls are its tool
	// executions, function calls and handoffs as they ended.
	Turns int
	Calls []ToolCallState
}

// Ask is a question a run needs answered before it goes on: the result of
// a tool answered by hand (Call), or, in step mode, whether to make the
// next model call (Turn, with the Request about to be sent).
type Ask struct {
	Call    *ToolCallState
	Turn    int
	Request *api.ChatRequest // step mode: the next request (a copy)
	reply   chan AskReply
}

// AskReply answers an Ask. For a tool, Text is its result; for a step, a
// Request that is not nil replaces the one about to be sent. OK false
// declines (the tool fails, the conversation stops before the step).
type AskReply struct {
	Text    string
	Request *api.ChatRequest
	OK      bool
}

// Reply answers the question; later replies are ignored.
func (a *Ask) Reply(r AskReply) {
	if a == nil || a.reply == nil {
		return
	}
	select {
	case a.reply <- r:
	default:
	}
}

// NewAsk makes a question that can be replied to, for tests and for
// callers that relay questions of their own.
func NewAsk(call *ToolCallState, turn int) *Ask {
	return &Ask{Call: call, Turn: turn, reply: make(chan AskReply, 1)}
}

// Replied returns the reply given so far, if any (tests).
func (a *Ask) Replied() (AskReply, bool) {
	select {
	case r := <-a.reply:
		return r, true
	default:
		return AskReply{}, false
	}
}

// eventBuffer is the channel's room: enough that a run never waits on a
// reader that takes a frame's worth of events at a time.
const eventBuffer = 1024

// emitter sends a run's events. It blocks while the reader is behind (the
// buffer is full); once the run's context is done, it still hands its last
// events to a reader that is there (esc keeps the partial answer), and
// gives up on one that has gone (a replaced run) after a short wait, so
// the run's goroutines always end.
type emitter struct {
	ctx       context.Context
	ch        chan Event
	id        int
	abandoned atomic.Bool
}

// abandonWait is how long a cancelled run waits for a reader to take an
// event before deciding nobody reads any more.
const abandonWait = 250 * time.Millisecond

func (em *emitter) send(ev Event) bool {
	ev.Run = em.id
	if em.abandoned.Load() {
		return false
	}
	select {
	case em.ch <- ev:
		return true
	case <-em.ctx.Done():
	}
	t := time.NewTimer(abandonWait)
	defer t.Stop()
	select {
	case em.ch <- ev:
		return true
	case <-t.C:
		em.abandoned.Store(true)
		return false
	}
}

// ask sends a question and waits for its reply.
func (em *emitter) ask(lane Lane, turn int, a *Ask) (AskReply, error) {
	a.reply = make(chan AskReply, 1)
	if !em.send(Event{Lane: lane, Turn: turn, Ask: a}) {
		return AskReply{}, em.ctx.Err()
	}
	select {
	case r := <-a.reply:
		return r, nil
	case <-em.ctx.Done():
		return AskReply{}, em.ctx.Err()
	}
}
