package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// hints are what the prompt offers for filling in values: a tool called
// with a "city" parameter gets the city the user named.
type hints struct {
	text   string
	topic  string
	entity string
}

// valueGen makes JSON values that satisfy a JSON Schema.
type valueGen struct {
	rng   *rand.Rand
	root  any
	order map[uintptr][]string // decoded object -> its key order
	hints hints
}

// generateJSON returns a JSON text valid against schema, written the way
// Mistral's models write JSON ({"key": "value"}, Python spacing). The value
// is checked with a real validator and regenerated when a rare construct
// (oneOf overlap, an odd pattern) made it miss.
func generateJSON(schema []byte, h hints, rng *rand.Rand) string {
	root, order, err := decodeOrdered(schema)
	if err != nil {
		root, order = map[string]any{"type": "object"}, map[uintptr][]string{}
	}
	g := &valueGen{rng: rng, root: root, order: order, hints: h}
	var check *jsonschema.Schema
	if doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema)); err == nil {
		c := jsonschema.NewCompiler()
		if c.AddResource("mem:///params.json", doc) == nil {
			check, _ = c.Compile("mem:///params.json")
		}
	}
	var v any
	for attempt := 0; attempt < 8; attempt++ {
		v = g.gen(root, "", 0)
		if check == nil || check.Validate(plain(v)) == nil {
			break
		}
	}
	return pyJSON(v)
}

func (g *valueGen) keysOf(m map[string]any) []string {
	if keys, ok := g.order[reflect.ValueOf(m).Pointer()]; ok && len(keys) == len(m) {
		return keys
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// resolve follows a local $ref ("#/$defs/x", "#/definitions/x", "#").
func (g *valueGen) resolve(ref string) any {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	cur := g.root
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) {
				return nil
			}
			cur = c[n]
		default:
			return nil
		}
	}
	return cur
}

// merge combines schemas for allOf and for $ref siblings: properties and
// required add up, other keywords of later schemas win. allOf members and
// $refs inside the list are expanded first.
func (g *valueGen) merge(list ...any) map[string]any {
	var flat []map[string]any
	var expand func(s any, depth int)
	expand = func(s any, depth int) {
		m, ok := s.(map[string]any)
		if !ok || depth > 8 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			expand(g.resolve(ref), depth+1)
			m = without(m, "$ref")
		}
		if subs, ok := m["allOf"].([]any); ok {
			for _, sub := range subs {
				expand(sub, depth+1)
			}
			m = without(m, "allOf")
		}
		flat = append(flat, m)
	}
	for _, s := range list {
		expand(s, 0)
	}
	out := map[string]any{}
	props := map[string]any{}
	var order []string
	var required []any
	for _, m := range flat {
		for k, v := range m {
			switch k {
			case "properties":
				if pm, ok := v.(map[string]any); ok {
					for _, pk := range g.keysOf(pm) {
						if _, seen := props[pk]; !seen {
							order = append(order, pk)
						}
						props[pk] = pm[pk]
					}
				}
			case "required":
				if r, ok := v.([]any); ok {
					required = append(required, r...)
				}
			default:
				out[k] = v
			}
		}
	}
	if len(props) > 0 {
		out["properties"] = props
		g.order[reflect.ValueOf(props).Pointer()] = order
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// gen makes one value for a schema; name is the property it fills, which
// picks plausible values (a city for "city", a date for "start_date").
func (g *valueGen) gen(s any, name string, depth int) any {
	m, ok := s.(map[string]any)
	if !ok {
		if b, isBool := s.(bool); isBool && !b {
			return nil
		}
		return g.str(map[string]any{}, name)
	}
	if depth > 24 {
		return nil
	}
	if _, ok := m["$ref"].(string); ok {
		return g.gen(g.merge(m), name, depth+1)
	}
	if c, ok := m["const"]; ok {
		return c
	}
	if e, ok := m["enum"].([]any); ok && len(e) > 0 {
		return g.enum(e, name)
	}
	if _, ok := m["allOf"].([]any); ok {
		return g.gen(g.merge(without(m, "allOf"), map[string]any{"allOf": m["allOf"]}), name, depth+1)
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if list, ok := m[k].([]any); ok && len(list) > 0 {
			// Any branch but a null one will do; picking at random lets a
			// retry escape a branch that overlaps another in a oneOf.
			var choices []any
			for _, b := range list {
				if bm, ok := b.(map[string]any); !ok || bm["type"] != "null" {
					choices = append(choices, b)
				}
			}
			branch := list[0]
			if len(choices) > 0 {
				branch = choices[g.rng.IntN(len(choices))]
			}
			rest := without(m, k)
			return g.gen(g.merge(rest, branch), name, depth+1)
		}
	}
	switch schemaType(m) {
	case "object":
		return g.object(m, depth)
	case "array":
		return g.array(m, name, depth)
	case "integer":
		return g.integer(m, name)
	case "number":
		return g.number(m, name)
	case "boolean":
		return g.boolean(name)
	case "null":
		return nil
	}
	return g.str(m, name)
}

// schemaType reads "type" (a string or a list, null last in preference) or
// guesses it from the other keywords.
func schemaType(m map[string]any) string {
	switch t := m["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s != "null" && s != "" {
				return s
			}
		}
		return "null"
	}
	switch {
	case m["properties"] != nil || m["additionalProperties"] != nil || m["required"] != nil:
		return "object"
	case m["items"] != nil || m["prefixItems"] != nil || m["minItems"] != nil:
		return "array"
	case m["minimum"] != nil || m["maximum"] != nil || m["exclusiveMinimum"] != nil || m["multipleOf"] != nil:
		return "number"
	}
	return "string"
}

