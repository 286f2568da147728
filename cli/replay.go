package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"mstudio/api"
	"mstudio/config"
	"mstudio/session"
	"mstudio/untrusted"
)

// replayOptions is `mstudio replay` after flag parsing.
type replayOptions struct {
	commonFlags
	file       string
	speed      float64 // 1 = the original timing; 0 = at once
	speedSet   bool
	live       bool
	model      string // -m with --live: the model to re-run on
	run        int    // --run; 0 = every run
	jsonOutput bool
}

func parseReplayArgs(args []string) (replayOptions, error) {
	o := replayOptions{speed: 1}
	var models listFlag
	fs := newFlagSet("replay")
	o.commonFlags.register(fs)
	fs.Func("speed", "", func(v string) error {
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "x"), 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.New("want 0 (at once) or a positive factor such as 1, 2 or 0.5")
		}
		o.speed, o.speedSet = f, true
		return nil
	})
	fs.BoolVar(&o.live, "live", false, "")
	fs.Var(&models, "m", "")
	fs.Var(&models, "model", "")
	fs.IntVar(&o.run, "run", 0, "")
	fs.BoolVar(&o.jsonOutput, "json", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return o, err
	}
	if err := o.commonFlags.check(); err != nil {
		return o, err
	}
	switch {
	case len(pos) == 0:
		return o, usagef("nothing to replay: give a session file (sessions/DAY/TIME-NAME.jsonl)")
	case len(pos) > 1:
		return o, usagef("one session file at a time (got %s)", strings.Join(pos, ", "))
	case o.live && o.speedSet:
		return o, usagef("--speed replays the recording; --live sends the requests again: choose one")
	case len(models) > 0 && !o.live:
		return o, usagef("-m needs --live: an offline replay shows what the recorded model said")
	case len(models) > 1:
		return o, usagef("-m: one model at a time for a live replay (got %s)", strings.Join(models, ", "))
	case o.run < 0:
		return o, usagef("--run %d: runs are numbered from 1", o.run)
	}
	o.file = pos[0]
	if len(models) == 1 {
		o.model = strings.TrimSpace(models[0])
		if o.model == "" {
			return o, usagef("-m: empty model id")
		}
	}
	return o, nil
}

// loadSession reads a session file for a command; every problem with the
// file is bad input (exit status 2), worded with the file and the line.
func (a *app) loadSession(path string) (*session.Session, error) {
	s, err := session.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%s: no such session file", path)
		}
		return nil, &usageError{msg: err.Error()}
	}
	if len(s.Runs) == 0 {
		return nil, usagef("%s: no runs recorded", path)
	}
	if s.Truncated {
		a.note("%s ends in a cut-off line (a crash while recording?); using everything before it", path)
	}
	return s, nil
}

// pickRuns returns the runs asked for: one with --run N, else all.
func pickRuns(s *session.Session, n int) ([]session.RecordedRun, error) {
	if n == 0 {
		return s.Runs, nil
	}
	r, err := s.Run(n)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return []session.RecordedRun{*r}, nil
}

// replay is `mstudio replay`.
func (a *app) replay(args []string) int {
	o, err := parseReplayArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, replayHelp)
		return ExitOK
	}
	if err != nil {
		return a.fail("replay", err)
	}
	s, err := a.loadSession(o.file)
	if err != nil {
		return a.fail("replay", err)
	}
	runs, err := pickRuns(s, o.run)
	if err != nil {
		return a.fail("replay", err)
	}
	if o.live {
		return a.replayLive(o, s, runs)
	}
	if o.run == 0 {
		return a.replayGroups(o, s)
	}
	return a.replayOffline(o, s, runs)
}

