package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui/models"
)

// A compare column's last text shows within a frame even when no further
// chunk comes: the root hands the column's delayed flush to the
// comparison, as it does the answer pane's.
func TestAColumnsLastTextShowsWithoutAnotherChunk(t *testing.T) {
	m := newStudio(t, "dark", 140, 40)
	m.cols = []compareCol{{model: "mistral-small-latest"}, {model: "mistral-large-latest"}}
	m.syncCompare()
	m.compare.Start(0)
	m.compare.Start(1)
	var word string
	var cmd tea.Cmd
	// The pane renders at once when its last render is old enough: stream
	// until a chunk is left for the delayed flush.
	for n := 0; cmd == nil && n < 200; n++ {
		word = fmt.Sprintf("word%d", n)
		cmd = m.compare.Append(1, " "+word, "")
	}
	if cmd == nil {
		t.Fatal("the column never deferred its tail")
	}
	if strings.Contains(screen(m), word) {
		t.Fatalf("%s shown before its flush: the test proves nothing", word)
	}
	m = update(m, cmd())
	if !strings.Contains(screen(m), word) {
		t.Fatalf("%s not shown after its flush:\n%s", word, screen(m))
	}
}

// recordingSim is the simulator, keeping the body of every chat request.
type recordingSim struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recordingSim) target(t *testing.T) session.Target {
	t.Helper()
	h := sim.New(sim.Options{Seed: 1})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/chat/completions") {
			body, _ := io.ReadAll(req.Body)
			r.mu.Lock()
			r.bodies = append(r.bodies, body)
			r.mu.Unlock()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return session.Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}})}
}

// keys presses each key and runs what it asks for, as the program would.
func keys(m Model, ks ...tea.KeyPressMsg) Model {
	for _, k := range ks {
		out, cmd := m.Update(k)
		m = drive(out.(Model), cmd, 0)
	}
	return m
}

// focusBy presses k until focus is on p (a bounded number of times).
func focusBy(t *testing.T, m Model, k tea.KeyPressMsg, p pane) Model {
	t.Helper()
	for range paneCount {
		if m.focus == p {
			return m
		}
		m = keys(m, k)
	}
	if m.focus != p {
		t.Fatalf("%s never reached pane %d (at %d)", k, p, m.focus)
	}
	return m
}