func (g *valueGen) object(m map[string]any, depth int) any {
	out := &object{vals: map[string]any{}}
	props, _ := m["properties"].(map[string]any)
	required := map[string]bool{}
	if r, ok := m["required"].([]any); ok {
		for _, x := range r {
			if s, ok := x.(string); ok {
				required[s] = true
			}
		}
	}
	minProps := 0
	if n, ok := num(m["minProperties"]); ok {
		minProps = int(n)
	}
	var optional []string
	for _, k := range g.keysOf(props) {
		// Optional properties show up about half the time near the top
		// and rarely deep down, as a model fills in what it knows.
		if required[k] || (depth < 4 && g.rng.IntN(10) < 6-depth) {
			out.keys = append(out.keys, k)
			out.vals[k] = g.gen(props[k], k, depth+1)
		} else {
			optional = append(optional, k)
		}
	}
	for _, k := range optional {
		if len(out.keys) >= minProps {
			break
		}
		out.keys = append(out.keys, k)
		out.vals[k] = g.gen(props[k], k, depth+1)
	}
	// Required names the schema lists without defining them.
	reqList, _ := m["required"].([]any)
	for _, r := range reqList {
		k, _ := r.(string)
		if _, ok := out.vals[k]; !ok && k != "" {
			out.keys = append(out.keys, k)
			out.vals[k] = g.gen(m["additionalProperties"], k, depth+1)
		}
	}
	if ap, ok := m["additionalProperties"].(map[string]any); ok && len(props) == 0 && len(out.keys) < max(minProps, 1) {
		for i := 0; len(out.keys) < max(minProps, 1+g.rng.IntN(2)); i++ {
			k := strings.ReplaceAll(g.words(1+i%2), " ", "_")
			if _, dup := out.vals[k]; dup {
				k = fmt.Sprintf("%s_%d", k, i)
			}
			out.keys = append(out.keys, k)
			out.vals[k] = g.gen(ap, k, depth+1)
		}
	}
	return out
}

