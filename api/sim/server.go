package sim

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// TokenRate is how many tokens a second a stream sends; 0 sends them as
	// fast as the connection takes them.
	TokenRate float64
	// APIKey, when set, must arrive as "Authorization: Bearer <key>";
	// anything else gets 401 {"detail":"Unauthorized"}.
	APIKey string
	// Faults are played on the next requests, in order; each is used up by
	// one request, or by as many as its Times says.
	Faults []Fault
	// Seed makes generated text and ids deterministic when non-zero.
	// With 0, answers still follow the prompt but vary between requests
	// (unless the request sets random_seed), as a real model's do.
	Seed int64
	// Now is the clock for created stamps and ids; nil means time.Now.
	// Pacing and delays always use real time.
	Now func() time.Time
}

// FaultHeader is the request header that asks for a fault on that one
// request, in the ParseFault syntax.
const FaultHeader = "X-Mstudio-Sim-Fault"

// The simulated account's limits, reported in the x-ratelimit-* headers.
const (
	limitReqMinute    = 600
	limitTokensMinute = 2_000_000
	limitTokensMonth  = 1_000_000_000
	maxBody           = 32 << 20
)

// Server is the simulator. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts   Options
	faults faultQueue

	mu     sync.Mutex
	rng    *rand.Rand     // ids, and answer variety when Seed is 0
	window []spend        // requests of the last minute
	month  int            // tokens since start
	cache  map[string]int // prompt_cache_key -> prompt tokens seen
}

// spend is one request's share of the rate limits.
type spend struct {
	at     time.Time
	tokens int
}

// New returns a simulator.
func New(opts Options) *Server {
	s := &Server{opts: opts, cache: map[string]int{}}
	seed := uint64(opts.Seed)
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	for _, f := range opts.Faults {
		s.faults.push(f)
	}
	return s
}

// InjectFault queues a fault for the next request(s). It is safe to call
// while requests are being served.
func (s *Server) InjectFault(f Fault) { s.faults.push(f) }

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// hexID is a completion id: 32 lowercase hex characters.
func (s *Server) hexID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], s.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], s.rng.Uint64())
	return hex.EncodeToString(b[:])
}

// requestNonce varies answers between identical requests when no seed pins
// them.
func (s *Server) requestNonce() uint64 {
	if s.opts.Seed != 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Uint64()
}

// correlationID looks like the UUIDv7 Mistral sends in mistral-correlation-id.
func (s *Server) correlationID() string {
	ms := uint64(s.now().UnixMilli())
	s.mu.Lock()
	r1, r2 := s.rng.Uint64(), s.rng.Uint64()
	s.mu.Unlock()
	var b [16]byte
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	binary.BigEndian.PutUint16(b[6:], uint16(r1)&0x0fff|0x7000)
	binary.BigEndian.PutUint64(b[8:], r2&0x3fffffffffffffff|0x8000000000000000)
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ServeHTTP routes the Mistral endpoints and the simulator's own /_sim/
// control endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if strings.HasPrefix(path, "/_sim/") {
		s.control(w, r, path)
		return
	}
	if path == "" {
		s.index(w, r)
		return
	}
	w.Header().Set("mistral-correlation-id", s.correlationID())
	if s.opts.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		writeRaw(w, http.StatusUnauthorized, `{"detail":"Unauthorized"}`)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeRaw(w, http.StatusRequestEntityTooLarge, `{"detail":"Request body too large"}`)
			return
		}
	}
	completion := path == "/v1/chat/completions" || path == "/v1/fim/completions"
	f, ok, err := s.faultFor(r, completion, body)
	if err != nil {
		writeRaw(w, http.StatusBadRequest, marshal(map[string]string{"detail": err.Error()}))
		return
	}
	if ok && f.FirstByte > 0 && !sleepCtx(r.Context(), f.FirstByte) {
		return
	}
	if ok && f.Status != 0 {
		s.writeFault(w, f)
		return
	}
	switch {
	case path == "/v1/models":
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.rateHeaders(w, 0)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(loadCatalog().list)
	case strings.HasPrefix(path, "/v1/models/"):
		if !allow(w, r, http.MethodGet) {
			return
		}
		id := strings.TrimPrefix(path, "/v1/models/")
		raw, found := loadCatalog().cards[id]
		if !found {
			writeRaw(w, http.StatusNotFound, invalidModel(id))
			return
		}
		s.rateHeaders(w, 0)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
	case path == "/v1/chat/completions":
		if allow(w, r, http.MethodPost) {
			s.chat(w, r, body, f)
		}
	case path == "/v1/fim/completions":
		if allow(w, r, http.MethodPost) {
			s.fim(w, r, body, f)
		}
	case path == "/v1/agents" || strings.HasPrefix(path, "/v1/agents/"):
		s.agents(w, r, path)
	case path == "/v1/conversations" || strings.HasPrefix(path, "/v1/conversations/"):
		s.conversations(w, r, path, body, f)
	default:
		writeRaw(w, http.StatusNotFound, `{"detail":"Not Found"}`)
	}
}

func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeRaw(w, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
	return false
}

// faultFor picks the fault for a request: the request's own header first,
// then the queue.
func (s *Server) faultFor(r *http.Request, completion bool, body []byte) (Fault, bool, error) {
	if spec := r.Header.Get(FaultHeader); spec != "" {
		f, err := ParseFault(spec)
		if err != nil {
			return Fault{}, false, err
		}
		return f, true, nil
	}
	model := ""
	if completion {
		var peek struct {
			Model string `json:"model"`
		}
		_ = json.Unmarshal(body, &peek)
		model = peek.Model
	}
	f, ok := s.faults.take(completion, model)
	return f, ok, nil
}

