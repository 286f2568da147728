package api

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// Capabilities say what a model can do. The real list has more keys than
// these; they are ignored.
type Capabilities struct {
	CompletionChat  bool `json:"completion_chat"`
	FunctionCalling bool `json:"function_calling"`
	Reasoning       bool `json:"reasoning"`
	CompletionFIM   bool `json:"completion_fim"`
	FineTuning      bool `json:"fine_tuning"`
	Vision          bool `json:"vision"`
	OCR             bool `json:"ocr"`
	Classification  bool `json:"classification"`
	Moderation      bool `json:"moderation"`
	Audio           bool `json:"audio"`
}

// Badges returns the short capability names the studio shows, in a fixed
// order.
func (c Capabilities) Badges() []string {
	var b []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{c.FunctionCalling, "tools"}, {c.Vision, "vision"}, {c.Reasoning, "reasoning"},
		{c.CompletionFIM, "fim"}, {c.OCR, "ocr"}, {c.Audio, "audio"},
		{c.Moderation, "moderation"}, {c.Classification, "classify"},
	} {
		if x.on {
			b = append(b, x.name)
		}
	}
	return b
}

// ModelCard is one entry of GET /v1/models: a base or a fine-tuned model.
type ModelCard struct {
	ID               string       `json:"id"`
	Object           string       `json:"object,omitempty"`
	Created          int64        `json:"created,omitempty"`
	OwnedBy          string       `json:"owned_by,omitempty"`
	Capabilities     Capabilities `json:"capabilities"`
	Name             string       `json:"name,omitempty"`
	Description      string       `json:"description,omitempty"`
	MaxContextLength int          `json:"max_context_length,omitempty"`
	Aliases          []string     `json:"aliases,omitempty"`
	// Deprecation is the retirement date as the server wrote it (RFC 3339
	// in the spec; kept as text so an odd format never fails the list).
	Deprecation                 string   `json:"deprecation,omitempty"`
	DeprecationReplacementModel string   `json:"deprecation_replacement_model,omitempty"`
	DefaultModelTemperature     *float64 `json:"default_model_temperature,omitempty"`
	Type                        string   `json:"type,omitempty"` // base or fine-tuned
	BillingModelName            string   `json:"billing_model_name,omitempty"`
	// MaxModelLen is vLLM's name for the context length.
	MaxModelLen int `json:"max_model_len,omitempty"`
	// Fine-tuned models only.
	Job      string `json:"job,omitempty"`
	Root     string `json:"root,omitempty"`
	Archived bool   `json:"archived,omitempty"`
}

// FineTuned reports whether the card is a fine-tuned model.
func (m ModelCard) FineTuned() bool { return m.Type == "fine-tuned" || m.Job != "" }

// Deprecated reports whether the model has a deprecation date.
func (m ModelCard) Deprecated() bool { return m.Deprecation != "" }

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Object string      `json:"object"`
	Data   []ModelCard `json:"data"`
}

// ModelEntry is a model as the studio lists it: one card for all the ids
// that name the same model, with the others as aliases.
type ModelEntry struct {
	ModelCard
	// IDs holds every id that names this model, the card's own id first.
	IDs []string
}

// Models lists the endpoint's models.
func (c *Client) Models(ctx context.Context) ([]ModelCard, Meta, error) {
	resp, err := c.do(ctx, http.MethodGet, c.dialect.modelsPath(), nil, false)
	if err != nil {
		return nil, Meta{}, err
	}
	defer resp.Body.Close()
	meta := metaFrom(resp)
	var list ModelList
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, meta, &DecodeError{What: "model list", Err: err}
	}
	return c.dialect.fixModels(list.Data), meta, nil
}

// FoldAliases folds cards that name the same model into one entry. The real
// list carries each alias as its own card as well as in the canonical card's
// aliases; the canonical card is the one whose aliases list the others
// (mistral-medium-2508 with ["mistral-medium-latest", "mistral-medium"]).
// Entries come back sorted by id, deprecated models last.
func FoldAliases(cards []ModelCard) []ModelEntry {
	byID := map[string]int{}
	for i, c := range cards {
		byID[c.ID] = i
	}
	owner := map[string]string{} // alias id -> canonical id
	for _, c := range cards {
		for _, a := range c.Aliases {
			if a == c.ID {
				continue
			}
			// A card listing aliases is canonical unless it is itself
			// listed as an alias of a card we already chose.
			if _, taken := owner[c.ID]; !taken {
				if _, seen := owner[a]; !seen {
					owner[a] = c.ID
				}
			}
		}
	}
	var out []ModelEntry
	index := map[string]int{}
	for _, c := range cards {
		if canon, ok := owner[c.ID]; ok {
			if _, present := byID[canon]; present {
				continue // folded into its canonical card below
			}
		}
		if _, dup := index[c.ID]; dup {
			continue
		}
		e := ModelEntry{ModelCard: c, IDs: []string{c.ID}}
		for _, a := range c.Aliases {
			if a != c.ID && owner[a] == c.ID {
				e.IDs = append(e.IDs, a)
			}
		}
		index[c.ID] = len(out)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Deprecated() != out[j].Deprecated() {
			return !out[i].Deprecated()
		}
		return strings.ToLower(out[i].ID) < strings.ToLower(out[j].ID)
	})
	return out
}

// Find returns the entry that answers to id (its own id or an alias).
func Find(entries []ModelEntry, id string) (ModelEntry, bool) {
	for _, e := range entries {
		for _, x := range e.IDs {
			if x == id {
				return e, true
			}
		}
	}
	return ModelEntry{}, false
}
