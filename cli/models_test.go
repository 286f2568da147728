package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"mstudio/api"
	"mstudio/config"
)

// modelsBody is a /v1/models answer in the real shape: the alias ids are
// cards of their own as well, a deprecated model, a fine-tuned one, and an
// id carrying terminal escapes.
const modelsBody = `{"object":"list","data":[
 {"id":"mistral-small-2603","object":"model","capabilities":{"completion_chat":true,"function_calling":true,"vision":true,"reasoning":true},"name":"mistral-small-2603","max_context_length":262144,"aliases":["mistral-small-latest"],"deprecation":null,"type":"base"},
 {"id":"mistral-small-latest","object":"model","capabilities":{"completion_chat":true,"function_calling":true,"vision":true,"reasoning":true},"name":"mistral-small-2603","max_context_length":262144,"aliases":["mistral-small-2603"],"deprecation":null,"type":"base"},
 {"id":"magistral-medium-2509","object":"model","capabilities":{"completion_chat":true,"function_calling":true,"reasoning":true},"name":"magistral-medium-2509","max_context_length":131072,"aliases":[],"deprecation":"2026-07-31T12:00:00Z","type":"base"},
 {"id":"ft:open-mistral-7b:abc123:20260101:def456","object":"model","capabilities":{"completion_chat":true},"max_context_length":32768,"type":"fine-tuned","job":"j1","root":"open-mistral-7b","archived":false},
 {"id":"evil\u001b]0;pwned\u0007-model","object":"model","capabilities":{"completion_chat":true},"max_context_length":128000,"type":"base"}
]}`

func TestModelsTableAndJSON(t *testing.T) {
	isolate(t)
	srv := newFakeServer(t, "", 0, "", modelsBody)
	r := runMain(t, "", "models", "--endpoint", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header and 4 rows (aliases folded):\n%s", r.stdout)
	}
	row := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", prefix, r.stdout)
		return ""
	}
	small := row("mistral-small-2603 ")
	for _, want := range []string{"mistral-small-latest", "tools vision", "256k", "$0.15/$0.60"} {
		if !strings.Contains(small, want) {
			t.Errorf("row %q lacks %q", small, want)
		}
	}
	if m := row("magistral-medium-2509"); !strings.Contains(m, "deprecated 2026-07-31") || !strings.Contains(m, "128k") {
		t.Errorf("deprecated row %q", m)
	}
	if ft := row("ft:open-mistral-7b"); !strings.Contains(ft, "fine-tuned") || !strings.Contains(ft, "32k") {
		t.Errorf("fine-tuned row %q", ft)
	}
	if e := row("evil"); !strings.Contains(e, "evil-model") || !strings.Contains(e, "128k") {
		t.Errorf("sanitized row %q", e)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("table carries escapes: %q", r.stdout)
	}
	// Deprecated models come after the others (api.FoldAliases' order).
	if !strings.HasPrefix(lines[len(lines)-1], "magistral-medium-2509") {
		t.Errorf("last row %q", lines[len(lines)-1])
	}

	r = runMain(t, "", "models", "--json", "--endpoint", srv.URL)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []modelRecord
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 4 {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	byID := map[string]modelRecord{}
	for _, m := range recs {
		byID[m.ID] = m
	}
	s := byID["mistral-small-2603"]
	if len(s.Aliases) != 1 || s.Aliases[0] != "mistral-small-latest" || s.PriceInput == nil || *s.PriceInput != 0.15 ||
		*s.PriceOutput != 0.6 || s.MaxContextLength != 262144 || s.Type != "base" || s.Deprecation != nil ||
		strings.Join(s.Capabilities, ",") != "tools,vision,reasoning" {
		t.Errorf("small %+v", s)
	}
	ft := byID["ft:open-mistral-7b:abc123:20260101:def456"]
	if ft.Type != "fine-tuned" || ft.PriceInput != nil || ft.PriceOutput != nil || ft.Aliases == nil || ft.Capabilities == nil {
		t.Errorf("fine-tuned %+v (prices null, lists empty not null)", ft)
	}
	if d := byID["magistral-medium-2509"].Deprecation; d == nil || *d != "2026-07-31" {
		t.Errorf("deprecation %v", d)
	}
	if !strings.Contains(r.stdout, `"price_input": null`) {
		t.Errorf("unknown prices are not null:\n%s", r.stdout)
	}
	if _, ok := byID["evil\x1b]0;pwned\x07-model"]; !ok || strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("--json must keep the id exactly, JSON-escaped:\n%q", r.stdout)
	}
}

func TestModelsRegionalAndConfigPrices(t *testing.T) {
	home := isolate(t)
	srv := newFakeServer(t, "", 0, "", modelsBody)
	writeConfig(t, home, "endpoints:\n  region:\n    url: "+srv.URL+"\n    regional: true\nprices:\n  ft:open-mistral-7b:abc123:20260101:def456:\n    input: 1\n    output: 2\n")
	r := runMain(t, "", "models", "--json", "--endpoint", "region")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []modelRecord
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatal(err)
	}
	for _, m := range recs {
		switch m.ID {
		case "mistral-small-2603":
			if m.PriceInput == nil || *m.PriceInput != 0.165 || *m.PriceOutput != 0.66 {
				t.Errorf("regional price %v/%v, want 1.1x", m.PriceInput, m.PriceOutput)
			}
		case "ft:open-mistral-7b:abc123:20260101:def456":
			if m.PriceInput == nil || *m.PriceInput != 1.1 || *m.PriceOutput != 2.2 {
				t.Errorf("config price %v/%v", m.PriceInput, m.PriceOutput)
			}
		}
	}
	r = runMain(t, "", "models", "--endpoint", "region")
	if !strings.Contains(r.stdout, "$/1M IN/OUT (1.1x)") || !strings.Contains(r.stdout, "$0.165/$0.66") {
		t.Errorf("regional table:\n%s", r.stdout)
	}
}

func TestModelTableFitsWidth(t *testing.T) {
	var cards []string
	rows := modelRowsForTest(t)
	for _, width := range []int{60, 80, 100, 160} {
		out := modelTable(rows, width, false)
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if n := len([]rune(l)); n > width && width >= 80 {
				t.Errorf("width %d: line of %d: %q", width, n, l)
			}
		}
		cards = append(cards, out)
	}
	if !strings.Contains(cards[3], "ft:open-mistral-7b:abc123:20260101:def456") || !strings.Contains(cards[3], "tools vision reason") {
		t.Errorf("a wide table truncated a cell:\n%s", cards[3])
	}
}

func modelRowsForTest(t *testing.T) []modelRow {
	t.Helper()
	isolate(t)
	srv := newFakeServer(t, "", 0, "", modelsBody)
	ch, err := chooseEndpoint(srv.URL, config.Default(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t.Context(), strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	conn, err := a.connect(ch, 0)
	if err != nil {
		t.Fatal(err)
	}
	cards, _, err := conn.client.Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return modelRows(api.FoldAliases(cards), priceTable(config.Default()), false)
}