// replayGroups replays every run group of the session as it ran, through
// session.Run: a conversation as one answer with its tool results (on
// stderr as `→ name(args) = result`, in --json as tool_results), a
// comparison's or a matrix's lanes together. A session of one lane
// streams like `mstudio run`; more are printed each under its header.
func (a *app) replayGroups(o replayOptions, s *session.Session) int {
	if !o.jsonOutput {
		a.note("replaying %s (recorded %s on %s; no network)", o.file, s.Header.Created.Format("2006-01-02 15:04"), untrusted.StripLine(s.Header.Endpoint))
	}
	type laneOut struct {
		group int
		lane  session.Lane
		fin   *session.Finish
	}
	lanes := 0
	for i := range s.Groups {
		lanes += len(s.Lanes(&s.Groups[i]))
	}
	callLine := func(c *session.ToolCallState) {
		if o.jsonOutput || c.State == session.CallPending {
			return
		}
		line := "→ " + untrusted.StripLine(c.Name) + "(" + clip(untrusted.StripLine(c.Arguments), 200) + ")"
		if c.State == session.CallFailed {
			line += " failed: " + clip(untrusted.StripLine(c.Error), 300)
		} else {
			line += " = " + clip(untrusted.StripLine(c.Result), 200)
		}
		fmt.Fprintln(a.stderr, line)
	}
	var outs []laneOut
	replay := func(g int, onEvent func(api.StreamEvent)) session.Result {
		var last session.Result
		spec := session.Spec{Kind: session.KindReplay, Replay: &session.ReplaySpec{Session: s, Group: g, Speed: o.speed}}
		for ev := range session.Run(a.ctx, nil, spec) {
			switch {
			case ev.Finish != nil:
				outs = append(outs, laneOut{group: g, lane: ev.Lane, fin: ev.Finish})
				last = ev.Finish.Result
			case ev.ToolResult != nil:
				callLine(ev.ToolResult)
			case ev.Content != "" || ev.Thinking != "":
				if onEvent != nil {
					onEvent(api.StreamEvent{Update: api.Update{Content: ev.Content, Thinking: ev.Thinking}})
				}
			}
		}
		return last
	}
	if lanes == 1 && !o.jsonOutput {
		res := a.streamWith(func(onEvent func(api.StreamEvent)) session.Result { return replay(s.Groups[0].Group, onEvent) })
		return exitStatus([]session.Result{res})
	}
	for _, g := range s.Groups {
		n := len(outs)
		replay(g.Group, nil)
		// lanes finish in any order: a group's records go in lane order
		part := outs[n:]
		slices.SortFunc(part, func(x, y laneOut) int {
			if x.lane.Row != y.lane.Row {
				return x.lane.Row - y.lane.Row
			}
			return x.lane.Column - y.lane.Column
		})
	}
	results := make([]session.Result, len(outs))
	records := make([]session.RunRecord, len(outs))
	for i, out := range outs {
		res := out.fin.Result
		res.Err = explain(res)
		results[i] = res
		records[i] = res.Record()
		if c := out.fin.Conversation; c != nil && len(c.Calls) > 0 {
			conv := *c
			conv.Final.Err, conv.Err = res.Err, res.Err
			records[i] = conv.Record()
		}
		if ag := out.fin.Agent; ag != nil {
			records[i].ConversationID = ag.ConversationID
		}
	}
	if o.jsonOutput {
		if err := writeRecords(a.stdout, records); err != nil {
			return a.fail("replay", err)
		}
	} else {
		a.printAll(results)
	}
	return exitStatus(results)
}

// replayOffline shows the recorded answers the way `mstudio run` showed
// them: one run streams with its timing, several are printed together.
func (a *app) replayOffline(o replayOptions, s *session.Session, runs []session.RecordedRun) int {
	if !o.jsonOutput {
		a.note("replaying %s (recorded %s on %s; no network)", o.file, s.Header.Created.Format("2006-01-02 15:04"), untrusted.StripLine(s.Header.Endpoint))
	}
	var results []session.Result
	if len(runs) == 1 && !o.jsonOutput {
		res := a.streamWith(func(onEvent func(api.StreamEvent)) session.Result {
			r, _ := s.Replay(a.ctx, runs[0].Run, o.speed, onEvent) // the run exists
			return r
		})
		results = []session.Result{res}
	} else {
		// several runs replay at once, as a compare ran them
		results = make([]session.Result, len(runs))
		var wg sync.WaitGroup
		for i, r := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], _ = s.Replay(a.ctx, r.Run, o.speed, nil)
			}()
		}
		wg.Wait()
		for i := range results {
			results[i].Err = explain(results[i])
		}
		if o.jsonOutput {
			if err := a.writeJSONRecords(results); err != nil {
				return a.fail("replay", err)
			}
		} else {
			a.printAll(results)
		}
	}
	return exitStatus(results)
}

func exitStatus(results []session.Result) int {
	for _, r := range results {
		if r.Failed() {
			return ExitFailed
		}
	}
	return ExitOK
}

// liveReplay is one run sent again, with the recorded answer beside it.
type liveReplay struct {
	Run      int               `json:"run"`
	Recorded session.RunRecord `json:"recorded"`
	Live     session.RunRecord `json:"live"`
	Diff     string            `json:"diff"`

	recorded, live session.Result
}

