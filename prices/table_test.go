package prices

import (
	"slices"
	"testing"
)

// docsGA is the GA part of the price table in shared/docs/mistral-api.md
// section 14 (from mistralai/platform-docs-public@222f4ba, 2026-08-21): every
// id listed there must resolve to exactly these numbers.
var docsGA = []struct {
	ids     []string
	ctx     int
	in, out float64
}{
	{[]string{"mistral-medium-3-5", "mistral-medium-3", "mistral-medium-latest"}, 262144, 1.50, 7.50},
	{[]string{"mistral-large-2512", "mistral-large-latest"}, 262144, 0.50, 1.50},
	{[]string{"mistral-small-2603", "mistral-small-latest"}, 262144, 0.15, 0.60},
	{[]string{"ministral-14b-2512", "ministral-14b-latest"}, 262144, 0.20, 0.20},
	{[]string{"ministral-8b-2512", "ministral-8b-latest"}, 262144, 0.15, 0.15},
	{[]string{"ministral-3b-2512", "ministral-3b-latest"}, 262144, 0.10, 0.10},
	{[]string{"codestral-2508", "codestral-latest"}, 131072, 0.30, 0.90},
	{[]string{"mistral-embed-2312", "mistral-embed"}, 8192, 0.10, 0},
	{[]string{"codestral-embed-2505", "codestral-embed"}, 8192, 0.15, 0},
	{[]string{"voxtral-small-2507", "voxtral-small-latest"}, 32768, 0.10, 0.40},
}

func TestDocsGAPrices(t *testing.T) {
	tab := Default()
	for _, want := range docsGA {
		for _, id := range want.ids {
			m, ok := tab.Lookup(id)
			if !ok {
				t.Errorf("%s: not in the table", id)
				continue
			}
			if m.Status != StatusGA || !m.TokenPriced {
				t.Errorf("%s: status %q token-priced %v, want GA and token-priced", id, m.Status, m.TokenPriced)
			}
			if m.Price.Input != want.in || m.Price.Output != want.out {
				t.Errorf("%s: price %v/%v, want %v/%v", id, m.Price.Input, m.Price.Output, want.in, want.out)
			}
			if m.ContextLength != want.ctx {
				t.Errorf("%s: context %d, want %d", id, m.ContextLength, want.ctx)
			}
			if !slices.Equal(m.IDs, want.ids) {
				t.Errorf("%s: ids %v, want %v", id, m.IDs, want.ids)
			}
		}
	}
}

// Models billed per page, minute or character must not get a token price:
// a cost computed from their token usage would be wrong.
func TestNonTokenPriced(t *testing.T) {
	for _, id := range []string{"mistral-ocr-latest", "mistral-ocr-2512", "mistral-ocr-4-0", "voxtral-mini-latest",
		"voxtral-mini-transcribe-realtime-2602", "voxtral-mini-tts-latest", "mistral-moderation-2603", "mistral-large-2402"} {
		m, ok := Default().Lookup(id)
		if !ok {
			t.Errorf("%s: not in the table", id)
			continue
		}
		if m.TokenPriced || m.Price != (Price{}) {
			t.Errorf("%s: token-priced %v price %+v, want no token price", id, m.TokenPriced, m.Price)
		}
		if _, known := Default().Cost(id, Usage{PromptTokens: 1000}, false); known {
			t.Errorf("%s: cost known, want unknown", id)
		}
	}
}

func TestOtherEntries(t *testing.T) {
	tab := Default()
	cases := []struct {
		id             string
		name, status   string
		ctx            int
		in, out, cache float64
		dep, ret       string
	}{
		{"mistral-large-4", "Mistral Large 4", StatusGA, 524288, 0.68, 2.09, 0.07, "", ""},
		{"mistral-large-4-0", "Mistral Large 4", StatusGA, 524288, 0.68, 2.09, 0.07, "", ""},
		{"zai-glm-5-2", "Z.ai GLM 5.2", StatusPreview, 1048576, 1.40, 4.40, 0.14, "", ""},
		{"labs-leanstral-1-5", "Leanstral 1.5", StatusPreview, 262144, 0, 0, 0, "", "2026-09-30"},
		{"devstral-medium-latest", "Devstral 2", StatusDeprecated, 262144, 0.40, 2.00, 0.04, "2026-05-22", "2026-07-31"},
		{"magistral-small-latest", "Magistral Small 1.2", StatusDeprecated, 131072, 0.50, 1.50, 0.05, "2026-04-30", "2026-07-31"},
		{"mistral-medium-2505", "Mistral Medium 3", StatusDeprecated, 131072, 0.40, 2.00, 0.04, "2026-05-22", "2026-08-31"},
		{"open-mistral-nemo", "Mistral Nemo 12B", StatusDeprecated, 131072, 0.15, 0.15, 0.015, "2026-05-22", "2026-07-31"},
		{"pixtral-large-2411", "Pixtral Large", StatusDeprecated, 131072, 2, 6, 0.2, "2026-02-27", "2026-05-31"},
		{"codestral-2405", "Codestral", StatusRetired, 32768, 0, 0, 0, "2024-12-02", "2025-06-16"},
	}
	for _, c := range cases {
		m, ok := tab.Lookup(c.id)
		if !ok {
			t.Errorf("%s: not in the table", c.id)
			continue
		}
		got := []any{m.Name, m.Status, m.ContextLength, m.Price.Input, m.Price.Output, m.Deprecation, m.Retirement}
		want := []any{c.name, c.status, c.ctx, c.in, c.out, c.dep, c.ret}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", c.id, got, want)
		}
		if !near(m.Price.CachedInput, c.cache) {
			t.Errorf("%s: cached input %v, want %v", c.id, m.Price.CachedInput, c.cache)
		}
	}
}

