package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mstudio/api/sim"
	"mstudio/prompts"
)

// The user-path suite: what a new user does with the studio, on the real
// binary in tmux. Every example prompt × {a chat model, a reasoning model,
// an agent} × {a single answer, a two-column comparison} × {120x40, 80x24}:
// the model chosen by keys in the models pane, ctrl+r, the run to its end
// with its finish reason on screen, quit, and the session it recorded
// opened again (mstudio open), showing the same kind of run with the same
// model names. No combination is skipped: one that cannot work today fails
// with the screen a user would see.

// upModel is a model as a user finds it in the models pane.
type upModel struct {
	kind   string   // the name of the subtest
	filter string   // typed after "/" in the models pane
	row    string   // the row the filter must show before enter or ctrl+a
	names  []string // what a pane title may call it: the id as chosen, or its name
}

var upModels = []upModel{
	{"chat", "mistral-small-latest", "mistral-small", []string{"mistral-small-latest"}},
	{"reasoning", "magistral-medium-latest", "magistral-medium", []string{"magistral-medium-latest"}},
	// Agents show by their names in the models pane (api/sim/agents.go
	// lists them); the research assistant answers with a built-in tool,
	// so its run ends without a question to the user. Its answer may be
	// titled by its name or by its model id, agent:ID.
	{"agent", "research assistant", "Research assistant", []string{"Research assistant", "agent:" + sim.AgentResearch}},
}

// upPrompts are the examples the studio writes into ./prompts on its first
// start.
var upPrompts = []string{"hello", "weather", "extract", "interview"}

// upSizes are the terminal sizes: a roomy one and the classic one, where
// the side panes take the whole screen while focused.
var upSizes = [][2]int{{120, 40}, {80, 24}}

// upParallel is how many studios run at once: they mostly wait on the
// screen, so more than the machine's cores.
const upParallel = 6

func TestUserPaths(t *testing.T) {
	// One simulator serves every studio: fast, and with short waits.
	url := simURL(t, "--rate", "4000", "--seed", "9")
	// The examples as the studio writes them on its first start, made once
	// here by a first start so every case can open its prompt by name.
	examples := firstStartExamples(t, url)

	sem := make(chan struct{}, upParallel)
	var wg sync.WaitGroup
	for _, size := range upSizes {
		for _, p := range upPrompts {
			for _, m := range upModels {
				for _, compare := range []bool{false, true} {
					mode := "single"
					if compare {
						mode = "compare"
					}
					name := fmt.Sprintf("%dx%d/%s/%s/%s", size[0], size[1], p, m.kind, mode)
					wg.Add(1)
					sem <- struct{}{}
					// t.Run from several goroutines runs the cases at
					// once without t.Parallel, whose limit is the
					// number of cores.
					go func() {
						defer wg.Done()
						defer func() { <-sem }()
						t.Run(name, func(t *testing.T) {
							userPath(t, url, examples, size[0], size[1], p, m, compare)
						})
					}()
				}
			}
		}
	}
	wg.Wait()
}

// firstStartExamples starts the studio in an empty folder, which writes the
// example prompts, quits, and returns the folder's prompts.
func firstStartExamples(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	s := newTmux(t, 120, 40, dir, studioEnv(t), "--endpoint", url)
	s.waitFor("the studio on its first start", func(sc string) bool { return strings.Contains(sc, "Prompt · hello") })
	s.keys("C-c")
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("the first start ended with status %d; stderr:\n%s", code, s.stderr())
	}
	for _, p := range upPrompts {
		if _, err := os.Stat(filepath.Join(dir, "prompts", p+".prompt")); err != nil {
			t.Fatalf("the first start did not write the %s example: %v", p, err)
		}
	}
	return filepath.Join(dir, "prompts")
}

