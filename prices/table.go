package prices

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Model statuses, as the docs name a model's lifecycle stage.
const (
	StatusGA         = "GA"
	StatusPreview    = "preview"
	StatusDeprecated = "deprecated" // still callable until its retirement date
	StatusRetired    = "retired"
)

// Price is what a model costs, in USD per 1M tokens.
type Price struct {
	Input  float64
	Output float64
	// CachedInput is the price of prompt tokens served from the prompt
	// cache. Where no cache price is known it is 10% of Input, the rate the
	// docs give for prompt caching.
	CachedInput float64
}

// Model is one entry of the table.
type Model struct {
	// IDs are every name the API accepts for the model: the dated id first
	// where there is one, then aliases such as "mistral-small-latest".
	IDs    []string
	Name   string // display name, e.g. "Mistral Small 4"
	Status string // StatusGA, StatusPreview, StatusDeprecated, StatusRetired; "" for models added by overrides
	// ContextLength is in tokens; 0 when the docs give none (OCR, audio).
	ContextLength int
	Price         Price
	// TokenPriced is false when there is no per-token price: retired models
	// the docs no longer price, and models billed per page, minute or
	// character. Price is zero then and costs are unknown.
	TokenPriced bool
	// Deprecation and Retirement are ISO dates (YYYY-MM-DD), or "".
	Deprecation string
	Retirement  string
}

// Table is a set of models indexed by every id and alias. A Table is never
// modified after it is built, so it is safe for concurrent use.
type Table struct {
	models []Model
	byID   map[string]int
}

//go:embed models.json
var embedded []byte

var defaultTable = sync.OnceValue(func() *Table {
	t, err := parse(embedded)
	if err != nil {
		// models.json is generated and tested; failing here means a broken build.
		panic("prices: embedded models.json: " + err.Error())
	}
	return t
})

// Default returns the embedded price table. It is parsed on first use and
// shared; callers must not modify the models it returns.
func Default() *Table { return defaultTable() }

// fileModel is one model as models.json stores it (see internal/gen).
type fileModel struct {
	IDs         []string `json:"ids"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Context     int      `json:"context"`
	TokenPriced bool     `json:"token_priced"`
	Input       float64  `json:"input"`
	Output      float64  `json:"output"`
	CachedInput float64  `json:"cached_input"`
	Deprecation string   `json:"deprecation"`
	Retirement  string   `json:"retirement"`
}

func parse(data []byte) (*Table, error) {
	var f struct {
		Models []fileModel `json:"models"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	models := make([]Model, 0, len(f.Models))
	for _, m := range f.Models {
		models = append(models, Model{
			IDs:           m.IDs,
			Name:          m.Name,
			Status:        m.Status,
			ContextLength: m.Context,
			Price:         withCacheDefault(Price{Input: m.Input, Output: m.Output, CachedInput: m.CachedInput}),
			TokenPriced:   m.TokenPriced,
			Deprecation:   m.Deprecation,
			Retirement:    m.Retirement,
		})
	}
	return build(models)
}

func build(models []Model) (*Table, error) {
	t := &Table{models: models, byID: make(map[string]int)}
	for i, m := range models {
		if len(m.IDs) == 0 {
			return nil, fmt.Errorf("model %q has no id", m.Name)
		}
		for _, id := range m.IDs {
			if j, dup := t.byID[id]; dup {
				return nil, fmt.Errorf("id %q is on both %q and %q", id, models[j].Name, m.Name)
			}
			t.byID[id] = i
		}
	}
	return t, nil
}

func withCacheDefault(p Price) Price {
	if p.CachedInput == 0 {
		p.CachedInput = p.Input / 10
	}
	return p
}

// normID maps the spellings a user may write to the table's key: prompt files
// may say "mistral/mistral-small-latest" (the Genkit provider prefix).
func normID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	return strings.TrimPrefix(id, "mistral/")
}

// Lookup finds a model by any of its ids or aliases, with or without a
// "mistral/" prefix. An id the table does not list, such as a newer dated
// release, is not guessed from its family: a wrong price is worse than none.
func (t *Table) Lookup(modelID string) (Model, bool) {
	i, ok := t.byID[normID(modelID)]
	if !ok {
		return Model{}, false
	}
	m := t.models[i]
	m.IDs = slices.Clone(m.IDs)
	return m, true
}

// Models returns every model in table order: GA, preview, deprecated,
// retired, then by name; models added by overrides come last.
func (t *Table) Models() []Model {
	out := make([]Model, len(t.models))
	for i, m := range t.models {
		m.IDs = slices.Clone(m.IDs)
		out[i] = m
	}
	return out
}

// With returns a copy of t with the given prices, keyed by any id or alias
// of a model (the config file's prices section). An override replaces the
// price of the whole model, so all its aliases cost the same, and makes it
// token-priced; a key the table does not know adds a model under that id.
// A zero CachedInput means 10% of Input. When two keys name the same model,
// the one that sorts last wins, so the result never depends on map order.
func (t *Table) With(overrides map[string]Price) *Table {
	models := t.Models()
	byID := maps.Clone(t.byID)
	for _, key := range slices.Sorted(maps.Keys(overrides)) {
		id := normID(key)
		if id == "" {
			continue
		}
		p := withCacheDefault(overrides[key])
		if i, ok := byID[id]; ok {
			models[i].Price = p
			models[i].TokenPriced = true
			continue
		}
		byID[id] = len(models)
		models = append(models, Model{IDs: []string{id}, Name: id, Price: p, TokenPriced: true})
	}
	return &Table{models: models, byID: byID}
}