func (g *valueGen) array(m map[string]any, name string, depth int) any {
	lo, hi := 1, 3
	if n, ok := num(m["minItems"]); ok {
		lo = int(n)
		hi = max(hi, lo)
	}
	if n, ok := num(m["maxItems"]); ok {
		hi = min(hi, int(n))
		lo = min(lo, hi)
	}
	if depth > 8 {
		hi = lo
	}
	n := lo + g.rng.IntN(hi-lo+1)
	var prefix []any
	if p, ok := m["prefixItems"].([]any); ok {
		prefix = p
	} else if p, ok := m["items"].([]any); ok { // draft-07 tuple form
		prefix = p
	}
	n = max(n, min(len(prefix), hi))
	item := m["items"]
	if _, isList := item.([]any); isList {
		item = m["additionalItems"]
	}
	if item == false {
		n = min(n, len(prefix))
	}
	singular := strings.TrimSuffix(name, "s")
	unique := m["uniqueItems"] == true
	seen := map[string]bool{}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		sch := item
		if i < len(prefix) {
			sch = prefix[i]
		}
		var v any
		for try := 0; try < 12; try++ {
			v = g.gen(sch, singular, depth+1)
			if !unique || !seen[pyJSON(v)] {
				break
			}
		}
		if str, ok := v.(string); ok && unique && seen[pyJSON(v)] {
			v = fmt.Sprintf("%s %d", str, i+1) // names run out before lists do
		}
		if unique && seen[pyJSON(v)] {
			break // the item schema has no more distinct values
		}
		seen[pyJSON(v)] = true
		out = append(out, v)
	}
	return out
}

func (g *valueGen) enum(list []any, name string) any {
	// Prefer a value the prompt mentions ("in Fahrenheit").
	lower := strings.ToLower(g.hints.text)
	for _, v := range list {
		if s, ok := v.(string); ok && len(s) > 1 && strings.Contains(lower, strings.ToLower(s)) {
			return v
		}
	}
	return list[g.rng.IntN(len(list))]
}

func (g *valueGen) boolean(name string) bool {
	n := strings.ToLower(name)
	for _, p := range []string{"include", "with_", "enable", "is_", "has_", "verbose", "detailed"} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return g.rng.IntN(2) == 0
}

// num reads a JSON number from a decoded schema.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// nameRange is a plausible range for a numeric parameter by its name.
func nameRange(name string) (float64, float64) {
	n := strings.ToLower(name)
	has := func(keys ...string) bool {
		for _, k := range keys {
			if strings.Contains(n, k) {
				return true
			}
		}
		return false
	}
	switch {
	case has("lat"):
		return 43, 49
	case has("lon", "lng"):
		return -1, 7
	case has("page_size", "limit", "count", "max_results", "top_k", "num", "size", "results"):
		return 1, 10
	case has("page", "offset"):
		return 1, 3
	case has("age"):
		return 18, 80
	case has("year"):
		return 2000, 2026
	case has("month"):
		return 1, 12
	case has("day"):
		return 1, 28
	case has("hour"):
		return 0, 23
	case has("minute", "second"):
		return 0, 59
	case has("price", "amount", "cost", "total", "budget", "salary"):
		return 5, 500
	case has("temp"):
		return -5, 35
	case has("rating", "score", "stars"):
		return 1, 5
	case has("percent", "pct"):
		return 0, 100
	case has("prob", "ratio", "weight", "confidence"):
		return 0, 1
	case has("nights", "days", "duration", "hours", "weeks"):
		return 1, 14
	case has("quantity", "qty", "guests", "people", "adults", "passengers", "seats", "items"):
		return 1, 6
	}
	return 1, 100
}

// bounds intersects the name's range with the schema's, honouring both the
// 2020-12 (numeric) and draft-04 (boolean) exclusive forms.
func bounds(m map[string]any, name string) (lo, hi float64, exLo, exHi bool) {
	lo, hi = nameRange(name)
	sLo, sHi := math.Inf(-1), math.Inf(1)
	if v, ok := num(m["minimum"]); ok {
		sLo = v
		exLo = m["exclusiveMinimum"] == true
	}
	if v, ok := num(m["exclusiveMinimum"]); ok && v >= sLo {
		sLo, exLo = v, true
	}
	if v, ok := num(m["maximum"]); ok {
		sHi = v
		exHi = m["exclusiveMaximum"] == true
	}
	if v, ok := num(m["exclusiveMaximum"]); ok && v <= sHi {
		sHi, exHi = v, true
	}
	lo, hi = math.Max(lo, sLo), math.Min(hi, sHi)
	if lo > hi { // the name's guess and the schema disagree: the schema wins
		lo, hi = sLo, sHi
		if math.IsInf(lo, -1) {
			lo = hi - 100
		}
		if math.IsInf(hi, 1) {
			hi = lo + 100
		}
	}
	return lo, hi, exLo && lo == sLo, exHi && hi == sHi
}