// userPath is one case: choose, run, check, quit, reopen, check, quit.
func userPath(t *testing.T, url, examples string, w, h int, prompt string, m upModel, compare bool) {
	dir := t.TempDir()
	copyDir(t, examples, filepath.Join(dir, "prompts"))
	s := newTmux(t, w, h, dir, studioEnv(t), "open", filepath.Join("prompts", prompt+".prompt"), "--endpoint", url)
	title := "Prompt · " + prompt
	s.waitFor("the studio", func(sc string) bool { return strings.Contains(sc, title) })

	// Focus starts in the prompt; the models pane is two panes back.
	s.keys("BTab", "BTab")
	s.text("/" + m.filter)
	s.waitFor("the filtered models pane", func(sc string) bool {
		return strings.Contains(sc, "/ "+m.filter) && strings.Contains(sc, m.row)
	})
	if compare {
		s.keys("C-a") // the prompt's model becomes column 1, this one column 2
	} else {
		s.keys("Enter")
	}
	// At 80x24 the models and parameters panes take the whole screen while
	// focused: tab until the prompt shows again.
	backToPrompt(s, title)
	// A user looks at the screen before running: the choice has landed
	// once the screen holds still.
	s.waitSettled(10*time.Second, "the model chosen", func(string) bool { return true })
	s.keys("C-r")

	// The run has ended when the screen holds still with its figures (or
	// an error) on it; the finish reason is checked after, so a missing one
	// fails at once with the screen a user sees.
	live := s.waitSettled(20*time.Second, "the run to end", ended)
	if missing := finishMissing(live, compare); missing != "" {
		t.Errorf("the run did not end with its finish reason after the model's answer (%s); the screen is:\n%s", missing, live)
	}
	checkScreen(t, "the finished run", live, w, h)
	liveTitles := answerTitles(live, compare)
	if compare {
		if len(liveTitles) != 2 || !namesModel(liveTitles[0], upModels[0]) || !namesModel(liveTitles[1], m) {
			t.Errorf("want two columns, mistral-small-latest then %s; titles %q; the screen is:\n%s", m.names[0], liveTitles, live)
		}
	} else if len(liveTitles) != 1 || !namesModel(liveTitles[0], m) {
		t.Errorf("want the single answer of %s; titles %q; the screen is:\n%s", m.names[0], liveTitles, live)
	}
	quit(t, s)

	sessions, _ := filepath.Glob(filepath.Join(dir, "sessions", "*", "*.jsonl"))
	if len(sessions) != 1 {
		t.Fatalf("want one recorded session, found %q", sessions)
	}
	rel, _ := filepath.Rel(dir, sessions[0])
	r := newTmux(t, w, h, dir, studioEnv(t), "open", rel, "--endpoint", url)
	// A session that reopens as a matrix never shows a finish line: the
	// wait ends on its table too, and the checks below say what is wrong.
	reopened := r.waitSettled(20*time.Second, "the reopened session to show its run to its end", func(sc string) bool {
		return ended(sc) || strings.Contains(sc, "Matrix")
	})
	if strings.Contains(reopened, "Matrix") {
		t.Errorf("the session reopened as a matrix; it recorded %s; the screen is:\n%s", map[bool]string{false: "a single run", true: "a comparison"}[compare], reopened)
	}
	if missing := finishMissing(reopened, compare); missing != "" {
		t.Errorf("the reopened session does not show the run ending with its finish reason (%s); the screen is:\n%s", missing, reopened)
	}
	checkScreen(t, "the reopened session", reopened, w, h)
	// The same kind of run with the same models: a single answer titled
	// with its model, or the columns in their order.
	if got := answerTitles(reopened, compare); !slices.Equal(got, liveTitles) {
		t.Errorf("reopened with answer titles %q, the run had %q; the screen is:\n%s", got, liveTitles, reopened)
	}
	quit(t, r)
}

// ended reports a screen with a run's final figures or a failure on it,
// and no stream still going.
func ended(sc string) bool {
	return (strings.Contains(sc, "ttft ") || strings.Contains(sc, "✗")) && !strings.Contains(sc, "streaming")
}

// backToPrompt tabs until the prompt pane is on screen (at most once round
// the panes).
func backToPrompt(s *tmuxSession, title string) {
	s.t.Helper()
	for range 6 {
		if strings.Contains(s.screen(), title) {
			return
		}
		s.keys("Tab")
		time.Sleep(150 * time.Millisecond)
	}
	s.waitFor("the prompt pane", func(sc string) bool { return strings.Contains(sc, title) })
}

// quit ends the studio the way a user does: ctrl+c, and ctrl+c again when
// it asks about unsaved work; the program must end cleanly with nothing on
// stderr that tells of a crash or a race.
func quit(t *testing.T, s *tmuxSession) {
	t.Helper()
	s.keys("C-c")
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc, dead := s.state()
		if dead {
			break
		}
		if strings.Contains(sc, "ctrl+c again") || strings.Contains(sc, "unsaved") {
			s.keys("C-c")
		}
		if time.Now().After(deadline) {
			t.Fatalf("ctrl+c did not end the studio; the screen is:\n%s", sc)
		}
		time.Sleep(150 * time.Millisecond)
	}
	code := s.waitExit(time.Second)
	errText := s.stderr()
	if code != 0 || crashed(errText) || strings.Contains(errText, "DATA RACE") {
		t.Fatalf("the studio ended with status %d; stderr:\n%s\nthe screen:\n%s", code, errText, s.screen())
	}
}

