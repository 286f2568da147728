package prompts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// indexLine is one line of .versions/NAME/index.jsonl. The field order is
// the struct's, so every line is written with the same key order and a
// diff of the index shows only new lines.
type indexLine struct {
	Version int    `json:"version"`
	Saved   string `json:"saved"` // RFC 3339, UTC
	SHA256  string `json:"sha256"`
	Model   string `json:"model"`
	Note    string `json:"note"`
}

// indexName is the file name of a prompt's version index.
const indexName = "index.jsonl"

// readIndex reads an index file. A missing file is no entries. The last
// line, when it has no newline and is not valid JSON, is a write that a
// crash cut off and is ignored; any other bad line is an *Error naming the
// file and line, since guessing past it could renumber versions.
func readIndex(path string) ([]indexLine, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []indexLine
	seen := map[int]int{} // version → line
	for ln := 1; len(data) > 0; ln++ {
		line, rest, whole := bytes.Cut(data, []byte("\n"))
		data = rest
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e indexLine
		if err := strictUnmarshal(line, &e); err != nil {
			if !whole {
				break // cut off mid-append
			}
			return nil, &Error{File: path, Line: ln, Msg: "not a version record: " + err.Error()}
		}
		if e.Version < 1 {
			return nil, &Error{File: path, Line: ln, Msg: fmt.Sprintf("version %d: versions count from 1", e.Version)}
		}
		if _, err := time.Parse(time.RFC3339, e.Saved); err != nil {
			return nil, &Error{File: path, Line: ln, Msg: fmt.Sprintf("saved %q: want an RFC 3339 time such as 2025-06-01T09:30:00Z", e.Saved)}
		}
		if first, dup := seen[e.Version]; dup {
			return nil, &Error{File: path, Line: ln, Msg: fmt.Sprintf("version %d is listed again (first on line %d)", e.Version, first)}
		}
		seen[e.Version] = ln
		out = append(out, e)
	}
	return out, nil
}

// strictUnmarshal decodes exactly one JSON object; trailing text after it
// (two records run together) is an error.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("extra text after the record")
	}
	return nil
}

// indexMu serialises index appends within the process.
var indexMu sync.Mutex

// appendIndex adds one line to the index and syncs it before returning, so
// a version reported as saved is on disk. A cut-off last line left by a
// crash is cut away first: appending after it would glue the new record to
// the fragment and turn it into a malformed line in the middle.
func appendIndex(path string, e indexLine) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep notes readable in the file
	if err := enc.Encode(e); err != nil {
		return err
	}
	// Saves in this process go one at a time; other processes are kept
	// apart by O_APPEND, which makes each single write land whole at the
	// end instead of two writers overwriting the same offset.
	indexMu.Lock()
	defer indexMu.Unlock()
	rf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = repairTail(rf, path)
	rf.Close()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// repairTail makes the index end with a newline: a torn last line (not
// JSON) is truncated away; a whole record missing only its newline (an
// editor that strips it) gets one.
func repairTail(f *os.File, path string) error {
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return err
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, info.Size()))
	if err != nil {
		return err
	}
	if data[len(data)-1] == '\n' {
		return nil
	}
	start := bytes.LastIndexByte(data, '\n') + 1
	var e indexLine
	if len(bytes.TrimSpace(data[start:])) > 0 && strictUnmarshal(data[start:], &e) == nil {
		_, err := f.WriteAt([]byte("\n"), info.Size())
		return err
	}
	if err := f.Truncate(int64(start)); err != nil {
		return fmt.Errorf("%s: cutting off an unfinished last line: %w", path, err)
	}
	return nil
}
