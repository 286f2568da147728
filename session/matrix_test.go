package session

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mstudio/api"
)

func writeRows(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadRowsCSV(t *testing.T) {
	path := writeRows(t, "rows.csv", "\xef\xbb\xbfname, topic\nAda,\"math, \"\"logic\"\"\"\nBob,\"two\nlines\"\n")
	rows, err := ReadRows(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"name": "Ada", "topic": `math, "logic"`},
		{"name": "Bob", "topic": "two\nlines"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q", rows)
	}
}

func TestReadRowsJSONL(t *testing.T) {
	for _, ext := range []string{".jsonl", ".ndjson"} {
		path := writeRows(t, "rows"+ext, "{\"name\":\"Ada\",\"n\":3,\"tags\":[1, 2],\"ok\":true,\"x\":null}\n\n{\"name\":\"Bob\",\"obj\":{\"a\": 1}}\n")
		rows, err := ReadRows(path)
		if err != nil {
			t.Fatal(err)
		}
		want := []map[string]string{
			{"name": "Ada", "n": "3", "tags": "[1,2]", "ok": "true", "x": "null"},
			{"name": "Bob", "obj": `{"a":1}`},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("%s: rows %q", ext, rows)
		}
	}
}

func TestReadRowsErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"bad.jsonl", "{\"a\":\"1\"}\n{\"a\":\n", "bad.jsonl:2: "},
		{"array.jsonl", "{\"a\":\"1\"}\n\n[1]\n", "array.jsonl:3: "},
		{"nullrow.jsonl", "null\n", "nullrow.jsonl:1: not a JSON object"},
		{"emptykey.jsonl", "{\"\":\"1\"}\n", "emptykey.jsonl:1: an empty variable name"},
		{"empty.jsonl", "\n\n", "empty.jsonl:1: no rows"},
		{"cols.csv", "a,b\n1,2\n3\n", "cols.csv:3: 1 columns, the header has 2"},
		{"emptyname.csv", "a,,c\n1,2,3\n", "emptyname.csv:1: column 2 has an empty name"},
		{"dup.csv", "a,a\n1,2\n", `dup.csv:1: column "a" appears twice`},
		{"quote.csv", "a,b\n1,2\n\"x,3\n", "quote.csv:3: "},
		{"headeronly.csv", "a,b\n", "headeronly.csv:1: no rows"},
		{"nothing.csv", "", "nothing.csv:1: no header row"},
		{"rows.txt", "a\n1\n", "rows.txt: unknown rows format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRows(t, tt.name, tt.text)
			_, err := ReadRows(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := ReadRows(filepath.Join(t.TempDir(), "none.csv")); err == nil {
		t.Error("a missing file read without error")
	}
}

// matrixServer holds each first byte for delay and answers model "fail"
// with a 500.
func matrixServer(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.ChatRequest
		json.NewDecoder(r.Body).Decode(&req)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		if req.Model == "fail" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"message":"boom"}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		q := req.Messages[len(req.Messages)-1].Content.String()
		io.WriteString(w, `data: {"id":"a","model":"`+req.Model+`","choices":[{"index":0,"delta":{"role":"assistant","content":"`+req.Model+` says `+q+`"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`+"\n\n")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func userReq(text string) api.ChatRequest {
	return api.ChatRequest{Model: "x", Messages: []api.Message{{Role: api.RoleUser, Content: api.Text(text)}}}
}

func TestRunMatrixRunsEveryCellAtOnce(t *testing.T) {
	srv := matrixServer(t, 500*time.Millisecond)
	var e Engine
	targets := []Target{target(srv, "small"), target(srv, "large")}
	reqs := []api.ChatRequest{userReq("r0"), userReq("r1")}
	var mu sync.Mutex
	seen := map[[2]int]bool{}
	start := time.Now()
	res := e.RunMatrix(context.Background(), targets, reqs, 4, func(row, col int, r Result) {
		mu.Lock()
		seen[[2]int{row, col}] = true
		mu.Unlock()
	})
	elapsed := time.Since(start)
	if elapsed < 450*time.Millisecond || elapsed > 1200*time.Millisecond {
		t.Errorf("four cells that each wait 500ms took %v, want about 0.5–1 s", elapsed)
	}
	if len(res) != 2 || len(res[0]) != 2 || len(seen) != 4 {
		t.Fatalf("results %d rows, cells seen %v", len(res), seen)
	}
	for row := range 2 {
		for col, m := range []string{"small", "large"} {
			r := res[row][col]
			if want := m + " says r" + string(rune('0'+row)); r.Err != nil || r.Content() != want || r.Model != m {
				t.Errorf("cell %d,%d: %q %v, want %q", row, col, r.Content(), r.Err, want)
			}
		}
	}
}

func TestRunMatrixBoundsParallelism(t *testing.T) {
	srv := matrixServer(t, 200*time.Millisecond)
	var e Engine
	targets := []Target{target(srv, "a"), target(srv, "b")}
	reqs := []api.ChatRequest{userReq("1"), userReq("2")}
	start := time.Now()
	e.RunMatrix(context.Background(), targets, reqs, 2, nil)
	if elapsed := time.Since(start); elapsed < 380*time.Millisecond {
		t.Errorf("four 200ms cells two at a time took %v: the bound was not kept", elapsed)
	}
}

func TestRunMatrixIsolatesFailuresAndRecordsEveryCell(t *testing.T) {
	srv := matrixServer(t, 10*time.Millisecond)
	rec, err := Create(t.TempDir(), Header{Prompt: "m", Endpoint: "test", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Recorder: rec}
	targets := []Target{target(srv, "ok"), target(srv, "fail")}
	reqs := []api.ChatRequest{userReq("a"), userReq("b"), userReq("c")}
	res := e.RunMatrix(context.Background(), targets, reqs, 0, nil)
	for row := range reqs {
		if res[row][0].Err != nil || !strings.HasPrefix(res[row][0].Content(), "ok says ") {
			t.Errorf("row %d ok cell: %v %q", row, res[row][0].Err, res[row][0].Content())
		}
		if res[row][1].Err == nil || res[row][1].Record().Error == nil {
			t.Errorf("row %d failing cell has no error", row)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Load(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 6 {
		t.Fatalf("%d runs recorded, want 6", len(s.Runs))
	}
	for i, run := range s.Runs {
		wantModel := targets[i%2].Model
		if run.Run != i+1 || run.Model != wantModel || run.Result == nil {
			t.Errorf("run %d: number %d model %q result %v", i, run.Run, run.Model, run.Result)
			continue
		}
		if (run.Result.Error != nil) != (wantModel == "fail") {
			t.Errorf("run %d: error %v", i, run.Result.Error)
		}
		if wantModel == "ok" && run.Result.Content != "ok says "+string(rune('a'+i/2)) {
			t.Errorf("run %d content %q", i, run.Result.Content)
		}
	}
}

func TestRunMatrixCancelled(t *testing.T) {
	srv := matrixServer(t, time.Second)
	var e Engine
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := e.RunMatrix(ctx, []Target{target(srv, "a")}, []api.ChatRequest{userReq("1"), userReq("2")}, 1, nil)
	for row := range res {
		if res[row][0].Err == nil {
			t.Errorf("row %d: no error after cancel", row)
		}
	}
}
