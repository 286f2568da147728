package sim

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"

	"mstudio/api"
)

// plan is one choice's answer, decided in full before the first byte goes
// out, so usage and rate-limit headers are known up front.
type plan struct {
	thinking []string // stream pieces of the reasoning
	text     []string // stream pieces of the answer
	calls    []toolCallOut
	finish   string
	tokens   int // completion tokens
}

func (p plan) answer() string    { return strings.Join(p.text, "") }
func (p plan) reasoning() string { return strings.Join(p.thinking, "") }

// chat serves POST /v1/chat/completions.
func (s *Server) chat(w http.ResponseWriter, r *http.Request, body []byte, f Fault) {
	if _, errs := validateBody(body, false); errs != nil {
		writeValidation(w, errs)
		return
	}
	var req api.ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		// The schema passed, so only a shape api.ChatRequest cannot hold
		// (an exotic but valid value) lands here.
		writeRaw(w, http.StatusBadRequest, apiError("Unsupported request: "+err.Error(), "invalid_request_error", nil))
		return
	}
	card, fail := checkModel(req.Model, "completion_chat", "chat completions")
	if fail == nil {
		fail = checkChat(&req, card)
	}
	if fail != nil {
		writeRaw(w, fail.status, fail.body)
		return
	}
	n := 1
	if req.N != nil && *req.N > 1 {
		n = min(*req.N, 8)
	}
	// The answer depends on what the model reads, not on how it is
	// delivered: streamed or not, and whatever max_tokens or stop say.
	what := marshal(struct {
		M  string
		Ms []api.Message
		T  []api.Tool
		C  *api.ToolChoice
		F  *api.ResponseFormat
		E  *string
		P  *string
	}{req.Model, req.Messages, req.Tools, req.ToolChoice, req.ResponseFormat, req.ReasoningEffort, req.PromptMode})
	base := s.seedFor(req.RandomSeed)
	plans := make([]plan, n)
	for i := range plans {
		plans[i] = planChat(&req, card, newRNG(base, what, i))
	}
	prompt := promptTokens(&req)
	s.respond(w, r, responseMeta{
		id: s.hexID(), model: req.Model, created: s.now().Unix(),
		prompt: prompt, cached: s.cachedTokens(req.PromptCacheKey, prompt),
	}, plans, req.Stream, false, f)
}

// seedFor mixes the server seed, the request's random_seed and, when
// neither pins the answer, a per-request nonce.
func (s *Server) seedFor(randomSeed *int64) []any {
	if randomSeed != nil {
		return []any{s.opts.Seed, *randomSeed}
	}
	return []any{s.opts.Seed, s.requestNonce()}
}

// planChat writes one choice.
func planChat(req *api.ChatRequest, card api.ModelCard, rng *rand.Rand) plan {
	msgs := req.Messages
	last := msgs[len(msgs)-1]
	userText, system := "", ""
	for _, m := range msgs {
		switch m.Role {
		case api.RoleUser:
			userText = m.Content.String()
		case api.RoleSystem:
			system += m.Content.String() + "\n"
		}
	}
	sub := understand(userText, system, rng)

	var p plan
	if thinks(req, card) {
		effort := ""
		if req.ReasoningEffort != nil {
			effort = *req.ReasoningEffort
		}
		th := thinkingText(sub, effort, rng)
		if last.Role == api.RoleTool {
			th = "The tool results are in. I should summarise them for the user and quote the values exactly. " + th
		}
		p.thinking = pieces(th, rng)
	}

	if wantsTools(req) {
		p.calls = makeToolCalls(chooseTools(req, userText), sub, rng)
		p.finish = api.FinishToolCalls
		p.tokens = len(p.thinking)
		for _, c := range p.calls {
			p.tokens += estimateTokens(c.Function.Name+c.Function.Arguments) + 3
		}
		return p
	}

	var text string
	switch {
	case last.Role == api.RoleTool:
		text = toolAnswer(trailingResults(msgs), sub, rng)
	case req.ResponseFormat != nil && req.ResponseFormat.Type == "json_schema" && req.ResponseFormat.JSONSchema != nil:
		text = generateJSON(req.ResponseFormat.JSONSchema.Schema, hints{text: sub.text, topic: sub.topic, entity: sub.entity}, rng)
	case req.ResponseFormat != nil && req.ResponseFormat.Type == "json_object":
		text = jsonObjectAnswer(sub, rng)
	default:
		text = answerText(sub, rng)
	}
	if last.Role == api.RoleAssistant && last.Prefix {
		// The answer continues the prefix, and Mistral returns the prefix
		// as part of the content.
		text = last.Content.String() + continuation(text)
	}
	p.finish = api.FinishStop
	text, _ = cutAtStop(text, req.Stop)
	p.text = pieces(text, rng)
	if sub.target > 0 && len(p.text) > sub.target && req.ResponseFormat == nil {
		p.text = p.text[:sub.target] // asked for N tokens: give exactly N
	}
	limit(&p, req.MaxTokens)
	return p
}

