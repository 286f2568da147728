package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mstudio/api"
	"mstudio/config"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/untrusted"
)

// runOptions is `mstudio run` after flag parsing, before any file is read.
type runOptions struct {
	commonFlags
	file       string   // the prompt file, "" with -p
	inline     string   // -p TEXT ("-" reads stdin)
	inlineSet  bool     // -p was given (it may be empty)
	models     []string // -m, in order, commas split
	vars       []kv     // --var k=v, in order
	sets       []kv     // --set param=value, in order
	jsonOutput bool     // --json
	parallel   int      // --parallel; 0 = the config file's
	maxTurns   int      // --max-turns; 0 = the prompt's maxTurns, else 5
	trust      bool     // --trust: trust the prompt file's command tools
	varsFile   string   // --vars-file: a matrix run, one request per row
	agent      string   // --agent: talk to a Mistral agent (Conversations API)
	saving     saveFlags
}

// kv is one k=v flag value.
type kv struct{ key, value string }

// parseKV splits "k=v"; the key must not be empty.
func parseKV(flagName, s string) (kv, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return kv{}, usagef("--%s %q: want key=value", flagName, s)
	}
	return kv{k, v}, nil
}

// parseRunArgs reads run's flags and arguments. It checks everything that
// can be checked without reading a file: --set names and values are
// validated here, so a typo fails before any request is made.
func parseRunArgs(args []string) (runOptions, error) {
	var o runOptions
	var models, vars, sets listFlag
	fs := newFlagSet("run")
	o.commonFlags.register(fs)
	fs.Var(&models, "m", "")
	fs.Var(&models, "model", "")
	fs.Var(&vars, "var", "")
	fs.Var(&sets, "set", "")
	fs.Func("p", "", func(s string) error { o.inline, o.inlineSet = s, true; return nil })
	fs.Func("prompt", "", func(s string) error { o.inline, o.inlineSet = s, true; return nil })
	fs.BoolVar(&o.jsonOutput, "json", false, "")
	fs.IntVar(&o.parallel, "parallel", 0, "")
	fs.Func("max-turns", "", func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > maxTurnsLimit {
			return usagef("--max-turns %s: want a whole number from 1 to %d", s, maxTurnsLimit)
		}
		o.maxTurns = n
		return nil
	})
	fs.BoolVar(&o.trust, "trust", false, "")
	fs.StringVar(&o.varsFile, "vars-file", "", "")
	fs.Func("agent", "", func(s string) error {
		o.agent = strings.TrimPrefix(strings.TrimSpace(s), "agent:")
		if o.agent == "" {
			return usagef("--agent: empty agent id")
		}
		return nil
	})
	o.saving.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return o, err
	}
	if err := o.commonFlags.check(); err != nil {
		return o, err
	}
	switch {
	case len(pos) > 1:
		return o, usagef("one prompt file at a time (got %s)", strings.Join(pos, ", "))
	case len(pos) == 1 && o.inlineSet:
		return o, usagef("give a prompt file or -p TEXT, not both")
	case len(pos) == 0 && !o.inlineSet:
		return o, usagef("nothing to run: give a prompt file or -p TEXT")
	case len(pos) == 1:
		o.file = pos[0]
	}
	for _, m := range models {
		for _, id := range strings.Split(m, ",") {
			if id = strings.TrimSpace(id); id != "" {
				o.models = append(o.models, id)
			}
		}
	}
	if len(models) > 0 && len(o.models) == 0 {
		return o, usagef("-m: empty model id")
	}
	for _, v := range vars {
		p, err := parseKV("var", v)
		if err != nil {
			return o, err
		}
		o.vars = append(o.vars, p)
	}
	for _, s := range sets {
		p, err := parseKV("set", s)
		if err != nil {
			return o, err
		}
		if err := checkParam(p); err != nil {
			return o, err
		}
		o.sets = append(o.sets, p)
	}
	if o.trust && (o.file == "" || o.file == "-") {
		return o, usagef("--trust needs a prompt file: trust is recorded for one file and its content")
	}
	if o.agent != "" && (len(o.models) > 0 || o.varsFile != "") {
		return o, usagef("--agent talks to one agent, on its own model: no -m, no --vars-file")
	}
	if o.agent != "" && len(o.sets) > 0 {
		// a conversation sends only the messages: the agent's own
		// completion arguments apply, and a --set would be silently lost
		return o, usagef("--agent runs with the agent's own parameters: no --set")
	}
	if o.parallel < 0 || o.parallel > config.MaxParallel {
		return o, usagef("--parallel %d: use 1 to %d", o.parallel, config.MaxParallel)
	}
	return o, nil
}

