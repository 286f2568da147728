package prompts

import (
	"errors"
	"strconv"
	"strings"

	"github.com/google/dotprompt/go/dotprompt"
)

// frontSpan locates the front matter in source the way Dotprompt does:
// source[start:end] is the YAML text between the fences. has is false when
// the source has no front matter block; start == end for an empty one
// ("---\n---\n").
func frontSpan(source string) (start, end int, has bool) {
	if m := dotprompt.FrontmatterAndBodyRegex.FindStringSubmatchIndex(source); m != nil {
		return m[2], m[3], true
	}
	if m := dotprompt.EmptyFrontmatterRegex.FindStringSubmatchIndex(source); m != nil {
		// The empty block ends right before the body; the YAML text would
		// go after the first fence's line.
		nl := strings.IndexByte(source, '\n') + 1
		return nl, nl, true
	}
	return 0, 0, false
}

// setVersion returns source with `version: "n"` in its front matter: the
// existing version key is replaced where it stands; a new one goes after
// name (or first), so that files read name, version, description, … A
// source without front matter gets a block holding only the version.
// Dotprompt wants the version as a string, hence the quotes.
func setVersion(source string, n int) (string, error) {
	source = strings.TrimPrefix(source, "\ufeff")
	start, end, has := frontSpan(source)
	if !has && opensFront(source) && !strings.HasSuffix(source, "\n") {
		// A file that ends right after its closing fence: Dotprompt's
		// regular expression wants a newline there (see splitDocument).
		if s, e, ok := frontSpan(source + "\n"); ok {
			source, start, end, has = source+"\n", s, e, ok
		}
	}
	if !has {
		return "---\n" + versionLine(n) + "\n---\n" + source, nil
	}
	lines := frontLines(source[start:end])
	if s, e := scalarKey(lines, "version"); s >= 0 {
		lines = append(lines[:s], append([]string{versionLine(n)}, lines[e:]...)...)
	} else {
		at := 0
		if _, e := scalarKey(lines, "name"); e >= 0 {
			at = e
		}
		lines = append(lines[:at], append([]string{versionLine(n)}, lines[at:]...)...)
	}
	out := strings.Join(lines, "\n")
	if start == end {
		// An empty block: the YAML text needs its own line before the
		// closing fence.
		out += "\n"
	}
	out = source[:start] + out + source[end:]
	if !sameIgnoringVersion(out, source) {
		// The fences read differently once the line is in (a front matter
		// holding only "---", say); refuse rather than change the prompt.
		return "", errors.New("the front matter cannot take a version line here; write version: \"N\" in it by hand")
	}
	return out, nil
}

// scalarKey finds a top-level key holding a scalar: its line and the
// indented lines continuing its value. Unlike topKeyBlock it stops at a
// comment or blank line, which belongs to what follows, so that replacing
// or removing the version never takes a comment with it.
func scalarKey(lines []string, key string) (start, end int) {
	for i, l := range lines {
		if strings.HasPrefix(l, key+":") {
			end = i + 1
			for end < len(lines) && strings.TrimSpace(lines[end]) != "" && (lines[end][0] == ' ' || lines[end][0] == '\t') && !strings.HasPrefix(strings.TrimSpace(lines[end]), "#") {
				end++
			}
			return i, end
		}
	}
	return -1, -1
}

// frontLines splits front matter into lines, keeping blank lines (unlike
// splitFront), so that a save changes nothing but the version line.
func frontLines(front string) []string {
	if front == "" {
		return nil
	}
	return strings.Split(front, "\n")
}

func versionLine(n int) string { return "version: " + strconv.Quote(strconv.Itoa(n)) }

// sameIgnoringVersion reports whether two prompt sources are the same
// prompt: equal once the front matter's version key is taken out, and with
// an empty front matter block counted as none. The version key is what a
// save changes, so it must not make a resave look like an edit.
func sameIgnoringVersion(a, b string) bool {
	return withoutVersion(a) == withoutVersion(b)
}

// withoutVersion is the source with the version key taken out of its front
// matter, as a comparison key (it need not be a valid prompt file).
func withoutVersion(source string) string {
	source = strings.TrimPrefix(source, "\ufeff")
	start, end, has := frontSpan(source)
	if !has && opensFront(source) && !strings.HasSuffix(source, "\n") {
		if s, e, ok := frontSpan(source + "\n"); ok {
			// Only an empty body can follow such a fence, so the added
			// newline is the body's and is dropped again below.
			return withoutVersionAt(source+"\n", s, e, true)
		}
	}
	if !has {
		return "\x00" + source
	}
	return withoutVersionAt(source, start, end, false)
}

// withoutVersionAt is withoutVersion on a source whose front matter is at
// source[start:end]; added says a newline was added at the end to find it.
func withoutVersionAt(source string, start, end int, added bool) string {
	lines := frontLines(source[start:end])
	if s, e := scalarKey(lines, "version"); s >= 0 {
		lines = append(lines[:s], lines[e:]...)
	}
	front := strings.Join(lines, "\n")
	// The body is what follows the closing fence; the fence lines
	// themselves are the same for every file with front matter.
	body := source[end:]
	if i := strings.Index(body, "---"); i >= 0 {
		body = body[i+3:]
		if j := strings.IndexByte(body, '\n'); j >= 0 {
			body = body[j+1:]
		}
	}
	if added {
		body = strings.TrimSuffix(body, "\n")
	}
	return front + "\x00" + body
}
