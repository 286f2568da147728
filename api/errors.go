package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrorKind sorts API failures by what the user should do about them.
type ErrorKind int

// Error kinds.
const (
	KindUnknown      ErrorKind = iota
	KindAuth                   // 401: the key is wrong or missing
	KindForbidden              // 403: tier, permission or guardrail
	KindNotFound               // 404: unknown or retired model, wrong path
	KindBadRequest             // 400: message order, tool-call id, context overflow
	KindValidation             // 422: a field the server refused
	KindRateLimited            // 429 with quota left: wait and retry
	KindNoQuota                // 429 with a zero allowance: retrying cannot help
	KindServer                 // 5xx
	KindContextLimit           // 400 because the prompt is too long
)

// FieldError is one entry of a validation error's detail list.
type FieldError struct {
	Type  string          `json:"type"`
	Loc   []any           `json:"loc"`
	Msg   string          `json:"msg"`
	Input json.RawMessage `json:"input,omitempty"`
}

// Field returns the offending field path without the leading "body".
func (f FieldError) Field() string {
	var parts []string
	for i, p := range f.Loc {
		s := fmt.Sprint(p)
		if i == 0 && s == "body" {
			continue
		}
		if _, isNum := p.(float64); isNum {
			s = fmt.Sprintf("[%s]", s)
			if len(parts) > 0 {
				parts[len(parts)-1] += s
				continue
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ".")
}

// APIError is a non-2xx answer, decoded from any of the body shapes the real
// servers send (see docs/mistral-api.md §12).
type APIError struct {
	Status    int
	Kind      ErrorKind
	Message   string // the server's own words
	Type      string // e.g. invalid_request_message_order
	Code      string // e.g. "3230"; codes arrive as strings or numbers
	Param     string
	Fields    []FieldError // 422 detail list
	RequestID string       // request_id, or the mistral-correlation-id header
	// RetryAfter is the wait the server asked for (Retry-After), if any.
	RetryAfter time.Duration
	Meta       Meta
	Body       []byte // the raw body, for logs and session files
}

// Error is one line a user can act on.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: ", e.Status, statusWord(e.Status))
	b.WriteString(e.advice())
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

func statusWord(status int) string {
	if t := http.StatusText(status); t != "" {
		return strings.ToLower(t)
	}
	return "error"
}

// advice turns the server's message into what to do next.
func (e *APIError) advice() string {
	msg := e.Message
	switch e.Kind {
	case KindAuth:
		return "the API key was refused; check MISTRAL_API_KEY (or the key named for this endpoint in the config file)"
	case KindForbidden:
		return orDefault(msg, "this key may not use that model or feature") + " (check the workspace's plan and permissions)"
	case KindNotFound:
		return orDefault(msg, "not found") + " (check the model id with `mstudio models`)"
	case KindValidation:
		if len(e.Fields) > 0 {
			var parts []string
			for _, f := range e.Fields {
				field := f.Field()
				switch f.Type {
				case "extra_forbidden":
					parts = append(parts, fmt.Sprintf("field %q is not accepted by this endpoint", field))
				default:
					parts = append(parts, fmt.Sprintf("%s: %s", field, f.Msg))
				}
			}
			return "the request was refused: " + strings.Join(parts, "; ")
		}
		return "the request was refused: " + orDefault(msg, "validation failed")
	case KindRateLimited:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("%s; retry in %s", orDefault(msg, "rate limit exceeded"), e.RetryAfter.Round(time.Second))
		}
		return orDefault(msg, "rate limit exceeded") + "; wait a moment and retry"
	case KindNoQuota:
		return "this key has no quota for this model (its rate limit is 0); pick another model or activate billing"
	case KindContextLimit:
		return orDefault(msg, "the prompt is too long") + " (shorten the conversation or lower max_tokens)"
	case KindBadRequest:
		switch e.Code {
		case "3230":
			return msg + " (an assistant message must come between a tool result and the next user message)"
		case "3280":
			return msg + " (tool-call ids must be 9 letters or digits)"
		}
		return orDefault(msg, "bad request")
	case KindServer:
		return orDefault(msg, "the server failed") + "; try again later"
	}
	return orDefault(msg, "unexpected answer")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// Retryable reports whether sending the same request again may succeed.
func (e *APIError) Retryable() bool {
	return e.Kind == KindRateLimited || e.Kind == KindServer
}

// ParseError decodes an error body of any known shape.
func ParseError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{Status: status, Body: body}
	// A nil header reads as "no headers": limits unknown, not zero.
	e.Meta = metaFromHeader(header)
	e.RequestID = e.Meta.CorrelationID
	e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	var w struct {
		Object    string          `json:"object"`
		Message   json.RawMessage `json:"message"`
		Detail    json.RawMessage `json:"detail"`
		Type      string          `json:"type"`
		Param     json.RawMessage `json:"param"`
		Code      json.RawMessage `json:"code"`
		RequestID string          `json:"request_id"`
		Error     json.RawMessage `json:"error"` // OpenAI-dialect servers wrap it
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &w) == nil {
		if len(w.Error) > 0 && w.Error[0] == '{' {
			// {"error":{"message":..., "type":..., "code":...}} (vLLM, llama.cpp, Ollama)
			var inner struct {
				Message json.RawMessage `json:"message"`
				Type    string          `json:"type"`
				Code    json.RawMessage `json:"code"`
				Param   json.RawMessage `json:"param"`
			}
			if json.Unmarshal(w.Error, &inner) == nil {
				w.Message, w.Type, w.Code, w.Param = inner.Message, inner.Type, inner.Code, inner.Param
			}
		} else if len(w.Error) > 0 && w.Error[0] == '"' && len(w.Message) == 0 {
			w.Message = w.Error // Ollama: {"error":"model not found"}
		}
		e.Type = w.Type
		e.Code = scalarText(w.Code)
		e.Param = scalarText(w.Param)
		if w.RequestID != "" {
			e.RequestID = w.RequestID
		}
		e.Message, e.Fields = messageAndFields(w.Message)
		if e.Message == "" && len(e.Fields) == 0 {
			e.Message, e.Fields = messageAndFields(w.Detail)
		}
	} else if len(trimmed) > 0 {
		e.Message = firstLine(string(trimmed), 200)
	}
	e.Kind = classify(e)
	return e
}

// messageAndFields reads a message that is a string, a {"detail": [...]}
// object, or a bare detail list.
func messageAndFields(raw json.RawMessage) (string, []FieldError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s, nil
	case '[':
		var fields []FieldError
		if json.Unmarshal(raw, &fields) == nil {
			return summarize(fields), fields
		}
	case '{':
		var o struct {
			Detail json.RawMessage `json:"detail"`
		}
		if json.Unmarshal(raw, &o) == nil && len(o.Detail) > 0 {
			return messageAndFields(o.Detail)
		}
	}
	return firstLine(string(raw), 200), nil
}

