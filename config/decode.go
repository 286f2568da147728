package config

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The file is decoded by walking goccy/go-yaml's syntax tree rather than by
// yaml.Unmarshal into a struct: the walk knows the key path and line of
// every value, so each message names the key the user wrote (not a Go type)
// and all problems are reported at once instead of the first.

// topKeys are the keys of the file's top level, in the documented order.
var topKeys = []string{"endpoint", "model", "theme", "endpoints", "prices", "parallel"}

var (
	endpointKeys = []string{"url", "key_env", "dialect", "regional"}
	priceKeys    = []string{"input", "output", "cached_input"}
)

// secretKeys are keys people write when they try to put an API key in the
// file. They get an explanation instead of "unknown key".
var secretKeys = map[string]bool{
	"key": true, "api_key": true, "apikey": true, "api-key": true, "mistral_api_key": true,
	"token": true, "api_token": true, "access_token": true, "secret": true, "password": true,
	"bearer": true, "authorization": true,
}

func parse(path string, data []byte) (*Config, error) {
	p := newProblems(path)
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, msg := 0, err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			// A tab in the message would print as blank space.
			msg = strings.ReplaceAll(ye.GetMessage(), "\t", `\t`)
			if tk := ye.GetToken(); tk != nil {
				line = tk.Position.Line
			}
		}
		p.addf(line, "", "YAML syntax: %s", msg)
		return nil, p.err()
	}
	c := Default()
	c.Path = path
	c.lines = map[string]int{}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			p.addf(lineOf(doc.Body, 0), "", "the file holds more than one YAML document (---); keep one")
			return nil, p.err()
		}
		body = doc.Body
	}
	if body == nil { // empty, or only comments
		return c, nil
	}
	d := &decoder{p: p, c: c}
	d.top(body)
	return c, p.err()
}

type decoder struct {
	p *problems
	c *Config
}

// entry is one key: value pair of a mapping.
type entry struct {
	key   string
	path  string // dotted path of the key from the top of the file
	line  int
	value ast.Node // never nil; a NullNode for "key:" with nothing after it
}

func (d *decoder) top(n ast.Node) {
	top, _ := d.entries(n, "", 1)
	for _, e := range top {
		switch e.key {
		case "endpoint":
			d.nonEmptyString(e, &d.c.Endpoint)
		case "model":
			d.nonEmptyString(e, &d.c.Model)
		case "theme":
			d.nonEmptyString(e, &d.c.Theme)
		case "endpoints":
			d.endpoints(e)
		case "prices":
			d.prices(e)
		case "parallel":
			if v, ok := d.int(e); ok {
				d.c.Parallel = v
			}
		default:
			if secretKeys[strings.ToLower(e.key)] {
				d.p.addf(e.line, e.path, "API keys are never written in the config file: export the key as MISTRAL_API_KEY, "+
					"or in a variable of your choice named by an endpoint's key_env")
				continue
			}
			d.unknown(e, topKeys)
		}
	}
}

func (d *decoder) endpoints(parent entry) {
	list, _ := d.entries(parent.value, parent.path, parent.line)
	for _, e := range list {
		var ep Endpoint
		fields, _ := d.entries(e.value, e.path, e.line)
		for _, f := range fields {
			switch f.key {
			case "url":
				d.string(f, &ep.URL)
			case "key_env":
				d.string(f, &ep.KeyEnv)
			case "dialect":
				d.string(f, &ep.Dialect)
			case "regional":
				if v, ok := d.bool(f); ok {
					ep.Regional = &v
				}
			default:
				if secretKeys[strings.ToLower(f.key)] {
					d.p.addf(f.line, f.path, "API keys are never written in the config file: put the key in an environment "+
						"variable and give its name here, as in key_env: MISTRAL_WORK_KEY")
					continue
				}
				d.unknown(f, endpointKeys)
			}
		}
		if ep.Dialect == "" {
			ep.Dialect = DialectMistral
		}
		d.c.Endpoints[e.key] = ep
	}
}

func (d *decoder) prices(parent entry) {
	list, _ := d.entries(parent.value, parent.path, parent.line)
	for _, e := range list {
		var po PriceOverride
		var priced bool
		fields, isMap := d.entries(e.value, e.path, e.line)
		for _, f := range fields {
			var dst *float64
			switch f.key {
			case "input":
				dst, priced = &po.Input, true
			case "output":
				dst, priced = &po.Output, true
			case "cached_input":
				dst = &po.CachedInput
			default:
				d.unknown(f, priceKeys)
				continue
			}
			if v, ok := d.number(f); ok {
				*dst = v
			}
		}
		if isMap && !priced {
			d.p.addf(e.line, e.path, "give input and output, in USD per 1M tokens")
		}
		d.c.Prices[e.key] = po
	}
}

