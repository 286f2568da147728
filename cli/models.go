package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/untrusted"
)

// modelRecord is one model of `mstudio models --json`.
type modelRecord struct {
	ID               string   `json:"id"`
	Aliases          []string `json:"aliases"`
	Name             string   `json:"name"`
	Capabilities     []string `json:"capabilities"`
	MaxContextLength int      `json:"max_context_length"`
	Deprecation      *string  `json:"deprecation"`
	Type             string   `json:"type"`
	PriceInput       *float64 `json:"price_input"`
	PriceOutput      *float64 `json:"price_output"`
}

// modelRow is one model with everything the table and the JSON show.
type modelRow struct {
	entry       api.ModelEntry
	price       prices.Price
	priced      bool
	deprecation string // a date, or ""
}

// models is `mstudio models`.
func (a *app) models(args []string) int {
	var c commonFlags
	var jsonOutput bool
	fs := newFlagSet("models")
	c.register(fs)
	fs.BoolVar(&jsonOutput, "json", false, "")
	pos, err := parse(fs, args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, modelsHelp)
		return ExitOK
	}
	if err == nil {
		err = c.check()
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	if err != nil {
		return a.fail("models", err)
	}
	cfg, err := loadConfig(c.configPath)
	if err != nil {
		return a.fail("models", err)
	}
	choice, err := chooseEndpoint(c.endpoint, cfg, os.Getenv)
	if err != nil {
		return a.fail("models", err)
	}
	conn, err := a.connect(choice, c.retries)
	if err != nil {
		return a.fail("models", err)
	}
	defer conn.close()
	cards, _, err := conn.client.Models(a.ctx)
	if err != nil {
		return a.fail("models", errors.New(untrusted.StripLine(explainErr(err).Error())))
	}
	rows := modelRows(api.FoldAliases(cards), priceTable(cfg), conn.choice.regional)
	if jsonOutput {
		if err := writeJSON(a.stdout, modelRecords(rows)); err != nil {
			return a.fail("models", err)
		}
		return ExitOK
	}
	fmt.Fprint(a.stdout, modelTable(rows, a.width, conn.choice.regional))
	return ExitOK
}

// explainErr is explain for errors outside a run.
func explainErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	return err
}

// modelRows prices each entry by any of its ids (or its billing name); on a
// regional endpoint the prices are the 1.1x regional ones.
func modelRows(entries []api.ModelEntry, table *prices.Table, regional bool) []modelRow {
	rows := make([]modelRow, len(entries))
	for i, e := range entries {
		row := modelRow{entry: e, deprecation: dateOnly(e.Deprecation)}
		ids := append(append([]string(nil), e.IDs...), e.BillingModelName)
		for _, id := range ids {
			if id == "" {
				continue
			}
			if m, ok := table.Lookup(id); ok {
				if m.TokenPriced {
					row.price, row.priced = m.Price, true
					if regional {
						row.price.Input *= prices.RegionalMultiplier
						row.price.Output *= prices.RegionalMultiplier
					}
				}
				if row.deprecation == "" && (m.Status == prices.StatusDeprecated || m.Status == prices.StatusRetired) {
					row.deprecation = m.Retirement
				}
				break
			}
		}
		rows[i] = row
	}
	return rows
}

// dateOnly keeps the date of an RFC 3339 time.
func dateOnly(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	return s
}

func modelRecords(rows []modelRow) []modelRecord {
	out := make([]modelRecord, 0, len(rows))
	for _, r := range rows {
		e := r.entry
		rec := modelRecord{
			ID:               e.ID,
			Aliases:          append([]string{}, e.IDs[1:]...),
			Name:             e.Name,
			Capabilities:     append([]string{}, e.Capabilities.Badges()...),
			MaxContextLength: e.MaxContextLength,
			Type:             modelType(e.ModelCard),
		}
		if r.deprecation != "" {
			d := r.deprecation
			rec.Deprecation = &d
		}
		if r.priced {
			in, out := roundPrice(r.price.Input), roundPrice(r.price.Output)
			rec.PriceInput, rec.PriceOutput = &in, &out
		}
		out = append(out, rec)
	}
	return out
}

func modelType(c api.ModelCard) string {
	switch {
	case c.FineTuned():
		return "fine-tuned"
	case c.Type != "":
		return c.Type
	}
	return "base"
}

// roundPrice drops float noise such as 0.165000000002 from the 1.1x prices.
func roundPrice(p float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(p, 'f', 6, 64), 64)
	return v
}

// formatContext writes a context length the way model cards talk about it:
// 262144 is 256k and 131072 is 128k (binary), but 128000 is 128k too
// (decimal), and 1048576 is 1M.
func formatContext(n int) string {
	switch {
	case n <= 0:
		return "-"
	case n%1000000 == 0:
		return strconv.Itoa(n/1000000) + "M"
	case n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	case n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n%1024 == 0:
		return strconv.Itoa(n>>10) + "k"
	case n >= 1000:
		return strconv.Itoa((n+500)/1000) + "k"
	}
	return strconv.Itoa(n)
}

