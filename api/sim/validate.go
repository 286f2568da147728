package sim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaJSON holds ChatCompletionRequest and FIMCompletionRequest with every
// component they reference, lifted out of the official OpenAPI spec by
// internal/gen.
//
//go:embed schema.json
var schemaJSON []byte

const schemaID = "https://mstudio.invalid/sim/mistral-requests.json"

// requestSchemas are the compiled request schemas plus what the error
// mapping needs to read the raw schema back.
type requestSchemas struct {
	chat, fim *jsonschema.Schema
	raw       any               // the schema document, for titles and tags
	tags      map[string]string // pointer of a discriminated branch -> its tag
}

var loadSchemas = sync.OnceValue(func() *requestSchemas {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic(fmt.Sprintf("sim: embedded schema.json: %v", err))
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		panic(fmt.Sprintf("sim: embedded schema.json: %v", err))
	}
	rs := &requestSchemas{raw: doc, tags: map[string]string{}}
	rs.chat = c.MustCompile(schemaID + "#/$defs/ChatCompletionRequest")
	rs.fim = c.MustCompile(schemaID + "#/$defs/FIMCompletionRequest")
	collectTags(doc, "", rs.tags)
	return rs
})

// collectTags records where the generator put "x-tag": the then-branches of
// discriminated unions.
func collectTags(v any, ptr string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if tag, ok := x["x-tag"].(string); ok {
			out[ptr] = tag
		}
		for k, vv := range x {
			collectTags(vv, ptr+"/"+k, out)
		}
	case []any:
		for i, vv := range x {
			collectTags(vv, ptr+"/"+strconv.Itoa(i), out)
		}
	}
}

// fieldError is one entry of a 422 detail list, in pydantic's shape and key
// order.
type fieldError struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

// validateBody decodes and validates a request body against one of the
// request schemas. It returns the decoded document, or the detail list a
// 422 should carry.
func validateBody(body []byte, fim bool) (any, []fieldError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, []fieldError{{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: nil}}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, []fieldError{jsonError(body, err)}
	}
	rs := loadSchemas()
	sch := rs.chat
	if fim {
		sch = rs.fim
	}
	err = sch.Validate(doc)
	if err == nil {
		return doc, nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return nil, []fieldError{{Type: "value_error", Loc: []any{"body"}, Msg: err.Error(), Input: doc}}
	}
	m := mapper{rs: rs, doc: doc}
	m.collect(verr, nil)
	return doc, m.sorted(body)
}

// jsonError is FastAPI's answer to a body that is not JSON.
func jsonError(body []byte, err error) fieldError {
	offset := len(body)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = int(se.Offset)
	}
	line, col := 1, 1
	for _, b := range body[:min(offset, len(body))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "unexpected end of JSON input"
	}
	// Python's json module says where, and so do we; the words are Go's.
	return fieldError{
		Type: "json_invalid", Loc: []any{"body", offset}, Msg: "JSON decode error",
		Input: map[string]any{}, Ctx: map[string]any{"error": fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, offset)},
	}
}

// insertion is a discriminator tag that pydantic puts into the location of
// every error inside a tagged union member: messages.0.user.content.
type insertion struct {
	at  int
	tag string
}

// mapper turns the validator's error tree into pydantic-like errors.
type mapper struct {
	rs  *requestSchemas
	doc any
	out []fieldError
}