// entries lists the pairs of a mapping node, recording each key's line. A
// null value ("prices:" with nothing under it) is an empty mapping. ok is
// false when the node is not a mapping (and that has been reported).
func (d *decoder) entries(n ast.Node, path string, line int) (out []entry, ok bool) {
	n = d.unwrap(n, path, line)
	if n == nil {
		return nil, false
	}
	if _, null := n.(*ast.NullNode); null {
		return nil, true
	}
	m, isMap := n.(ast.MapNode)
	if !isMap {
		d.p.addf(lineOf(n, line), path, "expected key: value pairs here, got %s", describe(n))
		return nil, false
	}
	seen := map[string]bool{}
	for it := m.MapRange(); it.Next(); {
		k := it.Key()
		kline := lineOf(k, line)
		if k.IsMergeKey() {
			d.p.addf(kline, path, "merge keys (<<) are not supported in the config file")
			continue
		}
		key, _ := scalarText(d.unwrap(k, path, kline))
		full := key
		if path != "" {
			full = path + "." + key
		}
		if key == "" {
			d.p.addf(kline, path, "empty key")
			continue
		}
		if seen[key] { // the parser catches most duplicates; flow mappings may slip through
			d.p.addf(kline, full, "set twice")
			continue
		}
		seen[key] = true
		d.c.lines[full] = kline
		v := it.Value()
		if v == nil {
			v = ast.Null(nil)
		}
		out = append(out, entry{key: key, path: full, line: kline, value: v})
	}
	return out, true
}

// unwrap looks through anchors (&name) and tags (!!str) to the value.
// Aliases (*name) are refused: they make a file harder to read for no gain at
// this size, and the tree does not resolve them.
func (d *decoder) unwrap(n ast.Node, path string, line int) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			d.p.addf(lineOf(v, line), path, "aliases (*name) are not supported in the config file")
			return nil
		default:
			return n
		}
	}
}

// nonEmptyString reads a top-level setting: leaving the key out, or writing
// nothing after it, keeps the default; an explicit "" is a mistake.
func (d *decoder) nonEmptyString(e entry, dst *string) {
	v := d.unwrap(e.value, e.path, e.line)
	if _, null := v.(*ast.NullNode); null || v == nil {
		return
	}
	var s string
	if !d.string(e, &s) {
		return
	}
	if s == "" {
		d.p.addf(e.line, e.path, "is empty; leave the key out to use the default")
		return
	}
	*dst = s
}

// string reads a text value; "key:" with nothing after it is "". It reports
// false after reporting a value that is not text.
func (d *decoder) string(e entry, dst *string) bool {
	v := d.unwrap(e.value, e.path, e.line)
	if v == nil {
		return false
	}
	if _, null := v.(*ast.NullNode); null {
		*dst = ""
		return true
	}
	s, ok := scalarText(v)
	if !ok {
		d.p.addf(lineOf(v, e.line), e.path, "expected text, got %s", describe(v))
		return false
	}
	*dst = strings.TrimSpace(s)
	return true
}

func (d *decoder) bool(e entry) (bool, bool) {
	v := d.unwrap(e.value, e.path, e.line)
	if b, ok := v.(*ast.BoolNode); ok {
		return b.Value, true
	}
	if v != nil {
		d.p.addf(lineOf(v, e.line), e.path, "expected true or false, got %s", describe(v))
	}
	return false, false
}

func (d *decoder) number(e entry) (float64, bool) {
	v := d.unwrap(e.value, e.path, e.line)
	switch n := v.(type) {
	case *ast.IntegerNode:
		return intValue(n), true
	case *ast.FloatNode:
		return n.Value, true
	case nil:
		return 0, false
	}
	d.p.addf(lineOf(v, e.line), e.path, "expected a number (USD per 1M tokens), got %s", describe(v))
	return 0, false
}

func (d *decoder) int(e entry) (int, bool) {
	v := d.unwrap(e.value, e.path, e.line)
	if n, ok := v.(*ast.IntegerNode); ok {
		f := intValue(n)
		if f > math.MaxInt32 || f < math.MinInt32 {
			d.p.addf(lineOf(v, e.line), e.path, "%s is out of range", n.GetToken().Value)
			return 0, false
		}
		return int(f), true
	}
	if v != nil {
		d.p.addf(lineOf(v, e.line), e.path, "expected a whole number, got %s", describe(v))
	}
	return 0, false
}

func (d *decoder) unknown(e entry, known []string) {
	msg := fmt.Sprintf("unknown key %q", e.key)
	if s := closest(e.key, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	d.p.addf(e.line, e.path, "%s; known keys here: %s", msg, strings.Join(known, ", "))
}

func intValue(n *ast.IntegerNode) float64 {
	switch v := n.Value.(type) {
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	return math.NaN()
}

// scalarText is the text of a scalar as written: "0x10" stays "0x10", which
// is what a user who wrote model: 0x10 meant.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value, true
		}
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// describe names a value the way the message needs it: scalars quoted as
// written, collections by kind.
func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "key: value pairs"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "nothing"
	}
	if s, ok := scalarText(n); ok {
		return fmt.Sprintf("%q", s)
	}
	return n.Type().String()
}

func lineOf(n ast.Node, fallback int) int {
	if n == nil {
		return fallback
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
		return tk.Position.Line
	}
	return fallback
}

// closest suggests a known key for a likely typo (edit distance at most 2).
func closest(s string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if dist := editDistance(strings.ToLower(s), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