func (g *valueGen) integer(m map[string]any, name string) any {
	lo, hi, exLo, exHi := bounds(m, name)
	a, b := int64(math.Ceil(lo)), int64(math.Floor(hi))
	if exLo && float64(a) == lo {
		a++
	}
	if exHi && float64(b) == hi {
		b--
	}
	if b < a {
		b = a
	}
	v := a + g.rng.Int64N(b-a+1)
	if mult, ok := num(m["multipleOf"]); ok && mult >= 1 {
		k := int64(mult)
		v = (v / k) * k
		if v < a {
			v += k
		}
	}
	return v
}

func (g *valueGen) number(m map[string]any, name string) any {
	lo, hi, exLo, exHi := bounds(m, name)
	if mult, ok := num(m["multipleOf"]); ok && mult > 0 {
		a, b := math.Ceil(lo/mult), math.Floor(hi/mult)
		if exLo && a*mult == lo {
			a++
		}
		if exHi && b*mult == hi {
			b--
		}
		k := a
		if b > a {
			k = a + float64(g.rng.Int64N(int64(b-a)+1))
		}
		return roundTo(k*mult, 6)
	}
	v := roundTo(lo+g.rng.Float64()*(hi-lo), 2)
	if (exLo && v <= lo) || v < lo {
		v = lo + (hi-lo)/2
	}
	if (exHi && v >= hi) || v > hi {
		v = lo + (hi-lo)/2
	}
	return v
}

