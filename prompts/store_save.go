package prompts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Save records source as the prompt's next version and makes it NAME.prompt.
//
// The source must parse (errors name NAME.prompt and the line). Its front
// matter gets `version: "N"`, so NAME.prompt and .versions/NAME/000N.prompt
// are byte-identical. The writes go in the order that leaves a usable
// folder after a crash at any point: the version file (created with O_EXCL,
// so an existing version is never overwritten, and synced), then its index
// line (synced), then NAME.prompt (atomic replace).
//
// When source equals the newest version apart from the version line,
// nothing is written and created is false (NAME.prompt is only put back if
// it was deleted). When NAME.prompt is Unsaved (see Versions), it is first
// recorded as its own version, so an edit made outside mstudio, or a file
// from before versioning, stays in the history.
func (s *Store) Save(name, source, note string) (v Version, created bool, err error) {
	if err := CheckName(name); err != nil {
		return Version{}, false, err
	}
	path := s.promptPath(name)
	p, err := parse(path, name, source)
	if err != nil {
		return Version{}, false, err
	}
	saved, err := s.history(name)
	if err != nil {
		return Version{}, false, err
	}
	current, err := s.unsaved(name, saved)
	if err != nil {
		return Version{}, false, err
	}
	next := 1
	if len(saved) > 0 {
		newest := saved[len(saved)-1]
		next = newest.N + 1
		if current == nil {
			last, err := os.ReadFile(newest.Path)
			if err == nil && sameIgnoringVersion(source, string(last)) {
				if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
					err = WriteFile(path, last)
					return newest, false, err
				}
				return newest, false, nil
			}
		}
	}
	if current != nil {
		on, err := os.ReadFile(path)
		if err != nil {
			return Version{}, false, err
		}
		if !sameIgnoringVersion(source, string(on)) {
			if _, err := s.adopt(name, current, on); err != nil {
				return Version{}, false, err
			}
			next = current.N + 1
		}
	}
	text, err := setVersion(source, next)
	if err != nil {
		return Version{}, false, &Error{File: path, Msg: "setting the version: " + err.Error()}
	}
	if _, err := parse(path, name, text); err != nil {
		// Only a front matter the line editor cannot place a key in (a
		// flow mapping) gets here; say so rather than write a broken file.
		return Version{}, false, fmt.Errorf("%s: cannot add the version line to this front matter: %w", path, err)
	}
	v, err = s.writeVersion(name, next, []byte(text), p.Model, note)
	if err != nil {
		return Version{}, false, err
	}
	if err := WriteFile(path, []byte(text)); err != nil {
		return Version{}, false, fmt.Errorf("version %d is saved as %s, but %s was not updated: %w", next, v.Path, path, err)
	}
	syncDir(s.Dir)
	return v, true, nil
}

// adopt records NAME.prompt as it is on disk as version cur.N. Its version
// line is set when the file parses; a file that does not parse is kept as
// it is, since the point is to lose nothing.
func (s *Store) adopt(name string, cur *Version, data []byte) (Version, error) {
	text := string(data)
	if t, err := setVersion(text, cur.N); err == nil {
		if _, err := parse(cur.Path, name, t); err == nil {
			text = t
		}
	}
	note := "adopted " + filepath.Base(cur.Path) + " as it was on disk"
	if cur.N > 1 {
		note = "adopted " + filepath.Base(cur.Path) + ", edited outside mstudio"
	}
	return s.writeVersion(name, cur.N, []byte(text), cur.Model, note)
}

// writeVersion creates version n's file and appends its index line.
func (s *Store) writeVersion(name string, n int, data []byte, model, note string) (Version, error) {
	dir := s.historyDir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Version{}, err
	}
	path := s.versionPath(name, n)
	if err := createExclusive(path, data); err != nil {
		return Version{}, err
	}
	syncDir(dir)
	saved := time.Now().UTC().Truncate(time.Second)
	v := Version{N: n, Path: path, Saved: saved, SHA256: hash(data), Model: model, Note: note}
	line := indexLine{Version: n, Saved: saved.Format(time.RFC3339), SHA256: v.SHA256, Model: model, Note: note}
	if err := appendIndex(filepath.Join(dir, indexName), line); err != nil {
		// The version file stays: it is complete, and Versions lists it
		// from the file. Removing it could race with a reader.
		return Version{}, fmt.Errorf("%s: recording version %d: %w", filepath.Join(dir, indexName), n, err)
	}
	return v, nil
}

// createExclusive writes a new file and syncs it; it never replaces an
// existing one. A failed write removes the file it created, so no half
// version is left behind.
func createExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: another save took this version number first (nothing was overwritten; save again)", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// syncDir makes a new or renamed entry in dir durable. It is best effort:
// some systems cannot sync a folder, and the data itself is synced already.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
