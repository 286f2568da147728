package session

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/api/sim"
)

// TestFourRunsAtOnceAgainstASlowSimulator is issue 6's concurrency check:
// four runs against a simulator that holds each first byte for a second
// finish in about a second, not four; and one column's failure (a 500, a
// cut stream) leaves the others running.
func TestFourRunsAtOnceAgainstASlowSimulator(t *testing.T) {
	holdAll, _ := sim.ParseFault("first-byte=1s,times=always")
	srv := httptest.NewServer(sim.New(sim.Options{Faults: []sim.Fault{holdAll}}))
	defer srv.Close()
	client := api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1})
	models := []string{"mistral-small-latest", "mistral-large-latest", "mistral-medium-latest", "ministral-8b-latest"}
	var targets []Target
	for _, m := range models {
		targets = append(targets, Target{Client: client, Model: m})
	}
	var e Engine
	start := time.Now()
	results := e.RunAll(context.Background(), targets, hello, 4, nil)
	elapsed := time.Since(start)
	if elapsed > 1900*time.Millisecond {
		t.Fatalf("four runs held 1s each took %v: not at once", elapsed)
	}
	for i, r := range results {
		if r.Err != nil || r.Content() == "" {
			t.Fatalf("run %d: %v", i, r.Err)
		}
	}
}

func TestOneColumnsFailureLeavesTheOthers(t *testing.T) {
	s := sim.New(sim.Options{})
	fail, _ := sim.ParseFault("status=500,model=mistral-large-latest,times=always")
	cut, _ := sim.ParseFault("cut=3,model=ministral-8b-latest,times=always")
	s.InjectFault(fail)
	s.InjectFault(cut)
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}, MaxRetries: -1})
	var targets []Target
	for _, m := range []string{"mistral-small-latest", "mistral-large-latest", "ministral-8b-latest", "mistral-medium-latest"} {
		targets = append(targets, Target{Client: client, Model: m})
	}
	var e Engine
	results := e.RunAll(context.Background(), targets, hello, 4, nil)
	if results[0].Err != nil || results[3].Err != nil {
		t.Fatalf("healthy columns failed: %v / %v", results[0].Err, results[3].Err)
	}
	if results[1].Err == nil || results[2].Err == nil || results[2].Content() == "" {
		t.Fatalf("the 500 and the cut should fail, the cut keeping its text: %v / %v %q", results[1].Err, results[2].Err, results[2].Content())
	}
}