// replayLive sends the recorded requests again and shows how the answers
// differ from the recorded ones.
func (a *app) replayLive(o replayOptions, s *session.Session, runs []session.RecordedRun) int {
	cfg, err := loadConfig(o.configPath)
	if err != nil {
		return a.fail("replay", err)
	}
	choice, err := a.replayEndpoint(o.endpoint, s, cfg)
	if err != nil {
		return a.fail("replay", err)
	}
	conn, err := a.connect(choice, o.retries)
	if err != nil {
		return a.fail("replay", err)
	}
	defer conn.close()
	engine := &session.Engine{Prices: priceTable(cfg)}
	target := session.Target{Client: conn.client, Regional: conn.choice.regional}

	out := make([]liveReplay, len(runs))
	sem := make(chan struct{}, max(cfg.Parallel, 1))
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rec, _ := s.Replay(a.ctx, r.Run, 0, nil)
			live := engine.ReplayLive(a.ctx, target, r, o.model)
			live.Err = explain(live)
			out[i] = liveReplay{Run: r.Run, Recorded: rec.Record(), Live: live.Record(), Diff: session.AnswerDiff(rec, live), recorded: rec, live: live}
		}()
	}
	wg.Wait()

	status := ExitOK
	for _, r := range out {
		if r.live.Failed() {
			status = ExitFailed
		}
	}
	if o.jsonOutput {
		var v any = out
		if len(out) == 1 {
			v = out[0]
		}
		if err := writeJSON(a.stdout, v); err != nil {
			return a.fail("replay", err)
		}
		for _, r := range out {
			if r.live.Failed() {
				a.note("%s: %s", untrusted.StripLine(r.live.Model), untrusted.StripLine(r.live.Err.Error()))
			}
		}
		return status
	}
	color := a.outTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	for i, r := range out {
		if len(out) > 1 {
			if i > 0 {
				fmt.Fprintln(a.stdout)
			}
			fmt.Fprintf(a.stdout, "── run %d\n", r.Run)
		}
		a.dimLine("recorded · " + summary(r.recorded))
		a.dimLine("live     · " + summary(r.live))
		if r.live.Failed() {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", programName, untrusted.StripLine(r.live.Model), untrusted.StripLine(r.live.Err.Error()))
		}
		if r.Diff == "" {
			a.note("run %d: the live answer is the same as the recorded one", r.Run)
			continue
		}
		fmt.Fprint(a.stdout, colorDiff(r.Diff, color))
	}
	return status
}

// replayEndpoint is where a live replay goes: --endpoint when given, else
// the endpoint the session was recorded on (by name, or by its URL when
// that name means nothing here).
func (a *app) replayEndpoint(flagValue string, s *session.Session, cfg *config.Config) (endpointChoice, error) {
	if strings.TrimSpace(flagValue) != "" || s.Header.Endpoint == "" {
		return chooseEndpoint(flagValue, cfg, os.Getenv)
	}
	ch, err := chooseEndpoint(s.Header.Endpoint, cfg, os.Getenv)
	if err != nil && s.Header.BaseURL != "" {
		ch, err = chooseEndpoint(s.Header.BaseURL, cfg, os.Getenv)
	}
	return ch, err
}

// dimLine writes a line of figures on stderr, dimmed on a terminal.
func (a *app) dimLine(line string) {
	if a.color {
		line = sgrDim + line + sgrReset
	}
	fmt.Fprintln(a.stderr, line)
}

// colorDiff sanitizes a diff of model text for the terminal and, when
// color is set, colours it as git does.
func colorDiff(d string, color bool) string {
	const red, green, cyan = "\x1b[31m", "\x1b[32m", "\x1b[36m"
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
		text := untrusted.Sanitize(line)
		sgr := ""
		switch {
		case !color:
		case i < 2: // the --- and +++ lines
			sgr = sgrBold
		case strings.HasPrefix(text, "@@"):
			sgr = cyan
		case strings.HasPrefix(text, "+"):
			sgr = green
		case strings.HasPrefix(text, "-"):
			sgr = red
		}
		if sgr != "" {
			text = sgr + text + sgrReset
		}
		b.WriteString(text + "\n")
	}
	return b.String()
}

// streamWith shows one run as it comes, exactly as `mstudio run` does: the text to stdout, the thinking to stderr (dimmed on a
// terminal), then tool calls, then a summary line on stderr. run produces
// the result, calling onEvent for each event. All model text is sanitized.
func (a *app) streamWith(run func(onEvent func(api.StreamEvent)) session.Result) session.Result {
	shown := &lastByteWriter{w: a.stdout}
	out := untrusted.NewWriter(shown)
	think := untrusted.NewWriter(a.stderr)
	thinkOpen := false
	closeThinking := func() {
		if thinkOpen {
			think.Flush()
			if a.color {
				fmt.Fprint(a.stderr, sgrReset)
			}
			fmt.Fprintln(a.stderr)
			thinkOpen = false
		}
	}
	res := run(func(ev api.StreamEvent) {
		if ev.Thinking != "" {
			if !thinkOpen && a.color {
				fmt.Fprint(a.stderr, sgrDim)
			}
			thinkOpen = true
			think.WriteString(ev.Thinking)
		}
		if ev.Content != "" {
			closeThinking()
			out.WriteString(ev.Content)
		}
	})
	closeThinking()
	out.Flush()
	if shown.last != 0 && shown.last != '\n' {
		fmt.Fprintln(a.stdout)
	}
	for _, tc := range res.Message.ToolCalls {
		fmt.Fprintln(a.stdout, toolCallLine(tc))
	}
	res.Err = explain(res)
	if res.Failed() {
		fmt.Fprintf(a.stderr, "%s: %s: %s\n", programName, untrusted.StripLine(res.Model), untrusted.StripLine(res.Err.Error()))
	}
	if res.Usage != nil || !res.Failed() {
		a.dimLine(summary(res))
	}
	return res
}