// writeFault answers with a fault's status and the body the real API sends
// with it.
func (s *Server) writeFault(w http.ResponseWriter, f Fault) {
	h := w.Header()
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
	}
	if f.Status == http.StatusTooManyRequests {
		if f.ZeroQuota {
			h.Set("x-ratelimit-limit-req-minute", "0")
			h.Set("x-ratelimit-remaining-req-minute", "0")
		} else {
			s.rateHeaders(w, 0)
			h.Set("x-ratelimit-remaining-req-minute", "0")
		}
	}
	body := f.Body
	if body == "" {
		body = errorBody(f.Status)
	}
	writeRaw(w, f.Status, body)
}

// rateHeaders reports the simulated account's limits after a request that
// cost tokens.
func (s *Server) rateHeaders(w http.ResponseWriter, tokens int) {
	now := time.Now()
	s.mu.Lock()
	keep := s.window[:0]
	for _, sp := range s.window {
		if now.Sub(sp.at) < time.Minute {
			keep = append(keep, sp)
		}
	}
	s.window = append(keep, spend{now, tokens})
	s.month += tokens
	used := 0
	for _, sp := range s.window {
		used += sp.tokens
	}
	reqs, month := len(s.window), s.month
	s.mu.Unlock()
	h := w.Header()
	h.Set("x-ratelimit-limit-req-minute", strconv.Itoa(limitReqMinute))
	h.Set("x-ratelimit-remaining-req-minute", strconv.Itoa(max(limitReqMinute-reqs, 0)))
	h.Set("x-ratelimit-limit-tokens-minute", strconv.Itoa(limitTokensMinute))
	h.Set("x-ratelimit-remaining-tokens-minute", strconv.Itoa(max(limitTokensMinute-used, 0)))
	h.Set("x-ratelimit-limit-tokens-month", strconv.Itoa(limitTokensMonth))
	h.Set("x-ratelimit-remaining-tokens-month", strconv.Itoa(max(limitTokensMonth-month, 0)))
	h.Set("x-ratelimit-tokens-query-cost", strconv.Itoa(tokens))
}

// cachedTokens remembers prompts by prompt_cache_key: a repeat is served
// partly from the cache, as the usage's cached_tokens then shows.
func (s *Server) cachedTokens(key *string, prompt int) int {
	if key == nil || *key == "" {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.cache[*key]
	s.cache[*key] = prompt
	return min(prev, prompt)
}

// control serves /_sim/faults: POST queues faults (one spec a line), GET
// lists the queue, DELETE empties it.
func (s *Server) control(w http.ResponseWriter, r *http.Request, path string) {
	if path != "/_sim/faults" {
		writeRaw(w, http.StatusNotFound, `{"detail":"Not Found"}`)
		return
	}
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			writeRaw(w, http.StatusBadRequest, `{"detail":"unreadable body"}`)
			return
		}
		var parsed []Fault
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			f, err := ParseFault(line)
			if err != nil {
				writeRaw(w, http.StatusBadRequest, marshal(map[string]string{"detail": err.Error()}))
				return
			}
			parsed = append(parsed, f)
		}
		if len(parsed) == 0 {
			writeRaw(w, http.StatusBadRequest, `{"detail":"sim fault: empty spec"}`)
			return
		}
		for _, f := range parsed {
			s.faults.push(f)
		}
		writeRaw(w, http.StatusOK, marshal(map[string]any{"queued": s.faults.specs()}))
	case http.MethodGet:
		writeRaw(w, http.StatusOK, marshal(map[string]any{"queued": s.faults.specs()}))
	case http.MethodDelete:
		s.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		writeRaw(w, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
	}
}

// index tells a person who opens the simulator in a browser what it is.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, `mstudio Mistral API simulator: offline, simulated output.

GET  /v1/models
POST /v1/chat/completions   (stream or not; tools, reasoning, structured output)
POST /v1/fim/completions    (codestral models)
POST /_sim/faults           queue faults, one spec a line, e.g. status=429,retry-after=2
GET  /_sim/faults           list queued faults;  DELETE /_sim/faults  clear them
Header `+FaultHeader+`: <spec>  fault for that request only

Fault keys: status, retry-after, quota=0, body (last), cut=N, stall=D with at=N,
malformed=N, first-byte=D, times=N|always, model=ID.
`)
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// marshal encodes as Python's json module does on the real server: no
// HTML escaping of <, > and &.
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sim: encode %T: %v", v, err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sleepCtx waits d unless the request goes away first.
func sleepCtx(ctx interface{ Done() <-chan struct{} }, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-ctx.Done():
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// apiError is the {"object":"error",...} body; code is a string or null.
func apiError(msg, typ string, code any, extra ...any) string {
	m := []string{`"object":"error"`, `"message":` + marshal(msg), `"type":` + marshal(typ), `"param":null`, `"code":` + marshal(code)}
	for i := 0; i+1 < len(extra); i += 2 {
		m = append(m, marshal(extra[i])+":"+marshal(extra[i+1]))
	}
	return "{" + strings.Join(m, ",") + "}"
}

func invalidModel(id string) string {
	return apiError("Invalid model: "+id, "invalid_model", "1500")
}
