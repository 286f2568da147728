package sim

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure the simulator plays instead of, or in the middle of, a
// normal answer. The zero Fault does nothing. Faults are described textually
// by ParseFault (see the package doc for the syntax).
type Fault struct {
	// Status answers with this HTTP status and a realistic error body
	// instead of the normal answer (0 = no status fault).
	Status int
	// Body replaces the realistic error body of Status.
	Body string
	// RetryAfter adds a Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	// ZeroQuota makes the answer a 429 whose x-ratelimit-limit-req-minute
	// is 0: a key with no allowance at all, which no retry can fix.
	ZeroQuota bool

	// Cut closes the stream after CutAfter tokens without data: [DONE].
	Cut      bool
	CutAfter int
	// Stall pauses the stream for Stall after StallAt tokens.
	Stall   time.Duration
	StallAt int
	// Malformed sends one event that is not JSON after MalformedAfter tokens.
	Malformed      bool
	MalformedAfter int
	// FirstByte holds the response head back this long.
	FirstByte time.Duration

	// Times is how many requests the fault applies to: 0 or 1 once, -1 to
	// every request until the queue is cleared.
	Times int
	// Model limits the fault to completion requests for this model id.
	Model string
}

// streamFault reports whether the fault acts inside an answer, which only
// completion requests have.
func (f Fault) streamFault() bool { return f.Cut || f.Stall > 0 || f.Malformed }

// ParseFault reads the textual fault syntax: comma-separated key=value pairs,
// for example "status=429,retry-after=2" or "stall=5s,at=10". See the
// package documentation for every key.
func ParseFault(spec string) (Fault, error) {
	var f Fault
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, errors.New("sim fault: empty spec")
	}
	seen := map[string]bool{}
	atSet := false
	rest := spec
	for rest != "" {
		var part string
		// body= swallows the rest of the spec so that a JSON body may hold
		// commas.
		if strings.HasPrefix(strings.TrimSpace(rest), "body=") {
			part, rest = strings.TrimSpace(rest), ""
		} else if i := strings.IndexByte(rest, ','); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, ""
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if key != "body" {
			val = strings.TrimSpace(val)
		}
		if !ok || (val == "" && key != "body") {
			return Fault{}, fmt.Errorf("sim fault %q: %q is not key=value", spec, part)
		}
		if seen[key] {
			return Fault{}, fmt.Errorf("sim fault %q: %s given twice", spec, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "status":
			f.Status, err = strconv.Atoi(val)
			if err == nil && (f.Status < 400 || f.Status > 599) {
				err = errors.New("want an error status from 400 to 599")
			}
		case "retry-after":
			f.RetryAfter, err = parseDuration(val)
		case "quota":
			if val != "0" {
				err = errors.New("only quota=0 (no allowance) is supported")
			}
			f.ZeroQuota = true
		case "body":
			f.Body = val
		case "cut":
			f.Cut = true
			f.CutAfter, err = parseCount(val)
		case "stall":
			f.Stall, err = parseDuration(val)
			if err == nil && f.Stall <= 0 {
				err = errors.New("want a positive duration")
			}
		case "at":
			f.StallAt, err = parseCount(val)
			atSet = true
		case "malformed":
			f.Malformed = true
			f.MalformedAfter, err = parseCount(val)
		case "first-byte":
			f.FirstByte, err = parseDuration(val)
		case "times":
			if val == "always" {
				f.Times = -1
			} else if f.Times, err = strconv.Atoi(val); err == nil && f.Times < 1 {
				err = errors.New("want a count of 1 or more, or always")
			}
		case "model":
			f.Model = val
		default:
			return Fault{}, fmt.Errorf("sim fault %q: unknown key %q (want status, retry-after, quota, body, cut, stall, at, malformed, first-byte, times, model)", spec, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("sim fault %q: %s=%s: %w", spec, key, val, unwrapNum(err))
		}
	}
	if atSet && f.Stall == 0 {
		return Fault{}, fmt.Errorf("sim fault %q: at= needs stall=", spec)
	}
	if f.ZeroQuota && f.Status == 0 {
		f.Status = http.StatusTooManyRequests
	}
	if f.ZeroQuota && f.Status != http.StatusTooManyRequests {
		return Fault{}, fmt.Errorf("sim fault %q: quota=0 is a 429", spec)
	}
	if (f.Body != "" || f.RetryAfter > 0) && f.Status == 0 {
		return Fault{}, fmt.Errorf("sim fault %q: body and retry-after need status=", spec)
	}
	if f.Status != 0 && f.streamFault() {
		return Fault{}, fmt.Errorf("sim fault %q: a status fault has no stream to cut, stall or corrupt", spec)
	}
	return f, nil
}

// unwrapNum drops strconv's noisy wrapping so the message reads well.
func unwrapNum(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return errors.New("not a number")
	}
	return err
}

