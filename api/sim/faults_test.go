package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Fault
	}{
		{"status=503", Fault{Status: 503}},
		{"status=429, retry-after=2", Fault{Status: 429, RetryAfter: 2 * time.Second}},
		{"quota=0", Fault{Status: 429, ZeroQuota: true}},
		{"cut=20", Fault{Cut: true, CutAfter: 20}},
		{"cut=0,model=mistral-large-latest", Fault{Cut: true, Model: "mistral-large-latest"}},
		{"stall=5s,at=10", Fault{Stall: 5 * time.Second, StallAt: 10}},
		{"stall=1.5", Fault{Stall: 1500 * time.Millisecond}},
		{"malformed=3", Fault{Malformed: true, MalformedAfter: 3}},
		{"first-byte=1s,times=2", Fault{FirstByte: time.Second, Times: 2}},
		{"status=500,times=always", Fault{Status: 500, Times: -1}},
		{`status=500,body={"a":1,"b":2}`, Fault{Status: 500, Body: `{"a":1,"b":2}`}},
	} {
		got, err := ParseFault(tc.spec)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
			continue
		}
		back, err := ParseFault(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("round trip of %q via %q: %+v, %v", tc.spec, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "status", "status=abc", "status=200", "cut=-1", "stall=0s", "stall=soon",
		"at=3", "quota=1", "bogus=1", "retry-after=2", "status=503,cut=3", "times=0", "status=500,status=502", "quota=0,status=503"} {
		if _, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "sim fault") {
			t.Errorf("ParseFault(%q): unclear error %v", bad, err)
		}
	}
}

var simpleChat = `{"model":"mistral-small-latest","messages":[{"role":"user","content":"Explain binary search"}]}`

func streamChat(model string) string {
	return `{"model":"` + model + `","stream":true,"messages":[{"role":"user","content":"Explain binary search"}]}`
}