func TestLookupSpellings(t *testing.T) {
	tab := Default()
	for _, id := range []string{"mistral/mistral-small-latest", " Mistral-Small-Latest ", "MISTRAL/mistral-small-2603"} {
		m, ok := tab.Lookup(id)
		if !ok || m.Name != "Mistral Small 4" {
			t.Errorf("Lookup(%q) = %q, %v; want Mistral Small 4", id, m.Name, ok)
		}
	}
	for _, id := range []string{"", "mistral-small-2609", "mistral-small", "gpt-4o", "mistral/", "ft:open-mistral-7b:abc:20240101:xyz"} {
		if m, ok := tab.Lookup(id); ok {
			t.Errorf("Lookup(%q) found %q, want nothing", id, m.Name)
		}
	}
}

// Each id must belong to one model, or a price would depend on which entry
// was read last.
func TestIDsAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, m := range Default().Models() {
		for _, id := range m.IDs {
			if other, dup := seen[id]; dup {
				t.Errorf("%s is on %q and %q", id, other, m.Name)
			}
			seen[id] = m.Name
		}
	}
	if len(seen) < 60 {
		t.Errorf("only %d ids in the table; was the generator run on the full catalogue?", len(seen))
	}
}

// Callers get copies: changing a returned model must not change the table.
func TestLookupReturnsCopies(t *testing.T) {
	tab := Default()
	m, _ := tab.Lookup("mistral-small-latest")
	m.IDs[0] = "changed"
	if again, _ := tab.Lookup("mistral-small-latest"); again.IDs[0] != "mistral-small-2603" {
		t.Fatalf("table changed through a returned model: %v", again.IDs)
	}
}

func TestWith(t *testing.T) {
	base := Default()
	tab := base.With(map[string]Price{
		"mistral/mistral-small-latest": {Input: 0.2, Output: 0.8},
		"my-finetune":                  {Input: 0.2, Output: 0.6, CachedInput: 0.02},
		"mistral-ocr-latest":           {Input: 1, Output: 1},
	})

	// An override by alias reprices every id of the model.
	for _, id := range []string{"mistral-small-latest", "mistral-small-2603"} {
		m, _ := tab.Lookup(id)
		if m.Price != (Price{Input: 0.2, Output: 0.8, CachedInput: 0.02}) || m.Name != "Mistral Small 4" {
			t.Errorf("%s after override: %+v", id, m)
		}
	}
	m, ok := tab.Lookup("my-finetune")
	if !ok || !m.TokenPriced || m.Price != (Price{Input: 0.2, Output: 0.6, CachedInput: 0.02}) || m.Name != "my-finetune" {
		t.Errorf("added model: %+v, %v", m, ok)
	}
	if m, _ := tab.Lookup("mistral-ocr-latest"); !m.TokenPriced {
		t.Error("an override should make a model token-priced")
	}
	if got := len(tab.Models()); got != len(base.Models())+1 {
		t.Errorf("%d models after adding one, want %d", got, len(base.Models())+1)
	}

	// The original is untouched.
	if m, _ := base.Lookup("mistral-small-latest"); m.Price.Input != 0.15 {
		t.Errorf("With changed the original table: %+v", m.Price)
	}
	if _, ok := base.Lookup("my-finetune"); ok {
		t.Error("With added to the original table")
	}
}

func TestWithSameModelTwiceIsDeterministic(t *testing.T) {
	for range 20 {
		tab := Default().With(map[string]Price{
			"mistral-small-2603":   {Input: 1},
			"mistral-small-latest": {Input: 2},
		})
		if m, _ := tab.Lookup("mistral-small-2603"); m.Price.Input != 2 {
			t.Fatalf("got input %v, want the last key in sort order (2)", m.Price.Input)
		}
	}
}