// checkParam validates one --set against the parameter table.
func checkParam(p kv) error {
	param, ok := api.LookupParam(p.key)
	if !ok {
		return usagef("--set %s: unknown parameter; valid: %s", p.key, strings.Join(api.ParamNames(), ", "))
	}
	if err := param.Validate(p.value); err != nil {
		msg := err.Error()
		if r := param.Range(); !strings.Contains(msg, r) {
			msg += " (valid: " + r + ")"
		}
		return usagef("--set %s=%s: %s", p.key, p.value, msg)
	}
	return nil
}

// loadPrompt reads the prompt: a file (or a prompt name in --dir), a .prompt
// source on stdin ("-"), or -p TEXT, which is one user message template.
func (a *app) loadPrompt(o runOptions) (*prompts.Prompt, error) {
	if o.inlineSet {
		text := o.inline
		if text == "-" {
			b, err := io.ReadAll(a.stdin)
			if err != nil {
				return nil, usagef("-p -: reading stdin: %v", err)
			}
			text = string(b)
		}
		if strings.TrimSpace(text) == "" {
			return nil, usagef("-p: the prompt is empty")
		}
		p, err := prompts.Parse("inline", text)
		if err != nil {
			return nil, usagef("-p: %v", err)
		}
		return p, nil
	}
	if o.file == "-" {
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, usagef("reading the prompt from stdin: %v", err)
		}
		p, err := prompts.Parse("stdin", string(b))
		if err != nil {
			return nil, usagef("stdin: %v", err)
		}
		return p, nil
	}
	path := findPrompt(o.file, o.dir)
	p, err := prompts.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("%s: no such prompt file (nor %s in %s)", o.file, withPromptExt(o.file), o.dir)
		}
		return nil, &usageError{msg: err.Error()}
	}
	return p, nil
}

// findPrompt resolves FILE: a path as given when it exists, otherwise a
// bare name is looked up in the prompts folder, with or without .prompt, so
// `mstudio run hello` finds prompts/hello.prompt.
func findPrompt(file, dir string) string {
	if _, err := os.Stat(file); err == nil || strings.ContainsRune(file, filepath.Separator) || dir == "" {
		return file
	}
	for _, cand := range []string{filepath.Join(dir, file), filepath.Join(dir, withPromptExt(file))} {
		if st, err := os.Stat(cand); err == nil && !st.IsDir() {
			return cand
		}
	}
	return file
}

func withPromptExt(name string) string {
	if strings.HasSuffix(name, ".prompt") {
		return name
	}
	return name + ".prompt"
}

// readVars turns --var values into template variables; @file reads a file
// and @@ stands for a literal leading @.
func readVars(list []kv) (map[string]any, error) {
	vars := make(map[string]any, len(list))
	for _, v := range list {
		val := v.value
		switch {
		case strings.HasPrefix(val, "@@"):
			val = val[1:]
		case strings.HasPrefix(val, "@"):
			b, err := os.ReadFile(val[1:])
			if err != nil {
				return nil, usagef("--var %s=%s: %v", v.key, val, err)
			}
			val = string(b)
		}
		vars[v.key] = val
	}
	return vars, nil
}

