package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"

	"mstudio/api"
)

// fimRequest is the body of POST /v1/fim/completions.
type fimRequest struct {
	Model          string   `json:"model"`
	Prompt         string   `json:"prompt"`
	Suffix         *string  `json:"suffix"`
	MaxTokens      *int     `json:"max_tokens"`
	Stream         bool     `json:"stream"`
	Stop           api.Stop `json:"stop"`
	RandomSeed     *int64   `json:"random_seed"`
	PromptCacheKey *string  `json:"prompt_cache_key"`
}

// fim serves POST /v1/fim/completions: Codestral's fill-in-the-middle, in
// the chat completion shape.
func (s *Server) fim(w http.ResponseWriter, r *http.Request, body []byte, f Fault) {
	if _, errs := validateBody(body, true); errs != nil {
		writeValidation(w, errs)
		return
	}
	var req fimRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeRaw(w, http.StatusBadRequest, apiError("Unsupported request: "+err.Error(), "invalid_request_error", nil))
		return
	}
	if _, fail := checkModel(req.Model, "completion_fim", "FIM completions"); fail != nil {
		writeRaw(w, fail.status, fail.body)
		return
	}
	suffix := ""
	if req.Suffix != nil {
		suffix = *req.Suffix
	}
	rng := newRNG(append(s.seedFor(req.RandomSeed), req.Model, req.Prompt, suffix)...)
	text, _ := cutAtStop(infill(req.Prompt, suffix, rng), req.Stop)
	p := plan{text: pieces(text, rng), finish: api.FinishStop}
	limit(&p, req.MaxTokens)
	prompt := max((len(req.Prompt)+len(suffix)+3)/4, 1)
	s.respond(w, r, responseMeta{
		id: s.hexID(), model: req.Model, created: s.now().Unix(),
		prompt: prompt, cached: s.cachedTokens(req.PromptCacheKey, prompt),
	}, []plan{p}, req.Stream, true, f)
}

var (
	pyDefRE  = regexp.MustCompile(`def\s+(\w+)\s*\(([^)]*)\)`)
	goFuncRE = regexp.MustCompile(`func\s+(?:\([^)]*\)\s*)?(\w+)\s*\(([^)]*)\)`)
	jsFuncRE = regexp.MustCompile(`function\s+(\w+)\s*\(([^)]*)\)|(?:const|let)\s+(\w+)\s*=\s*(?:async\s*)?\(([^)]*)\)\s*=>`)
)

func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// infill writes the code between prompt and suffix: the body of the
// function the prompt opens, in the prompt's language and indentation.
func infill(prompt, suffix string, rng *rand.Rand) string {
	lang, name, params := "python", "", []string(nil)
	var m []string
	switch {
	case goFuncRE.MatchString(prompt) || strings.Contains(prompt, "package "):
		lang, m = "go", goFuncRE.FindStringSubmatch(prompt)
	case jsFuncRE.MatchString(prompt) || strings.Contains(prompt, "=>"):
		lang, m = "javascript", jsFuncRE.FindStringSubmatch(prompt)
		if m != nil && m[1] == "" {
			m = []string{m[0], m[3], m[4]}
		}
	default:
		m = pyDefRE.FindStringSubmatch(prompt)
	}
	if m != nil {
		name = m[1]
		for _, p := range strings.Split(m[2], ",") {
			// Keep the parameter's name: drop Go types, Python annotations
			// and defaults.
			p = strings.TrimSpace(strings.SplitN(strings.SplitN(p, "=", 2)[0], ":", 2)[0])
			if f := strings.Fields(p); len(f) > 0 && f[0] != "self" {
				params = append(params, strings.TrimLeft(f[0], "*&"))
			}
		}
	}
	lines := strings.Split(prompt, "\n")
	lastLine := lines[len(lines)-1]
	indent := lastLine[:len(lastLine)-len(strings.TrimLeft(lastLine, " \t"))]
	unit := map[string]string{"python": "    ", "go": "\t", "javascript": "  "}[lang]
	trimmed := strings.TrimSpace(lastLine)
	lead := ""
	if strings.HasSuffix(trimmed, ":") || strings.HasSuffix(trimmed, "{") {
		indent += unit
		lead = "\n"
	} else if trimmed != "" {
		lead = "\n"
	}
	words := strings.Join(splitWords(name), " ")
	if words == "" {
		words = "the result"
	}
	combine := "None"
	if len(params) > 0 {
		combine = strings.Join(params, " + ")
	}
	var body []string
	switch lang {
	case "go":
		if len(params) == 0 {
			combine = "0"
		}
		body = []string{
			fmt.Sprintf("// %s %s.", capFirst(name), pick(rng, []string{"combines its inputs", "computes " + words})),
			"result := " + combine,
			"return result",
		}
	case "javascript":
		if len(params) == 0 {
			combine = "null"
		}
		body = []string{
			fmt.Sprintf("// Compute %s.", words),
			"const result = " + combine + ";",
			"return result;",
		}
	default:
		doc := capFirst(words) + "."
		if len(params) > 0 {
			doc = capFirst(words) + " " + joinAnd(params) + "."
		}
		body = []string{`"""` + doc + `"""`}
		if len(params) > 0 {
			body = append(body, fmt.Sprintf("if %s is None:", params[0]), unit+"return None")
		}
		body = append(body, "result = "+combine, "return result")
	}
	if strings.HasPrefix(strings.TrimSpace(suffix), "return") {
		body = body[:len(body)-1] // the suffix already returns
	}
	var b strings.Builder
	b.WriteString(lead)
	for i, l := range body {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(indent + l)
	}
	if suffix != "" {
		b.WriteString("\n" + indent)
	}
	return b.String()
}
