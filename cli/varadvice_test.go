package cli

import (
	"testing"

	"mstudio/prompts"
)

func TestMissingVariablesGetCommandLineAdvice(t *testing.T) {
	p, err := prompts.Parse("two", "{{a}} {{b}} {{c}}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = buildWith(p, map[string]any{"c": "x"}, nil, func(err error) error { return err })
	if err == nil || err.Error() != "two: missing variables a, b; set them with --var a=... --var b=..." {
		t.Fatalf("err = %v", err)
	}
	p, _ = prompts.Parse("one", "{{city}}")
	if _, err = buildWith(p, nil, nil, func(err error) error { return err }); err == nil || err.Error() != "one: missing variable city; set it with --var city=..." {
		t.Fatalf("err = %v", err)
	}
}
