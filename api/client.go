package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Endpoint base URLs of Mistral's hosted API.
const (
	GlobalURL = "https://api.mistral.ai"
	EUURL     = "https://api.eu.mistral.ai"
	USURL     = "https://api.us.mistral.ai"
)

// Endpoint is a resolved place to send requests.
type Endpoint struct {
	Name    string // global, eu, us, a config name, or the URL itself
	BaseURL string // without a trailing slash or /v1
	Dialect Dialect
}

// presets are the endpoint names every user has without a config file.
var presets = map[string]Endpoint{
	"global":   {Name: "global", BaseURL: GlobalURL, Dialect: DialectMistral},
	"eu":       {Name: "eu", BaseURL: EUURL, Dialect: DialectMistral},
	"us":       {Name: "us", BaseURL: USURL, Dialect: DialectMistral},
	"ollama":   {Name: "ollama", BaseURL: "http://127.0.0.1:11434", Dialect: DialectOpenAI},
	"vllm":     {Name: "vllm", BaseURL: "http://127.0.0.1:8000", Dialect: DialectOpenAI},
	"llamacpp": {Name: "llamacpp", BaseURL: "http://127.0.0.1:8080", Dialect: DialectOpenAI},
}

// PresetEndpoint returns a built-in endpoint by name.
func PresetEndpoint(name string) (Endpoint, bool) {
	e, ok := presets[strings.ToLower(name)]
	return e, ok
}

// PresetNames lists the built-in endpoint names.
func PresetNames() []string { return []string{"global", "eu", "us", "ollama", "vllm", "llamacpp"} }

// ParseEndpoint resolves a preset name or a base URL. A URL keeps the Mistral
// dialect unless it is told otherwise; a trailing /v1 is dropped because
// every path already carries it.
func ParseEndpoint(s string) (Endpoint, error) {
	if e, ok := PresetEndpoint(s); ok {
		return e, nil
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return Endpoint{}, fmt.Errorf("unknown endpoint %q: use global, eu, us, ollama, vllm, llamacpp, a name from the config file, or a URL such as http://127.0.0.1:8000", s)
	}
	return Endpoint{Name: s, BaseURL: NormalizeBaseURL(s), Dialect: DialectMistral}, nil
}

// NormalizeBaseURL strips a trailing slash and /v1.
func NormalizeBaseURL(u string) string {
	u = strings.TrimRight(u, "/")
	u = strings.TrimSuffix(u, "/v1")
	return strings.TrimRight(u, "/")
}

// Options configure a Client.
type Options struct {
	Endpoint Endpoint
	APIKey   string
	// HTTPClient defaults to one without an overall timeout: streams may run
	// for minutes, so deadlines come from the context.
	HTTPClient *http.Client
	// MaxRetries is how often a 429 or 5xx is retried before the first byte;
	// negative means never. Zero means the default, 3.
	MaxRetries int
	// RetryBase is the first backoff step (default 1s); it doubles each time.
	RetryBase time.Duration
	// MaxRetryWait caps one wait; a Retry-After longer than this is not
	// waited for but reported (default 60s).
	MaxRetryWait time.Duration
	// OnRetry is told about each retry, so a UI can say why it is waiting.
	OnRetry   func(attempt int, wait time.Duration, err *APIError)
	UserAgent string
}

// Client talks to one endpoint. It is safe for concurrent use.
type Client struct {
	endpoint Endpoint
	dialect  Dialect
	key      string
	http     *http.Client
	retries  int
	base     time.Duration
	maxWait  time.Duration
	onRetry  func(int, time.Duration, *APIError)
	agent    string
	sleep    func(context.Context, time.Duration) error
}

// New returns a client for the endpoint in opts.
func New(opts Options) *Client {
	c := &Client{
		endpoint: opts.Endpoint,
		dialect:  opts.Endpoint.Dialect,
		key:      opts.APIKey,
		http:     opts.HTTPClient,
		retries:  opts.MaxRetries,
		base:     opts.RetryBase,
		maxWait:  opts.MaxRetryWait,
		onRetry:  opts.OnRetry,
		agent:    opts.UserAgent,
		sleep:    sleepCtx,
	}
	if c.dialect == "" {
		c.dialect = DialectMistral
	}
	c.endpoint.BaseURL = NormalizeBaseURL(c.endpoint.BaseURL)
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.retries == 0 {
		c.retries = 3
	} else if c.retries < 0 {
		c.retries = 0
	}
	if c.base <= 0 {
		c.base = time.Second
	}
	if c.maxWait <= 0 {
		c.maxWait = 60 * time.Second
	}
	if c.agent == "" {
		c.agent = "mstudio"
	}
	return c
}

// Endpoint returns where the client sends requests.
func (c *Client) Endpoint() Endpoint { return c.endpoint }

// Dialect returns the wire dialect the client speaks.
func (c *Client) Dialect() Dialect { return c.dialect }

// HasKey reports whether requests carry an API key.
func (c *Client) HasKey() bool { return c.key != "" }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 1 << 20

// do sends a request, retrying 429 and 5xx answers (never after the first
// byte of a 2xx body has been handed to the caller). A non-2xx answer comes
// back as *APIError.
func (c *Client) do(ctx context.Context, method, path string, body []byte, stream bool) (*http.Response, error) {
	url := c.endpoint.BaseURL + path
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, rd)
		if err != nil {
			return nil, fmt.Errorf("building request for %s: %w", url, err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if stream {
			req.Header.Set("Accept", "text/event-stream")
		} else {
			req.Header.Set("Accept", "application/json")
		}
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		req.Header.Set("User-Agent", c.agent)
		resp, err := c.http.Do(req)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, &NetworkError{URL: url, Err: unwrapURLError(err)}
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		apiErr := ParseError(resp.StatusCode, resp.Header, data)
		apiErr.Meta.Status = resp.StatusCode
		if !apiErr.Retryable() || attempt >= c.retries {
			return nil, apiErr
		}
		wait := apiErr.RetryAfter
		if wait == 0 {
			wait = c.base<<attempt + time.Duration(rand.Int64N(int64(c.base)))
		}
		if wait > c.maxWait {
			return nil, apiErr
		}
		if c.onRetry != nil {
			c.onRetry(attempt+1, wait, apiErr)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// Chat sends a request and waits for the whole answer.
func (c *Client) Chat(ctx context.Context, req ChatRequest) (*ChatResponse, error) {
	req.Stream = false
	body, err := c.dialect.encodeChat(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodPost, "/v1/chat/completions", body, false)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, &NetworkError{URL: c.endpoint.BaseURL, Err: err}
	}
	var out ChatResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, &DecodeError{What: "chat answer", Err: err}
	}
	out.Meta = metaFrom(resp)
	c.dialect.fixResponse(&out, data)
	return &out, nil
}

// ChatStream sends a request with stream=true and returns the stream of
// chunks. The caller must Close it.
func (c *Client) ChatStream(ctx context.Context, req ChatRequest) (*Stream, error) {
	req.Stream = true
	body, err := c.dialect.encodeChat(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodPost, "/v1/chat/completions", body, true)
	if err != nil {
		return nil, err
	}
	return newStream(ctx, resp, c.dialect), nil
}

// EncodeChat returns the exact body the client would send for req, for
// session records and exports.
func (c *Client) EncodeChat(req ChatRequest) ([]byte, error) { return c.dialect.encodeChat(req) }
