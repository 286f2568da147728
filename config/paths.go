package config

import (
	"os"
	"path/filepath"
)

// appName is the folder name under the XDG base directories.
const appName = "mstudio"

// Dir is the folder of the config file and user theme files:
// $XDG_CONFIG_HOME/mstudio, or ~/.config/mstudio. The XDG fallback is used on
// every OS (not os.UserConfigDir's ~/Library/Application Support on macOS)
// because terminal users expect their dotfiles in one place. It is "" when
// neither the variable nor the home folder is known.
func Dir() string { return xdgDir("XDG_CONFIG_HOME", ".config") }

// StateDir is the folder for drafts and the trust list:
// $XDG_STATE_HOME/mstudio, or ~/.local/state/mstudio; "" when neither the
// variable nor the home folder is known. It may not exist yet.
func StateDir() string { return xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state")) }

// DefaultPath is where the config file is looked for: Dir()/config.yaml, or
// "" when Dir is unknown.
func DefaultPath() string {
	d := Dir()
	if d == "" {
		return ""
	}
	return filepath.Join(d, "config.yaml")
}

func xdgDir(env, fallback string) string {
	// The XDG spec says relative values are invalid and must be ignored.
	if v := os.Getenv(env); v != "" && filepath.IsAbs(v) {
		return filepath.Join(v, appName)
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, fallback, appName)
}
