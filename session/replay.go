package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"mstudio/api"
)

// Replay re-emits run's recorded events through the same SSE decoder a
// live answer goes through, so content, thinking, tool calls and usage come
// out exactly as they did; nothing touches the network. Events keep their
// recorded timing divided by speed; speed <= 0 replays at once.
//
// The result carries the recorded model, endpoint, cost and error. Its
// timings are the recorded ones divided by speed (as they are, for an
// instant replay: there is nothing else meaningful to report). onEvent,
// when not nil, sees each event as it is replayed. The error is for a run
// that is not in the session; how the replay went is in the Result.
func (s *Session) Replay(ctx context.Context, run int, speed float64, onEvent func(api.StreamEvent)) (Result, error) {
	r, err := s.Run(run)
	if err != nil {
		return Result{}, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if r.API == apiConversations {
		// an agent's call: its events are the Conversations API's, its
		// answer is in its result
		res := recordedResult(r)
		if onEvent != nil && (res.Content() != "" || res.Reasoning() != "") {
			onEvent(api.StreamEvent{Update: api.Update{Content: res.Content(), Thinking: res.Reasoning()}})
		}
		return res, nil
	}
	dialect, err := api.ParseDialect(s.Header.Dialect)
	if err != nil {
		dialect = api.DialectMistral
	}
	start := time.Now()
	st := api.NewStreamReader(ctx, &replayBody{ctx: ctx, events: r.Events, speed: speed, start: start}, dialect)
	defer st.Close()
	res := Result{Model: r.Model, Endpoint: r.Endpoint}
	var streamErr error
	for {
		ev, err := st.Next()
		if err != nil {
			streamErr = err
			break
		}
		if res.TTFT == 0 && (ev.Content != "" || ev.Thinking != "" || len(ev.ToolCalls) > 0) {
			res.TTFT = time.Since(start)
		}
		if onEvent != nil {
			onEvent(ev)
		}
	}
	res.Latency = time.Since(start)
	choice := st.Accumulator().Choice(0)
	res.Message = choice.Message
	res.FinishReason = choice.FinishReason
	res.Choices = choicesOf(st.Accumulator())
	res.Usage = st.Accumulator().Usage
	if !errors.Is(streamErr, io.EOF) {
		res.Err = streamErr
	}
	if rec := r.Result; rec != nil {
		if rec.Model != "" {
			res.Model = rec.Model
		}
		if rec.Endpoint != "" {
			res.Endpoint = rec.Endpoint
		}
		res.TTFT = scale(rec.TTFTMs, speed)
		res.Latency = scale(rec.LatencyMs, speed)
		if rec.CostUSD != nil {
			res.CostUSD, res.CostKnown = *rec.CostUSD, true
		}
		// The recorded error is what happened (a 401, a cut); the replay
		// of a failed run can only echo it, unless the replay itself was
		// stopped.
		if rec.Error != nil && ctx.Err() == nil {
			res.Err = errors.New(*rec.Error)
		}
	}
	return res, nil
}

// scale turns recorded milliseconds into a duration at the replay's speed.
func scale(ms int64, speed float64) time.Duration {
	d := time.Duration(ms) * time.Millisecond
	if speed > 0 {
		d = time.Duration(float64(d) / speed)
	}
	return d
}

// replayBody is an SSE body made of recorded events, each one handed out
// when its time (from start, divided by speed) has come.
type replayBody struct {
	ctx    context.Context
	events []RecordedEvent
	speed  float64
	start  time.Time
	next   int
	buf    []byte
}

func (b *replayBody) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		if err := b.ctx.Err(); err != nil {
			return 0, err
		}
		if b.next >= len(b.events) {
			return 0, io.EOF
		}
		ev := b.events[b.next]
		b.next++
		if b.speed > 0 {
			if err := sleepUntil(b.ctx, b.start.Add(time.Duration(float64(ev.T)/b.speed))); err != nil {
				return 0, err
			}
		}
		b.buf = sseFrame(ev.Data)
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

func (b *replayBody) Close() error { return nil }

// sseFrame is data as a server sends it: one "data:" line per line of it,
// then the blank line that ends the event.
func sseFrame(data string) []byte {
	var sb strings.Builder
	for _, line := range strings.Split(data, "\n") {
		sb.WriteString("data: ")
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	sb.WriteByte('\n')
	return []byte(sb.String())
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// ReplayLive sends run's recorded request again, to t, on model when it is
// not empty and else on the recorded model, and returns the new answer.
func (e *Engine) ReplayLive(ctx context.Context, t Target, run RecordedRun, model string) Result {
	if model == "" {
		model = run.Model
	}
	req, err := DecodeRequest(run.Body)
	if model == "" {
		model = req.Model
	}
	t.Model = model
	if err == nil && run.API != "" {
		err = fmt.Errorf("a call of an agent conversation (%s API) is not sent again as chat completions", run.API)
	}
	if err != nil {
		return Result{Model: model, Endpoint: t.Client.Endpoint().Name, Err: fmt.Errorf("run %d: %w", run.Run, err)}
	}
	return e.Run(ctx, t, req, nil)
}

// DecodeRequest reads a recorded request body back into a request. Bodies
// recorded on OpenAI-compatible servers carry seed for random_seed.
func DecodeRequest(body json.RawMessage) (api.ChatRequest, error) {
	var req api.ChatRequest
	if len(body) == 0 {
		return req, errors.New("no request body was recorded")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, fmt.Errorf("the recorded request body does not decode: %s", jsonProblem(err))
	}
	if req.RandomSeed == nil {
		var o struct {
			Seed *int64 `json:"seed"`
		}
		if json.Unmarshal(body, &o) == nil {
			req.RandomSeed = o.Seed
		}
	}
	return req, nil
}

// AnswerDiff is a unified diff from the recorded answer to the live one,
// labelled with their models; "" when they are the same. An answer is its
// text, then one line per tool call, then its error, so answers that are
// only tool calls (or that failed) differ visibly too.
func AnswerDiff(recorded, live Result) string {
	a, b := answerText(recorded), answerText(live)
	if a == b {
		return ""
	}
	return udiff.Unified("recorded "+recorded.Model, "live "+live.Model, a, b)
}

// answerText is a result as the lines AnswerDiff compares.
func answerText(r Result) string {
	var b strings.Builder
	b.WriteString(r.Content())
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	for _, tc := range r.Message.ToolCalls {
		fmt.Fprintf(&b, "tool call: %s %s\n", tc.Function.Name, tc.Function.Arguments)
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "error: %s\n", r.Err)
	}
	return b.String()
}

// replayGroup plays a recorded group back as events, lane by lane at once,
// each lane's model calls one after the other with their tool results
// between them, as the group ran. Chat calls go through the live decoder
// (Session.Replay); an agent's calls give their recorded text.
func (e *Engine) replayGroup(ctx context.Context, em *emitter, spec Spec) {
	rs := spec.Replay
	if rs == nil || rs.Session == nil {
		em.send(Event{Err: errors.New("replay: no session")})
		return
	}
	g, err := rs.Session.Group(rs.Group)
	if err != nil {
		em.send(Event{Err: err})
		return
	}
	lanes := rs.Session.Lanes(g)
	done := make(chan struct{}, len(lanes))
	for lane, runs := range lanes {
		go func() {
			defer func() { done <- struct{}{} }()
			replayLane(ctx, em, rs, g, lane, runs, spec.NoDeltas)
		}()
	}
	for range lanes {
		<-done
	}
}

// replayLane replays one lane's model calls in order.
func replayLane(ctx context.Context, em *emitter, rs *ReplaySpec, g *RecordedGroup, lane Lane, runs []*RecordedRun, noDeltas bool) {
	var turns []Result
	var calls []ToolCallState
	for turn, r := range runs {
		turn++
		var res Result
		if r.API == apiConversations {
			res = replayAgentCall(r, lane, turn, em, noDeltas)
		} else {
			res, _ = rs.Session.Replay(ctx, r.Run, rs.Speed, func(ev api.StreamEvent) {
				if (ev.Content != "" || ev.Thinking != "") && !noDeltas {
					em.send(Event{Lane: lane, Turn: turn, Content: ev.Content, Thinking: ev.Thinking})
				}
			})
		}
		turns = append(turns, res)
		for _, tr := range g.ToolResults {
			if tr.Lane == lane && tr.Record.Turn == turn {
				c := tr.Record.Call()
				calls = append(calls, c)
				em.send(Event{Lane: lane, Turn: turn, ToolResult: &c})
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	if len(turns) == 0 {
		em.send(Event{Lane: lane, Finish: &Finish{Result: Result{Err: errors.New("the lane has no runs")}}})
		return
	}
	conv := Conversation{Turns: turns, Calls: calls, Final: turns[len(turns)-1]}
	res := conv.Total()
	if g.Kind == KindAgent {
		// an agent's answer is every call's text, as it was shown
		var text strings.Builder
		for i, t := range turns {
			if i > 0 && text.Len() > 0 && t.Content() != "" {
				text.WriteString("\n\n")
			}
			text.WriteString(t.Content())
		}
		res.Message = api.Message{Role: api.RoleAssistant, Content: api.Text(text.String())}
	}
	fin := &Finish{Reason: res.FinishReason, Result: res}
	if len(runs) > 1 || len(calls) > 0 {
		fin.Conversation = &conv
	}
	for _, c := range g.Conversations {
		if c.Lane == lane {
			fin.Agent = &AgentState{ConversationID: c.ConversationID, LastEntry: c.LastEntry}
		}
	}
	em.send(Event{Lane: lane, Finish: fin})
}

// apiConversations marks an agent's call in a session file.
const apiConversations = "conversations"

// replayAgentCall gives back one recorded agent call: its text at once.
func replayAgentCall(r *RecordedRun, lane Lane, turn int, em *emitter, noDeltas bool) Result {
	res := recordedResult(r)
	if noDeltas {
		return res
	}
	text := res.Content()
	if turn > 1 && text != "" {
		em.send(Event{Lane: lane, Turn: turn, Content: "\n\n"})
	}
	if text != "" || res.Reasoning() != "" {
		em.send(Event{Lane: lane, Turn: turn, Content: text, Thinking: res.Reasoning()})
	}
	return res
}

// recordedResult is a run's recorded result as a Result.
func recordedResult(r *RecordedRun) Result {
	res := Result{Model: r.Model, Endpoint: r.Endpoint}
	rec := r.Result
	if rec == nil {
		res.Err = errors.New("the call did not finish")
		return res
	}
	text := rec.Content
	content := api.Text(text)
	if rec.Reasoning != "" {
		content = api.Chunks(api.ThinkingChunk(rec.Reasoning), api.TextChunk(text))
	}
	res.Message = api.Message{Role: api.RoleAssistant, Content: content}
	res.FinishReason = rec.FinishReason
	res.TTFT = time.Duration(rec.TTFTMs) * time.Millisecond
	res.Latency = time.Duration(rec.LatencyMs) * time.Millisecond
	if rec.Usage != nil {
		res.Usage = &api.Usage{PromptTokens: rec.Usage.PromptTokens, CompletionTokens: rec.Usage.CompletionTokens, TotalTokens: rec.Usage.TotalTokens}
	}
	if rec.CostUSD != nil {
		res.CostUSD, res.CostKnown = *rec.CostUSD, true
	}
	if rec.Error != nil {
		res.Err = errors.New(*rec.Error)
	}
	return res
}
