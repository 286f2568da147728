package prices

import "math"

// RegionalMultiplier is what the regional endpoints (api.eu.mistral.ai,
// api.us.mistral.ai) bill over list price.
const RegionalMultiplier = 1.1

// Usage is the token count of one request, as the API reports it.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	// CachedTokens is the part of PromptTokens served from the prompt cache
	// (usage.prompt_tokens_details.cached_tokens); it is not counted twice.
	CachedTokens int
}

// Cost is what u costs on modelID in USD. known is false when the model is
// not in the table or has no per-token price; the studio then shows no cost
// rather than a made-up one. regional applies RegionalMultiplier.
func (t *Table) Cost(modelID string, u Usage, regional bool) (usd float64, known bool) {
	m, ok := t.Lookup(modelID)
	if !ok || !m.TokenPriced {
		return 0, false
	}
	prompt := max(u.PromptTokens, 0)
	cached := min(max(u.CachedTokens, 0), prompt)
	completion := max(u.CompletionTokens, 0)
	usd = (float64(prompt-cached)*m.Price.Input +
		float64(cached)*m.Price.CachedInput +
		float64(completion)*m.Price.Output) / 1e6
	if regional {
		usd *= RegionalMultiplier
	}
	if math.IsNaN(usd) || math.IsInf(usd, 0) {
		return 0, false
	}
	return usd, true
}
