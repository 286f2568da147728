package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"

	"mstudio/api"
)

// toolCallOut is a tool call as Mistral writes it: the whole call at once,
// arguments as a JSON string.
type toolCallOut struct {
	ID       string       `json:"id"`
	Function functionCall `json:"function"`
	Index    *int         `json:"index,omitempty"`
}

type functionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// toolCallID makes the 9-character id Mistral uses (gSIMJiOkT).
func toolCallID(rng *rand.Rand) string {
	b := make([]byte, 9)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}

// wantsTools decides whether the model answers with tool calls: function
// tools offered, tool_choice not "none", and the user has just spoken.
func wantsTools(req *api.ChatRequest) bool {
	if req.ToolChoice != nil && req.ToolChoice.Mode == "none" {
		return false
	}
	if len(functionTools(req)) == 0 {
		return false
	}
	return req.Messages[len(req.Messages)-1].Role == api.RoleUser
}

func functionTools(req *api.ChatRequest) []api.Function {
	var out []api.Function
	for _, t := range req.Tools {
		if t.Type == "function" && t.Function != nil {
			out = append(out, *t.Function)
		}
	}
	return out
}

// chooseTools picks the tools to call: the forced one, or the most relevant
// to the prompt, two in parallel when a second one is also relevant and
// parallel calls are allowed.
func chooseTools(req *api.ChatRequest, prompt string) []api.Function {
	tools := functionTools(req)
	if req.ToolChoice != nil && req.ToolChoice.Function != "" {
		for _, t := range tools {
			if t.Name == req.ToolChoice.Function {
				return []api.Function{t}
			}
		}
	}
	words := wordSet(prompt)
	type scored struct {
		f     api.Function
		score int
		pos   int
	}
	ranked := make([]scored, len(tools))
	for i, t := range tools {
		ranked[i] = scored{t, relevance(t, words), i}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	out := []api.Function{ranked[0].f}
	parallel := req.ParallelToolCalls == nil || *req.ParallelToolCalls
	if parallel && len(ranked) > 1 && ranked[1].score > 0 {
		out = append(out, ranked[1].f)
	}
	return out
}

// wordSet is the prompt's words, lower-cased and cut to a stem of five
// letters so "weather" meets "weather's" and "search" meets "searching".
func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range splitWords(s) {
		if len(w) >= 3 && !stopwords[w] {
			set[stem(w)] = true
		}
	}
	return set
}

func stem(w string) string {
	r := []rune(w)
	if len(r) > 5 {
		r = r[:5]
	}
	return string(r)
}

// splitWords splits snake_case, camelCase and prose into lower-case words.
func splitWords(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) && prevLower:
			flush()
			cur = append(cur, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		default:
			flush()
		}
		prevLower = unicode.IsLower(r)
	}
	flush()
	return out
}

func relevance(f api.Function, prompt map[string]bool) int {
	score := 0
	for w := range wordSet(f.Name) {
		if prompt[w] {
			score += 3 // the name says most about what a tool is for
		}
	}
	for w := range wordSet(f.Description) {
		if prompt[w] {
			score++
		}
	}
	return score
}

// makeToolCalls writes the calls, with arguments valid against each
// function's parameters schema.
func makeToolCalls(fns []api.Function, s subject, rng *rand.Rand) []toolCallOut {
	out := make([]toolCallOut, len(fns))
	h := hints{text: s.text, topic: s.topic, entity: s.entity}
	for i, f := range fns {
		params := []byte(f.Parameters)
		if len(params) == 0 || string(params) == "null" {
			params = []byte(`{"type":"object","properties":{}}`)
		}
		idx := i
		out[i] = toolCallOut{
			ID:       toolCallID(rng),
			Function: functionCall{Name: f.Name, Arguments: generateJSON(params, h, rng)},
			Index:    &idx,
		}
	}
	return out
}

// toolResult is one answered call found at the end of the conversation.
type toolResult struct {
	name    string
	content string
}

// trailingResults collects the tool messages that end the conversation,
// named after the calls they answer.
func trailingResults(msgs []api.Message) []toolResult {
	names := map[string]string{}
	for _, m := range msgs {
		for _, tc := range m.ToolCalls {
			names[tc.ID] = tc.Function.Name
		}
	}
	var out []toolResult
	for i := len(msgs) - 1; i >= 0 && msgs[i].Role == api.RoleTool; i-- {
		m := msgs[i]
		name := m.Name
		if name == "" {
			name = names[m.ToolCallID]
		}
		if name == "" {
			name = "tool"
		}
		out = append([]toolResult{{name, messageText(m)}}, out...)
	}
	return out
}

// resultFacts reads a tool result as key/value facts: the top-level (and
// one nested level of) fields of a JSON object, the items of a list, or the
// text itself.
func resultFacts(content string) [][2]string {
	var v any
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	var facts [][2]string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				if sub, ok := x[k].(map[string]any); ok && prefix == "" {
					walk(name, sub)
					continue
				}
				walk(name, x[k])
			}
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, factText(e))
			}
			facts = append(facts, [2]string{prefix, strings.Join(parts, ", ")})
		default:
			facts = append(facts, [2]string{prefix, factText(x)})
		}
	}
	walk("", v)
	if len(facts) > 10 {
		facts = facts[:10]
	}
	return facts
}

func factText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "none"
	case map[string]any, []any:
		return pyJSON(x)
	}
	return fmt.Sprint(v)
}

// toolAnswer answers from tool results, quoting what they said.
func toolAnswer(results []toolResult, s subject, rng *rand.Rand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", title(s.topic))
	if len(results) == 1 {
		fmt.Fprintf(&b, "Here is what the `%s` tool returned", results[0].name)
	} else {
		fmt.Fprintf(&b, "I checked %d tools", len(results))
	}
	if s.entity != "" {
		fmt.Fprintf(&b, " for %s", s.entity)
	}
	b.WriteString(":\n\n")
	var first [2]string
	for _, r := range results {
		facts := resultFacts(r.content)
		if len(results) > 1 {
			fmt.Fprintf(&b, "**%s**\n\n", r.name)
		}
		if len(facts) == 0 || (len(facts) == 1 && facts[0][0] == "") {
			text := strings.TrimSpace(r.content)
			if len(facts) == 1 {
				text = facts[0][1]
			}
			if rs := []rune(text); len(rs) > 300 {
				text = string(rs[:300]) + "…"
			}
			if text == "" {
				text = "(no output)"
			}
			fmt.Fprintf(&b, "> %s\n\n", strings.ReplaceAll(text, "\n", "\n> "))
			if first[1] == "" {
				first = [2]string{r.name + " result", text}
			}
			continue
		}
		if len(facts) >= 4 && rng.IntN(2) == 0 {
			b.WriteString("| Field | Value |\n|---|---|\n")
			for _, f := range facts {
				fmt.Fprintf(&b, "| %s | %s |\n", f[0], strings.ReplaceAll(f[1], "|", "\\|"))
			}
		} else {
			for _, f := range facts {
				fmt.Fprintf(&b, "- **%s**: %s\n", f[0], f[1])
			}
		}
		b.WriteString("\n")
		if first[1] == "" {
			first = facts[0]
		}
	}
	if first[1] != "" {
		key := strings.ReplaceAll(first[0], "_", " ")
		fmt.Fprintf(&b, "In short: the %s is %s. Let me know if you want me to look into anything else.", key, first[1])
	} else {
		b.WriteString("Let me know if you want me to look into anything else.")
	}
	return b.String()
}
