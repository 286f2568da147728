package session

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadTestdata(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "compare.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Truncated || s.Header.ID != "5e55107a11ce" || s.Header.PromptVersion != 3 || len(s.Runs) != 2 {
		t.Fatalf("%+v", s)
	}
	r := s.Runs[1]
	if r.Run != 2 || r.Model != "magistral-medium-latest" || len(r.Events) != 3 || r.Events[2].Data != "[DONE]" || r.Events[2].T.Milliseconds() != 482 {
		t.Fatalf("run 2: %+v", r)
	}
	if r.Result == nil || r.Result.ToolCalls[0].Name != "get_weather" {
		t.Fatalf("run 2 result %+v", r.Result)
	}
}

// Every prefix of a valid file loads, up to its last whole line, and says
// it was cut when it was cut inside a line.
func TestLoadCutOff(t *testing.T) {
	data := readTestdata(t, "compare.jsonl")
	full, err := read("full", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n <= len(data); n++ {
		s, err := read("cut", bytes.NewReader(data[:n]))
		if err != nil {
			t.Fatalf("cut at byte %d: %v", n, err)
		}
		inLine := n > 0 && data[n-1] != '\n'
		// a cut just before a newline leaves a whole line: nothing is lost
		lastWhole := n < len(data) && data[n] == '\n'
		if s.Truncated != (inLine && !lastWhole) {
			t.Fatalf("cut at byte %d: truncated = %v", n, s.Truncated)
		}
		if len(s.Runs) > len(full.Runs) {
			t.Fatalf("cut at byte %d: %d runs", n, len(s.Runs))
		}
	}
	// the whole file without its final newline is whole
	s, err := read("x", bytes.NewReader(bytes.TrimSuffix(data, []byte("\n"))))
	if err != nil || s.Truncated || !reflect.DeepEqual(s.Runs, full.Runs) {
		t.Fatalf("no final newline: %v %v", err, s.Truncated)
	}
	// the crash case: cut in the middle of the last result line
	cut := data[:len(data)-40]
	s, err = read("x", bytes.NewReader(cut))
	if err != nil || !s.Truncated || s.Runs[1].Result != nil || s.Runs[0].Result == nil {
		t.Fatalf("cut result line: %v %+v", err, s)
	}
}

func TestLoadErrors(t *testing.T) {
	header := `{"type":"session","format":1,"id":"abc","created":"2026-03-14T09:26:53Z","prompt":"p","endpoint":"global","base_url":"https://api.mistral.ai","mstudio":"dev"}`
	request := `{"type":"request","run":1,"model":"m","endpoint":"global","at_ms":0,"body":{"model":"m"}}`
	cases := []struct {
		name, text, want string
	}{
		{"malformed middle line", header + "\n{not json\n" + request + "\n", "f.jsonl:2: not a JSON object"},
		{"not a session", request + "\n", `f.jsonl:1: not a session file`},
		{"no type", header + "\n{\"run\":1}\n", `f.jsonl:2: the line has no "type"`},
		{"event before request", header + "\n" + `{"type":"event","run":1,"t_ms":1,"data":"x"}` + "\n", "f.jsonl:2: event of run 1, which has no request line before it"},
		{"result of unknown run", header + "\n" + request + "\n" + `{"type":"result","run":2,"record":{}}` + "\n", "f.jsonl:3: result of run 2"},
		{"run twice", header + "\n" + request + "\n" + request + "\n", "f.jsonl:3: request: run 1 is recorded twice"},
		{"run zero", header + "\n" + strings.Replace(request, `"run":1`, `"run":0`, 1) + "\n", "f.jsonl:2: request: run 0"},
		{"wrong type", header + "\n" + strings.Replace(request, `"run":1`, `"run":"1"`, 1) + "\n", `f.jsonl:2: request: "run" should be a number, not a string`},
		{"negative time", header + "\n" + request + "\n" + `{"type":"event","run":1,"t_ms":-5,"data":"x"}` + "\n", "f.jsonl:3: event: t_ms -5 is out of range"},
		{"newer format", strings.Replace(header, `"format":1`, `"format":9`, 1) + "\n", "f.jsonl:1: session header: format 9 is newer"},
		{"second header", header + "\n" + header + "\n", "f.jsonl:2: a second session header"},
		{"body not an object", header + "\n" + strings.Replace(request, `{"model":"m"}`, `[1]`, 1) + "\n", "f.jsonl:2: request: the body of run 1 is not a JSON object"},
		{"bad time", strings.Replace(header, "2026-03-14T09:26:53Z", "yesterday", 1) + "\n", "f.jsonl:1: session header:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read("f.jsonl", strings.NewReader(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// unknown line types and blank lines are skipped
	s, err := read("f.jsonl", strings.NewReader(header+"\n\n"+`{"type":"tool_answer","run":1}`+"\n"+request+"\r\n"))
	if err != nil || len(s.Runs) != 1 {
		t.Fatalf("forward compatibility: %v %+v", err, s)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Fatalf("missing file: %v", err)
	}
}

// FuzzLoad: the loader never panics, and a prefix of any file it accepts
// whole loads too: a file cut at any byte loads up to its last whole line.
func FuzzLoad(f *testing.F) {
	f.Add(readTestdata(f, "compare.jsonl"))
	f.Add(readTestdata(f, "toolturn.jsonl"))
	f.Add([]byte(`{"type":"session","format":1,"id":"a","created":"2026-01-01T00:00:00Z"}` + "\n" + `{"type":"request","run":1,"body":null}` + "\n"))
	f.Add([]byte("{}\n[]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := read("fuzz", bytes.NewReader(data))
		if err != nil || s.Truncated {
			return
		}
		step := 1
		if len(data) > 300 {
			step = len(data)/300 + 1
		}
		for n := 0; n < len(data); n += step {
			p, err := read("fuzz", bytes.NewReader(data[:n]))
			if err != nil {
				t.Fatalf("the whole file loads but its first %d bytes do not: %v", n, err)
			}
			if len(p.Runs) > len(s.Runs) {
				t.Fatalf("a prefix has more runs than the file")
			}
		}
	})
}
