// Command gen writes the simulator's embedded data files from the shared
// Mistral reference material. It is run by hand, never at build or test
// time, and its output is committed:
//
//	go run ./api/sim/internal/gen -shared ../shared -out api/sim
//
// It writes two files:
//
//   - models.json: the GET /v1/models list, built from mistral-models.json
//     (the docs site's model catalogue): every model that is not retired,
//     its canonical id carrying the other api names as aliases and each
//     alias listed again as its own card, as the real endpoint does;
//     deprecated models carry their retirement date and replacement;
//     capabilities come from the catalogue's features and modalities. One
//     fine-tuned card is added so clients meet that shape too.
//   - schema.json: ChatCompletionRequest and FIMCompletionRequest with every
//     component they reference, lifted out of the official OpenAPI spec into
//     one self-contained JSON Schema (draft 2020-12). OpenAPI discriminated
//     oneOfs become an enum on the tag plus if/then per branch, so a bad
//     message reports its own fault instead of one failure per branch; each
//     then carries "x-tag" so the simulator can put the tag into error
//     locations the way pydantic does.
//
// The generator may use a YAML library; the simulator itself may not, which
// is why this is a separate main package.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

func main() {
	shared := flag.String("shared", "../shared", "folder holding mistral-models.json and mistral-openapi.yaml")
	out := flag.String("out", "api/sim", "folder to write models.json and schema.json into")
	flag.Parse()
	if err := genModels(filepath.Join(*shared, "mistral-models.json"), filepath.Join(*out, "models.json")); err != nil {
		log.Fatal(err)
	}
	if err := genSchema(filepath.Join(*shared, "mistral-openapi.yaml"), filepath.Join(*out, "schema.json")); err != nil {
		log.Fatal(err)
	}
}

// catalogue is the shape of mistral-models.json.
type catalogue struct {
	Source map[string]string `json:"source"`
	Models []struct {
		Name             string   `json:"name"`
		Slug             string   `json:"slug"`
		Status           string   `json:"status"`
		ReleaseDate      string   `json:"release_date"`
		ContextLength    *string  `json:"context_length"`
		APINames         []string `json:"api_names"`
		DeprecationDate  *string  `json:"deprecation_date"`
		RetirementDate   *string  `json:"retirement_date"`
		Replacement      *string  `json:"replacement"`
		InputModalities  []string `json:"input_modalities"`
		OutputModalities []string `json:"output_modalities"`
		Features         []string `json:"features"`
	} `json:"models"`
}

// capabilities lists every key the real endpoint sends, in its order.
type capabilities struct {
	CompletionChat             bool `json:"completion_chat"`
	FunctionCalling            bool `json:"function_calling"`
	Reasoning                  bool `json:"reasoning"`
	CompletionFIM              bool `json:"completion_fim"`
	FineTuning                 bool `json:"fine_tuning"`
	Vision                     bool `json:"vision"`
	OCR                        bool `json:"ocr"`
	Classification             bool `json:"classification"`
	Moderation                 bool `json:"moderation"`
	Audio                      bool `json:"audio"`
	AudioTranscription         bool `json:"audio_transcription"`
	AudioTranscriptionRealtime bool `json:"audio_transcription_realtime"`
	AudioSpeech                bool `json:"audio_speech"`
	UnifiedResources           bool `json:"unified_resources"`
}

func (c *capabilities) or(o capabilities) {
	c.CompletionChat = c.CompletionChat || o.CompletionChat
	c.FunctionCalling = c.FunctionCalling || o.FunctionCalling
	c.Reasoning = c.Reasoning || o.Reasoning
	c.CompletionFIM = c.CompletionFIM || o.CompletionFIM
	c.Vision = c.Vision || o.Vision
	c.OCR = c.OCR || o.OCR
	c.Moderation = c.Moderation || o.Moderation
	c.Audio = c.Audio || o.Audio
	c.AudioTranscription = c.AudioTranscription || o.AudioTranscription
	c.AudioTranscriptionRealtime = c.AudioTranscriptionRealtime || o.AudioTranscriptionRealtime
	c.AudioSpeech = c.AudioSpeech || o.AudioSpeech
	c.UnifiedResources = c.UnifiedResources || o.UnifiedResources
}