func (m *mapper) collect(e *jsonschema.ValidationError, ins []insertion) {
	switch k := e.ErrorKind.(type) {
	case *kind.Reference:
		if tag, ok := m.rs.tags[fragment(e.SchemaURL)]; ok {
			ins = append(append([]insertion(nil), ins...), insertion{len(e.InstanceLocation), tag})
		}
		m.causes(e, ins)
	case *kind.AnyOf, *kind.OneOf:
		m.union(e, ins)
	case *kind.Required:
		parent := m.value(e.InstanceLocation)
		for _, name := range k.Missing {
			if m.discriminator(e.SchemaURL) == name {
				m.add(e.InstanceLocation, ins, "union_tag_not_found", "Unable to extract tag using discriminator '"+name+"'", parent,
					map[string]any{"discriminator": "'" + name + "'"})
				continue
			}
			m.add(append(append([]string(nil), e.InstanceLocation...), name), ins, "missing", "Field required", parent, nil)
		}
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			loc := append(append([]string(nil), e.InstanceLocation...), name)
			m.add(loc, ins, "extra_forbidden", "Extra inputs are not permitted", m.value(loc), nil)
		}
	case *kind.Type:
		m.typeError(e, k, ins)
	case *kind.Enum:
		m.enumError(e, k, ins)
	case *kind.Const:
		exp := pyRepr(k.Want)
		m.add(e.InstanceLocation, ins, "literal_error", "Input should be "+exp, k.Got, map[string]any{"expected": exp})
	case *kind.Minimum:
		m.add(e.InstanceLocation, ins, "greater_than_equal", "Input should be greater than or equal to "+ratText(k.Want), m.value(e.InstanceLocation), map[string]any{"ge": ratNum(k.Want)})
	case *kind.Maximum:
		m.add(e.InstanceLocation, ins, "less_than_equal", "Input should be less than or equal to "+ratText(k.Want), m.value(e.InstanceLocation), map[string]any{"le": ratNum(k.Want)})
	case *kind.ExclusiveMinimum:
		m.add(e.InstanceLocation, ins, "greater_than", "Input should be greater than "+ratText(k.Want), m.value(e.InstanceLocation), map[string]any{"gt": ratNum(k.Want)})
	case *kind.ExclusiveMaximum:
		m.add(e.InstanceLocation, ins, "less_than", "Input should be less than "+ratText(k.Want), m.value(e.InstanceLocation), map[string]any{"lt": ratNum(k.Want)})
	case *kind.MinItems:
		m.add(e.InstanceLocation, ins, "too_short", fmt.Sprintf("List should have at least %d %s after validation, not %d", k.Want, plural(k.Want, "item"), k.Got),
			m.value(e.InstanceLocation), map[string]any{"field_type": "List", "min_length": k.Want, "actual_length": k.Got})
	case *kind.MaxItems:
		m.add(e.InstanceLocation, ins, "too_long", fmt.Sprintf("List should have at most %d %s after validation, not %d", k.Want, plural(k.Want, "item"), k.Got),
			m.value(e.InstanceLocation), map[string]any{"field_type": "List", "max_length": k.Want, "actual_length": k.Got})
	case *kind.MinLength:
		m.add(e.InstanceLocation, ins, "string_too_short", fmt.Sprintf("String should have at least %d %s", k.Want, plural(k.Want, "character")),
			m.value(e.InstanceLocation), map[string]any{"min_length": k.Want})
	case *kind.MaxLength:
		m.add(e.InstanceLocation, ins, "string_too_long", fmt.Sprintf("String should have at most %d %s", k.Want, plural(k.Want, "character")),
			m.value(e.InstanceLocation), map[string]any{"max_length": k.Want})
	case *kind.Pattern:
		m.add(e.InstanceLocation, ins, "string_pattern_mismatch", "String should match pattern '"+k.Want+"'", k.Got, map[string]any{"pattern": k.Want})
	default:
		if len(e.Causes) > 0 {
			m.causes(e, ins)
			return
		}
		m.add(e.InstanceLocation, ins, "value_error", "Value error, "+strings.Join(e.ErrorKind.KeywordPath(), "/")+" failed", m.value(e.InstanceLocation), nil)
	}
}

func (m *mapper) causes(e *jsonschema.ValidationError, ins []insertion) {
	for _, c := range e.Causes {
		m.collect(c, ins)
	}
}

// union reports a failed anyOf/oneOf the way pydantic reports Optional[X]
// and simple unions: the branch whose type fits the input explains the
// failure; when no branch's type fits, the first non-null type is named.
func (m *mapper) union(e *jsonschema.ValidationError, ins []insertion) {
	var fitting []*jsonschema.ValidationError
	var firstTyped *jsonschema.ValidationError
	depth := len(e.InstanceLocation)
	for _, c := range e.Causes {
		if t := typeMismatch(c, depth); t != nil {
			if firstTyped == nil && !(len(t.Want) == 1 && t.Want[0] == "null") {
				firstTyped = c
			}
			continue
		}
		fitting = append(fitting, c)
	}
	if len(fitting) > 0 {
		// Of several branches that fit, the one that failed least is the
		// one the sender meant.
		best := fitting[0]
		for _, c := range fitting[1:] {
			if leaves(c) < leaves(best) {
				best = c
			}
		}
		m.collect(best, ins)
		return
	}
	if firstTyped == nil && len(e.Causes) > 0 {
		firstTyped = e.Causes[0]
	}
	if firstTyped != nil {
		m.collect(firstTyped, ins)
	}
}

