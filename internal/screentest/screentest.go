// Package screentest decodes what a program wrote to a terminal through a
// terminal emulator (github.com/charmbracelet/x/vt), so tests match the
// screen a person would see rather than the renderer's bytes.
//
// Bubble Tea's renderer only rewrites the cells that changed since the last
// frame, so a word on screen may never appear whole in its output: "Step
// mode" over a frame that already held "Step" arrives as " mode" and a
// cursor move. Matching raw bytes then fails at random; matching the
// emulator's screen does not. It is for tests only.
package screentest

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
)

// Screen is a terminal of a fixed size fed by a program's output, read on
// demand (a teatest.TestModel's Output, for one).
type Screen struct {
	mu  sync.Mutex
	r   io.Reader
	em  *vt.Emulator
	buf []byte
	err error
}

// New returns the screen of a w×h terminal that reads the program's output
// from r. The emulator answers the program's queries (device attributes,
// cursor position) on an input pipe that blocks until read, so a goroutine
// drains it until the test ends.
func New(tb testing.TB, r io.Reader, w, h int) *Screen {
	tb.Helper()
	s := &Screen{r: r, em: vt.NewEmulator(w, h), buf: make([]byte, 32*1024)}
	pw, _ := s.em.InputPipe().(*io.PipeWriter)
	go io.Copy(io.Discard, s.em)
	// Closing the pipe's writer, rather than the emulator, ends the drain
	// without touching the emulator's own state from two goroutines.
	tb.Cleanup(func() {
		if pw != nil {
			pw.Close()
		}
	})
	return s
}

// feed moves what the program has written so far into the emulator.
func (s *Screen) feed() {
	for s.err == nil {
		n, err := s.r.Read(s.buf)
		if n > 0 {
			s.em.Write(s.buf[:n])
		}
		if err == io.EOF || n == 0 {
			return // nothing more for now: the program may still write
		}
		if err != nil {
			s.err = err
		}
	}
}

// Text is the screen now: its lines joined by newlines, each without its
// trailing blanks.
func (s *Screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feed()
	return s.em.String()
}

// WaitFor polls the screen until cond holds on its text and returns that
// text; it fails the test with the last screen after timeout.
func (s *Screen) WaitFor(tb testing.TB, cond func(screen string) bool, timeout time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		text := s.Text()
		if cond(text) {
			return text
		}
		if time.Now().After(deadline) {
			s.mu.Lock()
			err := s.err
			s.mu.Unlock()
			if err != nil {
				tb.Fatalf("screentest: reading the program's output: %v; the screen is:\n%s", err, text)
			}
			tb.Fatalf("screentest: the condition did not hold within %s; the screen is:\n%s", timeout, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForText waits until the screen shows text (on one line) and returns
// the screen.
func (s *Screen) WaitForText(tb testing.TB, text string, timeout time.Duration) string {
	tb.Helper()
	return s.WaitFor(tb, func(screen string) bool { return strings.Contains(screen, text) }, timeout)
}

// Decode is the text of a w×h screen after the bytes raw were written to
// it: for one capture that holds escapes, such as `tmux capture-pane -e -p`
// (whose line ends are bare newlines, so each is taken as CR LF).
func Decode(raw []byte, w, h int) string {
	em := vt.NewEmulator(w, h)
	pw, _ := em.InputPipe().(*io.PipeWriter)
	go io.Copy(io.Discard, em)
	defer func() {
		if pw != nil {
			pw.Close()
		}
	}()
	raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	raw = bytes.TrimSuffix(raw, []byte("\r\n")) // the last line's end would scroll a full screen
	em.Write(raw)
	return em.String()
}
