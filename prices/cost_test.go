package prices

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestCost(t *testing.T) {
	tab := Default()
	cases := []struct {
		name     string
		model    string
		u        Usage
		regional bool
		want     float64
	}{
		{"plain", "mistral-small-latest", Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, false, 0.15 + 0.60},
		{"small request", "mistral-large-latest", Usage{PromptTokens: 312, CompletionTokens: 96}, false, (312*0.5 + 96*1.5) / 1e6},
		{"regional 1.1x", "mistral-small-latest", Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, true, (0.15 + 0.60) * 1.1},
		{"cached at 10%", "mistral-medium-latest", Usage{PromptTokens: 1_000_000, CachedTokens: 400_000}, false, 0.6*1.5 + 0.4*0.15},
		{"stated cache price", "mistral-large-4", Usage{PromptTokens: 2_000_000, CachedTokens: 1_000_000, CompletionTokens: 1_000_000}, false, 0.68 + 0.07 + 2.09},
		{"cached and regional", "zai-glm-5-2", Usage{PromptTokens: 1_000_000, CachedTokens: 1_000_000}, true, 0.14 * 1.1},
		{"more cached than prompt is capped", "mistral-small-latest", Usage{PromptTokens: 100, CachedTokens: 500}, false, 100 * 0.015 / 1e6},
		{"negative counts ignored", "mistral-small-latest", Usage{PromptTokens: -5, CompletionTokens: -5, CachedTokens: -5}, false, 0},
		{"free preview", "labs-leanstral-1-5", Usage{PromptTokens: 1000, CompletionTokens: 1000}, false, 0},
		{"embeddings: input only", "mistral-embed", Usage{PromptTokens: 1_000_000}, false, 0.10},
		{"mistral/ prefix", "mistral/codestral-latest", Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, false, 1.2},
	}
	for _, c := range cases {
		got, known := tab.Cost(c.model, c.u, c.regional)
		if !known || !near(got, c.want) {
			t.Errorf("%s: Cost = %v, %v; want %v, true", c.name, got, known, c.want)
		}
	}
}

func TestCostUnknown(t *testing.T) {
	for _, id := range []string{"no-such-model", "mistral-small-2609", "", "mistral-ocr-latest"} {
		if usd, known := Default().Cost(id, Usage{PromptTokens: 10, CompletionTokens: 10}, false); known || usd != 0 {
			t.Errorf("Cost(%q) = %v, %v; want 0, false", id, usd, known)
		}
	}
}

func TestCostWithOverride(t *testing.T) {
	tab := Default().With(map[string]Price{"my-finetune": {Input: 0.2, Output: 0.6, CachedInput: 0.02}})
	got, known := tab.Cost("my-finetune", Usage{PromptTokens: 1_000_000, CachedTokens: 500_000, CompletionTokens: 1_000_000}, true)
	if want := (0.1 + 0.01 + 0.6) * 1.1; !known || !near(got, want) {
		t.Errorf("Cost = %v, %v; want %v", got, known, want)
	}
}
