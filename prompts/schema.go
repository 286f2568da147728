package prompts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/google/dotprompt/go/dotprompt"
	"github.com/invopop/jsonschema"
)

// jsonSchemaKeywords are the keys that mark a mapping as JSON Schema rather
// than Picoschema. A mapping is taken as JSON Schema only when it has a type
// or properties and every key is one of these (or an x- extension), so a
// Picoschema with a field that happens to be called "type" stays Picoschema.
var jsonSchemaKeywords = []string{
	"$schema", "$id", "$ref", "$defs", "$comment", "$anchor", "definitions",
	"type", "properties", "required", "items", "prefixItems", "additionalProperties",
	"patternProperties", "propertyNames", "minProperties", "maxProperties",
	"title", "description", "default", "examples", "enum", "const", "format",
	"pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
	"exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems",
	"contains", "minContains", "maxContains", "anyOf", "oneOf", "allOf", "not",
	"if", "then", "else", "dependentRequired", "dependentSchemas", "nullable",
	"deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType",
}

var jsonSchemaTypes = []string{"object", "array", "string", "number", "integer", "boolean", "null"}

// isJSONSchema reports whether an ordered YAML mapping is already JSON Schema.
func isJSONSchema(ms yaml.MapSlice) bool {
	typed := false
	for _, it := range ms {
		k := fmt.Sprint(it.Key)
		if !slices.Contains(jsonSchemaKeywords, k) && !strings.HasPrefix(k, "x-") {
			return false
		}
		switch k {
		case "type":
			switch t := it.Value.(type) {
			case string:
				typed = typed || slices.Contains(jsonSchemaTypes, t)
			case []any:
				typed = true // ["string", "null"]
			}
		case "properties":
			_, typed = it.Value.(yaml.MapSlice)
			typed = typed || it.Value == nil
		}
	}
	return typed
}

// schemaJSON turns a schema written in the front matter (Picoschema or JSON
// Schema) into JSON Schema text with a stable key order.
//
// JSON Schema is passed through as written, as Dotprompt's JavaScript
// implementation does; the Go one round-trips it through a struct that drops
// "type": [..] unions and unknown keywords. Picoschema is expanded by
// Dotprompt's Go Picoschema, whose output depends on Go map order, so the
// properties are put back in the order of the file: models fill JSON fields in
// schema order, and a request must not change from one run to the next.
func schemaJSON(v any) (out json.RawMessage, err error) {
	defer func() {
		// Picoschema panics on some malformed input (an enum that is not a
		// list, for one); a bad schema must be an error, not a crash.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("not a valid schema (%v)", r)
		}
	}()
	if ms, ok := v.(yaml.MapSlice); ok && isJSONSchema(ms) {
		var buf bytes.Buffer
		if err := writeJSON(&buf, v); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	s, err := dotprompt.Picoschema(plainValue(v), &dotprompt.PicoschemaOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "Picoschema: "))
	}
	if s == nil {
		return nil, fmt.Errorf("the schema is empty")
	}
	orderPico(s, v)
	return json.Marshal(nullable(s))
}

// nullable repairs how the Go Picoschema writes an optional field: it keeps
// the field's type next to anyOf [type, null] ({"type": "number", "anyOf":
// [{"type": "number"}, {"type": "null"}]}), which forbids the null it means
// to allow. The repaired field is just the anyOf, as Pydantic writes
// Optional fields and as Mistral's structured output expects.
func nullable(s *jsonschema.Schema) *jsonschema.Schema {
	if s == nil {
		return nil
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			pair.Value = nullable(pair.Value)
		}
	}
	s.Items = nullable(s.Items)
	s.AdditionalProperties = nullable(s.AdditionalProperties)
	for i, a := range s.AnyOf {
		s.AnyOf[i] = nullable(a)
	}
	if len(s.AnyOf) == 2 && s.AnyOf[1] != nil && s.AnyOf[1].Type == "null" &&
		s.AnyOf[0] != nil && s.Type != "" && s.Type == s.AnyOf[0].Type {
		out := &jsonschema.Schema{AnyOf: s.AnyOf}
		if s.AnyOf[0].Description == "" {
			out.Description = s.Description
		}
		return out
	}
	return s
}

// orderPico puts the properties of a schema built from the Picoschema src in
// the order src lists them. Optional and array properties wrap the object
// schema in anyOf or items, so those are followed with the same src.
func orderPico(s *jsonschema.Schema, src any) {
	ms, ok := src.(yaml.MapSlice)
	if s == nil || !ok {
		return
	}
	if s.Properties != nil {
		var names []string
		for _, it := range ms {
			key := fmt.Sprint(it.Key)
			if key == dotprompt.WildcardPropertyName {
				orderPico(s.AdditionalProperties, it.Value)
				continue
			}
			name, _, _ := strings.Cut(key, "(")
			name = strings.TrimSuffix(name, "?")
			if prop, ok := s.Properties.Get(name); ok {
				names = append(names, name)
				orderPico(prop, it.Value)
			}
		}
		var rest []string
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			if !slices.Contains(names, pair.Key) {
				rest = append(rest, pair.Key)
			}
		}
		sort.Strings(rest)
		for _, k := range append(names, rest...) {
			_ = s.Properties.MoveToBack(k)
		}
	}
	orderPico(s.Items, src)
	for _, a := range s.AnyOf {
		orderPico(a, src)
	}
}

// plainValue converts ordered YAML values to the plain maps Dotprompt takes.
func plainValue(v any) any {
	switch v := v.(type) {
	case yaml.MapSlice:
		m := make(map[string]any, len(v))
		for _, it := range v {
			m[fmt.Sprint(it.Key)] = plainValue(it.Value)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plainValue(e)
		}
		return out
	}
	return v
}

// writeJSON encodes an ordered YAML value as JSON, keeping key order.
func writeJSON(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case yaml.MapSlice:
		buf.WriteByte('{')
		for i, it := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(fmt.Sprint(it.Key))
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSON(buf, it.Value); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	b, err := json.Marshal(plainValue(v))
	if err != nil {
		return fmt.Errorf("value %v cannot be sent as JSON", v)
	}
	buf.Write(b)
	return nil
}

// schemaProperties lists the top-level property names of a JSON schema.
func schemaProperties(raw json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