// buildRequest renders the prompt with the variables and applies --set,
// through session.Build: the studio builds its requests the same way.
func buildRequest(p *prompts.Prompt, o runOptions) (api.ChatRequest, error) {
	vars, err := readVars(o.vars)
	if err != nil {
		return api.ChatRequest{}, err
	}
	return buildWith(p, vars, o.sets, func(err error) error { return &usageError{msg: err.Error()} })
}

// buildWith is session.Build with --set as its settings, its errors as
// usage errors (render names the prompt's own: where it failed). The
// model is left to the targets.
func buildWith(p *prompts.Prompt, vars map[string]any, sets []kv, render func(error) error) (api.ChatRequest, error) {
	settings := make([]session.Setting, len(sets))
	for i, s := range sets {
		settings[i] = session.Setting{Name: s.key, Value: s.value}
	}
	req, err := session.Build(p, "", vars, settings)
	var se *session.SettingError
	switch {
	case errors.As(err, &se):
		return api.ChatRequest{}, usagef("--set %s=%s: %v", se.Setting.Name, se.Setting.Value, se.Err)
	case err != nil:
		return api.ChatRequest{}, render(withVarAdvice(err))
	}
	return req, nil
}

// pickModels applies the precedence -m > the prompt's model > the config
// file's model > mistral-small-latest.
func pickModels(flagModels []string, promptModel string, cfg *config.Config) []string {
	if len(flagModels) > 0 {
		return flagModels
	}
	// Prompt files may use the Genkit provider prefix (DESIGN.md §3).
	if m := strings.TrimPrefix(strings.TrimSpace(promptModel), "mistral/"); m != "" {
		return []string{m}
	}
	if cfg.Model != "" {
		return []string{cfg.Model}
	}
	return []string{config.DefaultModel}
}

// run is `mstudio run`.
func (a *app) run(args []string) int {
	o, err := parseRunArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, runHelp)
		return ExitOK
	}
	if err != nil {
		return a.fail("run", err)
	}
	cfg, err := loadConfig(o.configPath)
	if err != nil {
		return a.fail("run", err)
	}
	p, err := a.loadPrompt(o)
	if err != nil {
		return a.fail("run", err)
	}
	var req api.ChatRequest
	var rows []map[string]string
	var reqs []api.ChatRequest
	if o.varsFile != "" {
		rows, reqs, err = readMatrix(p, o)
		if err == nil {
			req = reqs[0]
		}
	} else {
		req, err = buildRequest(p, o)
	}
	if err != nil {
		return a.fail("run", err)
	}
	choice, err := chooseEndpoint(o.endpoint, cfg, os.Getenv)
	if err != nil {
		return a.fail("run", err)
	}
	conn, err := a.connect(choice, o.retries)
	if err != nil {
		return a.fail("run", err)
	}
	defer conn.close()

	models := pickModels(o.models, p.Model, cfg)
	targets := make([]session.Target, len(models))
	for i, m := range models {
		targets[i] = session.Target{Client: conn.client, Model: m, Regional: conn.choice.regional}
	}
	engine := &session.Engine{Prices: priceTable(cfg)}
	if o.saving.enabled() {
		rec, err := a.startRecording(o.saving, p, conn)
		if err != nil {
			return a.fail("run", err)
		}
		engine.Recorder = rec
		defer a.finishRecording(rec)
	}
	parallel := o.parallel
	if parallel == 0 {
		parallel = cfg.Parallel
	}

	loop, err := a.loopSetup(p, req, o)
	if err != nil {
		return a.fail("run", err)
	}
	if loop != nil && reqs != nil {
		return a.fail("run", usagef("--vars-file does not run the agent loop; add --max-turns 1"))
	}
	spec := session.Spec{Parallel: parallel, Prompt: promptRecord(p, o)}
	switch {
	case o.agent != "":
		if loop == nil {
			// an agent's tools are declared on the server: its function
			// calls are answered with the prompt's handlers all the same
			if loop, err = a.agentLoop(p, o); err != nil {
				return a.fail("run", err)
			}
		}
		spec.Kind, spec.Loop, spec.Agent = session.KindAgent, loop, session.AgentSpecFor(o.agent, req)
		spec.Lanes = []session.LaneSpec{{Target: session.Target{Client: conn.client, Regional: conn.choice.regional}}}
	case reqs != nil:
		prompt := spec.Prompt
		spec = session.MatrixSpec(targets, reqs, rows, parallel) // NoDeltas: the table shows cells when they end
		spec.Prompt = prompt
		return a.runMatrix(engine, spec, rows, len(targets), o.jsonOutput)
	default:
		spec.Kind = session.KindSingle
		if len(targets) > 1 {
			spec.Kind = session.KindCompare
		}
		if loop != nil {
			spec.Kind, spec.Loop = session.KindConversation, loop
		}
		for i, t := range targets {
			spec.Lanes = append(spec.Lanes, session.LaneSpec{Lane: session.Lane{Column: i}, Target: t, Request: req, Params: session.ParamSummary(req)})
		}
	}
	return a.runSpec(engine, spec, o.jsonOutput)
}