// thinks reports whether the model reasons before answering: a reasoning
// model asked to (reasoning_effort other than none, or prompt_mode
// reasoning), or a Magistral model, which always does unless told none.
func thinks(req *api.ChatRequest, card api.ModelCard) bool {
	if !card.Capabilities.Reasoning {
		return false
	}
	if req.ReasoningEffort != nil {
		return *req.ReasoningEffort != "none"
	}
	if req.PromptMode != nil && *req.PromptMode == "reasoning" {
		return true
	}
	return strings.HasPrefix(card.ID, "magistral")
}

// continuation joins generated text after a prefix.
func continuation(text string) string {
	if strings.HasPrefix(text, "## ") {
		return "\n\n" + text
	}
	return " " + text
}

// cutAtStop ends the text before the first stop sequence.
func cutAtStop(text string, stop api.Stop) (string, bool) {
	cut := -1
	for _, s := range stop {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut < 0 {
		return text, false
	}
	return text[:cut], true
}

// limit applies max_tokens over thinking and answer together.
func limit(p *plan, maxTokens *int) {
	total := len(p.thinking) + len(p.text)
	if maxTokens != nil && total > *maxTokens {
		m := *maxTokens
		if len(p.thinking) > m {
			p.thinking = p.thinking[:m]
			p.text = nil
		} else {
			p.text = p.text[:m-len(p.thinking)]
		}
		p.finish = api.FinishLength
	}
	p.tokens = len(p.thinking) + len(p.text)
}

// jsonObjectAnswer is JSON mode without a schema: an object about the topic.
func jsonObjectAnswer(s subject, rng *rand.Rand) string {
	points := make([]any, 3)
	for i := range points {
		points[i] = capFirst(s.aspects[i%len(s.aspects)])
	}
	return pyJSON(&object{
		keys: []string{"topic", "summary", "key_points", "confidence"},
		vals: map[string]any{
			"topic":      s.topic,
			"summary":    fill(pick(rng, briefs), s, 0),
			"key_points": points,
			"confidence": roundTo(0.7+rng.Float64()*0.25, 2),
		},
	})
}

// responseMeta is what every chunk or response of one answer shares.
type responseMeta struct {
	id      string
	model   string
	created int64
	prompt  int
	cached  int
}

// usageOut is usage as the live API sends it in 2026.
type usageOut struct {
	PromptTokens        int          `json:"prompt_tokens"`
	TotalTokens         int          `json:"total_tokens"`
	CompletionTokens    int          `json:"completion_tokens"`
	PromptTokensDetails tokenDetails `json:"prompt_tokens_details"`
	ServiceTier         string       `json:"service_tier"`
}

type tokenDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

func (m responseMeta) usage(plans []plan) usageOut {
	c := 0
	for _, p := range plans {
		c += p.tokens
	}
	return usageOut{PromptTokens: m.prompt, CompletionTokens: c, TotalTokens: m.prompt + c,
		PromptTokensDetails: tokenDetails{m.cached}, ServiceTier: "standard"}
}

// responseOut is the non-streamed body, in the field order of recorded
// responses.
type responseOut struct {
	ID      string      `json:"id"`
	Object  string      `json:"object"`
	Created int64       `json:"created"`
	Model   string      `json:"model"`
	Choices []choiceOut `json:"choices"`
	Usage   usageOut    `json:"usage"`
}

type choiceOut struct {
	Index        int        `json:"index"`
	Message      messageOut `json:"message"`
	FinishReason string     `json:"finish_reason"`
}

type messageOut struct {
	Role      string        `json:"role"`
	Content   any           `json:"content"`
	ToolCalls []toolCallOut `json:"tool_calls"`
	Prefix    *bool         `json:"prefix,omitempty"`
}

// textChunk and thinkChunk are content chunks as the API writes them.
type textChunk struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type thinkChunk struct {
	Type     string      `json:"type"`
	Thinking []textChunk `json:"thinking"`
	Closed   *bool       `json:"closed,omitempty"`
}

// messageContent is a finished choice's content: a string, or thinking and
// text chunks when the model reasoned.
func messageContent(p plan) any {
	if len(p.thinking) == 0 {
		return p.answer()
	}
	closed := true
	out := []any{thinkChunk{Type: "thinking", Thinking: []textChunk{{"text", p.reasoning()}}, Closed: &closed}}
	if len(p.text) > 0 {
		out = append(out, textChunk{"text", p.answer()})
	}
	return out
}

// respond sends the plans as one JSON body or as a stream.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, meta responseMeta, plans []plan, stream, fim bool, f Fault) {
	u := meta.usage(plans)
	w.Header().Set("x-kong-upstream-latency", "42")
	s.rateHeaders(w, u.TotalTokens)
	if stream {
		s.stream(w, r, meta, plans, u, f)
		return
	}
	out := responseOut{ID: meta.id, Object: "chat.completion", Created: meta.created, Model: meta.model, Usage: u}
	for i, p := range plans {
		msg := messageOut{Role: "assistant", Content: messageContent(p)}
		if len(p.calls) > 0 {
			msg.Content = ""
			if len(p.thinking) > 0 {
				msg.Content = messageContent(p)
			}
			// Non-streamed calls carry neither type nor index on the wire.
			msg.ToolCalls = make([]toolCallOut, len(p.calls))
			for j, c := range p.calls {
				c.Index = nil
				msg.ToolCalls[j] = c
			}
		}
		if fim {
			no := false
			msg.Prefix = &no
		}
		out.Choices = append(out.Choices, choiceOut{Index: i, Message: msg, FinishReason: p.finish})
	}
	writeBody(w, r, []byte(marshal(out)), f)
}

// writeBody sends a non-streamed answer, playing the stream faults in the
// only way a single body can have them.
func writeBody(w http.ResponseWriter, r *http.Request, data []byte, f Fault) {
	if f.Stall > 0 && !sleepCtx(r.Context(), f.Stall) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case f.Malformed:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("{not json"))
	case f.Cut:
		// Promise the whole body, send half, drop the connection: what a
		// client sees when the network goes away mid-answer.
		w.Header().Set("Content-Length", itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data[:len(data)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	default:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data)
	}
}

// writeValidation answers a body the schema refused, in the shape the real
// API wraps FastAPI's detail list in.
func writeValidation(w http.ResponseWriter, errs []fieldError) {
	data := marshal(struct {
		Object  string `json:"object"`
		Message struct {
			Detail []fieldError `json:"detail"`
		} `json:"message"`
		Type  string `json:"type"`
		Param any    `json:"param"`
		Code  any    `json:"code"`
	}{Object: "error", Message: struct {
		Detail []fieldError `json:"detail"`
	}{errs}, Type: "invalid_request_error"})
	writeRaw(w, http.StatusUnprocessableEntity, data)
}
