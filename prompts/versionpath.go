package prompts

import (
	"path/filepath"
	"strconv"
	"strings"
)

// VersionOf tells a version file of a store (DIR/.versions/NAME/0003.prompt)
// from a prompt's own file. For a version it returns the store's folder,
// the prompt's name and the version number; ok is false for any other
// path. Only this package knows the .versions layout: callers ask here.
func VersionOf(path string) (dir, name string, n int, ok bool) {
	m := versionFile.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return "", "", 0, false
	}
	promptDir := filepath.Dir(path)
	versions := filepath.Dir(promptDir)
	if filepath.Base(versions) != ".versions" || CheckName(filepath.Base(promptDir)) != nil {
		return "", "", 0, false
	}
	n, err := strconv.Atoi(strings.TrimLeft(m[1], "0"))
	if err != nil || n <= 0 {
		return "", "", 0, false
	}
	return filepath.Dir(versions), filepath.Base(promptDir), n, true
}

// StoreDir returns the folder of the store a prompt file belongs to: its
// own folder, or for a version file the folder above .versions.
func StoreDir(path string) string {
	if dir, _, _, ok := VersionOf(path); ok {
		return dir
	}
	return filepath.Dir(path)
}
