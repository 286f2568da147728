package api

import (
	"strings"
)

// Update is what one stream chunk added to the answer: the new text, the new
// thinking, the tool calls it touched, and the end of the answer when it came.
// It is about choice 0; other choices of an n>1 request are accumulated too and
// read back with Accumulator.Choice.
type Update struct {
	Content  string
	Thinking string
	// ToolCalls holds the calls this chunk started or extended, in their
	// current (possibly partial) state.
	ToolCalls    []ToolCall
	FinishReason string
	Usage        *Usage
}

// Empty reports whether the chunk changed nothing visible.
func (u Update) Empty() bool {
	return u.Content == "" && u.Thinking == "" && len(u.ToolCalls) == 0 && u.FinishReason == "" && u.Usage == nil
}

// Accumulator folds stream chunks into a whole answer. It copes with every
// shape the real servers send: content as a string or as chunks, thinking as
// its own chunk type (or as reasoning fields, or inline <think> tags), tool
// calls whole in one delta or in fragments across many, with or without index
// and type, usage on the final chunk, and chunks with no choices at all.
type Accumulator struct {
	ID      string
	Model   string
	Created int64
	Usage   *Usage
	choices []*choiceState
}

type choiceState struct {
	content  Content
	finish   string
	calls    []*ToolCall
	think    thinkSplitter
	sawChunk bool // a thinking chunk arrived: inline tags are then plain text
}

// Add applies one chunk and returns what it changed for choice 0.
func (a *Accumulator) Add(c ChatChunk) Update {
	var up Update
	if c.ID != "" {
		a.ID = c.ID
	}
	if c.Model != "" {
		a.Model = c.Model
	}
	if c.Created != 0 {
		a.Created = c.Created
	}
	if c.Usage != nil {
		u := *c.Usage
		a.Usage = &u
		up.Usage = &u
	}
	for _, ch := range c.Choices {
		if ch.Index < 0 || ch.Index >= maxChoices {
			continue // no real request asks for that many; never allocate for it
		}
		st := a.choice(ch.Index)
		text, thinking, calls := st.apply(ch.Delta)
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			st.finish = *ch.FinishReason
			if t, th := st.think.flush(); t != "" || th != "" {
				st.addText(t)
				st.addThinking(th)
				text += t
				thinking += th
			}
		}
		if ch.Index == 0 {
			up.Content += text
			up.Thinking += thinking
			up.ToolCalls = append(up.ToolCalls, calls...)
			if ch.FinishReason != nil {
				up.FinishReason = *ch.FinishReason
			}
		}
	}
	return up
}

// maxChoices bounds the choice index a stream may use (n is small in practice).
const maxChoices = 128

func (a *Accumulator) choice(i int) *choiceState {
	for len(a.choices) <= i {
		a.choices = append(a.choices, &choiceState{})
	}
	return a.choices[i]
}

func (st *choiceState) apply(d Delta) (text, thinking string, touched []ToolCall) {
	if r := d.ReasoningContent + d.Reasoning; r != "" {
		st.sawChunk = true
		st.addThinking(r)
		thinking += r
	}
	for _, part := range d.Content.Parts() {
		switch part.Type {
		case ChunkText:
			t, th := part.Text, ""
			if !st.sawChunk {
				t, th = st.think.feed(part.Text)
			}
			st.addThinking(th)
			st.addText(t)
			text += t
			thinking += th
		case ChunkThinking:
			st.sawChunk = true
			st.content.Append(part)
			thinking += part.ThinkingText()
		default:
			st.content.Append(part)
		}
	}
	for pos, tc := range d.ToolCalls {
		call := st.callFor(tc, pos)
		if tc.ID != "" {
			call.ID = tc.ID
		}
		if tc.Type != "" {
			call.Type = tc.Type
		}
		if tc.Function.Name != "" {
			call.Function.Name = tc.Function.Name
		}
		call.Function.Arguments += tc.Function.Arguments
		touched = append(touched, *call)
	}
	return text, thinking, touched
}

func (st *choiceState) addText(s string) {
	if s != "" {
		st.content.Append(TextChunk(s))
	}
}

func (st *choiceState) addThinking(s string) {
	if s != "" {
		st.content.Append(ThinkingChunk(s))
	}
}

// callFor finds the call a tool-call delta belongs to: by index when the
// server sent one; else by id; a new id starts a new call; a fragment with
// neither extends the last call.
func (st *choiceState) callFor(tc ToolCall, pos int) *ToolCall {
	if tc.Index != nil {
		for _, c := range st.calls {
			if c.Index != nil && *c.Index == *tc.Index {
				return c
			}
		}
		return st.newCall(*tc.Index)
	}
	if tc.ID != "" {
		for _, c := range st.calls {
			if c.ID == tc.ID {
				return c
			}
		}
		return st.newCall(len(st.calls))
	}
	if len(st.calls) > 0 {
		return st.calls[len(st.calls)-1]
	}
	return st.newCall(pos)
}

func (st *choiceState) newCall(index int) *ToolCall {
	i := index
	c := &ToolCall{Index: &i}
	st.calls = append(st.calls, c)
	return c
}

