package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"mstudio/api/sim"
)

// defaultSimAddr is where `mstudio sim` listens unless told otherwise.
const defaultSimAddr = "127.0.0.1:8089"

// simOptions is `mstudio sim` after flag parsing.
type simOptions struct {
	addr   string
	rate   float64
	faults []sim.Fault
	key    string
	seed   int64
}

func parseSimArgs(args []string) (simOptions, error) {
	o := simOptions{addr: defaultSimAddr}
	var faults listFlag
	fs := newFlagSet("sim")
	fs.StringVar(&o.addr, "addr", defaultSimAddr, "")
	fs.Float64Var(&o.rate, "rate", 0, "")
	fs.Var(&faults, "fault", "")
	fs.StringVar(&o.key, "key", "", "")
	fs.Int64Var(&o.seed, "seed", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return o, err
	}
	if len(pos) > 0 {
		return o, usagef("unexpected argument %q", pos[0])
	}
	if o.rate < 0 {
		return o, usagef("--rate %g: want tokens per second, 0 or more (0 = as fast as the client reads)", o.rate)
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return o, usagef("--addr %q: want HOST:PORT, such as 127.0.0.1:8089 or :0", o.addr)
	}
	for _, spec := range faults {
		f, err := sim.ParseFault(spec)
		if err != nil {
			return o, &usageError{msg: "--fault: " + err.Error()}
		}
		o.faults = append(o.faults, f)
	}
	return o, nil
}

// sim is `mstudio sim`: the built-in simulator as a server, until SIGINT or
// SIGTERM.
func (a *app) sim(args []string) int {
	o, err := parseSimArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(a.stdout, simHelp)
		return ExitOK
	}
	if err != nil {
		return a.fail("sim", err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return a.fail("sim", err)
	}
	handler := sim.New(sim.Options{TokenRate: o.rate, APIKey: o.key, Faults: o.faults, Seed: o.seed})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// Scripts and tests wait for exactly this line to learn the real port.
	fmt.Fprintf(a.stdout, "%s sim listening on http://%s\n", programName, ln.Addr())
	if o.key != "" {
		a.note("requests must carry the API key given with --key")
	}
	select {
	case err := <-served:
		return a.fail("sim", err)
	case <-a.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		// Streams still running after the grace period are cut.
		srv.Close()
	}
	return ExitOK
}
