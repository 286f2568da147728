package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Meta is what a response's headers tell: who answered and how much quota is
// left.
type Meta struct {
	Status int
	// CorrelationID is mistral-correlation-id, the id Mistral's support asks for.
	CorrelationID string
	RateLimit     RateLimit
	// UpstreamLatency is x-kong-upstream-latency (ms), when present.
	UpstreamLatency time.Duration
}

// RateLimit holds both header families Mistral has used: the current
// x-ratelimit-*-req-minute / -tokens-minute / -tokens-month, and the older
// ratelimitbysize-*. A value of -1 means the header was absent.
type RateLimit struct {
	LimitRequestsMinute     int
	RemainingRequestsMinute int
	LimitTokensMinute       int
	RemainingTokensMinute   int
	LimitTokensMonth        int
	RemainingTokensMonth    int
	QueryCost               int
	// Reset is the wait until the window resets (ratelimitbysize-reset).
	Reset time.Duration
}

// Known reports whether any rate-limit header was present.
func (r RateLimit) Known() bool {
	return r.LimitRequestsMinute >= 0 || r.LimitTokensMinute >= 0 || r.LimitTokensMonth >= 0
}

// ZeroAllowance reports a key with no quota at all for the model: a limit
// header that says 0. Retrying such a 429 can never succeed.
func (r RateLimit) ZeroAllowance() bool {
	return r.LimitRequestsMinute == 0 || r.LimitTokensMinute == 0 || r.LimitTokensMonth == 0
}

func metaFrom(resp *http.Response) Meta {
	m := metaFromHeader(resp.Header)
	m.Status = resp.StatusCode
	return m
}

func metaFromHeader(h http.Header) Meta {
	m := Meta{CorrelationID: h.Get("Mistral-Correlation-Id")}
	if m.CorrelationID == "" {
		m.CorrelationID = h.Get("X-Request-Id")
	}
	if ms, err := strconv.ParseFloat(h.Get("X-Kong-Upstream-Latency"), 64); err == nil {
		m.UpstreamLatency = time.Duration(ms * float64(time.Millisecond))
	}
	first := func(names ...string) int {
		for _, n := range names {
			if v := strings.TrimSpace(h.Get(n)); v != "" {
				if i, err := strconv.Atoi(v); err == nil {
					return i
				}
			}
		}
		return -1
	}
	m.RateLimit = RateLimit{
		LimitRequestsMinute:     first("X-Ratelimit-Limit-Req-Minute"),
		RemainingRequestsMinute: first("X-Ratelimit-Remaining-Req-Minute"),
		LimitTokensMinute:       first("X-Ratelimit-Limit-Tokens-Minute", "X-Ratelimitbysize-Limit-Minute", "Ratelimitbysize-Limit"),
		RemainingTokensMinute:   first("X-Ratelimit-Remaining-Tokens-Minute", "X-Ratelimitbysize-Remaining-Minute", "Ratelimitbysize-Remaining"),
		LimitTokensMonth:        first("X-Ratelimit-Limit-Tokens-Month", "X-Ratelimitbysize-Limit-Month"),
		RemainingTokensMonth:    first("X-Ratelimit-Remaining-Tokens-Month", "X-Ratelimitbysize-Remaining-Month"),
		QueryCost:               first("X-Ratelimit-Tokens-Query-Cost", "Ratelimitbysize-Query-Cost"),
	}
	if s := first("Ratelimitbysize-Reset"); s > 0 {
		m.RateLimit.Reset = time.Duration(s) * time.Second
	}
	return m
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
