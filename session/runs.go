package session

import (
	"cmp"
	"context"
	"maps"

	"mstudio/api"
)

// Spec describes one run of any kind: its lanes (each a target and the
// request it gets), and what the kind needs besides (the tool loop's
// options, the agent conversation, the recorded group to replay).
type Spec struct {
	// ID is the caller's number for the run, carried by every event.
	ID    int
	Kind  Kind
	Lanes []LaneSpec
	// Loop runs each lane through the tool loop (Converse); an agent's
	// function calls are answered with its handlers too.
	Loop *LoopOptions
	// Agent makes each lane an agent conversation.
	Agent *AgentSpec
	// Replay plays a recorded group back; Lanes are then taken from it.
	Replay *ReplaySpec
	// Parallel bounds the lanes that run at once; < 1 means all.
	Parallel int
	// Ask sends the tools answered by hand to the caller as Ask events
	// (the studio's editor); without it such a call fails the conversation,
	// as nobody could answer it headless.
	Ask bool
	// Step asks before each model call of a conversation or agent (step
	// mode), with the request about to be sent.
	Step bool
	// Prompt is recorded with the group: the template and its variables.
	Prompt *PromptRecord
	// NoDeltas leaves text and thinking deltas out of the events: a
	// caller that shows lanes only when they end (a matrix's table) is not
	// woken for every token.
	NoDeltas bool
}

// LaneSpec is one lane of a run.
type LaneSpec struct {
	Lane    Lane
	Target  Target
	Request api.ChatRequest
	// Params is the lane's parameters in a few words, for the record.
	Params string
	// Vars are a matrix row's variables, for the record.
	Vars map[string]string
	// Agent makes this lane an agent conversation (a compare column on an
	// agent) and Loop answers its function calls; Spec.Agent and Spec.Loop
	// when nil.
	Agent *AgentSpec
	Loop  *LoopOptions
}

// ReplaySpec names the recorded group a replay plays back.
type ReplaySpec struct {
	Session *Session
	Group   int     // a group number of Session.Groups
	Speed   float64 // the recorded timing divided by it; <= 0 at once
}

// Run starts a run of any kind and returns the channel of its events, which
// closes after the event with Done. Every lane runs on its own goroutine
// (at most Spec.Parallel at once); cancelling ctx ends them all, each lane
// then finishing with its partial answer and the context's error. The
// engine records the run as one group when it has a Recorder (a replay is
// not recorded again). e may be nil: a zero Engine.
func Run(ctx context.Context, e *Engine, spec Spec) <-chan Event {
	if e == nil {
		e = &Engine{}
	}
	ch := make(chan Event, eventBuffer)
	em := &emitter{ctx: ctx, ch: ch, id: spec.ID}
	go func() {
		defer close(ch)
		defer em.send(Event{Done: true})
		if spec.Kind == KindReplay || spec.Replay != nil {
			e.replayGroup(ctx, em, spec)
			return
		}
		e.runLanes(ctx, em, spec)
	}()
	return ch
}

// runLanes runs every lane of a live run.
func (e *Engine) runLanes(ctx context.Context, em *emitter, spec Spec) {
	group := e.Recorder.group(groupOf(spec))
	// Plain lanes get their run numbers now, in lane order, so that a
	// matrix's cells are numbered row by row however they are scheduled;
	// the calls of a conversation are numbered as they are made.
	plain := spec.Loop == nil && spec.Agent == nil
	for _, l := range spec.Lanes {
		plain = plain && l.Agent == nil && l.Loop == nil
	}
	first := 0
	if plain {
		first = e.Recorder.reserve(len(spec.Lanes))
	}
	parallel := spec.Parallel
	if parallel < 1 || parallel > len(spec.Lanes) {
		parallel = len(spec.Lanes)
	}
	sem := make(chan struct{}, max(parallel, 1))
	done := make(chan struct{}, len(spec.Lanes))
	for i, l := range spec.Lanes {
		go func() {
			defer func() { done <- struct{}{} }()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				model := l.Target.Model
				if model == "" {
					model = l.Request.Model
				}
				res := Result{Model: model, Endpoint: l.Target.Client.Endpoint().Name, Err: ctx.Err()}
				em.send(Event{Lane: l.Lane, Finish: &Finish{Result: res}})
				return
			}
			defer func() { <-sem }()
			runNo := 0
			if first > 0 {
				runNo = first + i
			}
			e.runLane(ctx, em, spec, l, runNo, tag{group: group, lane: l.Lane})
		}()
	}
	for range spec.Lanes {
		<-done
	}
}