func roundTo(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

var cities = []string{"Paris", "Lyon", "Tokyo", "Lisbon", "Montreal", "Berlin", "Nairobi", "Sydney"}

// words returns n plausible words from the prompt's topic.
func (g *valueGen) words(n int) string {
	ws := strings.Fields(strings.ToLower(g.hints.topic))
	if len(ws) == 0 {
		ws = []string{"general", "overview", "notes"}
	}
	return strings.Join(ws[:min(n, len(ws))], " ")
}

// str makes a string for a schema and property name: by format first, then
// by what the name suggests, then fitted to the length and pattern limits.
func (g *valueGen) str(m map[string]any, name string) string {
	n := strings.ToLower(name)
	has := func(keys ...string) bool {
		for _, k := range keys {
			if strings.Contains(n, k) {
				return true
			}
		}
		return false
	}
	city := g.hints.entity
	if city == "" {
		city = pick(g.rng, cities)
	}
	var v string
	format, _ := m["format"].(string)
	switch format {
	case "date":
		v = fmt.Sprintf("2026-%02d-%02d", 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	case "date-time":
		v = fmt.Sprintf("2026-%02d-%02dT%02d:%02d:00Z", 1+g.rng.IntN(12), 1+g.rng.IntN(28), 8+g.rng.IntN(10), 15*g.rng.IntN(4))
	case "time":
		v = fmt.Sprintf("%02d:%02d:00", 8+g.rng.IntN(10), 15*g.rng.IntN(4))
	case "email", "idn-email":
		v = "ada.lovelace@example.com"
	case "uri", "url", "iri", "uri-reference":
		v = "https://example.com/" + ident(g.words(2), false)
	case "uuid":
		v = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), g.rng.IntN(1<<12), g.rng.Int64N(1<<48))
	case "hostname", "idn-hostname":
		v = "api.example.com"
	case "ipv4":
		v = fmt.Sprintf("192.168.%d.%d", g.rng.IntN(255), 1+g.rng.IntN(254))
	case "ipv6":
		v = "2001:db8::1"
	case "duration":
		v = "PT1H30M"
	}
	if v == "" {
		switch {
		case has("email"):
			v = "ada.lovelace@example.com"
		case has("url", "link", "website", "homepage", "uri"):
			v = "https://example.com/" + ident(g.words(2), false)
		case has("city", "town", "location", "place", "destination", "origin", "where"):
			v = city
		case has("country"):
			v = "France"
		case has("address"):
			v = "10 Rue de la République, " + city
		case has("timezone", "tz"):
			v = "Europe/Paris"
		case has("date", "day", "when", "since", "until"):
			v = fmt.Sprintf("2026-%02d-%02d", 1+g.rng.IntN(12), 1+g.rng.IntN(28))
		case has("time"):
			v = fmt.Sprintf("%02d:%02d", 8+g.rng.IntN(10), 15*g.rng.IntN(4))
		case has("lang", "locale"):
			v = "en"
		case has("currency"):
			v = "EUR"
		case has("unit"):
			v = "metric"
		case has("phone"):
			v = "+33 4 72 00 00 00"
		case has("symbol", "ticker"):
			v = "MSFT"
		case has("color", "colour"):
			v = pick(g.rng, []string{"blue", "green", "orange"})
		case has("sql"):
			v = "SELECT name, score FROM results ORDER BY score DESC LIMIT 10"
		case has("expression", "formula", "equation"):
			v = "(12 + 30) * 2"
		case has("path", "file"):
			v = "src/" + ident(g.words(1), false) + ".go"
		case has("code", "snippet", "source"):
			v = "print('hello')"
		case has("username", "user", "handle", "login"):
			v = "ada"
		case has("name", "author", "person", "owner"):
			v = pick(g.rng, []string{"Ada Lovelace", "Grace Hopper", "Alan Turing"})
		case has("id", "key", "ref"):
			v = fmt.Sprintf("%s-%04d", strings.ToLower(ident(g.words(1), false)), g.rng.IntN(10000))
		case has("query", "search", "question", "prompt", "text", "input", "message", "keyword", "q"):
			v = g.hints.text
			if r := []rune(v); len(r) > 120 {
				v = string(r[:120])
			}
			if v == "" {
				v = g.words(3)
			}
		case has("title", "subject", "heading"):
			v = title(g.words(3))
		case has("description", "summary", "content", "body", "note", "comment", "reason", "detail"):
			v = capFirst(g.words(3)) + ": " + pick(g.rng, bulletNotes)
		case has("category", "type", "kind", "status", "tag", "label", "mode"):
			v = pick(g.rng, []string{"general", "standard", "default"})
		case has("topic", "word"):
			v = g.words(2)
		default:
			v = g.words(2)
		}
	}
	return fitString(v, m)
}

// fitString makes a string meet minLength, maxLength and pattern, trying
// common shapes when the natural value does not match the pattern.
func fitString(v string, m map[string]any) string {
	fit := func(s string) string {
		r := []rune(s)
		if n, ok := num(m["maxLength"]); ok && len(r) > int(n) {
			r = r[:int(n)]
		}
		if n, ok := num(m["minLength"]); ok {
			for len(r) < int(n) {
				r = append(r, 'x')
			}
		}
		return string(r)
	}
	pat, _ := m["pattern"].(string)
	re, err := regexp.Compile(pat)
	if pat == "" || err != nil {
		return fit(v)
	}
	for _, c := range append([]string{v}, "ABC", "abc", "12345", "2026-11-26", "A1B2C3", "abc-123", "ABC123", "abc_def",
		"FR", "EUR", "a", "A", "1", "ada.lovelace@example.com", "https://example.com", "+33472000000", "192.168.0.1",
		"4f5d9a6e-2b1c-4d8e-9f3a-6c7b8e9d0a1b", "10:30", "#336699", "v1.2.3", "ABCDEFGHI", "abcdefghi", "123456789") {
		if f := fit(c); re.MatchString(f) {
			return f
		}
	}
	return fit(v)
}
