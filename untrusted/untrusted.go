package untrusted

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Sanitize returns s with every terminal control removed (see the package
// comment). Text with nothing to remove comes back unchanged.
func Sanitize(s string) string {
	if clean(s) {
		return s
	}
	var f filter
	return string(f.process(nil, []byte(s), true))
}

// clean reports whether s needs no work, so the common case costs one scan
// and no allocation.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			// Non-ASCII: check the rest rune by rune for C1 controls and bad
			// UTF-8 (which ranges as U+FFFD; a literal U+FFFD merely takes
			// the slow path and is kept there).
			for _, r := range s[i:] {
				if r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
					return false
				}
			}
			return true
		}
	}
	return true
}

// Writer sanitizes everything written to it before passing it on. It holds
// back at most an unfinished UTF-8 character between writes; Flush settles
// it at the end of the text. A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	f   filter
	buf []byte
}

// NewWriter returns a Writer that writes sanitized text to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write sanitizes p and writes the result. It reports len(p) on success,
// because every input byte was consumed even when it printed nothing.
func (w *Writer) Write(p []byte) (int, error) {
	w.buf = w.f.process(w.buf[:0], p, false)
	if len(w.buf) > 0 {
		if _, err := w.w.Write(w.buf); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// WriteString is Write for a string.
func (w *Writer) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Flush ends the text: a UTF-8 character left unfinished is written as
// U+FFFD, and an unterminated escape sequence is dropped. The Writer can be
// used again afterwards, starting from a clean state.
func (w *Writer) Flush() error {
	w.buf = w.f.process(w.buf[:0], nil, true)
	w.f = filter{}
	if len(w.buf) > 0 {
		if _, err := w.w.Write(w.buf); err != nil {
			return err
		}
	}
	return nil
}

// state is where the filter is inside an escape sequence.
type state uint8

const (
	stNormal   state = iota
	stEsc            // after ESC
	stEscInter       // after ESC and intermediate bytes (ESC ( B and the like)
	stCSI            // inside a control sequence: ESC [ or U+009B
	stString         // inside OSC, DCS, SOS, PM or APC, until BEL or ST
)

const (
	esc = 0x1b
	bel = 0x07
	can = 0x18 // CAN and SUB abort any sequence on VT terminals
	sub = 0x1a
)

// filter is the escape-sequence state machine, modelled on how VT-style
// terminals parse their input, so that whatever a terminal would have
// treated as a control is dropped and nothing else is.
type filter struct {
	st      state
	pending []byte // an unfinished UTF-8 character from the previous write
}

// process appends the printable part of p to dst. Unless final, a UTF-8
// character cut at the end of p is kept for the next call.
func (f *filter) process(dst, p []byte, final bool) []byte {
	b := p
	if len(f.pending) > 0 {
		b = append(f.pending, p...)
		f.pending = nil
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			dst = f.ascii(dst, c)
			i++
			continue
		}
		if !final && !utf8.FullRune(b[i:]) {
			f.pending = append([]byte(nil), b[i:]...)
			break
		}
		r, size := utf8.DecodeRune(b[i:])
		dst = f.nonASCII(dst, r, b[i:i+size], size)
		i += size
	}
	return dst
}

// ascii handles one byte below 0x80.
func (f *filter) ascii(dst []byte, c byte) []byte {
	if c == esc {
		f.st = stEsc // ESC always starts over, even inside a sequence
		return dst
	}
	if c == can || c == sub {
		f.st = stNormal
		return dst
	}
	switch f.st {
	case stNormal:
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			return append(dst, c)
		}
		return dst // other C0 controls and DEL
	case stString:
		if c == bel {
			f.st = stNormal
		}
		return dst // the string's body is never shown
	}
	// stEsc, stEscInter, stCSI: terminals execute C0 controls met inside a
	// sequence without leaving it, so line breaks and tabs still count.
	if c < 0x20 {
		if c == '\n' || c == '\t' {
			return append(dst, c)
		}
		return dst
	}
	if c == 0x7f {
		return dst
	}
	switch f.st {
	case stEsc:
		switch {
		case c == '[':
			f.st = stCSI
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			f.st = stString
		case c >= 0x20 && c <= 0x2f:
			f.st = stEscInter
		default:
			f.st = stNormal // ESC + final byte: a two-byte sequence, dropped
		}
	case stEscInter:
		if c >= 0x30 {
			f.st = stNormal
		}
	case stCSI:
		if c >= 0x40 {
			f.st = stNormal // final byte
		}
	}
	return dst
}

// nonASCII handles one decoded character at or above 0x80; raw is its bytes.
func (f *filter) nonASCII(dst []byte, r rune, raw []byte, size int) []byte {
	switch f.st {
	case stString:
		if r == 0x9c { // ST
			f.st = stNormal
		}
		return dst
	case stEsc, stEscInter, stCSI:
		// A sequence cannot contain this character: terminals abandon the
		// sequence, and the character is read as ordinary input.
		f.st = stNormal
	}
	if r == utf8.RuneError && size == 1 {
		return utf8.AppendRune(dst, utf8.RuneError)
	}
	if r >= 0x80 && r <= 0x9f {
		switch r {
		case 0x9b: // CSI
			f.st = stCSI
		case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
			f.st = stString
		}
		return dst
	}
	return append(dst, raw...)
}

// StripLine sanitizes s and also folds line breaks and tabs into spaces, for
// text that must stay on one line: a model id in a table, an error message
// in a summary.
func StripLine(s string) string {
	s = Sanitize(s)
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}
