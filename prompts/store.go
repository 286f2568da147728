package prompts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Store is a folder of versioned prompts (see the package comment for the
// layout). It keeps no state between calls: every method reads the files,
// so several processes (the studio, `mstudio run --save`, git) may work on
// the same folder, and O_EXCL creation keeps two saves from ever writing
// the same version file.
type Store struct{ Dir string }

// NewStore returns the store of the prompts folder dir.
func NewStore(dir string) *Store { return &Store{Dir: dir} }

// Version is one version of a prompt.
type Version struct {
	N      int
	Path   string    // the version's file
	Saved  time.Time // when it was saved (a file's mtime when not in the index)
	SHA256 string    // of the file's bytes, hex
	Model  string
	Note   string
	// Unsaved marks NAME.prompt itself when it is not in the history yet:
	// a file written before versioning, or edited outside mstudio since
	// the last save. The next Save records it as this version first.
	Unsaved bool
}

// ErrNoPrompt is returned (wrapped) for a name with neither a NAME.prompt
// file nor any saved version.
var ErrNoPrompt = errors.New("no such prompt")

// ErrBadName is returned (wrapped) for a name that is not a safe file name.
var ErrBadName = errors.New("not a valid prompt name")

// VersionError is a version number a prompt does not have.
type VersionError struct {
	File string // the prompt's NAME.prompt
	N    int
	Have []int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s: no version %d (versions: %s)", e.File, e.N, VersionList(e.Have))
}

// VersionList shows version numbers compactly, runs as ranges: "1-3, 5".
func VersionList(ns []int) string {
	if len(ns) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(ns[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(ns[i]), strconv.Itoa(ns[j]))
		default:
			parts = append(parts, fmt.Sprintf("%d-%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// safeName is what a prompt name may be made of: it becomes a file name and
// a folder name, so no separators, no leading dot (hidden files, "..").
var safeName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// CheckName reports whether name can be a prompt's name.
func CheckName(name string) error {
	if !safeName.MatchString(name) || len(name) > 200 {
		return fmt.Errorf("%w %q: use letters, digits, '.', '_' and '-' (not first: '.'), at most 200", ErrBadName, name)
	}
	return nil
}

// versionFile names a version's file: 0001.prompt, …, 9999.prompt, then
// 10000.prompt. Four digits keep `ls` and git listings in order for any
// history a person will write.
var versionFile = regexp.MustCompile(`^([0-9]{4,9})\.prompt$`)

func (s *Store) promptPath(name string) string { return filepath.Join(s.Dir, name+".prompt") }
func (s *Store) historyDir(name string) string { return filepath.Join(s.Dir, ".versions", name) }
func (s *Store) versionPath(name string, n int) string {
	return filepath.Join(s.historyDir(name), fmt.Sprintf("%04d.prompt", n))
}

// Names lists the prompts: the NAME.prompt files in Dir, sorted. A missing
// Dir has none.
func (s *Store) Names() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".prompt")
		if !ok || e.IsDir() || CheckName(name) != nil {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// Versions lists a prompt's versions, oldest first. The index gives each
// version's time, model and note; a version file the index lacks (the
// index was deleted, or a crash came between the two writes) is listed from
// the file itself. NAME.prompt is the newest version when it matches the
// newest saved one (ignoring the version line); otherwise it is listed
// after them as Unsaved, so that nothing on disk is hidden and the next
// save keeps it.
func (s *Store) Versions(name string) ([]Version, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	saved, err := s.history(name)
	if err != nil {
		return nil, err
	}
	current, err := s.unsaved(name, saved)
	if err != nil {
		return nil, err
	}
	if current != nil {
		saved = append(saved, *current)
	}
	if len(saved) == 0 {
		return nil, fmt.Errorf("%s: %w", s.promptPath(name), ErrNoPrompt)
	}
	return saved, nil
}

// history is the saved versions: the index joined with the version files.
func (s *Store) history(name string) ([]Version, error) {
	lines, err := readIndex(filepath.Join(s.historyDir(name), indexName))
	if err != nil {
		return nil, err
	}
	byN := map[int]Version{}
	for _, l := range lines {
		t, _ := time.Parse(time.RFC3339, l.Saved) // checked by readIndex
		byN[l.Version] = Version{N: l.Version, Path: s.versionPath(name, l.Version), Saved: t, SHA256: l.SHA256, Model: l.Model, Note: l.Note}
	}
	entries, err := os.ReadDir(s.historyDir(name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		m := versionFile.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if _, ok := byN[n]; ok || n < 1 {
			continue
		}
		v, err := describeFile(filepath.Join(s.historyDir(name), e.Name()), name)
		if err != nil {
			return nil, err
		}
		v.N = n
		byN[n] = v
	}
	out := make([]Version, 0, len(byN))
	for _, v := range byN {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}

// describeFile makes a Version from a file alone: its mtime, hash and
// model (empty when the file does not parse; listing must not fail on it).
func describeFile(path, name string) (Version, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Version{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return Version{}, err
	}
	v := Version{Path: path, Saved: info.ModTime(), SHA256: hash(data)}
	if p, err := parse(path, name, string(data)); err == nil {
		v.Model = p.Model
	}
	return v, nil
}

// unsaved returns NAME.prompt as the next version when it differs from the
// newest saved one (or there is none), nil when it matches or is absent.
func (s *Store) unsaved(name string, saved []Version) (*Version, error) {
	path := s.promptPath(name)
	current, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	n := 1
	if len(saved) > 0 {
		newest := saved[len(saved)-1]
		n = newest.N + 1
		last, err := os.ReadFile(newest.Path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err == nil && sameIgnoringVersion(string(current), string(last)) {
			return nil, nil
		}
	}
	v, err := describeFile(path, name)
	if err != nil {
		return nil, err
	}
	v.N, v.Unsaved = n, true
	if len(saved) == 0 {
		v.Note = "not saved by mstudio yet"
	} else {
		v.Note = "edited outside mstudio, not saved yet"
	}
	return &v, nil
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// find returns version n (n <= 0: the newest).
func (s *Store) find(name string, n int) (Version, error) {
	vs, err := s.Versions(name)
	if err != nil {
		return Version{}, err
	}
	if n <= 0 {
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.N == n {
			return v, nil
		}
	}
	have := make([]int, len(vs))
	for i, v := range vs {
		have[i] = v.N
	}
	return Version{}, &VersionError{File: s.promptPath(name), N: n, Have: have}
}

// Source returns the text of version n of a prompt; n <= 0 is the newest.
func (s *Store) Source(name string, n int) (string, error) {
	v, err := s.find(name, n)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(v.Path)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

// Load parses version n of a prompt (n <= 0: the newest). The Prompt's
// Path is the version's file, and its Name the prompt's (not "0002").
func (s *Store) Load(name string, n int) (*Prompt, error) {
	v, err := s.find(name, n)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(v.Path)
	if err != nil {
		return nil, err
	}
	p, err := parse(v.Path, name, string(data))
	if err != nil {
		return nil, err
	}
	p.Path = v.Path
	return p, nil
}
