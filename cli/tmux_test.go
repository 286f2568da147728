package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mstudio/internal/screentest"
)

// tmuxSession drives the real binary in a real terminal: tmux runs it, the
// test types with send-keys and reads the screen with capture-pane. The
// pane stays after the program ends (remain-on-exit), so a test can read
// the last screen and the exit status, and the program's stderr goes to a
// file of its own: a panic or a race report is never lost with the pane.
type tmuxSession struct {
	t      *testing.T
	name   string
	sock   string
	w, h   int
	errLog string
}

func newTmux(t *testing.T, w, h int, dir string, env []string, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	tmp := t.TempDir()
	s := &tmuxSession{t: t, name: "mstudio", sock: filepath.Join(tmp, "tmux.sock"), w: w, h: h, errLog: filepath.Join(tmp, "stderr")}
	// The command line is given to tmux as one word per argument, with the
	// environment set through env(1); sh only sends stderr to the file
	// named by MSTUDIO_E2E_STDERR.
	cmd := []string{"-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-s", s.name, "-c", dir,
		"env", "-i", "MSTUDIO_E2E_STDERR=" + s.errLog}
	cmd = append(cmd, env...)
	cmd = append(cmd, "/bin/sh", "-c", `exec "$@" 2>"$MSTUDIO_E2E_STDERR"`, "sh", binary)
	cmd = append(cmd, args...)
	cmd = append(cmd, ";", "set-option", "-t", s.name, "remain-on-exit", "on")
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	args := append([]string{"-S", s.sock, "send-keys", "-t", s.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys %v: %v: %s", keys, err, out)
	}
}

// text types s literally (no key names).
func (s *tmuxSession) text(text string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", "-S", s.sock, "send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys -l %q: %v: %s", text, err, out)
	}
}

// screen is the pane's text as tmux shows it (tmux is the terminal
// emulator here, so cells are already joined into lines).
func (s *tmuxSession) screen() string {
	sc, _ := s.state()
	return sc
}

// state is the screen and whether the program has ended, read in one tmux
// call.
func (s *tmuxSession) state() (screen string, dead bool) {
	out, err := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p", "-t", s.name, ";",
		"display-message", "-p", "-t", s.name, "#{pane_dead}").CombinedOutput()
	if err != nil {
		return "(capture-pane failed: " + err.Error() + ": " + string(out) + ")", false
	}
	text := strings.TrimRight(string(out), "\n")
	i := strings.LastIndexByte(text, '\n')
	if i < 0 {
		return "", text == "1"
	}
	return text[:i+1], text[i+1:] == "1"
}

// styledScreen is the pane captured with its escapes and decoded by the
// terminal emulator the teatest tests use: the same text as screen, read
// the way a terminal reads it.
func (s *tmuxSession) styledScreen() string {
	raw, err := exec.Command("tmux", "-S", s.sock, "capture-pane", "-e", "-p", "-t", s.name).Output()
	if err != nil {
		return "(capture-pane -e failed: " + err.Error() + ")"
	}
	return screentest.Decode(raw, s.w, s.h)
}

// stderr is what the program wrote to its stderr so far.
func (s *tmuxSession) stderr() string {
	b, _ := os.ReadFile(s.errLog)
	return string(b)
}

// waitFor polls the screen until cond holds, for at most 15 seconds.
func (s *tmuxSession) waitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	return s.waitForWithin(15*time.Second, what, cond)
}

// waitForWithin polls the screen until cond holds, and fails the test at
// once when the screen shows a panic or when the program ended.
func (s *tmuxSession) waitForWithin(d time.Duration, what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		sc, dead := s.state()
		if cond(sc) {
			return sc
		}
		if crashed(sc) || dead {
			s.t.Fatalf("waiting for %s, the program ended (or shows a panic); the screen is:\n%s\nstderr:\n%s", what, sc, s.stderr())
		}
		if time.Now().After(deadline) {
			if d := os.Getenv("MSTUDIO_E2E_DUMP"); d != "" {
				raw, _ := exec.Command("tmux", "-S", s.sock, "capture-pane", "-e", "-p", "-t", s.name).Output()
				os.WriteFile(d, raw, 0o644)
			}
			s.t.Fatalf("waiting for %s (%s); the screen is:\n%s", what, d, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitSettled waits until cond holds on a screen that has not changed for
// 800 ms: a run that has ended, not one between two frames or two turns.
func (s *tmuxSession) waitSettled(d time.Duration, what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	last, since := "", time.Now()
	for {
		sc := s.waitForWithin(time.Until(deadline), what, cond)
		if sc != last {
			last, since = sc, time.Now()
		} else if time.Since(since) >= 800*time.Millisecond {
			return sc
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// crashed reports a Go panic or fatal error on the screen.
func crashed(screen string) bool {
	return strings.Contains(screen, "panic:") || strings.Contains(screen, "goroutine ") || strings.Contains(screen, "fatal error:")
}

// waitExit waits for the program to end and returns its exit status.
func (s *tmuxSession) waitExit(d time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		out, err := exec.Command("tmux", "-S", s.sock, "display-message", "-p", "-t", s.name, "#{pane_dead} #{pane_dead_status}").Output()
		if err != nil {
			s.t.Fatalf("display-message: %v", err)
		}
		var dead, status int
		fmt.Sscan(string(out), &dead, &status)
		if dead == 1 {
			return status
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the program did not end within %s; the screen is:\n%s", d, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	if out, err := exec.Command("tmux", "-S", s.sock, "resize-window", "-t", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)).CombinedOutput(); err != nil {
		s.t.Fatalf("resize: %v: %s", err, out)
	}
	s.w, s.h = w, h
}

// intact checks that every line of the screen is exactly w cells: a frame
// that broke would show as a short or long line.
func intact(screen string, w, h int) bool {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) != h {
		return false
	}
	for _, l := range lines[:h-1] { // the status line may end in spaces tmux trims
		if ansi.StringWidth(l) != w {
			return false
		}
	}
	return true
}

func studioEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "TERM=xterm-256color", "PATH=" + os.Getenv("PATH"),
		"GORACE=atexit_sleep_ms=0", "EDITOR=true"}
}
