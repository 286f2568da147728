package cli

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/config"
	"mstudio/prompts"
	"mstudio/session"
	"mstudio/tui"
	"mstudio/untrusted"
)

// studioTokenRate is how fast the built-in simulator streams inside the
// studio: about what a real model does, so the demo looks like the real
// thing (headless runs get answers as fast as possible).
const studioTokenRate = 90

// studioFPS caps how often the screen is drawn. Each draw parses and
// compares the whole screen (about a millisecond at 120x40), so Bubble
// Tea's default of 60 cost more than a streaming answer needs: the runs'
// pumps hand events over about 20 times a second (see frameTime in tui),
// and a key shows within 33 ms.
const studioFPS = 30

// tuneRuntime sets the Go runtime for the studio, unless the environment
// does (GOMAXPROCS, GOGC). The studio is one event loop fed by a few
// goroutines that each wake for a token and sleep again: with more than one
// P, every wake-up also woke an idle P that spun looking for work (a tenth
// to a sixth of the CPU at 190 tokens a second, docs/PERFORMANCE.md), and
// the work itself is never parallel. Its live heap is small and it
// allocates strings for every frame, so the collector at the default 100%
// ran several times a second; 200% halves that for a somewhat larger heap.
func tuneRuntime(getenv func(string) string) {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// studio opens the TUI: `mstudio` with no arguments, or `mstudio open FILE`.
func (a *app) studio(cmd string, args []string) int {
	fs := newFlagSet(cmd)
	var common commonFlags
	common.register(fs)
	var theme, model string
	fs.StringVar(&theme, "theme", "", "")
	fs.StringVar(&model, "m", "", "")
	fs.StringVar(&model, "model", "", "")
	pos, err := parse(fs, args)
	if err == errHelp {
		fmt.Fprint(a.stdout, openHelp)
		return ExitOK
	}
	if err == nil {
		err = common.check()
	}
	if err == nil && cmd == "open" && len(pos) != 1 {
		err = usagef("open takes one prompt file")
	}
	if err == nil && cmd != "open" && len(pos) > 0 {
		err = usagef("unknown command %q", pos[0])
	}
	if err != nil {
		return a.fail(cmd, err)
	}
	if !a.outTTY || !isTerminal(a.stdin) {
		if cmd != "open" && len(args) == 0 {
			// A bare mstudio in a pipe or a script: the studio cannot run,
			// so say what mstudio can do instead.
			fmt.Fprint(a.stdout, mainHelp)
			return ExitOK
		}
		return a.fail(cmd, usagef("the studio needs a terminal (stdin and stdout); for scripts use mstudio run"))
	}
	cfg, err := loadConfig(common.configPath)
	if err != nil {
		return a.fail(cmd, err)
	}
	// On the first start in a folder, the examples give a new user prompts
	// to open: variables, tools, structured output, a conversation.
	first := ""
	if cmd != "open" {
		if written, err := prompts.WriteExamples(common.dir); err != nil {
			a.note("could not write the example prompts to %s: %v", common.dir, err)
		} else if len(written) > 0 {
			first = filepath.Join(common.dir, "hello.prompt")
		}
	}
	var p *prompts.Prompt
	sessionPath := ""
	if cmd == "open" && strings.HasSuffix(pos[0], ".jsonl") {
		// a session: checked now, so a bad file is an error on the
		// command line (file:line), not a surprise in the studio
		if _, err := session.Load(pos[0]); err != nil {
			return a.fail(cmd, &usageError{msg: err.Error()})
		}
		sessionPath = pos[0]
	} else if cmd == "open" {
		if p, err = prompts.Load(pos[0]); err != nil {
			return a.fail(cmd, &usageError{msg: err.Error()})
		}
	} else if path := cmp.Or(first, newestPrompt(common.dir)); path != "" {
		if p, err = prompts.Load(path); err != nil {
			// A broken file must not keep the studio from opening: say so
			// and start on the example.
			a.note("%v; opening the example prompt instead", err)
			p = nil
		}
	}
	ch, err := chooseEndpoint(common.endpoint, cfg, os.Getenv)
	if err != nil {
		return a.fail(cmd, err)
	}
	notices := make(chan tui.Notice, 16)
	conn, err := a.connectStudio(ch, common.retries, notices)
	if err != nil {
		return a.fail(cmd, err)
	}
	defer conn.close()
	table := priceTable(cfg)
	if model == "" {
		model = cfg.Model
	}
	if theme == "" {
		theme = cfg.Theme
	}
	m := tui.New(tui.Options{
		Engine:      &session.Engine{Prices: table},
		Target:      session.Target{Client: conn.client, Regional: conn.choice.regional},
		Endpoint:    conn.choice.endpoint.Name,
		Offline:     conn.choice.simulated,
		Prices:      table,
		Prompt:      p,
		Model:       model,
		Theme:       theme,
		ConfigDir:   config.Dir(),
		SaveDir:     common.dir,
		StateDir:    config.StateDir(),
		SessionDir:  "sessions",
		SessionPath: sessionPath,
		Notices:     notices,
	})
	// MSTUDIO_CPUPROFILE=FILE writes a CPU profile of the whole session, for
	// docs/PERFORMANCE.md (read with go tool pprof -top).
	if path := os.Getenv("MSTUDIO_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return a.fail(cmd, err)
		}
		defer stop()
	}
	tuneRuntime(os.Getenv)
	prog := tea.NewProgram(m, tea.WithContext(a.ctx), tea.WithFPS(studioFPS))
	final, err := prog.Run()
	// However the studio ended (quit, a signal), its session files are
	// closed, so the last events of a run reach them.
	if fm, ok := final.(tui.Model); ok {
		if cerr := fm.CloseSession(); cerr != nil {
			a.note("session not saved whole: %v", cerr)
		}
	}
	if err != nil && a.ctx.Err() == nil {
		return a.fail(cmd, err)
	}
	return ExitOK
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// connectStudio is connect without the notes on stderr (the studio's status
// line says the same on screen), and with a simulator that streams at a
// human pace.
func (a *app) connectStudio(ch endpointChoice, retries int, notices chan<- tui.Notice) (*connection, error) {
	// Retries are not announced on stderr (the studio owns the screen) but
	// on the status line, through notices.
	onRetry := func(attempt int, wait time.Duration, err *api.APIError) {
		select {
		case notices <- tui.Notice{Text: fmt.Sprintf("%s; retry %d in %s", untrusted.StripLine(err.Error()), attempt, wait.Round(100*time.Millisecond)),
			Wait: wait, RateLimited: err.Status == 429}:
		default: // a full channel: the status line shows the latest ones anyway
		}
	}
	if !ch.simulated {
		return a.connectQuiet(ch, retries, onRetry, nil)
	}
	base, shutdown, err := startSimWith(sim.Options{TokenRate: studioTokenRate})
	if err != nil {
		return nil, fmt.Errorf("starting the built-in simulator: %w", err)
	}
	ch.endpoint.BaseURL = base
	conn, err := a.connectQuiet(ch, retries, onRetry, nil)
	if err != nil {
		shutdown()
		return nil, err
	}
	conn.shutdown = shutdown
	return conn, nil
}

// newestPrompt returns the most recently changed .prompt file in dir, or "".
func newestPrompt(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	type file struct {
		path string
		mod  int64
	}
	var files []file
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".prompt") {
			continue
		}
		if info, err := e.Info(); err == nil {
			files = append(files, file{filepath.Join(dir, e.Name()), info.ModTime().UnixNano()})
		}
	}
	if len(files) == 0 {
		return ""
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod > files[j].mod })
	return files[0].path
}

const openHelp = `Usage: mstudio [open FILE] [flags]

Opens the studio: the models, parameters, prompt editor and answer panes.
With no FILE it opens the newest .prompt file in the prompts folder, or a
built-in example. With no API key and no endpoint it runs on the built-in
simulator, labelled "offline simulator" on the status line.

Flags:
  -m, --model MODEL    the model to start with
  --theme NAME         dark, light, high-contrast, auto, or a theme file name
` + commonFlagsHelp
