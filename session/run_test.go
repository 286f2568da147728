package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mstudio/api"
	"mstudio/prices"
)

// streamServer answers every chat request with a short stream, after
// holding the first byte for delay; a request for model "broken" is cut off.
func streamServer(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.ChatRequest
		json.NewDecoder(r.Body).Decode(&req)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Mistral-Correlation-Id", "corr-"+req.Model)
		if req.Model == "refused" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"detail":"Unauthorized"}`)
			return
		}
		io.WriteString(w, `data: {"id":"a","model":"`+req.Model+`","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`+"\n\n")
		io.WriteString(w, `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hello from `+req.Model+`"}}]}`+"\n\n")
		if req.Model == "broken" {
			return
		}
		io.WriteString(w, `data: {"id":"a","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000000,"completion_tokens":1000000,"total_tokens":2000000}}`+"\n\n")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func target(srv *httptest.Server, model string) Target {
	return Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "test", BaseURL: srv.URL}, MaxRetries: -1}), Model: model}
}

var hello = api.ChatRequest{Model: "x", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text("hi")}}}

func TestRunMeasuresAndPrices(t *testing.T) {
	srv := streamServer(t, 30*time.Millisecond)
	var e Engine
	var seen []string
	res := e.Run(context.Background(), target(srv, "mistral-small-latest"), hello, func(ev api.StreamEvent) { seen = append(seen, ev.Content) })
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Content() != "Hello from mistral-small-latest" || res.FinishReason != "stop" || strings.Join(seen, "") != res.Content() {
		t.Fatalf("result %+v", res)
	}
	if res.TTFT < 30*time.Millisecond || res.Latency < res.TTFT {
		t.Fatalf("ttft %v latency %v", res.TTFT, res.Latency)
	}
	// mistral-small-latest: $0.15 in and $0.60 out per million tokens
	if !res.CostKnown || res.CostUSD < 0.7499 || res.CostUSD > 0.7501 {
		t.Fatalf("cost %v %v", res.CostUSD, res.CostKnown)
	}
	if res.Meta.CorrelationID != "corr-mistral-small-latest" {
		t.Fatalf("meta %+v", res.Meta)
	}
	rec := res.Record()
	b, _ := json.Marshal(rec)
	for _, want := range []string{`"model":"mistral-small-latest"`, `"endpoint":"test"`, `"reasoning":""`, `"tool_calls":[]`, `"cost_usd":0.75`, `"error":null`, `"usage":{"prompt_tokens":1000000,"completion_tokens":1000000,"total_tokens":2000000}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("record %s lacks %s", b, want)
		}
	}
}

func TestRegionalAndOverriddenPrices(t *testing.T) {
	srv := streamServer(t, 0)
	e := Engine{Prices: prices.Default().With(map[string]prices.Price{"my-ft": {Input: 1, Output: 2}})}
	tg := target(srv, "my-ft")
	tg.Regional = true
	res := e.Run(context.Background(), tg, hello, nil)
	if !res.CostKnown || res.CostUSD < 3.2999 || res.CostUSD > 3.3001 {
		t.Fatalf("cost %v", res.CostUSD)
	}
	res = e.Run(context.Background(), target(srv, "unknown-model"), hello, nil)
	if res.CostKnown || res.Record().CostUSD != nil {
		t.Fatal("an unknown model has no cost")
	}
}

func TestRunAllRunsAtOnceAndIsolatesFailures(t *testing.T) {
	srv := streamServer(t, 300*time.Millisecond)
	var e Engine
	targets := []Target{target(srv, "mistral-small-latest"), target(srv, "broken"), target(srv, "refused"), target(srv, "mistral-large-latest")}
	var mu sync.Mutex
	events := map[int]int{}
	start := time.Now()
	results := e.RunAll(context.Background(), targets, hello, 0, func(i int, ev api.StreamEvent) {
		mu.Lock()
		events[i]++
		mu.Unlock()
	})
	elapsed := time.Since(start)
	if elapsed > 900*time.Millisecond {
		t.Fatalf("four runs that each wait 300ms took %v: not concurrent", elapsed)
	}
	if results[0].Err != nil || results[3].Err != nil || results[3].Content() != "Hello from mistral-large-latest" {
		t.Fatalf("healthy runs: %v / %v", results[0].Err, results[3].Err)
	}
	if !errors.Is(results[1].Err, api.ErrTruncated) || results[1].Content() != "Hello from broken" {
		t.Fatalf("cut run: %v %q", results[1].Err, results[1].Content())
	}
	var apiErr *api.APIError
	if !errors.As(results[2].Err, &apiErr) || apiErr.Kind != api.KindAuth || results[2].Record().Error == nil {
		t.Fatalf("refused run: %v", results[2].Err)
	}
	if events[0] == 0 || events[3] == 0 {
		t.Fatalf("events %v", events)
	}
}

func TestRunAllBoundsParallelism(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	var e Engine
	var targets []Target
	for i := 0; i < 6; i++ {
		targets = append(targets, target(srv, "m"))
	}
	results := e.RunAll(context.Background(), targets, hello, 2, nil)
	for _, r := range results {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if peak.Load() > 2 {
		t.Fatalf("peak %d runs at once, limit 2", peak.Load())
	}
}

func TestRunCancelledKeepsPartial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	var e Engine
	ctx, cancel := context.WithCancel(context.Background())
	res := e.Run(ctx, target(srv, "m"), hello, func(ev api.StreamEvent) { cancel() })
	if !errors.Is(res.Err, context.Canceled) || res.Content() != "partial" {
		t.Fatalf("err %v content %q", res.Err, res.Content())
	}
}

func TestStreamSnapshotsAndFailureToStart(t *testing.T) {
	srv := streamServer(t, 0)
	var e Engine
	s := e.Open(context.Background(), target(srv, "mistral-small-latest"), hello)
	if _, err := s.Next(); err != nil { // role chunk
		t.Fatal(err)
	}
	if _, err := s.Next(); err != nil { // the text
		t.Fatal(err)
	}
	if snap := s.Result(); snap.Content() != "Hello from mistral-small-latest" || snap.Err != nil || s.TTFT() == 0 {
		t.Fatalf("snapshot %+v", snap)
	}
	for {
		if _, err := s.Next(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := s.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v", err)
	}
	if r := s.Result(); r.FinishReason != "stop" || r.Usage == nil {
		t.Fatalf("final %+v", r)
	}
	bad := e.Open(context.Background(), target(srv, "refused"), hello)
	if _, err := bad.Next(); err == nil || bad.Result().Err == nil || bad.Accumulator() != nil {
		t.Fatalf("a refused run: %v", err)
	}
}