// card is one model card in the field order of the real endpoint; nulls are
// written out because the real endpoint writes them.
type card struct {
	ID                          string       `json:"id"`
	Object                      string       `json:"object"`
	Created                     int64        `json:"created"`
	OwnedBy                     string       `json:"owned_by"`
	Capabilities                capabilities `json:"capabilities"`
	Name                        string       `json:"name"`
	Description                 string       `json:"description"`
	MaxContextLength            int          `json:"max_context_length"`
	Aliases                     []string     `json:"aliases"`
	Deprecation                 *string      `json:"deprecation"`
	DeprecationReplacementModel *string      `json:"deprecation_replacement_model"`
	DefaultModelTemperature     *float64     `json:"default_model_temperature"`
	Type                        string       `json:"type"`
	Job                         string       `json:"job,omitempty"`
	Root                        string       `json:"root,omitempty"`
	Archived                    *bool        `json:"archived,omitempty"`
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func contextTokens(s *string) int {
	if s == nil || *s == "" {
		return 32768 // the spec's default for max_context_length
	}
	v := strings.ToLower(strings.TrimSpace(*s))
	var n int
	switch {
	case strings.HasSuffix(v, "k"):
		fmt.Sscanf(strings.TrimSuffix(v, "k"), "%d", &n)
		return n * 1024
	case strings.HasSuffix(v, "m"):
		fmt.Sscanf(strings.TrimSuffix(v, "m"), "%d", &n)
		return n * 1024 * 1024
	}
	fmt.Sscanf(v, "%d", &n)
	return n
}

// rfc3339Date turns the catalogue's dates ("2026-07-31" or "July 31, 2026")
// into the RFC 3339 timestamps the endpoint uses.
func rfc3339Date(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", "January 2, 2006", "Jan 2, 2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(*s)); err == nil {
			v := t.Add(12 * time.Hour).UTC().Format(time.RFC3339)
			return &v
		}
	}
	return nil
}

