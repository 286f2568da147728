package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"mstudio/api"
	"mstudio/prices"
	"mstudio/session"
	"mstudio/untrusted"
)

// errInterrupted replaces the bare "context canceled" of a run stopped by
// Ctrl+C with what happened to the answer.
var errInterrupted = errors.New("interrupted; the partial answer is kept")

// explain returns the error a user should read for r.
func explain(r session.Result) error {
	if r.Err != nil && errors.Is(r.Err, context.Canceled) {
		return errInterrupted
	}
	return r.Err
}

// printChoices shows the other choices of an n>1 request after the one
// streamed (choice 1): each was billed, each is shown.
func (a *app) printChoices(res session.Result) {
	for i, c := range res.Choices {
		if i == 0 {
			continue
		}
		fmt.Fprintf(a.stdout, "\n── choice %d of %d ──\n", i+1, len(res.Choices))
		text := untrusted.Sanitize(c.Message.Content.String())
		for _, tc := range c.Message.ToolCalls {
			text += "\n" + toolCallLine(tc)
		}
		fmt.Fprintln(a.stdout, strings.TrimRight(text, "\n"))
	}
}

// lastByteWriter remembers the last byte written through it, to end the
// answer with exactly one newline.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		l.last = p[len(p)-1]
	}
	return l.w.Write(p)
}

// toolCallLine shows one tool call on one line.
func toolCallLine(tc api.ToolCall) string {
	s := fmt.Sprintf("tool call: %s %s", untrusted.StripLine(tc.Function.Name), untrusted.StripLine(string(tc.Function.Arguments)))
	if tc.ID != "" {
		s += "  (id " + untrusted.StripLine(tc.ID) + ")"
	}
	return s
}

// summary is the figures of one run on one line:
// model · endpoint · ttft 210 ms · 84 tok/s · 312 in / 96 out · $0.0001
func summary(r session.Result) string {
	parts := []string{untrusted.StripLine(r.Model), untrusted.StripLine(r.Endpoint)}
	if r.TTFT > 0 {
		parts = append(parts, "ttft "+session.Millis(r.TTFT))
	}
	if r.Usage != nil {
		if gen := r.Latency - r.TTFT; gen > 0 && r.Usage.CompletionTokens > 0 {
			parts = append(parts, fmt.Sprintf("%.0f tok/s", float64(r.Usage.CompletionTokens)/gen.Seconds()))
		}
		parts = append(parts, fmt.Sprintf("%d in / %d out", r.Usage.PromptTokens, r.Usage.CompletionTokens))
	}
	switch {
	case r.CostKnown:
		parts = append(parts, prices.Format(r.CostUSD))
	case r.Usage != nil:
		parts = append(parts, "cost unknown")
	}
	if r.FinishReason != "" && r.FinishReason != api.FinishStop {
		parts = append(parts, "finish "+untrusted.StripLine(r.FinishReason))
	}
	if r.Failed() {
		parts = append(parts, "failed")
	}
	return strings.Join(parts, " · ")
}

// printAll shows the answers of several models, each under a header line
// with its model and figures, in the order the models were given.
func (a *app) printAll(results []session.Result) {
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		header := "── " + summary(r)
		if a.outTTY && a.color {
			header = sgrBold + header + sgrReset
		}
		fmt.Fprintln(a.stdout, header)
		if th := r.Reasoning(); th != "" {
			if a.color {
				fmt.Fprint(a.stderr, sgrDim)
			}
			fmt.Fprint(a.stderr, strings.TrimRight(untrusted.Sanitize(th), "\n"))
			if a.color {
				fmt.Fprint(a.stderr, sgrReset)
			}
			fmt.Fprintln(a.stderr)
		}
		if text := untrusted.Sanitize(r.Content()); text != "" {
			fmt.Fprint(a.stdout, text)
			if !strings.HasSuffix(text, "\n") {
				fmt.Fprintln(a.stdout)
			}
		}
		for _, tc := range r.Message.ToolCalls {
			fmt.Fprintln(a.stdout, toolCallLine(tc))
		}
		if r.Failed() {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", programName, untrusted.StripLine(r.Model), untrusted.StripLine(r.Err.Error()))
		}
	}
}

// writeJSONRecords prints one record for one run and an array for several,
// indented by two spaces, and nothing else on stdout.
func (a *app) writeJSONRecords(results []session.Result) error {
	return writeRecords(a.stdout, session.Records(results))
}

// writeRecords prints run records as --json does: one object for one run,
// an array for several.
func writeRecords(w io.Writer, records []session.RunRecord) error {
	if len(records) == 1 {
		return writeJSON(w, records[0])
	}
	return writeJSON(w, records)
}

// writeJSON encodes v indented. JSON already escapes C0 controls; C1
// controls, which encoding/json leaves raw and some terminals obey, are
// escaped too, which changes nothing for a JSON reader.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeC1(buf.Bytes()))
	return err
}

// escapeC1 rewrites U+0080..U+009F as \u00XX. In encoder output they can only
// be inside strings, where the escape means the same character.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xc2}) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x80 && r <= 0x9f {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
