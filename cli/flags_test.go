package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRunArgsOrderIndependent(t *testing.T) {
	want, err := parseRunArgs([]string{"--json", "-m", "a", "--var", "city=Lyon", "hello.prompt"})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"hello.prompt", "--json", "-m", "a", "--var", "city=Lyon"},
		{"-m", "a", "hello.prompt", "--var", "city=Lyon", "--json"},
		{"--model=a", "--var=city=Lyon", "hello.prompt", "-json"},
	} {
		got, err := parseRunArgs(args)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", args, got, want)
		}
	}
	if want.file != "hello.prompt" || !want.jsonOutput || len(want.models) != 1 || want.vars[0] != (kv{"city", "Lyon"}) {
		t.Errorf("parsed %+v", want)
	}
}

func TestParseRunArgsRepeatable(t *testing.T) {
	o, err := parseRunArgs([]string{
		"-p", "Hi {{a}}", "-m", "x", "--model", "y,z", "-m", "x",
		"--var", "a=1", "--var", "b=two=2", "--var", "a=3",
		"--set", "temperature=0.2", "--set", "max_tokens=10",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := o.models, []string{"x", "y", "z", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("models = %q, want %q", got, want)
	}
	if got, want := o.vars, []kv{{"a", "1"}, {"b", "two=2"}, {"a", "3"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("vars = %q, want %q", got, want)
	}
	if got, want := o.sets, []kv{{"temperature", "0.2"}, {"max_tokens", "10"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sets = %q, want %q", got, want)
	}
	if !o.inlineSet || o.inline != "Hi {{a}}" || o.file != "" {
		t.Errorf("inline = %q (%v), file %q", o.inline, o.inlineSet, o.file)
	}
	vars, err := readVars(o.vars)
	if err != nil || vars["a"] != "3" || vars["b"] != "two=2" {
		t.Errorf("readVars = %v, %v (last --var wins)", vars, err)
	}
}

func TestParseRunArgsDefaultsAndCommon(t *testing.T) {
	o, err := parseRunArgs([]string{"x.prompt", "--endpoint", "eu", "--dir", "p2", "--config", "c.yaml", "--parallel", "2", "--retries", "0"})
	if err != nil {
		t.Fatal(err)
	}
	if o.endpoint != "eu" || o.dir != "p2" || o.configPath != "c.yaml" || o.parallel != 2 || o.retries != 0 {
		t.Errorf("parsed %+v", o)
	}
	o, err = parseRunArgs([]string{"x.prompt"})
	if err != nil {
		t.Fatal(err)
	}
	if o.dir != "prompts" || o.retries != defaultRetries || o.parallel != 0 || o.jsonOutput {
		t.Errorf("defaults %+v", o)
	}
}

func TestParseDoubleDash(t *testing.T) {
	o, err := parseRunArgs([]string{"--json", "--", "-weird.prompt"})
	if err != nil || o.file != "-weird.prompt" {
		t.Errorf("after --: %+v, %v", o, err)
	}
	// "--" as the value of -p is a prompt, not the end of the flags.
	o, err = parseRunArgs([]string{"-p", "--", "--json"})
	if err != nil || o.inline != "--" || !o.jsonOutput {
		t.Errorf("-p --: %+v, %v", o, err)
	}
	// A lone "-" is a file argument (stdin).
	o, err = parseRunArgs([]string{"-", "--json"})
	if err != nil || o.file != "-" || !o.jsonOutput {
		t.Errorf("-: %+v, %v", o, err)
	}
}

func TestParseRunArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the message
	}{
		{nil, "nothing to run"},
		{[]string{"a.prompt", "b.prompt"}, "one prompt file at a time"},
		{[]string{"a.prompt", "-p", "x"}, "not both"},
		{[]string{"-p", "x", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"-p", "x", "--var", "novalue"}, `--var "novalue": want key=value`},
		{[]string{"-p", "x", "--var", "=v"}, "want key=value"},
		{[]string{"-p", "x", "--set", "temperature"}, "want key=value"},
		{[]string{"-p", "x", "--set", "temprature=1"}, "unknown parameter; valid: temperature, top_p, max_tokens"},
		{[]string{"-p", "x", "--set", "temperature=2"}, "out of range (0 … 1.5)"},
		{[]string{"-p", "x", "--set", "temperature=hot"}, `"hot" is not a number (valid: 0 … 1.5)`},
		{[]string{"-p", "x", "--set", "reasoning_effort=max"}, "is not one of none, minimal, low, medium, high, xhigh"},
		{[]string{"-p", "x", "--set", "max_tokens=-1"}, "out of range"},
		{[]string{"-p", "x", "--parallel", "-1"}, "--parallel -1"},
		{[]string{"-p", "x", "--parallel", "two"}, "invalid value"},
		{[]string{"-p", "x", "--retries", "-2"}, "--retries -2"},
		{[]string{"-p", "x", "-m", ","}, "empty model id"},
		{[]string{"-p"}, "flag needs an argument"},
	}
	for _, tt := range tests {
		_, err := parseRunArgs(tt.args)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: err = %v, want a usage error", tt.args, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %q does not say %q", tt.args, err, tt.want)
		}
	}
}

func TestParseHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"a.prompt", "--help"}} {
		if _, err := parseRunArgs(args); !errors.Is(err, errHelp) {
			t.Errorf("%q: %v, want errHelp", args, err)
		}
	}
	if _, err := parseSimArgs([]string{"-help"}); !errors.Is(err, errHelp) {
		t.Errorf("sim -help: %v", err)
	}
}

func TestParseSimArgs(t *testing.T) {
	o, err := parseSimArgs(nil)
	if err != nil || o.addr != "127.0.0.1:8089" || len(o.faults) != 0 {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	o, err = parseSimArgs([]string{"--addr", ":0", "--rate", "50", "--fault", "status=429,retry-after=2", "--seed", "7", "--fault", "cut=5", "--key", "k"})
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != ":0" || o.rate != 50 || o.seed != 7 || o.key != "k" || len(o.faults) != 2 {
		t.Errorf("parsed %+v", o)
	}
	if o.faults[0].Status != 429 || !o.faults[1].Cut || o.faults[1].CutAfter != 5 {
		t.Errorf("faults %+v", o.faults)
	}
	for _, args := range [][]string{
		{"--fault", "status=200"}, {"--fault", "bogus=1"}, {"--addr", "nocolon"}, {"--rate", "-1"}, {"extra"},
	} {
		var ue *usageError
		if _, err := parseSimArgs(args); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestFormatContext(t *testing.T) {
	for n, want := range map[int]string{
		0: "-", 262144: "256k", 131072: "128k", 524288: "512k", 1048576: "1M", 32768: "32k",
		8192: "8k", 128000: "128k", 1000000: "1M", 4096: "4k", 500: "500", 2000000: "2M",
	} {
		if got := formatContext(n); got != want {
			t.Errorf("formatContext(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatPrice(t *testing.T) {
	for p, want := range map[float64]string{
		0.15: "$0.15", 0.6: "$0.60", 1.5: "$1.50", 2: "$2.00", 0.004: "$0.004", 0.165: "$0.165", 0: "$0.00",
		0.1 * 1.1: "$0.11",
	} {
		if got := formatPrice(p); got != want {
			t.Errorf("formatPrice(%v) = %q, want %q", p, got, want)
		}
	}
}

func TestEscapeC1(t *testing.T) {
	in := []byte("{\"a\": \"x\u009b31my\u0085 é\"}")
	got := string(escapeC1(in))
	if got != `{"a": "x\u009b31my\u0085 é"}` {
		t.Errorf("escapeC1 = %q", got)
	}
}

func TestFit(t *testing.T) {
	w := []int{49, 39, 19, 4, 11, 21}
	fit(w, 100, squeeze)
	total := 0
	for _, x := range w {
		total += x + 2
	}
	if total-2 > 100 || w[colNotes] != 21 || w[colContext] != 4 || w[colPrice] != 11 || w[colAliases] < 20 || w[colModel] < 20 {
		t.Errorf("fit = %v (total %d)", w, total-2)
	}
	// a column narrower than its step's minimum is never widened
	w = []int{5, 3, 3, 7, 11, 5}
	fit(w, 20, squeeze)
	if w[colAliases] != 3 || w[colCaps] != 3 {
		t.Errorf("fit widened a column: %v", w)
	}
}
