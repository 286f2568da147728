package session

import (
	"strconv"
	"strings"
	"time"

	"mstudio/api"
)

// Millis spells a duration of a run's figures (time to first token,
// latency) in whole milliseconds, as every view of a run shows it; a
// duration under a millisecond, such as a local simulator's first token,
// reads "<1 ms" rather than a "0 ms" that looks like a missing figure.
func Millis(d time.Duration) string {
	if d > 0 && d < time.Millisecond {
		return "<1 ms"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
}

// ParamSummary is a request's parameters in a few words, as a session's
// columns record them and a compare column's header shows them: the
// parameters set, short names for the common ones, or "defaults".
func ParamSummary(req api.ChatRequest) string {
	var parts []string
	for _, p := range api.Params() {
		if v, set := p.Get(&req); set {
			name := paramShortNames[p.Name]
			if name == "" {
				name = p.Name
			}
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, " ")
}

var paramShortNames = map[string]string{"temperature": "t", "top_p": "p", "max_tokens": "max", "random_seed": "seed", "reasoning_effort": "effort"}