// Content returns choice 0's answer text, thinking left out.
func (a *Accumulator) Content() string { return a.Choice(0).Message.Content.String() }

// Reasoning returns choice 0's thinking text.
func (a *Accumulator) Reasoning() string { return a.Choice(0).Message.Content.Thinking() }

// FinishReason returns choice 0's finish reason, empty while unfinished.
func (a *Accumulator) FinishReason() string { return a.Choice(0).FinishReason }

// ToolCalls returns choice 0's tool calls.
func (a *Accumulator) ToolCalls() []ToolCall { return a.Choice(0).Message.ToolCalls }

// Choices returns how many choices have been seen.
func (a *Accumulator) Choices() int { return len(a.choices) }

// Choice returns choice i as a whole assistant message, ready to be sent
// back in the next request: content (thinking kept as its chunk, so a
// reasoning conversation replays as Mistral expects) and tool calls.
func (a *Accumulator) Choice(i int) Choice {
	if i >= len(a.choices) {
		return Choice{Index: i, Message: Message{Role: RoleAssistant}}
	}
	st := a.choices[i]
	// A copy, so the caller's message never changes under it as more
	// chunks arrive.
	msg := Message{Role: RoleAssistant, Content: copyContent(st.content)}
	if text, th := st.think.pending(); text != "" || th != "" {
		// an unfinished stream: show what is buffered
		if th != "" {
			msg.Content.Append(ThinkingChunk(th))
		}
		if text != "" {
			msg.Content.Append(TextChunk(text))
		}
	}
	for _, c := range st.calls {
		call := *c
		if call.Type == "" {
			call.Type = "function"
		}
		msg.ToolCalls = append(msg.ToolCalls, call)
	}
	if msg.Content.IsZero() && len(msg.ToolCalls) > 0 {
		msg.Content = Text("")
	}
	return Choice{Index: i, Message: msg, FinishReason: st.finish}
}

func copyContent(c Content) Content {
	out := c
	if c.chunks != nil {
		out.chunks = make([]Chunk, len(c.chunks))
		for i, ch := range c.chunks {
			ch.Thinking = append([]Chunk(nil), ch.Thinking...)
			out.chunks[i] = ch
		}
	}
	return out
}

// Response returns everything accumulated as a non-streamed response.
func (a *Accumulator) Response() *ChatResponse {
	r := &ChatResponse{ID: a.ID, Object: "chat.completion", Created: a.Created, Model: a.Model, Usage: a.Usage}
	n := len(a.choices)
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		r.Choices = append(r.Choices, a.Choice(i))
	}
	return r
}

// thinkSplitter separates reasoning that a model writes inline at the start
// of its text (<think>…</think>, as old Magistral did, or [THINK]…[/THINK]
// from raw Mistral chat templates on local servers) from the answer. Tags may
// be split across chunks, so undecided text is held back until it can be
// classified.
type thinkSplitter struct {
	state   int // 0 deciding, 1 inside thinking, 2 plain text
	buf     string
	closeAt string
}

var thinkTags = [][2]string{{"<think>", "</think>"}, {"[THINK]", "[/THINK]"}}

// feed classifies s; it returns the answer text and thinking text that are
// now certain.
func (t *thinkSplitter) feed(s string) (text, thinking string) {
	switch t.state {
	case 2:
		return s, ""
	case 0:
		t.buf += s
		probe := strings.TrimLeft(t.buf, " \t\r\n")
		for _, tag := range thinkTags {
			if strings.HasPrefix(probe, tag[0]) {
				t.state, t.closeAt = 1, tag[1]
				rest := strings.TrimPrefix(probe, tag[0])
				t.buf = ""
				return t.feed(rest)
			}
			if strings.HasPrefix(tag[0], probe) {
				return "", "" // could still become a tag
			}
		}
		t.state = 2
		out := t.buf
		t.buf = ""
		return out, ""
	}
	// inside thinking: hold back a possible partial closing tag
	t.buf += s
	if i := strings.Index(t.buf, t.closeAt); i >= 0 {
		thinking = t.buf[:i]
		rest := strings.TrimLeft(t.buf[i+len(t.closeAt):], "\r\n")
		t.buf, t.state = "", 2
		return rest, thinking
	}
	keep := partialSuffix(t.buf, t.closeAt)
	thinking = t.buf[:len(t.buf)-keep]
	t.buf = t.buf[len(t.buf)-keep:]
	return "", thinking
}

// flush releases held-back text at the end of the answer.
func (t *thinkSplitter) flush() (text, thinking string) {
	text, thinking = t.pending()
	t.buf = ""
	if t.state == 0 {
		t.state = 2
	}
	return text, thinking
}

func (t *thinkSplitter) pending() (text, thinking string) {
	switch t.state {
	case 1:
		return "", t.buf
	default:
		return t.buf, ""
	}
}

// partialSuffix returns the length of the longest suffix of s that is a
// proper prefix of tag.
func partialSuffix(s, tag string) int {
	for n := len(tag) - 1; n > 0; n-- {
		if len(s) >= n && strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}