// setTemperature moves the parameters pane's cursor to temperature and
// sets it to v.
func setTemperature(t *testing.T, m Model, v string) Model {
	t.Helper()
	for range 40 {
		if m.params.Current().Name == "temperature" {
			break
		}
		m = keys(m, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if m.params.Current().Name != "temperature" {
		t.Fatal("no temperature in the parameters pane")
	}
	// d back to the default, so that enter edits an empty field
	m = keys(m, press("d"), tea.KeyPressMsg{Code: tea.KeyEnter})
	for _, r := range v {
		m = keys(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return keys(m, tea.KeyPressMsg{Code: tea.KeyEnter})
}

// The same model at two temperatures, set up by keys only: ctrl+a in the
// models pane, then p in the comparison opens the focused column's
// parameters; one ctrl+r sends each column its own temperature.
func TestTheSameModelAtTwoTemperaturesByKeys(t *testing.T) {
	rec := &recordingSim{}
	m := New(Options{Target: rec.target(t), Endpoint: "sim", Offline: true, Theme: "dark", SessionDir: t.TempDir()})
	m = update(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = update(m, models.LoadedMsg{Entries: api.FoldAliases(sim.Models())})

	before := session.ParamSummary(m.params.Params())
	m = focusBy(t, m, press("tab"), paneModels)
	// enter uses the model under the cursor; ctrl+a then adds the prompt's
	// model and the one under the cursor: the same one twice
	m = keys(m, press("enter"), ctrl('a'))
	if len(m.cols) != 2 || m.cols[0].model != m.cols[1].model {
		t.Fatalf("cols %+v", m.cols)
	}
	model := m.cols[0].model
	unsaved := m.unsaved() // choosing a model may have edited the prompt
	for i, temp := range []string{"0", "1"} {
		m = focusBy(t, m, press("shift+tab"), paneCompare)
		if i == 1 {
			m = keys(m, press("l"))
		}
		m = keys(m, press("p"))
		want := fmt.Sprintf("Parameters · column %d ", i+1)
		if m.focus != paneParams || !strings.Contains(screen(m), want) {
			t.Fatalf("p in column %d: focus %d, screen:\n%s", i+1, m.focus, screen(m))
		}
		m = setTemperature(t, m, temp)
	}
	m = focusBy(t, m, press("tab"), paneEditor)
	if session.ParamSummary(m.params.Params()) != before || strings.Contains(screen(m), "Parameters · column") {
		t.Fatalf("the prompt's parameters come back when focus leaves:\n%s", screen(m))
	}
	if m.unsaved() != unsaved {
		t.Fatal("a column's parameters marked the prompt edited")
	}

	m = keys(m, press("ctrl+r"))
	if res := m.compare.Results(); len(res) != 2 || res[0] == nil || res[1] == nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("results %+v (%s)", res, m.status.Message())
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	temps := map[string]bool{}
	for _, b := range rec.bodies {
		var body struct {
			Model       string   `json:"model"`
			Temperature *float64 `json:"temperature"`
		}
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if body.Model != model || body.Temperature == nil {
			t.Fatalf("request %s", b)
		}
		temps[fmt.Sprint(*body.Temperature)] = true
	}
	if len(rec.bodies) != 2 || !temps["0"] || !temps["1"] {
		t.Fatalf("requests sent:\n%s", bytes.Join(rec.bodies, []byte("\n")))
	}
}

// Keeping a column while the parameters pane shows a column's makes the
// kept parameters the prompt's: leaving the comparison must not bring
// back the ones from before.
func TestKeepingAColumnKeepsItsParameters(t *testing.T) {
	m := newStudio(t, "dark", 140, 40)
	hot := m.params.Params()
	temp, _ := api.LookupParam("temperature")
	if err := temp.Set(&hot, "1.2"); err != nil {
		t.Fatal(err)
	}
	m.cols = []compareCol{{model: "mistral-small-latest", params: m.params.Params()}, {model: "mistral-large-latest", params: hot}}
	m.syncCompare()
	m = focusBy(t, m, press("shift+tab"), paneCompare)
	m = keys(m, press("l"), press("enter")) // the second column, kept
	m = focusBy(t, m, press("shift+tab"), paneEditor)
	if got, want := session.ParamSummary(m.params.Params()), session.ParamSummary(hot); got != want || m.model != "mistral-large-latest" {
		t.Fatalf("after keeping column 2: %s with %q, want %q", m.model, got, want)
	}
}

// A comparison's columns go through the one builder: on the extract
// example, every column sends the body `mstudio run -m MODEL` would (its
// json_schema response format included), byte for byte.
func TestComparisonColumnsSendWhatRunSends(t *testing.T) {
	rec := &recordingSim{}
	src, _ := prompts.ExampleSource("extract")
	p, err := prompts.Parse("extract", src)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Target: rec.target(t), Endpoint: "sim", Offline: true, Theme: "dark", SessionDir: t.TempDir(), Prompt: p})
	m = update(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = update(m, models.LoadedMsg{Entries: api.FoldAliases(sim.Models())})
	m.cols = []compareCol{{model: "mistral-small-latest", params: m.params.Params()}, {model: "mistral-large-latest", params: m.params.Params()}}
	m.syncCompare()
	m = keys(m, ctrl('r'))
	if res := m.compare.Results(); len(res) != 2 || res[0] == nil || res[1] == nil {
		t.Fatalf("results %+v (%s)", res, m.status.Message())
	}
	want := map[string][]byte{}
	for _, model := range []string{"mistral-small-latest", "mistral-large-latest"} {
		req, err := session.Build(p, model, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Stream = true
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		want[model] = b
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) != 2 {
		t.Fatalf("%d requests", len(rec.bodies))
	}
	for _, b := range rec.bodies {
		var body struct {
			Model string `json:"model"`
		}
		_ = json.Unmarshal(b, &body)
		if !bytes.Equal(b, want[body.Model]) {
			t.Errorf("%s sent\n%s\nmstudio run builds\n%s", body.Model, b, want[body.Model])
		}
		if !bytes.Contains(b, []byte(`"json_schema"`)) {
			t.Errorf("%s lost the prompt's schema: %s", body.Model, b)
		}
	}
}

// An agent run sends the conversation `mstudio run --agent` sends: the
// prompt's system message goes as the conversation's instructions.
func TestAnAgentRunSendsTheSystemPromptAsInstructions(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	h := sim.New(sim.Options{Seed: 1})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost && strings.Contains(req.URL.Path, "/conversations") {
			body, _ := io.ReadAll(req.Body)
			mu.Lock()
			bodies = append(bodies, body)
			mu.Unlock()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	target := session.Target{Client: api.New(api.Options{Endpoint: api.Endpoint{Name: "sim", BaseURL: srv.URL}})}
	m := New(Options{Target: target, Endpoint: "sim", Offline: true, Theme: "dark"})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = update(m, m.loadModelsCmd()())
	m = update(m, models.SelectedMsg{ID: agentPrefix + sim.AgentResearch})
	m, cmd := key2(m, ctrl('r'))
	m = doRun(t, m, cmd)
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) == 0 {
		t.Fatalf("no conversation sent (%s)", m.status.Message())
	}
	var body struct {
		Instructions string `json:"instructions"`
	}
	if err := json.Unmarshal(bodies[0], &body); err != nil || !strings.Contains(body.Instructions, "travel assistant") {
		t.Fatalf("instructions %q (%v) in %s", body.Instructions, err, bodies[0])
	}
}