// promptRecord is the prompt a session records with the run: the template
// source, not its rendering, and the --var values.
func promptRecord(p *prompts.Prompt, o runOptions) *session.PromptRecord {
	r := &session.PromptRecord{Name: promptName(p), Version: promptVersion(p), Source: p.Source}
	for _, v := range o.vars {
		if r.Vars == nil {
			r.Vars = map[string]string{}
		}
		r.Vars[v.key] = v.value // @file stays as given: the file is the variable
	}
	return r
}

// agentLoop is the loop options of an agent run whose prompt offers no
// tools of its own: its handlers and its trust still answer the agent's
// function calls.
func (a *app) agentLoop(p *prompts.Prompt, o runOptions) (*session.LoopOptions, error) {
	handlers, err := session.ToolHandlers(p.Ext, p.Path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	opts := &session.LoopOptions{MaxTurns: o.maxTurns, Handlers: handlers, PromptPath: p.Path, PromptHash: session.HashBytes([]byte(p.Source))}
	if opts.MaxTurns == 0 {
		opts.MaxTurns = p.MaxTurns
	}
	if hasCommand(handlers) {
		if opts.Trust, err = session.LoadTrust(session.TrustPath()); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

// maxTurnsLimit matches the prompt files' maxTurns bound.
const maxTurnsLimit = 1000

// loopSetup decides whether the run goes through the agent loop (the
// request offers tools and more than one model call is allowed) and
// prepares it: the tool handlers, and the trust list, which --trust
// extends with this file first. nil means a plain run, as before tools.
func (a *app) loopSetup(p *prompts.Prompt, req api.ChatRequest, o runOptions) (*session.LoopOptions, error) {
	handlers, err := session.ToolHandlers(p.Ext, p.Path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	hash := session.HashBytes([]byte(p.Source))
	var trust *session.Trust
	if o.trust || hasCommand(handlers) {
		if trust, err = session.LoadTrust(session.TrustPath()); err != nil {
			return nil, err
		}
	}
	if o.trust {
		if err := trust.Allow(p.Path, hash); err != nil {
			return nil, err
		}
		what := "its command tools may now run"
		if !hasCommand(handlers) {
			what = "it has no command tools yet"
		}
		a.note("trusted %s (sha256 %s…): %s; any edit makes it untrusted again", untrusted.StripLine(p.Path), hash[:12], what)
	}
	maxTurns := o.maxTurns
	if maxTurns == 0 {
		maxTurns = p.MaxTurns
	}
	if maxTurns == 0 {
		maxTurns = session.DefaultMaxTurns
	}
	if len(req.Tools) == 0 || maxTurns == 1 {
		return nil, nil
	}
	return &session.LoopOptions{MaxTurns: maxTurns, Handlers: handlers, Trust: trust, PromptPath: p.Path, PromptHash: hash}, nil
}

func hasCommand(handlers map[string]session.Handler) bool {
	for _, h := range handlers {
		if h.Kind == session.HandlerCommand {
			return true
		}
	}
	return false
}

// runSpec runs a single run, a comparison, a conversation or an agent
// through session.Run and prints it: one lane without --json streams as it
// comes (tool calls on stderr as `→ name(args) = result`), several lanes
// print when all are done; --json prints the records, with tool_results
// and turns for a conversation or an agent. Exit 1 when a lane failed.
func (a *app) runSpec(engine *session.Engine, spec session.Spec, jsonOutput bool) int {
	multi := len(spec.Lanes) > 1
	callLine := func(model string, c *session.ToolCallState) {
		if c.State == session.CallPending || jsonOutput {
			return
		}
		line := "→ " + untrusted.StripLine(c.Name) + "(" + clip(untrusted.StripLine(c.Arguments), 200) + ")"
		if c.State == session.CallFailed {
			line += " failed: " + clip(untrusted.StripLine(c.Error), 300)
		} else {
			line += " = " + clip(untrusted.StripLine(c.Result), 200)
		}
		for _, v := range c.SchemaErrors {
			line += "\n    schema: " + untrusted.StripLine(v)
		}
		if multi {
			line = "[" + untrusted.StripLine(model) + "] " + line
		}
		fmt.Fprintln(a.stderr, line)
	}
	finishes := make([]*session.Finish, len(spec.Lanes))
	laneModel := func(l session.Lane) string {
		t := spec.Lanes[l.Column]
		if spec.Agent != nil {
			return session.AgentPrefix + spec.Agent.AgentID
		}
		if t.Target.Model != "" {
			return t.Target.Model
		}
		return t.Request.Model
	}
	consume := func(onEvent func(api.StreamEvent)) session.Result {
		for ev := range session.Run(a.ctx, engine, spec) {
			switch {
			case ev.Finish != nil:
				finishes[ev.Lane.Column] = ev.Finish
			case ev.ToolResult != nil:
				callLine(laneModel(ev.Lane), ev.ToolResult)
			case ev.Content != "" || ev.Thinking != "":
				if onEvent != nil {
					onEvent(api.StreamEvent{Update: api.Update{Content: ev.Content, Thinking: ev.Thinking}})
				}
			}
		}
		if f := finishes[0]; f != nil {
			return f.Result
		}
		return session.Result{}
	}
	if !multi && !jsonOutput {
		res := a.streamWith(consume)
		a.printChoices(res)
		if res.Failed() {
			return ExitFailed
		}
		return ExitOK
	}
	consume(nil)
	results := make([]session.Result, len(finishes))
	records := make([]session.RunRecord, len(finishes))
	for i, f := range finishes {
		if f == nil {
			f = &session.Finish{Result: session.Result{Model: laneModel(session.Lane{Column: i}), Err: errInterrupted}}
		}
		res := f.Result
		res.Err = explain(res)
		results[i] = res
		switch {
		case f.Conversation != nil:
			c := *f.Conversation
			c.Final.Err, c.Err = res.Err, res.Err
			records[i] = c.Record()
		default:
			records[i] = res.Record()
		}
		if ag := f.Agent; ag != nil {
			records[i].ConversationID, records[i].Turns = ag.ConversationID, ag.Turns
			records[i].ToolResults = []session.ToolResultRecord{}
			for _, c := range ag.Calls {
				records[i].ToolResults = append(records[i].ToolResults, c.Record())
			}
		}
	}
	if jsonOutput {
		if err := writeRecords(a.stdout, records); err != nil {
			return a.fail("run", err)
		}
	} else {
		a.printCompare(results)
	}
	status := ExitOK
	for _, r := range results {
		if r.Failed() {
			status = ExitFailed
			if jsonOutput {
				a.note("%s: %s", untrusted.StripLine(r.Model), untrusted.StripLine(r.Err.Error()))
			}
		}
	}
	return status
}

// clip shortens s to n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
