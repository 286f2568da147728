package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// jvalue is a JSON value that keeps its object keys in order: exports print
// a request the way it was sent, and encoding/json's maps would sort it.
type jvalue struct {
	kind   jkind
	str    string // a string's value, a number's text, a literal's text
	items  []jvalue
	fields []jfield
}

type jfield struct {
	key   string
	value jvalue
}

type jkind int

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// parseJSON reads one JSON value, keeping key order.
func parseJSON(data []byte) (jvalue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jvalue{}, err
	}
	if _, err := dec.Token(); err == nil {
		return jvalue{}, errors.New("more than one JSON value")
	}
	return v, nil
}

// maxDepth bounds nesting, so a hostile file cannot exhaust the stack.
const maxDepth = 512

func decodeValue(dec *json.Decoder, depth int) (jvalue, error) {
	if depth > maxDepth {
		return jvalue{}, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return jvalue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jvalue{kind: jNull, str: "null"}, nil
	case bool:
		return jvalue{kind: jBool, str: strconv.FormatBool(t)}, nil
	case json.Number:
		return jvalue{kind: jNumber, str: t.String()}, nil
	case string:
		return jvalue{kind: jString, str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			v := jvalue{kind: jArray}
			for dec.More() {
				item, err := decodeValue(dec, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.items = append(v.items, item)
			}
			_, err := dec.Token() // ]
			return v, err
		case '{':
			v := jvalue{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jvalue{}, err
				}
				key, _ := kt.(string)
				item, err := decodeValue(dec, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.fields = append(v.fields, jfield{key, item})
			}
			_, err := dec.Token() // }
			return v, err
		}
	}
	return jvalue{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// get returns an object's field.
func (v jvalue) get(key string) (jvalue, bool) {
	for _, f := range v.fields {
		if f.key == key {
			return f.value, true
		}
	}
	return jvalue{}, false
}

// without returns an object without the named field.
func (v jvalue) without(key string) jvalue {
	out := v
	out.fields = nil
	for _, f := range v.fields {
		if f.key != key {
			out.fields = append(out.fields, f)
		}
	}
	return out
}

// literalStyle says how a language writes JSON values.
type literalStyle struct {
	indent            string
	null, true, false string
	quote             func(string) string
	key               func(path []string, key string) string // how a key is written
}

// literal writes v as source code in style, indented from level.
func (v jvalue) literal(st literalStyle) string {
	var b strings.Builder
	v.write(&b, st, 0, nil)
	return b.String()
}

func (v jvalue) write(b *strings.Builder, st literalStyle, level int, path []string) {
	pad := strings.Repeat(st.indent, level+1)
	switch v.kind {
	case jNull:
		b.WriteString(st.null)
	case jBool:
		if v.str == "true" {
			b.WriteString(st.true)
		} else {
			b.WriteString(st.false)
		}
	case jNumber:
		b.WriteString(v.str)
	case jString:
		b.WriteString(st.quote(v.str))
	case jArray:
		if len(v.items) == 0 {
			b.WriteString("[]")
			return
		}
		if short := v.shortList(st); short != "" {
			b.WriteString(short)
			return
		}
		b.WriteString("[\n")
		for _, item := range v.items {
			b.WriteString(pad)
			item.write(b, st, level+1, path)
			b.WriteString(",\n")
		}
		b.WriteString(strings.Repeat(st.indent, level) + "]")
	case jObject:
		if len(v.fields) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for _, f := range v.fields {
			b.WriteString(pad)
			b.WriteString(st.key(path, f.key))
			b.WriteString(": ")
			f.value.write(b, st, level+1, append(path[:len(path):len(path)], f.key))
			b.WriteString(",\n")
		}
		b.WriteString(strings.Repeat(st.indent, level) + "}")
	}
}

// compact writes v as JSON on one line.
func (v jvalue) compact() string {
	var b strings.Builder
	v.writeCompact(&b)
	return b.String()
}

func (v jvalue) writeCompact(b *strings.Builder) {
	switch v.kind {
	case jString:
		b.WriteString(jsString(v.str))
	case jArray:
		b.WriteByte('[')
		for i, item := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			item.writeCompact(b)
		}
		b.WriteByte(']')
	case jObject:
		b.WriteByte('{')
		for i, f := range v.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsString(f.key) + ":")
			f.value.writeCompact(b)
		}
		b.WriteByte('}')
	default:
		b.WriteString(v.str)
	}
}

// shortList writes an array of a few scalars on one line, as people write
// enum and required lists; "" when it would not fit.
func (v jvalue) shortList(st literalStyle) string {
	parts := make([]string, len(v.items))
	n := 0
	for i, item := range v.items {
		if item.kind == jArray || item.kind == jObject {
			return ""
		}
		parts[i] = item.literal(st)
		n += len(parts[i]) + 2
		if n > 60 {
			return ""
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pythonStyle writes Python literals: True, False, None, and double-quoted
// strings whose escapes Python reads the same way Go writes them.
var pythonStyle = literalStyle{
	indent: "    ", null: "None", true: "True", false: "False",
	quote: strconv.Quote,
	key:   func(_ []string, k string) string { return strconv.Quote(k) },
}

// jsStyle writes JavaScript (and TypeScript) literals with the camelCase
// keys of Mistral's TypeScript SDK, except where keys are data rather than
// field names: JSON Schemas, metadata, tool arguments.
var jsStyle = literalStyle{
	indent: "  ", null: "null", true: "true", false: "false",
	quote: jsString,
	key: func(path []string, k string) string {
		switch {
		case insideData(path):
		case k == "schema" && len(path) > 0 && path[len(path)-1] == "json_schema":
			k = "schemaDefinition" // the SDK's one rename beyond camelCase
		default:
			k = camelCase(k)
		}
		if isJSIdent(k) {
			return k
		}
		return jsString(k)
	},
}

// insideData reports whether a key at path belongs to user data, whose
// keys the SDK passes on as they are.
func insideData(path []string) bool {
	for i, p := range path {
		if p == "schema" && i > 0 && path[i-1] == "json_schema" {
			return true
		}
		switch p {
		case "parameters", "arguments", "metadata":
			return true
		}
	}
	return false
}

// camelCase turns snake_case into camelCase: max_tokens -> maxTokens.
func camelCase(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	parts := strings.Split(s, "_")
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

func isJSIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// jsString is a JSON string, which JavaScript reads as the same string.
func jsString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}