// formatPrice writes USD per 1M tokens with at least two decimals.
func formatPrice(p float64) string {
	s := strconv.FormatFloat(roundPrice(p), 'f', -1, 64)
	dot := strings.IndexByte(s, '.')
	switch {
	case dot < 0:
		s += ".00"
	case len(s)-dot-1 < 2:
		s += "0"
	}
	return "$" + s
}

// modelTable lays the rows out in columns that fit width: the aliases,
// capabilities and notes columns give way first, the id last.
func modelTable(rows []modelRow, width int, regional bool) string {
	priceHead := "$/1M IN/OUT"
	if regional {
		priceHead = "$/1M IN/OUT (1.1x)"
	}
	head := []string{"MODEL", "ALIASES", "CAPABILITIES", "CTX", priceHead, "NOTES"}
	cells := [][]string{head}
	for _, r := range rows {
		e := r.entry
		var aliases []string
		for _, id := range e.IDs[1:] {
			aliases = append(aliases, untrusted.StripLine(id))
		}
		price := "-"
		if r.priced {
			price = formatPrice(r.price.Input) + "/" + formatPrice(r.price.Output)
		}
		var notes []string
		if r.deprecation != "" {
			notes = append(notes, "deprecated "+untrusted.StripLine(r.deprecation))
		}
		if e.FineTuned() {
			notes = append(notes, "fine-tuned")
		}
		if e.Archived {
			notes = append(notes, "archived")
		}
		cells = append(cells, []string{
			untrusted.StripLine(e.ID), strings.Join(aliases, " "), tableBadges(e.Capabilities),
			formatContext(e.MaxContextLength), price, strings.Join(notes, ", "),
		})
	}
	widths := make([]int, len(head))
	spill := 0 // the longest id with no aliases, which may run on into their column
	for _, row := range cells {
		for i, c := range row {
			n := utf8.RuneCountInString(c)
			if i == colModel && row[colAliases] == "" {
				spill = max(spill, n)
				continue
			}
			widths[i] = max(widths[i], n)
		}
	}
	if need := spill - (widths[colModel] + 2 + widths[colAliases]); need > 0 {
		widths[colAliases] += need
	}
	fit(widths, width, squeeze)
	var b strings.Builder
	for _, row := range cells {
		var line strings.Builder
		for i := 0; i < len(row); i++ {
			if i > 0 {
				line.WriteString("  ")
			}
			c, w := row[i], widths[i]
			// A long cell may run on into an empty neighbour, so an id with
			// no aliases is shown whole even when the column is narrow.
			if utf8.RuneCountInString(c) > w && i+1 < len(row) && row[i+1] == "" {
				w += 2 + widths[i+1]
				i++
			}
			c = truncate(c, w)
			line.WriteString(c)
			line.WriteString(strings.Repeat(" ", w-utf8.RuneCountInString(c)))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	if len(rows) == 0 {
		b.WriteString("(the endpoint lists no models)\n")
	}
	return b.String()
}

// squeeze is the order in which columns give way when the table is too
// wide, as {column, narrowest width}: overlong ids (fine-tuned ones) first,
// then long alias lists, then badges; the deprecation note, context and
// price keep their width longest. At 100 columns the common ids and
// aliases (up to 20 characters, mistral-small-latest) stay whole.
var squeeze = [][2]int{
	{colModel, 24}, {colAliases, 22}, {colCaps, 19}, {colModel, 21}, {colAliases, 20},
	{colCaps, 14}, {colModel, 20}, {colCaps, 10}, {colAliases, 16}, {colModel, 16},
	{colNotes, 12}, {colAliases, 8}, {colModel, 12}, {colNotes, 6}, {colCaps, 6},
}

// Table columns.
const (
	colModel = iota
	colAliases
	colCaps
	colContext
	colPrice
	colNotes
)

// tableBadges shortens the badge list for the table; --json keeps the full
// names.
func tableBadges(c api.Capabilities) string {
	b := c.Badges()
	for i, x := range b {
		if x == "reasoning" {
			b[i] = "reason" // as on the studio's model list (DESIGN.md §8)
		}
	}
	return strings.Join(b, " ")
}

// fit narrows columns, step by step, until the row fits width; a step never
// widens a column.
func fit(widths []int, width int, steps [][2]int) {
	total := func() int {
		t := 0
		for _, w := range widths {
			t += w + 2
		}
		return t - 2
	}
	for _, st := range steps {
		over := total() - width
		if over <= 0 {
			return
		}
		col, narrowest := st[0], st[1]
		widths[col] = max(min(narrowest, widths[col]), widths[col]-over)
	}
}

// truncate cuts s to n columns, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