// typeMismatch finds the type error that makes a whole branch miss, looking
// through references and single-cause groups.
func typeMismatch(e *jsonschema.ValidationError, depth int) *kind.Type {
	for {
		if t, ok := e.ErrorKind.(*kind.Type); ok && len(e.InstanceLocation) == depth {
			return t
		}
		switch e.ErrorKind.(type) {
		case *kind.Reference, *kind.Group, *kind.AllOf:
			if len(e.Causes) == 1 {
				e = e.Causes[0]
				continue
			}
		}
		return nil
	}
}

func leaves(e *jsonschema.ValidationError) int {
	if len(e.Causes) == 0 {
		return 1
	}
	n := 0
	for _, c := range e.Causes {
		n += leaves(c)
	}
	return n
}

func (m *mapper) typeError(e *jsonschema.ValidationError, k *kind.Type, ins []insertion) {
	want := ""
	for _, w := range k.Want {
		if w != "null" {
			want = w
			break
		}
	}
	in := m.value(e.InstanceLocation)
	_, isString := in.(string)
	typ, msg := "", ""
	switch want {
	case "number":
		typ, msg = "float_type", "Input should be a valid number"
		if isString {
			typ, msg = "float_parsing", "Input should be a valid number, unable to parse string as a number"
		}
	case "integer":
		typ, msg = "int_type", "Input should be a valid integer"
		if isString {
			typ, msg = "int_parsing", "Input should be a valid integer, unable to parse string as an integer"
		} else if _, isNum := in.(json.Number); isNum {
			typ, msg = "int_from_float", "Input should be a valid integer, got a number with a fractional part"
		}
	case "string":
		typ, msg = "string_type", "Input should be a valid string"
	case "boolean":
		typ, msg = "bool_type", "Input should be a valid boolean"
		if isString {
			typ, msg = "bool_parsing", "Input should be a valid boolean, unable to interpret input"
		}
	case "array":
		typ, msg = "list_type", "Input should be a valid list"
	case "object":
		raw := m.schemaAt(e.SchemaURL)
		switch {
		case raw["x-discriminator"] != nil || len(e.InstanceLocation) == 0:
			typ, msg = "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"
		case raw["properties"] != nil:
			title, _ := raw["title"].(string)
			typ, msg = "model_type", "Input should be a valid dictionary or instance of "+title
			m.add(e.InstanceLocation, ins, typ, msg, in, map[string]any{"class_name": title})
			return
		default:
			typ, msg = "dict_type", "Input should be a valid dictionary"
		}
	default:
		typ, msg = "none_required", "Input should be None"
	}
	m.add(e.InstanceLocation, ins, typ, msg, in, nil)
}

func (m *mapper) enumError(e *jsonschema.ValidationError, k *kind.Enum, ins []insertion) {
	var quoted []string
	for _, w := range k.Want {
		quoted = append(quoted, pyRepr(w))
	}
	exp := joinOr(quoted)
	// The discriminator's own enum is the generator's stand-in for
	// pydantic's tag check, which reports at the member, not at the tag.
	parent := e.InstanceLocation[:max(len(e.InstanceLocation)-1, 0)]
	if d := m.discriminator(m.parentSchema(e.SchemaURL)); d != "" && len(e.InstanceLocation) > 0 && e.InstanceLocation[len(e.InstanceLocation)-1] == d {
		m.add(parent, ins, "union_tag_invalid",
			fmt.Sprintf("Input tag %s found using '%s' does not match any of the expected tags: %s", pyRepr(k.Got), d, strings.Join(quoted, ", ")),
			m.value(parent), map[string]any{"discriminator": "'" + d + "'", "tag": fmt.Sprint(k.Got), "expected_tags": strings.Join(quoted, ", ")})
		return
	}
	typ := "literal_error"
	if _, named := m.schemaAt(e.SchemaURL)["title"]; named {
		typ = "enum" // a Python Enum class rather than a Literal
	}
	m.add(e.InstanceLocation, ins, typ, "Input should be "+exp, k.Got, map[string]any{"expected": exp})
}

