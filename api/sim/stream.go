package sim

import (
	"net/http"
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// chunkOut is one streamed event, in the field order of recorded streams.
type chunkOut struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *usageOut     `json:"usage,omitempty"`
	// P is the random-length padding Mistral adds against token-length
	// side channels.
	P string `json:"p,omitempty"`
}

type chunkChoice struct {
	Index        int      `json:"index"`
	Delta        deltaOut `json:"delta"`
	FinishReason *string  `json:"finish_reason"`
}

type deltaOut struct {
	Role      string        `json:"role,omitempty"`
	Content   any           `json:"content"`
	ToolCalls []toolCallOut `json:"tool_calls,omitempty"`
}

// event is one thing to send for one choice.
type event struct {
	choice int
	role   bool // the opening {"role":"assistant","content":""}
	think  string
	text   string
	isText bool
	calls  []toolCallOut
	finish string // non-empty on the closing event
}

// token reports whether the event is paced as one token and counted by the
// stream faults.
func (e event) token() bool { return e.think != "" || e.isText || len(e.calls) > 0 }

// events lays out a choice's stream: role, thinking, answer, close. Tool
// calls arrive whole in the closing event, as native Mistral models send
// them.
func events(i int, p plan) []event {
	out := []event{{choice: i, role: true}}
	for _, t := range p.thinking {
		out = append(out, event{choice: i, think: t})
	}
	for _, t := range p.text {
		out = append(out, event{choice: i, text: t, isText: true})
	}
	if len(p.calls) > 0 {
		return append(out, event{choice: i, calls: p.calls, finish: p.finish})
	}
	return append(out, event{choice: i, finish: p.finish})
}

// interleave merges the choices' streams turn by turn, as a server
// generating n answers at once would.
func interleave(plans []plan) []event {
	lists := make([][]event, len(plans))
	for i, p := range plans {
		lists[i] = events(i, p)
	}
	var out []event
	for k := 0; ; k++ {
		any := false
		for _, l := range lists {
			if k < len(l) {
				out = append(out, l[k])
				any = true
			}
		}
		if !any {
			return out
		}
	}
}

const padding = "abcdefghijklmnopqrstuvwxyz0123456789"

// stream sends an answer as server-sent events, paced at the token rate,
// with the faults played at their token counts. It stops as soon as the
// client goes away.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, meta responseMeta, plans []plan, u usageOut, f Fault) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	ctx := r.Context()
	rng := newRNG(meta.id)
	send := func(data []byte) bool {
		if _, err := w.Write(data); err != nil {
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
	evs := interleave(plans)
	lastFinish := 0
	for i, e := range evs {
		if e.finish != "" {
			lastFinish = i
		}
	}
	start := time.Now()
	sent := 0 // tokens sent
	cut, stalled, broken := false, false, false
	// faults fires the faults due before the next token. At the end, before
	// [DONE], every fault still waiting fires, so an answer shorter than the
	// fault's token count still shows the fault that was asked for.
	faults := func(end bool) bool {
		if f.Malformed && !broken && (end || sent >= f.MalformedAfter) {
			broken = true
			if !send([]byte("data: {not json\n\n")) {
				return false
			}
		}
		if f.Stall > 0 && !stalled && (end || sent >= f.StallAt) {
			stalled = true
			if !sleepCtx(ctx, f.Stall) {
				return false
			}
			start = time.Now().Add(-time.Duration(sent) * interval)
		}
		if f.Cut && !cut && (end || sent >= f.CutAfter) {
			cut = true
			return false
		}
		return true
	}
	for i, e := range evs {
		if e.token() {
			if !faults(false) {
				return
			}
			if interval > 0 && !sleepCtx(ctx, time.Until(start.Add(time.Duration(sent)*interval))) {
				return
			}
			sent++
		}
		c := chunkOut{ID: meta.id, Object: "chat.completion.chunk", Created: meta.created, Model: meta.model}
		ch := chunkChoice{Index: e.choice}
		switch {
		case e.role:
			ch.Delta = deltaOut{Role: "assistant", Content: ""}
		case e.think != "":
			ch.Delta = deltaOut{Content: []thinkChunk{{Type: "thinking", Thinking: []textChunk{{"text", e.think}}}}}
		case e.isText:
			ch.Delta = deltaOut{Content: e.text}
		default:
			ch.Delta = deltaOut{Content: "", ToolCalls: e.calls}
		}
		if e.finish != "" {
			reason := e.finish
			ch.FinishReason = &reason
			if i == lastFinish {
				c.Usage = &u
			}
		}
		if !e.role && rng.IntN(10) < 7 {
			c.P = padding[:1+rng.IntN(len(padding))]
		}
		c.Choices = []chunkChoice{ch}
		if !send([]byte("data: " + marshal(c) + "\n\n")) {
			return
		}
	}
	if faults(true) {
		send([]byte("data: [DONE]\n\n"))
	}
}
