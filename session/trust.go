package session

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"mstudio/config"
)

// Trust is the list of prompt files whose command tools may run (DESIGN.md
// §6, trust on first use). Trust is per file and per content: editing a
// trusted file makes it untrusted until it is trusted again, so a command
// can never be changed behind the user's back. It is safe for concurrent
// use.
type Trust struct {
	path  string
	mu    sync.Mutex
	files map[string]map[string]string // absolute prompt path → sha256 → when trusted (RFC 3339)
}

// trustFile is trust.json on disk.
type trustFile struct {
	Version int                          `json:"version"`
	Files   map[string]map[string]string `json:"files"`
}

// TrustPath is where the trust list lives: $XDG_STATE_HOME/mstudio/trust.json;
// "" when no state folder is known.
func TrustPath() string {
	d := config.StateDir()
	if d == "" {
		return ""
	}
	return filepath.Join(d, "trust.json")
}

// LoadTrust reads the trust list at path; a missing file is an empty list.
func LoadTrust(path string) (*Trust, error) {
	t := &Trust{path: path, files: map[string]map[string]string{}}
	if path == "" {
		return t, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trust list: %w", err)
	}
	var f trustFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("trust list %s: %v (delete it to start again)", path, err)
	}
	for p, hashes := range f.Files {
		if hashes != nil {
			t.files[p] = hashes
		}
	}
	return t, nil
}

// HashFile returns the sha256 of a file's bytes, in hex: what trust is
// recorded against.
func HashFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return HashBytes(data), nil
}

// HashBytes is HashFile for bytes already read.
func HashBytes(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// trustKey makes one file one key, however it was named.
func trustKey(promptPath string) string {
	p, err := filepath.Abs(promptPath)
	if err != nil {
		return promptPath
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// Trusted reports whether this version (hash) of the prompt file is trusted.
func (t *Trust) Trusted(promptPath, hash string) bool {
	if t == nil || promptPath == "" || hash == "" {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.files[trustKey(promptPath)][hash]
	return ok
}

// Allow trusts this version of the prompt file and saves the list
// atomically (temp file, fsync, rename).
func (t *Trust) Allow(promptPath, hash string) error {
	if promptPath == "" || hash == "" {
		return errors.New("trust: no prompt file to trust")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	key := trustKey(promptPath)
	if t.files[key] == nil {
		t.files[key] = map[string]string{}
	}
	t.files[key][hash] = time.Now().UTC().Format(time.RFC3339)
	if t.path == "" {
		return errors.New("trust: no state folder ($XDG_STATE_HOME or a home folder) to keep the trust list in")
	}
	return t.save()
}

// Path returns the file the list is kept in.
func (t *Trust) Path() string { return t.path }

func (t *Trust) save() error {
	data, err := json.MarshalIndent(trustFile{Version: 1, Files: t.files}, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir := filepath.Dir(t.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("trust list: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".trust-*.json")
	if err != nil {
		return fmt.Errorf("trust list: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("trust list: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("trust list: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("trust list: %w", err)
	}
	if err := os.Rename(tmp.Name(), t.path); err != nil {
		return fmt.Errorf("trust list: %w", err)
	}
	return nil
}