func genModels(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var cat catalogue
	if err := json.Unmarshal(data, &cat); err != nil {
		return err
	}
	live := cat.Models[:0:0]
	for _, m := range cat.Models {
		if m.Status != "Retired" && len(m.APINames) > 0 {
			live = append(live, m)
		}
	}
	// A replacement is named by its display name; several retired models
	// share a name, so the live one wins.
	replacement := map[string]string{}
	for _, m := range live {
		if _, ok := replacement[m.Name]; !ok || m.Status != "Deprecated" {
			replacement[m.Name] = m.APINames[0]
		}
	}
	// Ids are claimed by current models before deprecated ones, since the
	// catalogue reuses an alias (voxtral-mini-latest) across generations.
	order := make([]int, len(live))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return live[order[a]].Status != "Deprecated" && live[order[b]].Status == "Deprecated"
	})
	owner := map[string]int{}
	ids := make([][]string, len(live))
	for _, i := range order {
		for _, id := range live[i].APINames {
			if _, taken := owner[id]; !taken {
				owner[id] = i
				ids[i] = append(ids[i], id)
			}
		}
	}
	caps := make([]capabilities, len(live))
	for i, m := range live {
		chat := has(m.Features, "chat-completions")
		caps[i] = capabilities{
			CompletionChat:             chat,
			FunctionCalling:            has(m.Features, "function-calling"),
			Reasoning:                  has(m.OutputModalities, "reasoning"),
			CompletionFIM:              has(m.Features, "fim"),
			Vision:                     chat && has(m.InputModalities, "image"),
			OCR:                        has(m.Features, "ocr"),
			Moderation:                 has(m.Features, "moderations"),
			Audio:                      chat && has(m.InputModalities, "audio"),
			AudioTranscription:         has(m.Features, "transcriptions"),
			AudioTranscriptionRealtime: has(m.Features, "transcriptions") && strings.Contains(m.Slug, "realtime"),
			AudioSpeech:                has(m.Features, "tts"),
			UnifiedResources:           has(m.Features, "connectors"),
		}
	}
	// The docs' reasoning page (docs/mistral-api.md §3.5) names Mistral
	// Small 4 among the models that think with reasoning_effort, although
	// the catalogue lists no reasoning output for it.
	for i, m := range live {
		if has(m.APINames, "mistral-small-2603") {
			caps[i].Reasoning = true
		}
	}
	// A model left with no id of its own (Voxtral Mini Transcribe shares
	// voxtral-mini-2507) lends its capabilities to the card that owns it.
	for i, m := range live {
		if len(ids[i]) == 0 {
			caps[owner[m.APINames[0]]].or(caps[i])
		}
	}
	var cards []card
	for i, m := range live {
		if len(ids[i]) == 0 {
			continue
		}
		created := int64(0)
		if t, err := time.Parse("2006-01-02", m.ReleaseDate); err == nil {
			created = t.Unix()
		}
		var temp *float64
		if caps[i].CompletionChat {
			v := 0.3
			if has(m.OutputModalities, "reasoning") {
				v = 0.7 // reasoning models sample warmer by default
			}
			temp = &v
		}
		var dep, repl *string
		if m.Status == "Deprecated" || m.RetirementDate != nil {
			dep = rfc3339Date(m.RetirementDate)
			if dep == nil {
				dep = rfc3339Date(m.DeprecationDate)
			}
			if dep != nil && m.Replacement != nil {
				if r, ok := replacement[*m.Replacement]; ok {
					repl = &r
				}
			}
		}
		canon := ids[i][0]
		base := card{
			Object: "model", Created: created, OwnedBy: "mistralai",
			Capabilities: caps[i], Name: canon,
			Description:      "Official " + canon + " Mistral AI model",
			MaxContextLength: contextTokens(m.ContextLength),
			Deprecation:      dep, DeprecationReplacementModel: repl,
			DefaultModelTemperature: temp, Type: "base",
		}
		for j, id := range ids[i] {
			c := base
			c.ID = id
			c.Aliases = []string{}
			for k, other := range ids[i] {
				if k != j {
					c.Aliases = append(c.Aliases, other)
				}
			}
			cards = append(cards, c)
		}
	}
	cards = append(cards, fineTuned(cards))
	doc := struct {
		Source map[string]string `json:"source"`
		Object string            `json:"object"`
		Data   []card            `json:"data"`
	}{cat.Source, "list", cards}
	doc.Source = map[string]string{
		"repo": cat.Source["repo"], "commit": cat.Source["commit"],
		"commit_date": cat.Source["commit_date"], "path": cat.Source["path"],
		"generated_by": "api/sim/internal/gen from mistral-models.json",
	}
	return writeJSON(out, doc)
}