func TestStatusFaultThreeWays(t *testing.T) {
	ts, s := startServer(t, Options{Faults: []Fault{{Status: 503}}})

	// Option.
	resp, data := post(t, ts, "/v1/chat/completions", simpleChat)
	if resp.StatusCode != 503 || string(data) != `{"object":"error","message":"Service unavailable","type":"service_unavailable","param":null,"code":null}` {
		t.Errorf("option fault: %d %s", resp.StatusCode, data)
	}
	// Header, with Retry-After.
	resp, data = post(t, ts, "/v1/chat/completions", simpleChat, FaultHeader, "status=429,retry-after=1500ms")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" ||
		string(data) != `{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}` {
		t.Errorf("header fault: %d %v %s", resp.StatusCode, resp.Header, data)
	}
	// Control endpoint, twice, then normal again.
	resp, data = post(t, ts, "/_sim/faults", "status=500,times=2\nstatus=401")
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"status=500,times=2"`) {
		t.Fatalf("queue: %d %s", resp.StatusCode, data)
	}
	for i, want := range []int{500, 500, 401, 200} {
		resp, data = post(t, ts, "/v1/chat/completions", simpleChat)
		if resp.StatusCode != want {
			t.Errorf("request %d: %d %s, want %d", i, resp.StatusCode, data, want)
		}
		if want == 500 && string(data) != `{"object":"error","message":"Internal server error","type":"internal_server_error","param":null,"code":"1000"}` {
			t.Errorf("500 body %s", data)
		}
		if want == 401 && string(data) != `{"detail":"Unauthorized"}` {
			t.Errorf("401 body %s", data)
		}
	}
	// InjectFault, listing and clearing.
	s.InjectFault(Fault{Status: 502, Times: -1})
	var list struct{ Queued []string }
	resp2, err := http.Get(ts.URL + "/_sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp2.Body).Decode(&list)
	resp2.Body.Close()
	if !reflect.DeepEqual(list.Queued, []string{"status=502,times=always"}) {
		t.Errorf("queue %v", list.Queued)
	}
	for i := 0; i < 2; i++ {
		if resp, _ := post(t, ts, "/v1/chat/completions", simpleChat); resp.StatusCode != 502 {
			t.Errorf("times=always request %d: %d", i, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/_sim/faults", nil)
	if resp, err := ts.Client().Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete: %v %v", resp, err)
	}
	if resp, _ := post(t, ts, "/v1/chat/completions", simpleChat); resp.StatusCode != 200 {
		t.Errorf("after clear: %d", resp.StatusCode)
	}
	// Bad specs are refused clearly, both ways.
	if resp, data := post(t, ts, "/_sim/faults", "status=abc"); resp.StatusCode != 400 || !strings.Contains(string(data), "status=abc") {
		t.Errorf("bad spec: %d %s", resp.StatusCode, data)
	}
	if resp, data := post(t, ts, "/v1/chat/completions", simpleChat, FaultHeader, "explode=1"); resp.StatusCode != 400 || !strings.Contains(string(data), "unknown key") {
		t.Errorf("bad header spec: %d %s", resp.StatusCode, data)
	}
}

func TestQuotaFault(t *testing.T) {
	ts, _ := startServer(t, Options{})
	resp, data := post(t, ts, "/v1/chat/completions", simpleChat, FaultHeader, "quota=0")
	if resp.StatusCode != 429 || resp.Header.Get("x-ratelimit-limit-req-minute") != "0" || !strings.Contains(string(data), `"rate_limited"`) {
		t.Errorf("%d %v %s", resp.StatusCode, resp.Header, data)
	}
}

func TestModelFault(t *testing.T) {
	ts, _ := startServer(t, Options{})
	post(t, ts, "/_sim/faults", "status=503,model=mistral-large-latest")
	// Neither the model list nor another model's request uses it up.
	if resp, err := http.Get(ts.URL + "/v1/models"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("models: %v %v", resp, err)
	}
	if resp, _ := post(t, ts, "/v1/chat/completions", simpleChat); resp.StatusCode != 200 {
		t.Errorf("other model: %d", resp.StatusCode)
	}
	large := strings.Replace(simpleChat, "mistral-small-latest", "mistral-large-latest", 1)
	if resp, _ := post(t, ts, "/v1/chat/completions", large); resp.StatusCode != 503 {
		t.Errorf("named model: %d", resp.StatusCode)
	}
}

func TestCutFault(t *testing.T) {
	ts, s := startServer(t, Options{})
	check := func(how string, events []sseEvent, done bool) {
		t.Helper()
		if done || len(events) != 1+5 {
			t.Errorf("%s: %d events, done=%v; want role + 5 tokens and no [DONE]", how, len(events), done)
		}
	}
	_, events, done := stream(t, ts, streamChat("mistral-small-latest"), FaultHeader, "cut=5")
	check("header", events, done)
	s.InjectFault(Fault{Cut: true, CutAfter: 5})
	_, events, done = stream(t, ts, streamChat("mistral-small-latest"))
	check("inject", events, done)
	post(t, ts, "/_sim/faults", "cut=5")
	_, events, done = stream(t, ts, streamChat("mistral-small-latest"))
	check("control", events, done)
	// An answer shorter than the count still loses its [DONE].
	_, events, done = stream(t, ts, `{"model":"mistral-small-latest","stream":true,"max_tokens":3,"messages":[{"role":"user","content":"hi"}]}`, FaultHeader, "cut=100")
	if done || len(events) != 5 {
		t.Errorf("short answer: %d events, done=%v", len(events), done)
	}
	// Non-streamed: half a body, then the connection drops.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/chat/completions", strings.NewReader(simpleChat))
	req.Header.Set(FaultHeader, "cut=0")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("non-streamed cut: %v", err)
	}
}

func TestStallFault(t *testing.T) {
	ts, _ := startServer(t, Options{Faults: []Fault{{Stall: 250 * time.Millisecond, StallAt: 3}}})
	_, events, done := stream(t, ts, streamChat("mistral-small-latest"))
	if !done || len(events) < 6 {
		t.Fatalf("%d events, done=%v", len(events), done)
	}
	// events[0] is the role chunk; the pause comes after the third token.
	if gap := events[4].at - events[3].at; gap < 240*time.Millisecond {
		t.Errorf("gap after token 3 is %v", gap)
	}
	if gap := events[3].at - events[1].at; gap > 150*time.Millisecond {
		t.Errorf("stalled too early: %v", gap)
	}
}

func TestMalformedFault(t *testing.T) {
	ts, _ := startServer(t, Options{})
	for _, how := range []string{"header", "control"} {
		var headers []string
		if how == "header" {
			headers = []string{FaultHeader, "malformed=3"}
		} else {
			post(t, ts, "/_sim/faults", "malformed=3")
		}
		_, events, done := stream(t, ts, streamChat("mistral-small-latest"), headers...)
		if !done || len(events) < 6 || events[4].data != "{not json" {
			t.Errorf("%s: event 4 is %q (done=%v)", how, events[min(4, len(events)-1)].data, done)
		}
		for i, e := range events {
			if i != 4 && !json.Valid([]byte(e.data)) {
				t.Errorf("%s: event %d %q", how, i, e.data)
			}
		}
	}
	resp, data := post(t, ts, "/v1/chat/completions", simpleChat, FaultHeader, "malformed=0")
	if resp.StatusCode != 200 || string(data) != "{not json" {
		t.Errorf("non-streamed: %d %q", resp.StatusCode, data)
	}
}

func TestFirstByteFault(t *testing.T) {
	ts, _ := startServer(t, Options{})
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/models", nil)
	req.Header.Set(FaultHeader, "first-byte=200ms")
	start := time.Now()
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); took < 190*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("head after %v, status %d", took, resp.StatusCode)
	}
}

func TestTokenRate(t *testing.T) {
	ts, _ := startServer(t, Options{TokenRate: 500, Seed: 1})
	body := `{"model":"mistral-small-latest","stream":true,"messages":[{"role":"user","content":"Write 50 tokens about rivers"}]}`
	_, events, done := stream(t, ts, body)
	chunks := decodeChunks(t, events)
	if !done || chunks[len(chunks)-1].Usage.CompletionTokens != 50 {
		t.Fatalf("done=%v, %d events", done, len(events))
	}
	if took := events[len(events)-1].at - events[0].at; took < 90*time.Millisecond || took > 2*time.Second {
		t.Errorf("50 tokens at 500/s took %v", took)
	}
}

func TestClientCancelStopsHandler(t *testing.T) {
	s := New(Options{TokenRate: 50})
	finished := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r)
		if r.URL.Path == "/v1/chat/completions" {
			close(finished)
		}
	}))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"mistral-small-latest","stream":true,"messages":[{"role":"user","content":"Write a detailed essay on rivers"}]}`))
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	for n := 0; n < 3 && sc.Scan(); {
		if sc.Text() != "" {
			n++
		}
	}
	cancel()
	resp.Body.Close()
	select {
	case <-finished:
	case <-time.After(time.Second):
		t.Fatal("handler still streaming a second after the client left")
	}
}
