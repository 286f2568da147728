package markdown

import "strings"

// compactSGR rewrites one rendered line with fewer escape sequences and the
// same look. Glamour styles every word and every padding space on its own:
// "ESC[38;2;220;220;228m ESC[m" for one blank cell, so a line of 84 cells
// weighs about 480 bytes. Bubble Tea parses the whole screen on every frame,
// so these bytes are paid at every frame while an answer streams.
//
// The one rewrite: a reset followed at once by exactly the styles that were
// in force since the previous reset in the same line changes nothing, so
// both are dropped. Styles in force at the start of the line are not known
// (they may come from the line before), so nothing is dropped before the
// line's first reset. Any other sequence is kept as it is.
func compactSGR(line string) string {
	if strings.IndexByte(line, 0x1b) < 0 {
		return line
	}
	var b strings.Builder
	b.Grow(len(line) / 2)
	// state is the SGR sequences written since the last reset, known only
	// once a reset was seen in this line.
	state := ""
	known := false
	i := 0
	for i < len(line) {
		n, reset := sgrAt(line, i)
		if n == 0 {
			j := strings.IndexByte(line[i+1:], 0x1b)
			if j < 0 {
				b.WriteString(line[i:])
				break
			}
			b.WriteString(line[i : i+1+j])
			i += 1 + j
			continue
		}
		if !reset {
			b.WriteString(line[i : i+n])
			if strings.HasPrefix(line[i:], "\x1b[0;") {
				state, known = line[i:i+n], true // it resets, then sets
			} else {
				state += line[i : i+n]
			}
			i += n
			continue
		}
		// a reset: take the style sequences that follow it at once
		j := i + n
		for {
			m, r := sgrAt(line, j)
			if m == 0 || r {
				break
			}
			j += m
		}
		again := line[i+n : j]
		if known && again != "" && again == state {
			i = j // the same styles again: nothing changes
			continue
		}
		b.WriteString(line[i:j])
		state, known = again, true
		i = j
	}
	return b.String()
}

// sgrAt returns the length of the SGR sequence (ESC [ params m) at s[i:], 0
// when there is none, and whether it resets every attribute (no
// parameters, or 0 alone).
func sgrAt(s string, i int) (n int, reset bool) {
	if i+2 >= len(s) || s[i] != 0x1b || s[i+1] != '[' {
		return 0, false
	}
	j := i + 2
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
		j++
	}
	if j >= len(s) || s[j] != 'm' {
		return 0, false
	}
	params := s[i+2 : j]
	return j + 1 - i, params == "" || params == "0"
}