// fineTuned invents one fine-tuned card on ministral-8b so that clients meet
// the FTModelCard shape (job, root, archived) in the demo.
func fineTuned(cards []card) card {
	for _, c := range cards {
		if c.ID == "ministral-8b-2512" {
			ft := c
			ft.ID = "ft:ministral-8b-latest:a1f3c9e2:20260914:7b2d41c0"
			ft.Name = ft.ID
			ft.OwnedBy = "a1f3c9e2-5b7d-4e61-9c08-3f2a6d4b1e75"
			ft.Description = "Fine-tuned ministral-8b-2512: support-ticket triage"
			ft.Created = time.Date(2026, 9, 14, 8, 30, 0, 0, time.UTC).Unix()
			ft.Aliases = []string{}
			ft.Type = "fine-tuned"
			ft.Job = "4f5d9a6e-2b1c-4d8e-9f3a-6c7b8e9d0a1b"
			ft.Root = c.ID
			no := false
			ft.Archived = &no
			return ft
		}
	}
	log.Fatal("gen: ministral-8b-2512 missing from the catalogue")
	return card{}
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// roots are the request schemas the simulator validates.
var roots = []string{"ChatCompletionRequest", "FIMCompletionRequest"}

func genSchema(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	all := doc.Components.Schemas
	defs := map[string]any{}
	var visit func(name string) error
	visit = func(name string) error {
		if _, done := defs[name]; done {
			return nil
		}
		s, ok := all[name]
		if !ok {
			return fmt.Errorf("schema %s: not in the spec", name)
		}
		defs[name] = nil // mark before recursing: the graph has cycles
		for _, ref := range refsIn(s) {
			if err := visit(ref); err != nil {
				return err
			}
		}
		defs[name] = convert(s)
		return nil
	}
	for _, r := range roots {
		if err := visit(r); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(data)
	schema := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://mstudio.invalid/sim/mistral-requests.json",
		"$comment": fmt.Sprintf("Generated by api/sim/internal/gen from the official Mistral OpenAPI spec "+
			"(mistralai/platform-docs-public openapi-public-doc.yaml, sha256 %s): %s and the components they reference. Do not edit.",
			hex.EncodeToString(sum[:]), strings.Join(roots, ", ")),
		"$defs": defs,
	}
	return writeJSON(out, schema)
}

func refsIn(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			if k == "$ref" {
				if s, ok := vv.(string); ok {
					out = append(out, strings.TrimPrefix(s, "#/components/schemas/"))
				}
				continue
			}
			out = append(out, refsIn(vv)...)
		}
	case []any:
		for _, vv := range x {
			out = append(out, refsIn(vv)...)
		}
	}
	return out
}

// dropped are annotation keywords that only make the file bigger.
var dropped = map[string]bool{"description": true, "examples": true, "example": true, "x-speakeasy-name-override": true}

// convert rewrites one OpenAPI schema into plain JSON Schema: refs point into
// $defs and discriminated oneOfs become tag-dispatched if/then chains.
func convert(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if d, ok := x["discriminator"].(map[string]any); ok {
			if _, isOneOf := x["oneOf"]; isOneOf {
				return discriminated(x, d)
			}
		}
		out := map[string]any{}
		for k, vv := range x {
			switch {
			case dropped[k]:
			case k == "$ref":
				out[k] = "#/$defs/" + strings.TrimPrefix(vv.(string), "#/components/schemas/")
			case k == "properties" || k == "$defs":
				props := map[string]any{}
				for name, p := range vv.(map[string]any) {
					props[name] = convert(p)
				}
				out[k] = props
			case k == "default" || k == "const" || k == "enum":
				out[k] = vv
			default:
				out[k] = convert(vv)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			out[i] = convert(vv)
		}
		return out
	}
	return v
}

// discriminated turns {oneOf, discriminator} into a schema that first checks
// the tag and then validates only the branch the tag names.
func discriminated(x, d map[string]any) any {
	prop, _ := d["propertyName"].(string)
	mapping, _ := d["mapping"].(map[string]any)
	tags := make([]string, 0, len(mapping))
	for tag := range mapping {
		tags = append(tags, tag)
	}
	// Keep the oneOf's order so error messages list tags as the spec does.
	pos := map[string]int{}
	for i, b := range x["oneOf"].([]any) {
		ref, _ := b.(map[string]any)["$ref"].(string)
		for tag, target := range mapping {
			if target == ref {
				pos[tag] = i
			}
		}
	}
	sort.Slice(tags, func(i, j int) bool { return pos[tags[i]] < pos[tags[j]] })
	enum := make([]any, len(tags))
	branches := make([]any, len(tags))
	for i, tag := range tags {
		enum[i] = tag
		branches[i] = map[string]any{
			"if": map[string]any{
				"required":   []any{prop},
				"properties": map[string]any{prop: map[string]any{"const": tag}},
			},
			"then": map[string]any{
				"$ref":  "#/$defs/" + strings.TrimPrefix(mapping[tag].(string), "#/components/schemas/"),
				"x-tag": tag,
			},
		}
	}
	out := map[string]any{
		"type":            "object",
		"required":        []any{prop},
		"properties":      map[string]any{prop: map[string]any{"enum": enum}},
		"allOf":           branches,
		"x-discriminator": prop,
	}
	if t, ok := x["title"]; ok {
		out["title"] = t
	}
	return out
}
