package main

import (
	"bytes"
	"os"
	"testing"
)

// TestCommittedTableIsGenerated guards against hand edits to models.json that
// the next regeneration would silently undo. testdata/mistral-models.json is
// a copy of shared/mistral-models.json (mistralai/platform-docs-public@222f4ba).
func TestCommittedTableIsGenerated(t *testing.T) {
	src, err := os.ReadFile("testdata/mistral-models.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../models.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("prices/models.json differs from what the generator makes of testdata/mistral-models.json; " +
			"run: go run ./prices/internal/gen -in prices/internal/gen/testdata/mistral-models.json -out prices/models.json")
	}
}

func TestParseContext(t *testing.T) {
	for in, want := range map[string]int{"256k": 262144, "128k": 131072, "8k": 8192, "1M": 1048576, "": 0, "4096": 4096} {
		got, err := parseContext(&in)
		if err != nil || got != want {
			t.Errorf("parseContext(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := "lots"
	if _, err := parseContext(&bad); err == nil {
		t.Error("parseContext(\"lots\") gave no error")
	}
}

func TestNormDate(t *testing.T) {
	for in, want := range map[string]string{"2026-07-31": "2026-07-31", "April 30, 2026": "2026-04-30", "": ""} {
		got, err := normDate(&in)
		if err != nil || got != want {
			t.Errorf("normDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestDuplicateIDsGoToTheBetterEntry(t *testing.T) {
	got := resolveDuplicateIDs([]model{
		{IDs: []string{"voxtral-mini-2507", "voxtral-mini-latest"}, Status: "deprecated", TokenPriced: true},
		{IDs: []string{"voxtral-mini-2507"}, Status: "deprecated"},
		{IDs: []string{"voxtral-mini-2602", "voxtral-mini-latest"}, Status: "GA"},
	})
	if len(got) != 2 {
		t.Fatalf("got %d models, want 2: %+v", len(got), got)
	}
	if ids := got[0].IDs; len(ids) != 1 || ids[0] != "voxtral-mini-2507" {
		t.Errorf("deprecated chat entry keeps %v, want [voxtral-mini-2507]", ids)
	}
	if ids := got[1].IDs; len(ids) != 2 || ids[1] != "voxtral-mini-latest" {
		t.Errorf("GA entry keeps %v, want voxtral-mini-latest too", ids)
	}
}
