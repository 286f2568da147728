package untrusted

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello, world!\n", "Hello, world!\n"},
		{"unicode kept", "Café ☕ 日本語 😀👍🏽 ñ Ω", "Café ☕ 日本語 😀👍🏽 ñ Ω"},
		{"zwj emoji kept", "👩‍💻 and 🇫🇷", "👩‍💻 and 🇫🇷"},
		{"combining accents kept", "e\u0301 a\u0308", "e\u0301 a\u0308"},
		{"literal replacement char kept", "a\uFFFDb", "a\uFFFDb"},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
		{"carriage return dropped", "line\r\nnext\rover", "line\nnextover"},
		{"bell backspace formfeed dropped", "a\x07b\x08c\x0cd\x0be\x00f", "abcdef"},
		{"DEL dropped", "a\x7fb", "ab"},
		{"SGR colour", "\x1b[31mred\x1b[0m", "red"},
		{"cursor moves", "\x1b[2J\x1b[H\x1b[10;20Hx\x1b[1A", "x"},
		{"private CSI", "\x1b[?25l\x1b[?1049hhidden?", "hidden?"},
		{"CSI with intermediate", "\x1b[1 qx", "x"},
		{"OSC title BEL", "\x1b]0;pwned\x07after", "after"},
		{"OSC title ST", "\x1b]2;pwned\x1b\\after", "after"},
		{"OSC 52 clipboard", "\x1b]52;c;ZWNobyBwd25lZA==\x07ok", "ok"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"DCS", "\x1bP1$r0m\x1b\\x", "x"},
		{"APC PM SOS", "\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\x", "x"},
		{"two-byte ESC", "\x1b7\x1b8\x1bc\x1bMx", "x"},
		{"charset designation", "\x1b(0lqk\x1b(Bx", "lqkx"},
		{"ESC then ESC", "\x1b\x1b[31mx", "x"},
		{"lone ESC at end", "x\x1b", "x"},
		{"unterminated CSI at end", "x\x1b[31", "x"},
		{"unterminated OSC swallows", "x\x1b]0;title", "x"},
		{"CAN aborts", "\x1b[31\x18m", "m"},
		{"SUB aborts string", "\x1b]0;t\x1aafter", "after"},
		{"newline inside CSI still counts", "\x1b[3\n1mx", "\nx"},
		{"non-ASCII aborts CSI", "\x1b[3é", "é"},
		{"C1 CSI", "\u009b31mred", "red"},
		{"C1 OSC with C1 ST", "\u009d0;t\u009cafter", "after"},
		{"C1 OSC with BEL", "\u009d52;c;AAAA\x07after", "after"},
		{"C1 DCS APC PM SOS", "\u0090x\u009c\u009fx\u009c\u009ex\u009c\u0098x\u009cok", "ok"},
		{"other C1 dropped", "a\u0085b\u0084c\u008dd", "abcd"},
		{"invalid UTF-8", "a\xffb\xc3(c", "a\uFFFDb\uFFFD(c"},
		{"raw 8-bit CSI byte is invalid UTF-8", "\x9b31m", "\uFFFD31m"},
		{"truncated rune at end", "ok\xe2\x82", "ok\uFFFD\uFFFD"},
		{"overlong encoding", "\xc0\xaf", "\uFFFD\uFFFD"},
		{"surrogate", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// every split point of a stream must give the same answer
			for cut := 0; cut <= len(tt.in); cut++ {
				if got := viaWriter(t, tt.in[:cut], tt.in[cut:]); got != tt.want {
					t.Errorf("split at %d: %q, want %q", cut, got, tt.want)
				}
			}
		})
	}
}

func viaWriter(t testing.TB, parts ...string) string {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, p := range parts {
		n, err := w.WriteString(p)
		if err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriterByteByByte(t *testing.T) {
	in := "a\x1b]52;c;Zm9v\x07b 日本 \x1b[1;31mred\x1b[0m 😀\u009b2Jend\xe2\x82"
	var parts []string
	for i := 0; i < len(in); i++ {
		parts = append(parts, in[i:i+1])
	}
	if got, want := viaWriter(t, parts...), Sanitize(in); got != want {
		t.Errorf("byte by byte = %q, want %q", got, want)
	}
	if want := "ab 日本 red 😀end\uFFFD\uFFFD"; Sanitize(in) != want {
		t.Errorf("Sanitize = %q, want %q", Sanitize(in), want)
	}
}

func TestWriterHoldsOnlyUnfinishedRune(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteString("Hi \xf0\x9f")
	if out.String() != "Hi " {
		t.Fatalf("after first half: %q", out.String())
	}
	w.WriteString("\x98\x80!")
	if out.String() != "Hi 😀!" {
		t.Fatalf("after second half: %q", out.String())
	}
	if err := w.Flush(); err != nil || out.String() != "Hi 😀!" {
		t.Fatalf("after flush: %q, %v", out.String(), err)
	}
}

func TestWriterFlushResets(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteString("a\x1b]0;never ends")
	w.Flush()
	w.WriteString("b")
	w.Flush()
	if out.String() != "ab" {
		t.Fatalf("got %q", out.String())
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errors.New("boom") }

func TestWriterReportsErrors(t *testing.T) {
	w := NewWriter(failWriter{})
	if _, err := w.WriteString("x"); err == nil {
		t.Error("Write: want error")
	}
	w = NewWriter(failWriter{})
	w.WriteString("\xe2") // held back, nothing written yet
	if err := w.Flush(); err == nil {
		t.Error("Flush: want error")
	}
}

func TestSanitizeCleanInputIsNotCopied(t *testing.T) {
	s := strings.Repeat("plain text, café 日本\n", 10)
	if allocs := testing.AllocsPerRun(100, func() { _ = Sanitize(s) }); allocs != 0 {
		t.Errorf("Sanitize of clean text allocated %v times", allocs)
	}
}

func TestStripLine(t *testing.T) {
	if got := StripLine("a\nb\tc\x1b[31md\r"); got != "a b cd" {
		t.Errorf("StripLine = %q", got)
	}
}

// checkSafe fails when out holds anything a terminal would act on.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Fatalf("Sanitize(%q) = %q: contains control %U", in, out, r)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "hello", "\x1b[31mred\x1b[0m", "\x1b]52;c;AAAA\x07", "\x1b]8;;u\x1b\\t\x1b]8;;\x1b\\",
		"\u009b1m", "\u009d0;x\u009c", "\xff\xfe", "日本語😀", "\x1bP$q\x1b\\", "a\rb\bc",
		"\x1b(B", "\x1b[?1049h", "\xe2\x82", "\x1b\x1b]", "\x18\x1a",
	} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, cut uint8) {
		out := Sanitize(in)
		checkSafe(t, in, out)
		if strings.ContainsRune(out, esc) {
			t.Fatalf("ESC left in %q", out)
		}
		// Text with nothing to remove is kept exactly.
		if clean(in) && out != in {
			t.Fatalf("clean input %q changed to %q", in, out)
		}
		// Streaming in pieces gives exactly the same text.
		var pieces []string
		rest := in
		step := int(cut%7) + 1
		for len(rest) > 0 {
			n := min(step, len(rest))
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
		if got := viaWriter(t, pieces...); got != out {
			t.Fatalf("streamed %q in %d-byte pieces = %q, whole = %q", in, step, got, out)
		}
		// Sanitizing twice changes nothing more.
		if again := Sanitize(out); again != out {
			t.Fatalf("not idempotent: %q -> %q", out, again)
		}
	})
}