// checkScreen asserts a screen a user can read: no panic text and every
// line the width of the terminal.
func checkScreen(t *testing.T, what, sc string, w, h int) {
	t.Helper()
	if crashed(sc) {
		t.Fatalf("%s shows a panic:\n%s", what, sc)
	}
	if !intact(sc, w, h) {
		t.Fatalf("%s is not an intact %dx%d screen:\n%s", what, w, h, sc)
	}
}

// finishWord is a finish reason of a run that ended with the model's
// answer, as the panes and the status line show it: "finish: stop" in the
// single answer's end line and on the status line, "✓ stop" in a
// comparison column's header. A bare "stop" is not one: the parameters
// pane has a row of that name, and answers have words.
var finishWord = regexp.MustCompile(`(finish:?\s*|✓\s*)(stop|length|model_length)\b`)

// stoppedAtTools is a run that ended because the model asked for tools:
// the tool loop stopped halfway, and no answer came.
var stoppedAtTools = regexp.MustCompile(`(finish:?\s*|✓\s*)tool_calls\b`)

// finishMissing says where a finish reason is missing, or "" when none
// is: a single run shows its own anywhere on screen (the answer's end line,
// the status line), each column of a comparison in its own part of the
// screen. A run of a prompt with tools goes on until the model answers, in
// a column as in a single run: one that ends at tool_calls has not ended.
func finishMissing(sc string, compare bool) string {
	texts := []string{sc}
	if compare {
		texts = columnTexts(sc)
		if len(texts) < 2 {
			return "no columns on screen"
		}
	}
	var missing []string
	for i, c := range texts {
		what := "the run"
		if compare {
			what = fmt.Sprintf("column %d", i+1)
		}
		switch {
		case finishWord.MatchString(c):
		case stoppedAtTools.MatchString(c):
			missing = append(missing, what+" stopped at tool_calls, its tools never ran")
		default:
			missing = append(missing, what)
		}
	}
	return strings.Join(missing, ", ")
}

// columnTexts cuts the comparison's columns out of the screen: each spans
// from its top corner to the next one's on the line of their titles, down
// to the line above the status line.
func columnTexts(sc string) []string {
	lines := strings.Split(strings.TrimRight(sc, "\n"), "\n")
	for i, l := range lines {
		if strings.Count(l, "╭─ ") < 2 || strings.Contains(l, "Prompt · ") || strings.Contains(l, "Models") {
			continue
		}
		title := []rune(l)
		var starts []int
		for x := 0; x+2 < len(title); x++ {
			if string(title[x:x+3]) == "╭─ " {
				starts = append(starts, x)
			}
		}
		cols := make([]strings.Builder, len(starts))
		for _, below := range lines[i+1 : len(lines)-1] {
			r := []rune(below)
			for c, from := range starts {
				to := len(r)
				if c+1 < len(starts) {
					to = min(starts[c+1], len(r))
				}
				if from < to {
					cols[c].WriteString(string(r[from:to]) + "\n")
				}
			}
		}
		texts := make([]string, len(cols))
		for c := range cols {
			texts[c] = cols[c].String()
		}
		return texts
	}
	return nil
}

// answerTitles are the titles of the answer panes: the single answer's
// model ("Answer · MODEL") or, for a comparison, the columns' models, left
// to right, read from the first line that holds at least two pane tops
// below the prompt.
func answerTitles(sc string, compare bool) []string {
	lines := strings.Split(sc, "\n")
	if !compare {
		var titles []string
		for _, l := range lines {
			if i := strings.Index(l, "Answer · "); i >= 0 {
				titles = append(titles, paneTitle(l[i+len("Answer · "):]))
			}
		}
		return titles
	}
	for _, l := range lines {
		if strings.Count(l, "╭─ ") < 2 || strings.Contains(l, "Prompt · ") || strings.Contains(l, "Models") {
			continue
		}
		var titles []string
		for _, part := range strings.Split(l, "╭─ ")[1:] {
			titles = append(titles, paneTitle(part))
		}
		return titles
	}
	return nil
}

// paneTitle is a pane title up to the border line that follows it.
func paneTitle(s string) string {
	if i := strings.Index(s, " ─"); i >= 0 {
		s = s[:i]
	}
	// "MODEL · recorded" on a reopened session: the model is the title.
	s, _, _ = strings.Cut(s, " · ")
	return strings.TrimRight(strings.TrimSpace(s), "─╮")
}

// namesModel reports whether a pane title names the model: one of its
// names, whole or cut with an ellipsis where the pane is narrow.
func namesModel(title string, m upModel) bool {
	for _, n := range m.names {
		if title == n {
			return true
		}
		if cut, ok := strings.CutSuffix(title, "…"); ok && len(cut) >= 8 && strings.HasPrefix(n, cut) {
			return true
		}
	}
	return false
}

