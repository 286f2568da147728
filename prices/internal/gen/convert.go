package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// catalogue is the shape of mistral-models.json.
type catalogue struct {
	Source struct {
		Repo       string `json:"repo"`
		Commit     string `json:"commit"`
		CommitDate string `json:"commit_date"`
		Path       string `json:"path"`
	} `json:"source"`
	Models []struct {
		Name            string      `json:"name"`
		Slug            string      `json:"slug"`
		Status          string      `json:"status"`
		ContextLength   *string     `json:"context_length"`
		APINames        []string    `json:"api_names"`
		PricingInput    []priceItem `json:"pricing_input"`
		PricingOutput   []priceItem `json:"pricing_output"`
		DeprecationDate *string     `json:"deprecation_date"`
		RetirementDate  *string     `json:"retirement_date"`
	} `json:"models"`
}

type priceItem struct {
	Type        string  `json:"type"`
	Denominator string  `json:"denominator"`
	Label       string  `json:"label"`
	Price       float64 `json:"price"`
}

// tokenDenominator is the only unit the table prices; per-page, per-minute
// and per-character prices cannot be turned into a cost from token usage.
const tokenDenominator = "/M Tokens"

// table is the shape of the generated models.json (read by package prices).
type table struct {
	Source source   `json:"source"`
	Notes  []string `json:"notes"`
	Models []model  `json:"models"`
}

type source struct {
	Repo       string `json:"repo"`
	Commit     string `json:"commit"`
	CommitDate string `json:"commit_date"`
	Path       string `json:"path"`
	Via        string `json:"via"`
	Generator  string `json:"generator"`
}