func summarize(fields []FieldError) string {
	var parts []string
	for _, f := range fields {
		parts = append(parts, fmt.Sprintf("%s: %s", f.Field(), f.Msg))
	}
	return strings.Join(parts, "; ")
}

func scalarText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func classify(e *APIError) ErrorKind {
	lower := strings.ToLower(e.Message)
	switch {
	case e.Status == http.StatusUnauthorized:
		return KindAuth
	case e.Status == http.StatusForbidden:
		return KindForbidden
	case e.Status == http.StatusNotFound:
		return KindNotFound
	case e.Status == http.StatusUnprocessableEntity:
		return KindValidation
	case e.Status == http.StatusTooManyRequests:
		if e.Meta.RateLimit.ZeroAllowance() {
			return KindNoQuota
		}
		return KindRateLimited
	case e.Status >= 500:
		return KindServer
	case e.Status == http.StatusBadRequest:
		if strings.Contains(lower, "too large") || strings.Contains(lower, "context length") ||
			strings.Contains(lower, "too long") || strings.Contains(lower, "maximum context") {
			return KindContextLimit
		}
		if e.Type == "" && len(e.Fields) > 0 {
			return KindValidation
		}
		return KindBadRequest
	}
	return KindUnknown
}

// ErrTruncated marks a stream that ended before the server said it was done.
var ErrTruncated = errors.New("the stream was cut off before the answer finished")

// StreamError is a failure in the middle of a stream: an error event, a cut,
// or a body that is not SSE. The partial answer stays in the accumulator.
type StreamError struct {
	Err     error
	Message string // the server's words, when it sent an error event
	Code    string
}

func (e *StreamError) Error() string {
	if e.Message != "" {
		if e.Code != "" {
			return fmt.Sprintf("the server reported an error mid-stream: %s (code %s); the partial answer is kept", e.Message, e.Code)
		}
		return "the server reported an error mid-stream: " + e.Message + "; the partial answer is kept"
	}
	return e.Err.Error() + "; the partial answer is kept"
}

func (e *StreamError) Unwrap() error { return e.Err }

// DecodeError is a 2xx body that could not be read.
type DecodeError struct {
	What string
	Err  error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("could not read the %s the server sent: %v", e.What, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// NetworkError is a failure to reach the server at all.
type NetworkError struct {
	URL string
	Err error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("could not reach %s: %v (check the endpoint and the network)", e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }
