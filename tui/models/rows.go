package models

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/untrusted"
)

// row is one model as the pane draws and filters it. Everything a frame
// needs is worked out here, once per load or theme change, so that View
// only picks rows and cuts them to width.
type row struct {
	rawID  string   // the id as the server sent it: what SelectedMsg carries
	rawIDs []string // every id naming the model, as sent

	id     string   // rawID made safe to print
	names  []string // rawIDs made safe to print
	segs   []string // styled second-line pieces: badges, context, price...
	meta   string   // segs joined, for rows without the cursor
	detail []string // plain lines shown under the cursor row (after the aliases)

	hay  []string // lower-case texts a filter term may be part of
	ids  []string // lower-case ids, which a term may also match in order
	dim  bool     // deprecated, or an id the list lacks: drawn muted
	norm []string // normalised ids, to find the chosen model
}

// normID is how ids are compared with the chosen one: prompt files may
// write "mistral/mistral-small-latest", and case never matters to a user.
func normID(id string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(id)), "mistral/")
}

// buildListed makes the rows for the loaded entries.
func (m *Model) buildListed() {
	m.listed = make([]row, 0, len(m.entries))
	for _, e := range m.entries {
		m.listed = append(m.listed, m.entryRow(e))
	}
	m.buildRows()
	m.refilter(true)
}

// buildRows puts a row for the chosen id in front of the list when the list
// does not have it, so the model runs use is always on screen.
func (m *Model) buildRows() {
	m.selRow = -1
	want := normID(m.selected)
	if want == "" {
		m.rows = m.listed
		return
	}
	for i, r := range m.listed {
		for _, n := range r.norm {
			if n == want {
				m.selRow = i
				m.rows = m.listed
				return
			}
		}
	}
	id := untrusted.StripLine(m.selected)
	c := row{
		rawID: m.selected, rawIDs: []string{m.selected}, id: id, names: []string{id}, dim: true,
		hay: []string{strings.ToLower(id)}, ids: []string{strings.ToLower(id)}, norm: []string{want},
	}
	if m.loaded {
		// Not an error: self-hosted servers serve ids they do not list.
		c.segs = []string{m.st.Muted.Render("not in the endpoint's list")}
		c.meta = c.segs[0]
	}
	m.rows = append([]row{c}, m.listed...)
	m.selRow = 0
}

func (m *Model) entryRow(e api.ModelEntry) row {
	st := m.st
	ids := e.IDs
	if len(ids) == 0 {
		ids = []string{e.ID}
	}
	r := row{rawID: e.ID, rawIDs: ids, id: untrusted.StripLine(e.ID), dim: e.Deprecated()}
	if e.Type == "agent" && e.Name != "" {
		// an agent is known by its name; its id stays on the detail line
		// and in the filter
		r.id = "agent · " + untrusted.StripLine(e.Name)
		r.detail = append(r.detail, untrusted.StripLine(e.ID))
		r.hay = append(r.hay, strings.ToLower(untrusted.StripLine(e.Name)), "agent")
	}
	for _, x := range ids {
		name := untrusted.StripLine(x)
		r.names = append(r.names, name)
		safe := strings.ToLower(name)
		r.hay = append(r.hay, safe)
		r.ids = append(r.ids, safe)
		r.norm = append(r.norm, normID(x))
	}
	if name := untrusted.StripLine(e.Name); name != "" && !strings.EqualFold(name, e.ID) && e.Type != "agent" {
		r.hay = append(r.hay, strings.ToLower(name))
		r.detail = append(r.detail, name)
	}

	if e.Deprecated() {
		r.segs = append(r.segs, st.Warning.Render(strings.TrimSpace("deprecated "+shortDate(e.Deprecation))))
		r.hay = append(r.hay, "deprecated")
	}
	if e.FineTuned() {
		r.segs = append(r.segs, st.Info.Render("fine-tuned"))
		r.hay = append(r.hay, "fine-tuned")
	}
	for _, b := range e.Capabilities.Badges() {
		short := badgeLabel(b)
		r.segs = append(r.segs, m.chip.Render(short))
		r.hay = append(r.hay, b, strings.ToLower(short))
	}
	price, priced := m.lookupPrice(ids)
	ctx := e.MaxContextLength
	if ctx <= 0 {
		ctx = e.MaxModelLen
	}
	if ctx <= 0 && priced {
		ctx = price.ContextLength
	}
	if c := formatContext(ctx); c != "" {
		r.segs = append(r.segs, st.Muted.Render(c))
		r.hay = append(r.hay, strings.ToLower(c))
	}
	if p := formatPrice(price, priced); p != "" {
		r.segs = append(r.segs, st.Muted.Render(p))
	}
	r.meta = strings.Join(r.segs, " ")

	if rep := untrusted.StripLine(e.DeprecationReplacementModel); rep != "" {
		r.detail = append(r.detail, "replaced by "+rep)
	}
	if root := untrusted.StripLine(e.Root); root != "" && e.FineTuned() {
		r.detail = append(r.detail, "tuned from "+root)
	}
	return r
}

