package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mstudio/api/sim"
	"mstudio/session"
)

// agentRecord is the --json record of `mstudio run --agent`.
type agentRecord struct {
	loopRecord
	ConversationID string `json:"conversation_id"`
}

// TestRunAgentHeadless talks to the simulator's weather agent from the
// command line: its function call is answered by the prompt's mock, the
// record has the conversation id, the tool results and the turns, and
// --save records the run as an agent group with its conversation.
func TestRunAgentHeadless(t *testing.T) {
	url := simURL(t)
	dir := t.TempDir()
	r := runBinary(t, nil, "", "run", writeWeather(t), "--agent", sim.AgentWeather, "--json", "--endpoint", url, "--sessions", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec agentRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.ConversationID == "" || rec.Turns != 2 || rec.Error != nil || rec.Content == "" || rec.Model != "agent:"+sim.AgentWeather {
		t.Fatalf("record: %+v", rec)
	}
	found := false
	for _, c := range rec.ToolResults {
		if c.Name == "get_weather" && c.State == "answered" && strings.Contains(c.Result, "sunny") {
			found = true
		}
	}
	if !found {
		t.Fatalf("get_weather was not answered by its mock: %+v", rec.ToolResults)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".jsonl") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		t.Fatalf("session files %v", files)
	}
	s, err := session.Load(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 1 || s.Groups[0].Kind != session.KindAgent || len(s.Groups[0].Conversations) != 1 || s.Groups[0].Conversations[0].ConversationID != rec.ConversationID {
		t.Fatalf("groups %+v", s.Groups)
	}
	if p := s.Groups[0].Prompt; p == nil || !strings.Contains(p.Source, "mstudio.tools") {
		t.Fatalf("the group does not keep the prompt's source: %+v", p)
	}
}

// TestRunAgentText streams the agent's answer to stdout and its calls to
// stderr, as a tool loop does.
func TestRunAgentText(t *testing.T) {
	url := simURL(t)
	r := runBinary(t, nil, "", "run", writeWeather(t), "--agent", "agent:"+sim.AgentWeather, "--endpoint", url)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "→ get_weather(") || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("stdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

func TestRunAgentUsage(t *testing.T) {
	r := runMain(t, "", "run", "-p", "hi", "--agent", "ag_1", "-m", "mistral-small-latest")
	if r.code != 2 || !strings.Contains(r.stderr, "--agent talks to one agent") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

// A conversation sends only messages: a --set with --agent would be lost
// without a word, so it is refused.
func TestRunAgentRefusesSet(t *testing.T) {
	r := runMain(t, "", "run", "-p", "hi", "--agent", "ag_1", "--set", "temperature=0")
	if r.code != 2 || !strings.Contains(r.stderr, "no --set") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

// TestReplayAConversationAsOne: a tool conversation saved by run --save
// replays as one conversation, its tool results included, not as one run
// per model call.
func TestReplayAConversationAsOne(t *testing.T) {
	url := simURL(t)
	dir := t.TempDir()
	r := runBinary(t, nil, "", "run", writeWeather(t), "--endpoint", url, "--sessions", dir, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".jsonl") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 {
		t.Fatalf("session files %v", files)
	}
	r = runBinary(t, nil, "", "replay", files[0], "--speed", "0", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rec loopRecord
	decodeStrict(t, r.stdout, &rec)
	if rec.Turns != 2 || len(rec.ToolResults) != 2 || !strings.Contains(rec.Content, "14:05") {
		t.Fatalf("replayed record %+v", rec)
	}
	r = runBinary(t, nil, "", "replay", files[0], "--speed", "0")
	if r.code != 0 || !strings.Contains(r.stderr, "→ get_weather(") || !strings.Contains(r.stdout, "14:05") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}