func parseCount(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = errors.New("want a token count of 0 or more")
	}
	return n, err
}

// parseDuration accepts Go durations ("1.5s", "200ms") and bare numbers of
// seconds ("2"), which is how Retry-After itself is written.
func parseDuration(v string) (time.Duration, error) {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, errors.New("want a duration of 0 or more")
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("want a duration such as 2s or 500ms")
	}
	if d < 0 {
		return 0, errors.New("want a duration of 0 or more")
	}
	return d, nil
}

// String writes the fault back in the textual syntax.
func (f Fault) String() string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if f.Status != 0 && !(f.ZeroQuota && f.Status == http.StatusTooManyRequests) {
		add("status", strconv.Itoa(f.Status))
	}
	if f.ZeroQuota {
		add("quota", "0")
	}
	if f.RetryAfter > 0 {
		add("retry-after", f.RetryAfter.String())
	}
	if f.Cut {
		add("cut", strconv.Itoa(f.CutAfter))
	}
	if f.Stall > 0 {
		add("stall", f.Stall.String())
		add("at", strconv.Itoa(f.StallAt))
	}
	if f.Malformed {
		add("malformed", strconv.Itoa(f.MalformedAfter))
	}
	if f.FirstByte > 0 {
		add("first-byte", f.FirstByte.String())
	}
	if f.Times == -1 {
		add("times", "always")
	} else if f.Times > 1 {
		add("times", strconv.Itoa(f.Times))
	}
	if f.Model != "" {
		add("model", f.Model)
	}
	if f.Body != "" {
		add("body", f.Body) // last: it swallows the rest when parsed
	}
	return strings.Join(parts, ",")
}

// faultQueue holds the faults waiting for requests, in the order they were
// asked for.
type faultQueue struct {
	mu   sync.Mutex
	list []queued
}

type queued struct {
	f    Fault
	left int // -1 = forever
}

func (q *faultQueue) push(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	q.mu.Lock()
	q.list = append(q.list, queued{f, left})
	q.mu.Unlock()
}

// take hands out the first fault that applies to a request and uses up one
// of its times. completion says whether the request is a chat or FIM
// completion (the only requests that stream, and the only ones that name a
// model).
func (q *faultQueue) take(completion bool, model string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, e := range q.list {
		if (e.f.Model != "" || e.f.streamFault()) && !completion {
			continue
		}
		if e.f.Model != "" && e.f.Model != model {
			continue
		}
		if e.left > 0 {
			q.list[i].left--
			if q.list[i].left == 0 {
				q.list = append(q.list[:i], q.list[i+1:]...)
			}
		}
		return e.f, true
	}
	return Fault{}, false
}

func (q *faultQueue) specs() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.list))
	for _, e := range q.list {
		s := e.f
		s.Times = e.left
		out = append(out, s.String())
	}
	return out
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	q.list = nil
	q.mu.Unlock()
}

// errorBody is the body the real API sends with a status, where known.
func errorBody(status int) string {
	obj := func(msg, typ, code string) string {
		c := "null"
		if code != "" {
			c = strconv.Quote(code)
		}
		return fmt.Sprintf(`{"object":"error","message":%q,"type":%q,"param":null,"code":%s}`, msg, typ, c)
	}
	switch status {
	case http.StatusUnauthorized:
		return `{"detail":"Unauthorized"}`
	case http.StatusBadRequest:
		return obj("Bad request", "invalid_request_error", "")
	case http.StatusForbidden:
		return obj("Forbidden", "forbidden", "")
	case http.StatusNotFound:
		return `{"detail":"Not Found"}`
	case http.StatusUnprocessableEntity:
		return `{"object":"error","message":{"detail":[]},"type":"invalid_request_error","param":null,"code":null}`
	case http.StatusTooManyRequests:
		return obj("Rate limit exceeded", "rate_limited", "1300")
	case http.StatusInternalServerError:
		return obj("Internal server error", "internal_server_error", "1000")
	case http.StatusBadGateway:
		return obj("Bad gateway", "bad_gateway", "")
	case http.StatusServiceUnavailable:
		return obj("Service unavailable", "service_unavailable", "")
	case http.StatusGatewayTimeout:
		return obj("Gateway timeout", "gateway_timeout", "")
	}
	return obj(http.StatusText(status), "error", "")
}
