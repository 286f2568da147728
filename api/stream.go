package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// StreamEvent is one decoded chunk of a chat stream and what it changed.
type StreamEvent struct {
	Update
	Chunk ChatChunk
	// Raw is the event's data exactly as received, for session records.
	Raw string
}

// Stream reads a streamed chat answer chunk by chunk. Every chunk is folded
// into the Accumulator, so whatever happens, the partial answer is there.
type Stream struct {
	ctx     context.Context
	body    io.ReadCloser
	dec     *SSEDecoder
	acc     Accumulator
	meta    Meta
	dialect Dialect
	done    bool
	err     error
}

func newStream(ctx context.Context, resp *http.Response, d Dialect) *Stream {
	s := NewStreamReader(ctx, resp.Body, d)
	s.meta = metaFrom(resp)
	return s
}

// NewStreamReader reads a chat stream from any SSE body: a response, a
// recorded file, a test fixture.
func NewStreamReader(ctx context.Context, body io.ReadCloser, d Dialect) *Stream {
	if ctx == nil {
		ctx = context.Background()
	}
	if d == "" {
		d = DialectMistral
	}
	return &Stream{ctx: ctx, body: body, dec: NewSSEDecoder(body), dialect: d}
}

// Meta returns what the response headers said.
func (s *Stream) Meta() Meta { return s.meta }

// Accumulator returns the answer so far.
func (s *Stream) Accumulator() *Accumulator { return &s.acc }

// Err returns the error that ended the stream, nil if it ended cleanly or
// has not ended.
func (s *Stream) Err() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}

// Close releases the connection. It is safe to call more than once.
func (s *Stream) Close() error {
	if s.body == nil {
		return nil
	}
	err := s.body.Close()
	s.body = nil
	return err
}

// Next returns the next chunk. It returns io.EOF after [DONE], and an error
// (a *StreamError, or the context's error) when the stream breaks; either
// way the stream is over and the partial answer stays in Accumulator.
func (s *Stream) Next() (StreamEvent, error) {
	for {
		if s.err != nil {
			return StreamEvent{}, s.err
		}
		ev, err := s.dec.Next()
		if err != nil {
			return StreamEvent{}, s.fail(s.readError(err))
		}
		data := strings.TrimSpace(ev.Data)
		if data == "[DONE]" {
			s.done = true
			return StreamEvent{}, s.fail(io.EOF)
		}
		if ev.Truncated {
			return StreamEvent{}, s.fail(&StreamError{Err: ErrTruncated})
		}
		if data == "" {
			continue
		}
		chunk, err := decodeChunk(data)
		if err != nil {
			return StreamEvent{}, s.fail(err)
		}
		s.dialect.fixChunk(&chunk)
		up := s.acc.Add(chunk)
		return StreamEvent{Update: up, Chunk: chunk, Raw: ev.Data}, nil
	}
}

func (s *Stream) fail(err error) error {
	s.err = err
	s.Close()
	return err
}

// readError turns a body read failure into the error the caller should see.
func (s *Stream) readError(err error) error {
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, io.EOF) {
		// The body ended without [DONE]: the connection was cut, even if a
		// finish reason came, since the server had more to say.
		return &StreamError{Err: ErrTruncated}
	}
	return &StreamError{Err: err}
}

// decodeChunk reads one data payload, telling error events apart from chunks.
func decodeChunk(data string) (ChatChunk, error) {
	var w struct {
		ChatChunk
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
		Code    json.RawMessage `json:"code"`
	}
	if err := json.Unmarshal([]byte(data), &w); err != nil {
		return ChatChunk{}, &StreamError{Err: &DecodeError{What: "stream event " + clip(data, 80), Err: err}}
	}
	if w.Object == "error" || len(w.Error) > 0 || (w.Choices == nil && w.Usage == nil && (len(w.Message) > 0 || len(w.Detail) > 0)) {
		e := ParseError(0, nil, []byte(data))
		msg := e.Message
		if msg == "" {
			msg = clip(data, 200)
		}
		return ChatChunk{}, &StreamError{Err: errors.New(msg), Message: msg, Code: e.Code}
	}
	return w.ChatChunk, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
