// Package session is one studio session's engine: it runs a request on one
// or many models, measures each run (time to first token, latency, tokens,
// cost), and is shared by the headless commands and the TUI so that no run
// logic is written twice.
//
// The engine can record its runs to a session file (Recorder: JSON Lines
// with the exact bodies sent, every event with its time, the results; the
// format is in docs/files.md). Load reads such a file back, forgiving a
// last line cut by a crash; Session.Replay re-emits a run's events through
// the live decoder with their timing, Engine.ReplayLive sends a recorded
// request again, AnswerDiff compares the answers, and Export writes a run
// as curl, Python, TypeScript or Go code, or the session as Markdown or
// JSON.
package session

import (
	"context"
	"errors"
	"io"
	"time"

	"mstudio/api"
	"mstudio/prices"
)

// Target is one place a request runs: a client, the model to ask there, and
// how its prices apply.
type Target struct {
	Client   *api.Client
	Model    string
	Regional bool // eu and us endpoints bill 1.1x
}

// Result is one finished (or failed) run. Its JSON form is the contract of
// `mstudio run --json`.
type Result struct {
	Model        string
	Endpoint     string
	Message      api.Message // the whole assistant message, thinking included
	FinishReason string
	Usage        *api.Usage
	TTFT         time.Duration // until the first content, thinking or tool call
	Latency      time.Duration // until the stream ended
	CostUSD      float64
	CostKnown    bool
	Meta         api.Meta
	Err          error
	// Choices is every choice, in index order, when the request asked for
	// several (n>1) and the server sent them; Message is choice 0. nil for
	// one answer.
	Choices []api.Choice
}

// Content returns the answer text.
func (r Result) Content() string { return r.Message.Content.String() }

// Reasoning returns the thinking text.
func (r Result) Reasoning() string { return r.Message.Content.Thinking() }

// Failed reports whether the run ended in an error.
func (r Result) Failed() bool { return r.Err != nil }

// Engine runs requests. Its zero value uses the embedded price table.
type Engine struct {
	Prices *prices.Table
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Recorder, when set, records every run to a session file: the exact
	// body sent, each event with its time, and the result. The studio and
	// `mstudio run --save` both record through it.
	Recorder *Recorder
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) prices() *prices.Table {
	if e.Prices != nil {
		return e.Prices
	}
	return prices.Default()
}

// Run streams req on one target and returns the result. onEvent, when not
// nil, sees every chunk as it arrives (for live display); it is called on
// the calling goroutine.
//
// It is a thin user of session.Run: a single run, recorded as its own group.
func (e *Engine) Run(ctx context.Context, t Target, req api.ChatRequest, onEvent func(api.StreamEvent)) Result {
	var res Result
	for ev := range Run(ctx, e, Spec{Kind: KindSingle, Lanes: []LaneSpec{{Target: t, Request: req}}}) {
		switch {
		case ev.Finish != nil:
			res = ev.Finish.Result
		case onEvent != nil && (ev.Content != "" || ev.Thinking != ""):
			onEvent(api.StreamEvent{Update: api.Update{Content: ev.Content, Thinking: ev.Thinking}})
		}
	}
	return res
}

// tag says where a model call belongs in the session file: its run group
// and lane (group 0: not in a group, as files of format 1 were).
type tag struct {
	group int
	lane  Lane
}

// run streams one model call with the run's number in the session file (0:
// the next one) and its group.
func (e *Engine) run(ctx context.Context, t Target, req api.ChatRequest, onEvent func(api.StreamEvent), runNo int, tg tag) Result {
	s := e.open(ctx, t, req, runNo, tg)
	defer s.Close()
	for {
		ev, err := s.Next()
		if err != nil {
			break
		}
		if onEvent != nil {
			onEvent(ev)
		}
	}
	return s.Result()
}

// Stream is one run in progress: the TUI reads it one event at a time
// (each read in its own Cmd), the headless runner in a loop; both get the
// same timing and result.
type Stream struct {
	engine   *Engine
	target   Target
	stream   *api.Stream
	start    time.Time
	res      Result
	finished bool
	rec      *Recorder // nil when the engine does not record
	runNo    int       // the run's number in the session file
	tag      tag       // its group and lane
}

// Open sends req to the target and returns the run. It blocks until the
// answer starts (or fails); a failure to start is reported by the first
// Next and by Result, so callers have one path for every outcome.
func (e *Engine) Open(ctx context.Context, t Target, req api.ChatRequest) *Stream {
	return e.open(ctx, t, req, 0, tag{})
}

func (e *Engine) open(ctx context.Context, t Target, req api.ChatRequest, runNo int, tg tag) *Stream {
	req = req.Clone()
	if t.Model != "" {
		req.Model = t.Model
	}
	s := &Stream{engine: e, target: t, start: e.now(), tag: tg}
	s.res = Result{Model: req.Model, Endpoint: t.Client.Endpoint().Name}
	if e.Recorder != nil {
		if runNo == 0 {
			runNo = e.Recorder.reserve(1)
		}
		s.rec, s.runNo = e.Recorder, runNo
		// ChatStream sends the request with stream set; encoding it the
		// same way records the very bytes that go out (the key travels in
		// a header, never in the body).
		req.Stream = true
		body, err := t.Client.EncodeChat(req)
		if err != nil {
			body = nil
		}
		s.rec.request(runNo, req.Model, s.res.Endpoint, body, tg)
	}
	stream, err := t.Client.ChatStream(ctx, req)
	if err != nil {
		s.res.Err = err
		var apiErr *api.APIError
		if errors.As(err, &apiErr) {
			s.res.Meta = apiErr.Meta
		}
		s.end()
		return s
	}
	s.stream = stream
	s.res.Meta = stream.Meta()
	return s
}

// Next returns the next chunk; io.EOF when the answer is complete, or the
// error that ended it. After an error Result is final.
func (s *Stream) Next() (api.StreamEvent, error) {
	if s.finished {
		if s.res.Err != nil {
			return api.StreamEvent{}, s.res.Err
		}
		return api.StreamEvent{}, io.EOF
	}
	ev, err := s.stream.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			// the api stream says EOF only after [DONE]
			s.rec.event(s.runNo, s.Elapsed(), doneData)
		} else {
			s.res.Err = err
		}
		s.end()
		return ev, err
	}
	s.rec.event(s.runNo, s.Elapsed(), ev.Raw)
	if s.res.TTFT == 0 && (ev.Content != "" || ev.Thinking != "" || len(ev.ToolCalls) > 0) {
		s.res.TTFT = s.engine.now().Sub(s.start)
	}
	return ev, nil
}

// Elapsed returns the time since the request was sent.
func (s *Stream) Elapsed() time.Duration { return s.engine.now().Sub(s.start) }

// TTFT returns the time to the first token, zero until it came.
func (s *Stream) TTFT() time.Duration { return s.res.TTFT }

// Accumulator returns the answer so far (nil if the run never started).
func (s *Stream) Accumulator() *api.Accumulator {
	if s.stream == nil {
		return nil
	}
	return s.stream.Accumulator()
}

// Result returns the run's result: final once Next has returned an error,
// a snapshot of the partial answer before that.
func (s *Stream) Result() Result {
	if s.finished {
		return s.res
	}
	res := s.res
	res.Latency = s.Elapsed()
	if acc := s.Accumulator(); acc != nil {
		s.engine.finish(&res, acc, s.target.Regional)
	}
	return res
}

// Close releases the connection; a run closed before its end keeps its
// partial answer.
func (s *Stream) Close() {
	if s.stream != nil {
		s.stream.Close()
	}
	if !s.finished {
		s.end()
	}
}

func (s *Stream) end() {
	s.finished = true
	s.res.Latency = s.engine.now().Sub(s.start)
	if acc := s.Accumulator(); acc != nil {
		s.engine.finish(&s.res, acc, s.target.Regional)
	}
	s.rec.result(s.runNo, s.res.Record(), s.tag)
}

// finish copies the accumulated answer into the result and prices it.
func (e *Engine) finish(res *Result, acc *api.Accumulator, regional bool) {
	choice := acc.Choice(0)
	res.Message = choice.Message
	res.FinishReason = choice.FinishReason
	res.Choices = choicesOf(acc)
	res.Usage = acc.Usage
	if acc.Model != "" && res.Model == "" {
		res.Model = acc.Model
	}
	if res.Usage != nil {
		res.CostUSD, res.CostKnown = e.prices().Cost(res.Model, prices.Usage{
			PromptTokens:     res.Usage.PromptTokens,
			CompletionTokens: res.Usage.CompletionTokens,
			CachedTokens:     res.Usage.CachedTokens(),
		}, regional)
	}
}

// RunAll runs req on every target at once, at most parallel at a time
// (parallel < 1 means all at once), and returns the results in target order.
// onEvent sees each target's text and thinking tagged with the target's
// index. It is a thin user of session.Run: a comparison, one column per
// target.
func (e *Engine) RunAll(ctx context.Context, targets []Target, req api.ChatRequest, parallel int, onEvent func(i int, ev api.StreamEvent)) []Result {
	results := make([]Result, len(targets))
	spec := Spec{Kind: KindCompare, Parallel: parallel}
	for i, t := range targets {
		spec.Lanes = append(spec.Lanes, LaneSpec{Lane: Lane{Column: i}, Target: t, Request: req})
	}
	for ev := range Run(ctx, e, spec) {
		switch {
		case ev.Finish != nil:
			results[ev.Lane.Column] = ev.Finish.Result
		case onEvent != nil && (ev.Content != "" || ev.Thinking != ""):
			onEvent(ev.Lane.Column, api.StreamEvent{Update: api.Update{Content: ev.Content, Thinking: ev.Thinking}})
		}
	}
	return results
}