type model struct {
	IDs         []string `json:"ids"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Context     int      `json:"context,omitempty"`
	TokenPriced bool     `json:"token_priced"`
	Input       float64  `json:"input,omitempty"`
	Output      float64  `json:"output,omitempty"`
	CachedInput float64  `json:"cached_input,omitempty"`
	OtherPrice  string   `json:"other_price,omitempty"`
	Deprecation string   `json:"deprecation,omitempty"`
	Retirement  string   `json:"retirement,omitempty"`
	Note        string   `json:"note,omitempty"`
}

var notes = []string{
	"USD per 1M tokens. cached_input, when absent, is 10% of input (docs: prompt caching). Regional endpoints (api.eu, api.us) bill 1.1x; the prices package applies that.",
	"token_priced=false: the docs list no per-token price (retired models, or models billed per page, minute or character; other_price says how).",
	"Where one API id is listed on two catalogue entries, it belongs to the entry with the better status (GA, preview, deprecated, retired), then to the token-priced one.",
	"Entries without an API id are left out: they cannot be called.",
}

// generate converts the catalogue into the embedded table, one model per line
// so that a price change shows as a one-line diff.
func generate(src []byte) ([]byte, error) {
	var c catalogue
	if err := json.Unmarshal(src, &c); err != nil {
		return nil, err
	}
	if c.Source.Repo == "" || c.Source.Commit == "" {
		return nil, fmt.Errorf("no source repo/commit: is this mistral-models.json?")
	}
	var models []model
	for _, cm := range c.Models {
		if len(cm.APINames) == 0 {
			continue
		}
		status, err := normStatus(cm.Status)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cm.Slug, err)
		}
		ctx, err := parseContext(cm.ContextLength)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", cm.Slug, err)
		}
		dep, err := normDate(cm.DeprecationDate)
		if err != nil {
			return nil, fmt.Errorf("%s: deprecation date: %v", cm.Slug, err)
		}
		ret, err := normDate(cm.RetirementDate)
		if err != nil {
			return nil, fmt.Errorf("%s: retirement date: %v", cm.Slug, err)
		}
		m := model{
			IDs:         dedupe(cm.APINames),
			Name:        cm.Name,
			Status:      status,
			Context:     ctx,
			Deprecation: dep,
			Retirement:  ret,
		}
		setPrices(&m, cm.PricingInput, cm.PricingOutput)
		models = append(models, m)
	}
	models = append(models, extras...)
	models = resolveDuplicateIDs(models)
	slices.SortStableFunc(models, func(a, b model) int {
		if d := statusRank[a.Status] - statusRank[b.Status]; d != 0 {
			return d
		}
		if d := strings.Compare(a.Name, b.Name); d != 0 {
			return d
		}
		return strings.Compare(a.IDs[0], b.IDs[0])
	})

	t := table{
		Source: source{
			Repo:       c.Source.Repo,
			Commit:     c.Source.Commit,
			CommitDate: c.Source.CommitDate,
			Path:       c.Source.Path,
			Via:        "mstudio shared/mistral-models.json (regex extract of the docs model schema)",
			Generator:  "go run ./prices/internal/gen -in ../shared/mistral-models.json -out prices/models.json",
		},
		Notes:  notes,
		Models: models,
	}
	return encode(t)
}

// setPrices picks the standard per-token prices. The docs give a "range"
// (pay-as-you-go) or "flat" item per unit; a labelled "Cached input" item is
// the only cache price the catalogue states explicitly.
func setPrices(m *model, in, out []priceItem) {
	var other []string
	for _, p := range in {
		if p.Denominator != tokenDenominator {
			other = append(other, describe("input", p))
			continue
		}
		if strings.EqualFold(p.Label, "cached input") {
			m.CachedInput = p.Price
			continue
		}
		m.Input = p.Price
		m.TokenPriced = true
	}
	for _, p := range out {
		if p.Denominator != tokenDenominator {
			other = append(other, describe("output", p))
			continue
		}
		m.Output = p.Price
	}
	m.OtherPrice = strings.Join(other, "; ")
	if !m.TokenPriced {
		// An output-only token price without an input price does not occur;
		// keeping the fields at zero avoids a half-known price.
		m.Input, m.Output, m.CachedInput = 0, 0, 0
	}
}

func describe(dir string, p priceItem) string {
	label := dir
	if p.Label != "" {
		label = strings.ToLower(p.Label)
	}
	return fmt.Sprintf("%s $%s %s", label, strconv.FormatFloat(p.Price, 'f', -1, 64), p.Denominator)
}

// statusRank orders the statuses from most to least usable.
var statusRank = map[string]int{"GA": 0, "preview": 1, "deprecated": 2, "retired": 3}

func normStatus(s string) (string, error) {
	switch s {
	case "GA":
		return "GA", nil
	case "PublicPreview", "Preview", "PrivatePreview":
		return "preview", nil
	case "Deprecated":
		return "deprecated", nil
	case "Retired":
		return "retired", nil
	}
	return "", fmt.Errorf("unknown status %q", s)
}

var contextRE = regexp.MustCompile(`^(\d+)\s*([kKmM]?)$`)

// parseContext reads the docs' "256k" style: k and M are binary multiples,
// which is what the live /v1/models max_context_length reports (131072 for
// "128k").
func parseContext(s *string) (int, error) {
	if s == nil || *s == "" {
		return 0, nil
	}
	g := contextRE.FindStringSubmatch(strings.TrimSpace(*s))
	if g == nil {
		return 0, fmt.Errorf("context length %q not understood", *s)
	}
	n, err := strconv.Atoi(g[1])
	if err != nil {
		return 0, err
	}
	switch g[2] {
	case "k", "K":
		n *= 1 << 10
	case "m", "M":
		n *= 1 << 20
	}
	return n, nil
}

// normDate accepts ISO dates and the "April 30, 2026" form one catalogue
// entry uses, and always writes ISO.
func normDate(s *string) (string, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return "", nil
	}
	v := strings.TrimSpace(*s)
	for _, layout := range []string{time.DateOnly, "January 2, 2006", "Jan 2, 2006"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("%q is not a date", v)
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// resolveDuplicateIDs gives every API id to exactly one model, so a lookup is
// never ambiguous. Entries left with no id (an exact duplicate entry) go.
func resolveDuplicateIDs(models []model) []model {
	owner := map[string]int{}
	better := func(a, b model) bool {
		if statusRank[a.Status] != statusRank[b.Status] {
			return statusRank[a.Status] < statusRank[b.Status]
		}
		return a.TokenPriced && !b.TokenPriced
	}
	for i, m := range models {
		for _, id := range m.IDs {
			if j, ok := owner[id]; !ok || better(m, models[j]) {
				owner[id] = i
			}
		}
	}
	var out []model
	for i, m := range models {
		var ids []string
		for _, id := range m.IDs {
			if owner[id] == i {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		m.IDs = ids
		out = append(out, m)
	}
	return out
}

func encode(t table) ([]byte, error) {
	var b bytes.Buffer
	head, err := json.MarshalIndent(struct {
		Source source   `json:"source"`
		Notes  []string `json:"notes"`
	}{t.Source, t.Notes}, "", "  ")
	if err != nil {
		return nil, err
	}
	// Reopen the header object to append the models array, one per line.
	b.Write(bytes.TrimSuffix(head, []byte("\n}")))
	b.WriteString(",\n  \"models\": [\n")
	for i, m := range t.Models {
		line, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		b.WriteString("    ")
		b.Write(line)
		if i < len(t.Models)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("internal error: generated JSON is not valid")
	}
	return b.Bytes(), nil
}
