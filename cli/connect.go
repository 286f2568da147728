package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"mstudio/api"
	"mstudio/api/sim"
	"mstudio/config"
	"mstudio/prices"
	"mstudio/untrusted"
)

// defaultKeyEnv is where the API key is read from unless an endpoint in the
// config file names another variable.
const defaultKeyEnv = "MISTRAL_API_KEY"

// simEndpointName is the endpoint name of the built-in simulator, both when
// it is chosen for lack of a key and with --endpoint sim.
const simEndpointName = "sim"

// loadConfig reads the config file: the one --config names (which must
// exist), or the default one (which may not).
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		cfg, err := config.LoadDefault()
		if err != nil {
			return nil, &usageError{msg: err.Error()}
		}
		return cfg, nil
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("--config %s: no such file", path)
		}
		return nil, usagef("--config: %v", err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return cfg, nil
}

// endpointChoice is where requests go, decided from the flags, the config
// file and the environment, before anything is started.
type endpointChoice struct {
	endpoint api.Endpoint
	keyEnv   string // the variable the key came from; "" when no key applies
	key      string
	// namedKey means the config file names keyEnv for this endpoint, so an
	// unset variable is worth a word even for a server that is not Mistral's.
	namedKey bool
	regional bool
	// simulated means the built-in simulator, started in-process; auto
	// means it was chosen because there was no key and no endpoint.
	simulated, auto bool
}

// chooseEndpoint applies the rules of DESIGN.md §4: --endpoint, else the
// config file's endpoint, else global when a key is set, else the built-in
// simulator. A name is looked up in the config file's endpoints first (they
// carry a dialect, a key variable and the regional flag), then among the
// presets, and anything else must be a URL.
func chooseEndpoint(flagValue string, cfg *config.Config, getenv func(string) string) (endpointChoice, error) {
	name := strings.TrimSpace(flagValue)
	if name == "" {
		name = cfg.Endpoint
	}
	if name == "" {
		if getenv(defaultKeyEnv) == "" {
			return endpointChoice{simulated: true, auto: true, endpoint: api.Endpoint{Name: simEndpointName, Dialect: api.DialectMistral}}, nil
		}
		name = "global"
	}
	var ch endpointChoice
	if ce, ok := cfg.Endpoints[name]; ok {
		d, err := api.ParseDialect(ce.Dialect)
		if err != nil {
			return ch, usagef("endpoint %s: %v", name, err)
		}
		ch.endpoint = api.Endpoint{Name: name, BaseURL: api.NormalizeBaseURL(ce.URL), Dialect: d}
		ch.keyEnv = ce.KeyEnvName()
		ch.namedKey = ce.KeyEnv != ""
		ch.regional = ce.IsRegional()
	} else if strings.EqualFold(name, simEndpointName) {
		return endpointChoice{simulated: true, endpoint: api.Endpoint{Name: simEndpointName, Dialect: api.DialectMistral}}, nil
	} else {
		ep, err := api.ParseEndpoint(name)
		if err != nil {
			msg := err.Error()
			if len(cfg.Endpoints) > 0 {
				msg += fmt.Sprintf(" (the config file names: %s)", strings.Join(slices.Sorted(maps.Keys(cfg.Endpoints)), ", "))
			}
			return ch, &usageError{msg: msg}
		}
		if u, err := url.Parse(ep.BaseURL); strings.Contains(name, "://") && (err != nil || u.Host == "") {
			return ch, usagef("endpoint %q is not a valid URL", name)
		}
		ch.endpoint = ep
		// The same rule as for config endpoints: a Mistral key goes to
		// Mistral-dialect endpoints, never by default to local servers.
		ch.keyEnv = config.Endpoint{Dialect: string(ep.Dialect)}.KeyEnvName()
		ch.regional = config.IsRegionalURL(ep.BaseURL)
	}
	if ch.keyEnv != "" {
		ch.key = getenv(ch.keyEnv)
	}
	return ch, nil
}

// connection is a ready client and what to release when done.
type connection struct {
	client   *api.Client
	choice   endpointChoice
	shutdown func()
}

func (c *connection) close() {
	if c.shutdown != nil {
		c.shutdown()
	}
}

// connect builds the client for ch, starting the in-process simulator when
// ch asks for it, and says on stderr what the user should know: that output
// is simulated, or that a key is missing.
func (a *app) connect(ch endpointChoice, retries int) (*connection, error) {
	conn := &connection{choice: ch}
	if ch.simulated {
		base, shutdown, err := startSim()
		if err != nil {
			return nil, fmt.Errorf("starting the built-in simulator: %w", err)
		}
		ch.endpoint.BaseURL = base
		conn.choice = ch
		conn.shutdown = shutdown
		if ch.auto {
			a.note("offline simulated output from the built-in simulator (no API key, no endpoint); " +
				"set " + defaultKeyEnv + " for real answers")
		} else {
			a.note("endpoint sim: this is offline simulated output from the built-in simulator")
		}
	} else if ch.key == "" && ch.keyEnv != "" && (ch.namedKey || isMistralHost(ch.endpoint.BaseURL)) {
		a.note("$%s is not set: requests to %s carry no API key", ch.keyEnv, ch.endpoint.Name)
	}
	return a.connectQuiet(ch, retries, func(attempt int, wait time.Duration, err *api.APIError) {
		a.note("%s; retry %d in %s", untrusted.StripLine(err.Error()), attempt, wait.Round(100*time.Millisecond))
	}, conn)
}

// connectQuiet builds the client for ch and says nothing; onRetry hears of
// each retry. conn, when not nil, is completed rather than made anew.
func (a *app) connectQuiet(ch endpointChoice, retries int, onRetry func(int, time.Duration, *api.APIError), conn *connection) (*connection, error) {
	if conn == nil {
		conn = &connection{choice: ch}
	}
	opts := api.Options{
		Endpoint:   ch.endpoint,
		APIKey:     ch.key,
		MaxRetries: retries,
		OnRetry:    onRetry,
	}
	if retries == 0 {
		opts.MaxRetries = -1 // the client reads 0 as "its default"
	}
	conn.client = api.New(opts)
	return conn, nil
}

func isMistralHost(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "mistral.ai" || strings.HasSuffix(h, ".mistral.ai")
}

// startSim serves the built-in simulator on a loopback port for the length
// of one command.
func startSim() (baseURL string, shutdown func(), err error) {
	return startSimWith(sim.Options{})
}

// startSimWith serves a simulator with the given options.
func startSimWith(opts sim.Options) (baseURL string, shutdown func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: sim.New(opts), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// priceTable is the embedded table with the config file's overrides.
func priceTable(cfg *config.Config) *prices.Table {
	t := prices.Default()
	if len(cfg.Prices) == 0 {
		return t
	}
	over := make(map[string]prices.Price, len(cfg.Prices))
	for id, p := range cfg.Prices {
		over[id] = prices.Price{Input: p.Input, Output: p.Output, CachedInput: p.CachedInput}
	}
	return t.With(over)
}