// copyDir copies the files of one folder into a new one.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The examples must be the ones the studio writes: the suite copies them
// from a first start, and the list here must not miss one.
func TestUserPathsCoverEveryExample(t *testing.T) {
	names, ours := prompts.ExampleNames(), slices.Sorted(slices.Values(upPrompts))
	if !slices.Equal(names, ours) {
		t.Fatalf("examples %q, the suite runs %q", names, upPrompts)
	}
}

// The suite's reading of a screen, on screens the studio drew: a finish
// reason counts only as the panes show one (never the parameters pane's
// stop row), and the answer titles come from the single answer or the
// columns.
func TestUserPathsReadTheScreen(t *testing.T) {
	single := strings.Join([]string{
		"│  stop                default  │╭─ Answer · magistral-medium-latest · recorded ─────╮",
		"│  n                   default  ││■ finish: stop                                     ┃│",
		" http://127.0.0.1:1 · magistral-medium-latest · ttft 53 ms · finish: s…  f2 whole",
	}, "\n")
	if missing := finishMissing(single, false); missing != "" {
		t.Errorf("single: %s", missing)
	}
	if got := answerTitles(single, false); !slices.Equal(got, []string{"magistral-medium-latest"}) {
		t.Errorf("single: titles %q", got)
	}
	columns := strings.Join([]string{
		"│OCR 32k  │╭─ mistral-small-latest ──────╮╭─ agent:ag_019a3f7c2e5d7b1c8f4a6e2d9…─╮",
		"│         ││t=0.3 · ✓ stop               ││t=0.3 · ✗ 404 not found: Invalid mode…│",
		"│  stop   ││ttft 4 ms · 1764 tok/s       ││0.01s                                 │",
		" http://127.0.0.1:1 · 2 models · finish: stop", // the status line is no column's
	}, "\n")
	if missing := finishMissing(columns, true); missing != "column 2" {
		t.Errorf("columns: missing %q, want column 2 (it failed)", missing)
	}
	if got := answerTitles(columns, true); !slices.Equal(got, []string{"mistral-small-latest", "agent:ag_019a3f7c2e5d7b1c8f4a6e2d9…"}) {
		t.Errorf("columns: titles %q", got)
	}
	if !namesModel("magistral-medium-…", upModels[1]) || namesModel("mistral-small-2603", upModels[0]) {
		t.Error("namesModel takes a cut title of the model and nothing else")
	}
	if missing := finishMissing("│  stop                default  │\n│▸ stop  0.5 │", false); missing == "" {
		t.Error("the parameters pane's stop row is not a finish reason")
	}
	tools := strings.Join([]string{
		"│OCR 32k  │╭─ mistral-small-latest ──────╮╭─ magistral-medium-latest ─────────────╮",
		"│         ││✓ tool_calls · t=0.2         ││✓ stop · t=0.2                         │",
		"│  stop   ││ttft 4 ms · 1764 tok/s       ││ttft 4 ms                              │",
		" http://127.0.0.1:1 · 2 models · finish: tool_calls",
	}, "\n")
	if missing := finishMissing(tools, true); missing != "column 1 stopped at tool_calls, its tools never ran" {
		t.Errorf("tools: missing %q", missing)
	}
}

// Keys typed ahead reach the studio in one burst (a paste, a slow link, a
// quick hand): enter on a model then ctrl+r must run that model. The
// models pane reports a choice through a command, so a ctrl+r already
// queued has run the model chosen before while the status line named the
// new one.
func TestTypedAheadRunUsesTheChosenModel(t *testing.T) {
	url := simURL(t, "--rate", "4000", "--seed", "9")
	s := newTmux(t, 120, 40, t.TempDir(), studioEnv(t), "--endpoint", url)
	s.waitFor("the studio", func(sc string) bool { return strings.Contains(sc, "Prompt · hello") })
	s.keys("BTab", "BTab")
	s.text("/magistral-medium-latest")
	s.waitFor("the filtered models pane", func(sc string) bool { return strings.Contains(sc, "/ magistral-medium-latest") })
	s.keys("Enter", "C-r") // one burst
	sc := s.waitSettled(20*time.Second, "the run to end", ended)
	if got := answerTitles(sc, false); !slices.Equal(got, []string{"magistral-medium-latest"}) {
		t.Errorf("enter on magistral-medium-latest then ctrl+r ran %q; the screen is:\n%s", got, sc)
	}
	quit(t, s)
}