// badgeLabel is the word a badge shows: short forms keep context and price
// on the line of a narrow pane ("tools vision reason 256k $0.15/$0.60"),
// and FIM and OCR are acronyms. The filter matches both spellings.
func badgeLabel(b string) string {
	switch b {
	case "reasoning":
		return "reason"
	case "fim", "ocr":
		return strings.ToUpper(b)
	case "moderation":
		return "moderate"
	}
	return b
}

// lookupPrice finds the model in the price table under any of its ids: the
// server may list a dated id the table files under its alias, or the
// reverse.
func (m *Model) lookupPrice(ids []string) (prices.Model, bool) {
	for _, id := range ids {
		if p, ok := m.prices.Lookup(id); ok {
			return p, true
		}
	}
	return prices.Model{}, false
}

// formatPrice writes the price per 1M tokens as "$in/$out"; models priced
// on input only (embeddings) show "$in in", and models billed per page or
// minute show nothing rather than a wrong number.
func formatPrice(p prices.Model, ok bool) string {
	if !ok || !p.TokenPriced {
		return ""
	}
	if p.Price.Output == 0 && p.Price.Input > 0 {
		return prices.Format(p.Price.Input) + " in"
	}
	return prices.Format(p.Price.Input) + "/" + prices.Format(p.Price.Output)
}

// formatContext writes a context length the way model cards do: 131072 is
// "128k" and 1048576 is "1M" (binary), while a round decimal length such as
// vLLM's 128000 stays "128k".
func formatContext(n int) string {
	switch {
	case n <= 0:
		return ""
	case n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	case n%1024 == 0:
		return strconv.Itoa(n/1024) + "k"
	case n >= 1000:
		return strconv.Itoa((n+500)/1000) + "k"
	}
	return strconv.Itoa(n)
}

// shortDate keeps the date of an RFC 3339 time ("2026-05-22T00:00:00Z"),
// which is all a user needs and saves a dozen cells.
func shortDate(s string) string {
	s = untrusted.StripLine(strings.TrimSpace(s))
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') {
		return s[:10]
	}
	return ansi.Truncate(s, 20, "…")
}

// refilter recomputes the visible rows from the filter. With keep the
// cursor stays on its model when that is still visible; otherwise it goes
// to the best match.
func (m *Model) refilter(keep bool) {
	prev := -1
	if keep && m.cursor >= 0 && m.cursor < len(m.visible) {
		prev = m.visible[m.cursor]
	}
	terms := strings.Fields(strings.ToLower(m.input.value))
	// A fresh slice: Update works on copies of the Model, and an old copy
	// must not see its rows change under it.
	vis := make([]int, 0, len(m.rows))
	var weak []int
	for i := range m.rows {
		switch match(&m.rows[i], terms) {
		case strong:
			vis = append(vis, i)
		case weakMatch:
			weak = append(weak, i)
		}
	}
	// Subsequence matches only when nothing contains the text: otherwise a
	// short filter such as "fim" would also list every id holding f, i and
	// m in order, and a filter that names a capability must list exactly
	// the models having it.
	if len(vis) == 0 {
		vis = weak
	}
	m.visible = vis
	m.cursor = 0
	for p, v := range m.visible {
		if v == prev {
			m.cursor = p
		}
	}
	m.fixOffset()
}

type quality int

const (
	none quality = iota
	weakMatch
	strong
)

// match says how well a row matches every term: strong when each term is
// part of an id, alias, name, capability or context ("vision", "256k"),
// weak when some term only matches an id as a subsequence ("msl" for
// mistral-small-latest), which counts only when no row matches strongly.
func match(r *row, terms []string) quality {
	q := strong
	for _, t := range terms {
		found := false
		for _, h := range r.hay {
			if strings.Contains(h, t) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		for _, id := range r.ids {
			if subsequence(id, t) {
				found = true
				q = weakMatch
				break
			}
		}
		if !found {
			return none
		}
	}
	return q
}

// subsequence reports whether t's characters appear in s in order.
func subsequence(s, t string) bool {
	want := []rune(t)
	i := 0
	for _, c := range s {
		if i < len(want) && want[i] == c {
			i++
		}
	}
	return i == len(want)
}