// add records one error, putting the body prefix, array indexes as numbers
// and discriminator tags into the location.
func (m *mapper) add(path []string, ins []insertion, typ, msg string, input any, ctx map[string]any) {
	loc := []any{"body"}
	var cur any = m.doc
	for i, tok := range path {
		for _, in := range ins {
			if in.at == i {
				loc = append(loc, in.tag)
			}
		}
		switch c := cur.(type) {
		case []any:
			n, _ := strconv.Atoi(tok)
			loc = append(loc, n)
			if n >= 0 && n < len(c) {
				cur = c[n]
			} else {
				cur = nil
			}
		case map[string]any:
			loc = append(loc, tok)
			cur = c[tok]
		default:
			loc = append(loc, tok)
			cur = nil
		}
	}
	for _, in := range ins {
		if in.at == len(path) && typ != "union_tag_invalid" && typ != "union_tag_not_found" {
			loc = append(loc, in.tag)
		}
	}
	m.out = append(m.out, fieldError{Type: typ, Loc: loc, Msg: msg, Input: input, Ctx: ctx})
}

// value reads the instance at a location.
func (m *mapper) value(path []string) any {
	cur := m.doc
	for _, tok := range path {
		switch c := cur.(type) {
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) {
				return nil
			}
			cur = c[n]
		case map[string]any:
			cur = c[tok]
		default:
			return nil
		}
	}
	return cur
}

// schemaAt reads the raw schema at an error's schema URL.
func (m *mapper) schemaAt(schemaURL string) map[string]any {
	var cur any = m.rs.raw
	for _, tok := range strings.Split(strings.TrimPrefix(fragment(schemaURL), "/"), "/") {
		if tok == "" {
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			n, _ := strconv.Atoi(tok)
			if n < 0 || n >= len(c) {
				return nil
			}
			cur = c[n]
		default:
			return nil
		}
	}
	obj, _ := cur.(map[string]any)
	return obj
}

// discriminator returns the tag property of the union at a schema URL.
func (m *mapper) discriminator(schemaURL string) string {
	d, _ := m.schemaAt(schemaURL)["x-discriminator"].(string)
	return d
}

// parentSchema goes from .../properties/role to the schema owning it.
func (m *mapper) parentSchema(schemaURL string) string {
	if i := strings.LastIndex(schemaURL, "/properties/"); i >= 0 {
		return schemaURL[:i]
	}
	return schemaURL
}

// sorted orders errors like pydantic: known fields first, by location, then
// unknown fields in the order the body gave them; duplicates are dropped.
func (m *mapper) sorted(body []byte) []fieldError {
	out := m.out
	pos := func(f fieldError) int {
		if name, ok := f.Loc[len(f.Loc)-1].(string); ok {
			if i := bytes.Index(body, []byte(strconv.Quote(name))); i >= 0 {
				return i
			}
		}
		return len(body)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ei, ej := out[i].Type == "extra_forbidden", out[j].Type == "extra_forbidden"
		if ei != ej {
			return ej
		}
		if ei && len(out[i].Loc) == 2 && len(out[j].Loc) == 2 {
			return pos(out[i]) < pos(out[j])
		}
		return locLess(out[i].Loc, out[j].Loc)
	})
	seen := map[string]bool{}
	uniq := out[:0]
	for _, f := range out {
		key := f.Type + fmt.Sprint(f.Loc)
		if !seen[key] {
			seen[key] = true
			uniq = append(uniq, f)
		}
	}
	return uniq
}

func locLess(a, b []any) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		ai, aNum := a[i].(int)
		bi, bNum := b[i].(int)
		switch {
		case aNum && bNum:
			if ai != bi {
				return ai < bi
			}
		default:
			as, bs := fmt.Sprint(a[i]), fmt.Sprint(b[i])
			if as != bs {
				return as < bs
			}
		}
	}
	return len(a) < len(b)
}

func fragment(schemaURL string) string {
	_, frag, _ := strings.Cut(schemaURL, "#")
	if u, err := url.PathUnescape(frag); err == nil {
		return u
	}
	return frag
}

// pyRepr writes a value as Python's repr would in a pydantic message.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func ratNum(r *big.Rat) any {
	if r.IsInt() && r.Num().IsInt64() {
		return r.Num().Int64()
	}
	f, _ := r.Float64()
	return f
}
