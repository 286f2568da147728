package screentest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a program's output being written while the test reads,
// as teatest's is.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Read(p)
}

// A renderer that rewrites only changed cells never sends "Step mode"
// whole when "Step" was already on screen; the decoded screen has it.
func TestSplitCellUpdatesAreJoined(t *testing.T) {
	var out lockedBuffer
	s := New(t, &out, 40, 5)
	out.Write([]byte("\x1b[2J\x1b[HStep xxxx\r\nsecond line"))
	if got := s.Text(); !strings.Contains(got, "Step xxxx") {
		t.Fatalf("first frame: %q", got)
	}
	// The second frame moves to column 6 of row 1 and writes only "mode".
	frame2 := "\x1b[1;6Hmode"
	out.Write([]byte(frame2))
	if strings.Contains(frame2, "Step mode") {
		t.Fatal("the raw frame should not hold the text whole")
	}
	got := s.WaitForText(t, "Step mode", time.Second)
	if want := "Step mode\nsecond line"; !strings.HasPrefix(got, want) {
		t.Fatalf("screen %q, want it to start with %q", got, want)
	}
}

// Output written after WaitFor starts is seen: the wait polls.
func TestWaitForSeesLaterOutput(t *testing.T) {
	var out lockedBuffer
	s := New(t, &out, 20, 3)
	go func() {
		time.Sleep(50 * time.Millisecond)
		out.Write([]byte("\x1b[Hready"))
	}()
	s.WaitForText(t, "ready", 5*time.Second)
}

// A program that queries the terminal (device attributes, cursor position)
// gets its answer on the emulator's input pipe; the write must not block
// on a pipe nobody reads.
func TestQueriesDoNotBlock(t *testing.T) {
	var out lockedBuffer
	s := New(t, &out, 20, 3)
	out.Write([]byte("\x1b[c\x1b[6n\x1b[?2026$p\x1b[Hafter"))
	done := make(chan string, 1)
	go func() { done <- s.Text() }()
	select {
	case got := <-done:
		if !strings.Contains(got, "after") {
			t.Fatalf("screen %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writing a query blocked the screen")
	}
}

func TestDecodeACaptureWithEscapes(t *testing.T) {
	raw := []byte("\x1b[1mModels\x1b[0m  x\nsecond \x1b[38;5;2mline\x1b[0m\n")
	got := Decode(raw, 20, 3)
	if want := "Models  x\nsecond line\n"; got != want { // three rows, the last empty
		t.Fatalf("Decode = %q, want %q", got, want)
	}
}