// runLane runs one lane to its end and sends its Finish.
func (e *Engine) runLane(ctx context.Context, em *emitter, spec Spec, l LaneSpec, runNo int, tg tag) {
	agent, loop := spec.Agent, spec.Loop
	if l.Agent != nil {
		agent = l.Agent
	}
	if l.Loop != nil {
		loop = l.Loop
	}
	switch {
	case agent != nil:
		fin := e.runAgent(ctx, em, spec, l, agent, loop, tg)
		em.send(Event{Lane: l.Lane, Finish: fin})
	case loop != nil:
		opts := e.laneLoop(em, spec, loop, l.Lane)
		conv := e.converse(ctx, l.Target, l.Request, opts, tg)
		res := conv.Total()
		if res.Err == nil && conv.Err != nil {
			res.Err = conv.Err
		}
		em.send(Event{Lane: l.Lane, Finish: &Finish{Reason: res.FinishReason, Result: res, Conversation: &conv}})
	default:
		res := e.run(ctx, l.Target, l.Request, func(ev api.StreamEvent) {
			if (ev.Content != "" || ev.Thinking != "") && !spec.NoDeltas {
				em.send(Event{Lane: l.Lane, Content: ev.Content, Thinking: ev.Thinking})
			}
			if ev.Usage != nil {
				em.send(Event{Lane: l.Lane, Usage: ev.Usage})
			}
		}, runNo, tg)
		em.send(Event{Lane: l.Lane, Finish: &Finish{Reason: res.FinishReason, Result: res}})
	}
}

// laneLoop is the spec's loop options for one lane: its events go out as
// events, and the questions (tools by hand, steps) as asks when the caller
// answers them. The caller's own callbacks still see everything.
func (e *Engine) laneLoop(em *emitter, spec Spec, loop *LoopOptions, lane Lane) LoopOptions {
	var opts LoopOptions
	if loop != nil {
		opts = *loop
	}
	onEvent, onCall := opts.OnEvent, opts.OnToolCall
	opts.OnEvent = func(turn int, ev api.StreamEvent) {
		if (ev.Content != "" || ev.Thinking != "") && !spec.NoDeltas {
			em.send(Event{Lane: lane, Turn: turn, Content: ev.Content, Thinking: ev.Thinking})
		}
		if ev.Usage != nil {
			em.send(Event{Lane: lane, Turn: turn, Usage: ev.Usage})
		}
		if onEvent != nil {
			onEvent(turn, ev)
		}
	}
	opts.OnToolCall = func(turn int, call ToolCallState) {
		c := call
		if call.State == CallPending {
			em.send(Event{Lane: lane, Turn: turn, ToolCall: &c})
		} else {
			em.send(Event{Lane: lane, Turn: turn, ToolResult: &c})
		}
		if onCall != nil {
			onCall(turn, call)
		}
	}
	if spec.Ask && opts.Answer == nil {
		opts.Answer = func(ctx context.Context, call ToolCallState) (string, error) {
			c := call
			r, err := em.ask(lane, call.Turn, &Ask{Call: &c})
			if err != nil {
				return "", err
			}
			if !r.OK {
				return "", errDeclined(call.Name)
			}
			return r.Text, nil
		}
	}
	if spec.Step && opts.Step == nil {
		opts.Step = func(turn int, next *api.ChatRequest) bool {
			show := next.Clone()
			r, err := em.ask(lane, turn, &Ask{Turn: turn, Request: &show})
			if err != nil || !r.OK {
				return false
			}
			if r.Request != nil {
				*next = *r.Request
			}
			return true
		}
	}
	return opts
}

// groupOf is the record of a live run's group.
func groupOf(spec Spec) GroupRecord {
	g := GroupRecord{Kind: spec.Kind, Prompt: spec.Prompt}
	if spec.Agent != nil {
		g.Agent = spec.Agent.AgentID
	}
	for _, l := range spec.Lanes {
		for len(g.Columns) <= l.Lane.Column {
			g.Columns = append(g.Columns, ColumnRecord{})
		}
		if g.Columns[l.Lane.Column].Model == "" {
			model := l.Target.Model
			if model == "" {
				model = l.Request.Model
			}
			if a := cmp.Or(l.Agent, spec.Agent); a != nil {
				model = AgentPrefix + a.AgentID
			}
			g.Columns[l.Lane.Column] = ColumnRecord{Model: model, Params: l.Params}
		}
		if spec.Kind == KindMatrix {
			for len(g.Rows) <= l.Lane.Row {
				g.Rows = append(g.Rows, map[string]string{})
			}
			if l.Vars != nil && len(g.Rows[l.Lane.Row]) == 0 {
				g.Rows[l.Lane.Row] = maps.Clone(l.Vars)
			}
		}
	}
	return g
}
