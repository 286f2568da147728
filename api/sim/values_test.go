package sim

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Every generated value must validate, whatever the seed.
func TestGenerateJSONValidates(t *testing.T) {
	schemas := map[string]string{
		"scalars": `{"type":"object","properties":{
			"s":{"type":"string","minLength":5,"maxLength":8},"i":{"type":"integer","exclusiveMinimum":10,"exclusiveMaximum":13},
			"n":{"type":"number","minimum":0.5,"maximum":0.75},"m":{"type":"integer","multipleOf":7,"minimum":1,"maximum":100},
			"f":{"type":"number","multipleOf":0.25,"minimum":-1,"maximum":1},"b":{"type":"boolean"},"z":{"type":"null"},
			"c":{"const":"fixed"},"e":{"enum":[1,"two",null]},"nullable":{"type":["string","null"]}},
			"required":["s","i","n","m","f","b","z","c","e","nullable"],"additionalProperties":false}`,
		"formats": `{"type":"object","properties":{"d":{"type":"string","format":"date"},"dt":{"type":"string","format":"date-time"},
			"email":{"type":"string","format":"email"},"u":{"type":"string","format":"uri"},"id":{"type":"string","format":"uuid"},
			"ip":{"type":"string","format":"ipv4"}},"required":["d","dt","email","u","id","ip"]}`,
		"patterns": `{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{3}$"},"zip":{"type":"string","pattern":"^[0-9]{5}$"},
			"slug":{"type":"string","pattern":"^[a-z]+(-[a-z]+)*$"}},"required":["code","zip","slug"]}`,
		"arrays": `{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"},"minItems":4,"maxItems":6,"uniqueItems":true},
			"pair":{"type":"array","prefixItems":[{"type":"integer"},{"type":"string"}],"items":false},
			"grid":{"type":"array","items":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2},"minItems":1},
			"colors":{"type":"array","items":{"enum":["red","green","blue"]},"uniqueItems":true,"minItems":3}},
			"required":["tags","pair","grid","colors"]}`,
		"composition": `{"type":"object","properties":{
			"any":{"anyOf":[{"type":"null"},{"type":"integer","minimum":3}]},
			"one":{"oneOf":[{"type":"string","maxLength":2},{"type":"integer"}]},
			"all":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b"]}]},
			"ref":{"$ref":"#/$defs/addr"},"refs":{"type":"array","items":{"$ref":"#/$defs/addr"},"minItems":2}},
			"required":["any","one","all","ref","refs"],
			"$defs":{"addr":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"},
			"country":{"type":"string","enum":["FR","DE"]}},"required":["city","zip","country"],"additionalProperties":false}}}`,
		"recursive": `{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},
			"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name"]}}}`,
		"map":     `{"type":"object","additionalProperties":{"type":"integer","minimum":0},"minProperties":2}`,
		"untyped": `{"properties":{"x":{"minimum":1},"y":{"items":{"type":"string"}},"q":{}},"required":["x","y","q"]}`,
		"draft4": `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"v":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1}},
			"required":["v"],"definitions":{"x":{"type":"string"}}}`,
	}
	for name, src := range schemas {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c := jsonschema.NewCompiler()
		_ = c.AddResource("mem:///"+name+".json", doc)
		sch, err := c.Compile("mem:///" + name + ".json")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for seed := 0; seed < 30; seed++ {
			out := generateJSON([]byte(src), hints{text: "weather in Lyon", topic: "weather", entity: "Lyon"}, newRNG(name, seed))
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
			if err != nil {
				t.Fatalf("%s seed %d: %q is not JSON", name, seed, out)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s seed %d: %s\n%v", name, seed, out, err)
				break
			}
		}
	}
}

func TestGenerateJSONReadsTheName(t *testing.T) {
	src := `{"type":"object","properties":{"location":{"type":"string"},"email":{"type":"string"},"start_date":{"type":"string"},
	"query":{"type":"string"}},"required":["location","email","start_date","query"]}`
	out := generateJSON([]byte(src), hints{text: "Find concerts in Lisbon", topic: "concerts", entity: "Lisbon"}, newRNG(1))
	for _, want := range []string{`"location": "Lisbon"`, `@example.com"`, `"start_date": "2026-`, `"query": "Find concerts in Lisbon"`} {
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks %s", out, want)
		}
	}
	// Keys keep the schema's order, as a model writes them.
	if !strings.HasPrefix(out, `{"location": `) {
		t.Errorf("key order: %s", out)
	}
}

func TestPieces(t *testing.T) {
	text := "## Heading\n\nA sentence with extraordinarily long words, and `code`.\n- item"
	ps := pieces(text, newRNG(1))
	if strings.Join(ps, "") != text {
		t.Fatalf("pieces lose text: %q", ps)
	}
	for _, p := range ps {
		if n := len([]rune(p)); n == 0 || n > 6 {
			t.Errorf("piece %q", p)
		}
	}
}
